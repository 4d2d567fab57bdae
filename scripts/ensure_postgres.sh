#!/usr/bin/env bash
# The database tests start their own PostgreSQL server (scripts/postgres.py)
# from Debian's postgresql package. Install it when running as root; otherwise
# say exactly what to run. The tests fail (they do not skip) without it.
set -euo pipefail
if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || [ -n "${PG_BINDIR:-}" ]; then
  exit 0
fi
install="apt-get install -y postgresql"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing PostgreSQL for the database tests: $install"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $install >/dev/null
else
  echo "The database tests need PostgreSQL's server binaries. Install them with:" >&2
  echo "    sudo $install" >&2
  exit 1
fi
