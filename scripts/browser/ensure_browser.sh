#!/usr/bin/env bash
# Browser tests need Debian's chromium and chromium-driver (no browser downloads
# here). Install them when running as root; otherwise say exactly what to run.
set -euo pipefail
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
  exit 0
fi
exec bash "$(dirname "$0")/../apt_install.sh" "the browser tests" chromium chromium-driver
