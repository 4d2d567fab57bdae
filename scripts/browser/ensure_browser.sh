#!/usr/bin/env bash
# Browser tests need Debian's chromium and chromium-driver (no browser downloads
# here). Install them when running as root; otherwise say exactly what to run.
set -euo pipefail
if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then
  exit 0
fi
install="apt-get install -y chromium chromium-driver"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing headless Chromium for the browser tests: $install"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $install >/dev/null
else
  echo "Browser tests need Chromium and chromedriver. Install them with:" >&2
  echo "    sudo $install" >&2
  exit 1
fi
