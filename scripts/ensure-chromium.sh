#!/usr/bin/env bash
# `npm test` runs this before jest: the admin console's end-to-end test drives Debian's Chromium
# (playwright-core cannot download a browser on these machines). Installs it with apt-get when
# missing and allowed (root); otherwise says what to do.
set -euo pipefail
browser="${CHROMIUM_PATH:-/usr/bin/chromium}"
[ -x "$browser" ] && exit 0
if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null 2>&1; then
  echo "test: installing Debian's chromium for the admin console's end-to-end test"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
  [ -x "$browser" ] && exit 0
fi
echo "test: $browser is missing; install Chromium (apt-get install -y chromium) or set CHROMIUM_PATH" >&2
exit 1
