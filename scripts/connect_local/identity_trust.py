"""Which OIDC identity tokens the stand-in trades for a short-lived API key.

The trust file (``--identity-trust FILE``, JSON) names the issuers and their
signing keys, and the rules that map a token to a service account::

    {"issuers": [{"issuer": "https://token.actions.githubusercontent.com",
                  "jwks": {"keys": [{"kty": "RSA", "kid": "...", "n": "...", "e": "AQAB"}]}}],
     "rules": [{"issuer": "https://token.actions.githubusercontent.com",
                "audience": "https://connect.example.com",
                "subject": "repo:acme/dash-apps:environment:production",
                "service_account": "deployer"}],
     "key_ttl_seconds": 3600}

A token is believed only when all of these hold: it is a JWT signed with an
asymmetric algorithm by a key of its issuer's JWKS (``alg: none``, HMAC and an
unknown ``kid`` are refused); ``iss`` is a configured issuer; ``exp`` is in the
future, ``iat`` and ``nbf`` not (beyond ``CLOCK_SKEW_S``); exactly one rule's
issuer, audience (``aud``, a string or a list) and subject pattern match. In a
subject pattern ``*`` stands for any run of characters without ``:``, so
``repo:o/r:environment:*`` never matches ``repo:o/r:pull_request``. Connect's
own trust configuration is unverified (scripts/connect_local/README.md).
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt

# Asymmetric algorithms only: an HMAC "signature" would be checked with the
# public key as the secret, and ``none`` has no signature at all.
ALLOWED_ALGORITHMS = ("RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384")
CLOCK_SKEW_S = 30
DEFAULT_KEY_TTL_S = 3600


class TrustFileError(ValueError):
    """The trust file is unusable; the message names the file and the field."""


class IdentityRefused(ValueError):
    """A token the exchange refuses. ``verification`` marks a token that could not be
    verified (signature, issuer, times), as opposed to one no rule grants access to."""

    def __init__(self, message: str, *, verification: bool) -> None:
        super().__init__(message)
        self.verification = verification


@dataclass(frozen=True)
class TrustRule:
    issuer: str
    audience: str
    subject: str  # a pattern: ``*`` matches any run of characters other than ``:``
    service_account: str

    def matches(self, issuer: str, audiences: tuple[str, ...], subject: str) -> bool:
        pattern = "[^:]*".join(re.escape(part) for part in self.subject.split("*"))
        return (
            issuer == self.issuer
            and self.audience in audiences
            and re.fullmatch(pattern, subject) is not None
        )


@dataclass(frozen=True)
class Grant:
    """Who the token may act as, and until when the minted key lives."""

    service_account: str
    subject: str


@dataclass
class IdentityTrust:
    issuers: dict[str, dict[str, jwt.PyJWK]]  # issuer -> kid -> key
    rules: tuple[TrustRule, ...]
    key_ttl_s: int = DEFAULT_KEY_TTL_S
    clock: Callable[[], float] = field(default=time.time, repr=False)

    @property
    def service_accounts(self) -> tuple[str, ...]:
        return tuple(sorted({rule.service_account for rule in self.rules}))

    def grant(self, token: str) -> Grant:
        """The service account ``token`` maps to, or IdentityRefused saying why."""
        claims = self._verified_claims(token)
        issuer, subject = claims["iss"], claims["sub"]
        aud = claims["aud"]
        audiences = (aud,) if isinstance(aud, str) else tuple(a for a in aud if isinstance(a, str))
        accounts = {r.service_account for r in self.rules if r.matches(issuer, audiences, subject)}
        if not accounts:
            raise IdentityRefused(
                f"no access grant matches the token (issuer {issuer}, subject {subject!r}, "
                f"audience {', '.join(audiences)})",
                verification=False,
            )
        if len(accounts) > 1:
            raise IdentityRefused(
                f"the token's subject {subject!r} is ambiguous: it matches the service "
                f"accounts {', '.join(sorted(accounts))}",
                verification=False,
            )
        return Grant(service_account=accounts.pop(), subject=subject)

    def _verified_claims(self, token: str) -> dict[str, Any]:
        def refuse(why: str) -> IdentityRefused:
            message = f"the identity token could not be verified: {why}"
            return IdentityRefused(message, verification=True)

        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError:
            raise refuse("it is not a JWT") from None
        alg = header.get("alg")
        if alg not in ALLOWED_ALGORITHMS:
            raise refuse(f"algorithm {alg!r} is not accepted ({', '.join(ALLOWED_ALGORITHMS)})")
        issuer = unverified.get("iss")
        keys = self.issuers.get(issuer) if isinstance(issuer, str) else None
        if keys is None:
            raise refuse(f"issuer {issuer!r} is not trusted")
        key = keys.get(str(header.get("kid")))
        if key is None:
            raise refuse(f"key {header.get('kid')!r} is not among {issuer}'s signing keys")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[alg],
                issuer=issuer,
                leeway=CLOCK_SKEW_S,
                options={"require": ["iss", "sub", "aud", "exp", "iat"], "verify_aud": False},
            )
        except jwt.ExpiredSignatureError:
            raise refuse("it has expired (exp)") from None
        except jwt.ImmatureSignatureError:
            raise refuse("it is not valid yet (nbf or iat in the future)") from None
        except jwt.InvalidSignatureError:
            raise refuse("its signature does not match the issuer's key") from None
        except jwt.PyJWTError as error:
            raise refuse(str(error)) from None
        now = self.clock()
        for claim in ("iat", "nbf"):  # whatever the library's own check
            value = claims.get(claim)
            future = not isinstance(value, int | float) or value > now + CLOCK_SKEW_S
            if value is not None and future:
                raise refuse(f"it is not valid yet ({claim} in the future)")
        if claims["exp"] <= now:
            raise refuse("it has expired (exp)")
        if not isinstance(claims["sub"], str) or not isinstance(claims["aud"], str | list):
            raise refuse("its sub or aud claim is malformed")
        return claims


def _required_str(entry: dict[str, Any], name: str, where: str) -> str:
    value = entry.get(name)
    if not isinstance(value, str) or not value.strip():
        raise TrustFileError(f"{where}: {name!r} must be a non-empty string")
    return value


def _issuer_keys(entry: dict[str, Any], where: str) -> dict[str, jwt.PyJWK]:
    jwks = entry.get("jwks")
    if not isinstance(jwks, dict) or not isinstance(jwks.get("keys"), list) or not jwks["keys"]:
        raise TrustFileError(f"{where}: 'jwks' must be a JWK set with at least one key")
    keys: dict[str, jwt.PyJWK] = {}
    for number, data in enumerate(jwks["keys"]):
        if not isinstance(data, dict) or not data.get("kid"):
            raise TrustFileError(f"{where}: key {number} has no 'kid'")
        try:
            keys[str(data["kid"])] = jwt.PyJWK(data)
        except jwt.PyJWTError as error:
            raise TrustFileError(f"{where}: key {data['kid']!r} is not usable: {error}") from None
    return keys


def load_trust(path: Path) -> IdentityTrust:
    """The trust file at ``path``, checked whole; TrustFileError names what is wrong."""
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        raise TrustFileError(f"--identity-trust {path}: cannot read it as JSON ({error})") from None
    if not isinstance(data, dict):
        raise TrustFileError(f"--identity-trust {path}: expected a JSON object")
    issuers: dict[str, dict[str, jwt.PyJWK]] = {}
    for number, entry in enumerate(data.get("issuers") or []):
        where = f"{path}: issuers[{number}]"
        if not isinstance(entry, dict):
            raise TrustFileError(f"{where}: expected an object")
        issuers[_required_str(entry, "issuer", where)] = _issuer_keys(entry, where)
    rules = []
    for number, entry in enumerate(data.get("rules") or []):
        where = f"{path}: rules[{number}]"
        if not isinstance(entry, dict):
            raise TrustFileError(f"{where}: expected an object")
        rule = TrustRule(*(_required_str(entry, n, where) for n in TrustRule.__dataclass_fields__))
        if rule.issuer not in issuers:
            raise TrustFileError(f"{where}: issuer {rule.issuer!r} is not listed in 'issuers'")
        rules.append(rule)
    if not rules:
        raise TrustFileError(f"{path}: no 'rules': no token could be exchanged")
    ttl = data.get("key_ttl_seconds", DEFAULT_KEY_TTL_S)
    if not isinstance(ttl, int) or isinstance(ttl, bool) or ttl < 1:
        raise TrustFileError(f"{path}: 'key_ttl_seconds' must be a whole number of at least 1")
    return IdentityTrust(issuers=issuers, rules=tuple(rules), key_ttl_s=ttl)
