#!/usr/bin/env bash
# Makes sure Debian's nats-server is on the PATH for @lossflow/nats's tests (each test file starts
# its own server on 127.0.0.1). Idempotent: does nothing when nats-server is there; installs it with
# apt-get when running as root; otherwise says how to install it and fails, so a missing server is
# never mistaken for a passing test.
set -euo pipefail

if command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ] || [ -x /usr/bin/nats-server ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-nats: nats-server is missing; installing Debian's nats-server with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  # A fresh machine has no package lists yet; refresh them only when the install needs it.
  if ! apt-get install -y --no-install-recommends nats-server; then
    apt-get update
    apt-get install -y --no-install-recommends nats-server
  fi
  exit 0
fi

echo "ensure-nats: nats-server is missing and this script cannot install it (needs root and apt-get)." >&2
echo "Install it with: sudo apt-get update && sudo apt-get install -y nats-server" >&2
exit 1
