#!/usr/bin/env bash
# apt_install.sh PURPOSE PACKAGE...: install Debian packages the tests need,
# when running as root (CI, containers); otherwise say exactly what to run.
set -euo pipefail
purpose="$1"
shift
install="apt-get install -y $*"
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "Installing $* for $purpose: $install"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $install >/dev/null
else
  echo "$purpose need $*. Install them with:" >&2
  echo "    sudo $install" >&2
  exit 1
fi
