#!/usr/bin/env bash
# Makes sure Debian's Chromium is at /usr/bin/chromium for the CLI's report browser test
# (playwright-core drives it; Playwright's own browser download is not used). Idempotent: does
# nothing when Chromium is there; installs it with apt-get when running as root; otherwise says
# how to install it and fails, so a missing browser is never mistaken for a passing test.
set -euo pipefail

if [ -x /usr/bin/chromium ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-chromium: /usr/bin/chromium is missing; installing Debian's chromium with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update
  apt-get install -y --no-install-recommends chromium
  exit 0
fi

echo "ensure-chromium: /usr/bin/chromium is missing and this script cannot install it (needs root and apt-get)." >&2
echo "Install it with: sudo apt-get update && sudo apt-get install -y chromium" >&2
exit 1
