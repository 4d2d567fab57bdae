#!/usr/bin/env bash
# The database tests start their own PostgreSQL server (scripts/runner/postgres.py)
# from Debian's postgresql package; they fail (they do not skip) without it.
set -euo pipefail
if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || [ -n "${PG_BINDIR:-}" ]; then
  exit 0
fi
exec bash "$(dirname "$0")/../apt_install.sh" "the database tests" postgresql
