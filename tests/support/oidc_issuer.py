"""A throwaway OIDC issuer for tests: an RSA key made per test, its JWKS, signed tokens.

Nothing leaves the machine: the stand-in gets the JWKS inside its trust file
(``trust_file``), and tokens are signed here, shaped like GitHub Actions' own
(``iss``, ``sub`` such as ``repo:OWNER/REPO:environment:production``, ``aud``).
"""

from __future__ import annotations

import base64
import json
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

GITHUB_ISSUER = "https://token.actions.githubusercontent.com"
PRODUCTION_SUBJECT = "repo:acme/dash-apps:environment:production"


@dataclass
class LocalIssuer:
    issuer: str = GITHUB_ISSUER
    kid: str = field(default_factory=lambda: secrets.token_hex(4))
    key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048),
        repr=False,
    )

    def jwks(self) -> dict[str, Any]:
        public = json.loads(RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**public, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def token(
        self,
        *,
        audience: str | list[str],
        subject: str = PRODUCTION_SUBJECT,
        lifetime_s: int = 300,
        issued_ago_s: int = 0,
        kid: str | None = None,
        key: rsa.RSAPrivateKey | None = None,
        **extra: Any,
    ) -> str:
        now = int(time.time()) - issued_ago_s
        claims = {
            "iss": self.issuer,
            "sub": subject,
            "aud": audience,
            "iat": now,
            "nbf": now,
            "exp": now + lifetime_s,
            "jti": secrets.token_hex(8),
            **extra,
        }
        return jwt.encode(
            claims, key or self.key, algorithm="RS256", headers={"kid": kid or self.kid}
        )

    def unsigned_token(self, *, audience: str, subject: str = PRODUCTION_SUBJECT) -> str:
        """A token with ``alg: none`` and no signature, otherwise like ``token``'s."""

        def part(data: dict[str, Any]) -> str:
            return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

        now = int(time.time())
        claims = {"iss": self.issuer, "sub": subject, "aud": audience, "iat": now}
        return f"{part({'alg': 'none', 'typ': 'JWT'})}.{part({**claims, 'exp': now + 300})}."

    def foreign_key_token(self, *, audience: str, kid: str | None = None) -> str:
        """Signed by a key that is not this issuer's (under ``kid``, or this issuer's kid)."""
        other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        return self.token(audience=audience, kid=kid, key=other)

    def trust_file(
        self,
        path: Path,
        rules: list[dict[str, str]],
        *,
        key_ttl_s: int = 3600,
    ) -> Path:
        """The stand-in's ``--identity-trust`` file: this issuer and ``rules``."""
        document = {
            "issuers": [{"issuer": self.issuer, "jwks": self.jwks()}],
            "rules": [{"issuer": self.issuer, **rule} for rule in rules],
            "key_ttl_seconds": key_ttl_s,
        }
        path.write_text(json.dumps(document))
        return path
