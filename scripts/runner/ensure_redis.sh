#!/usr/bin/env bash
# The background-job tests start their own Redis server (tests/support/redis.py)
# from Debian's redis-server package; they fail (they do not skip) without it.
set -euo pipefail
if command -v redis-server >/dev/null || [ -x /usr/bin/redis-server ]; then
  exit 0
fi
exec bash "$(dirname "$0")/../apt_install.sh" "the background-job tests" redis-server
