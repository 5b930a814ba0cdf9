#!/usr/bin/env bash
# GNU parallel runs the multi-machine recipes of the README (and their local test). Installed
# from the system's packages when we may; otherwise say how.
set -u
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "setup: installing GNU parallel (apt-get install parallel)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q parallel >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q parallel >/dev/null 2>&1; } \
    || echo "setup: could not install GNU parallel; install it yourself (it is only needed for the multi-machine recipes)" >&2
else
  echo "setup: GNU parallel not found; install it for the multi-machine recipes (Debian/Ubuntu: sudo apt-get install parallel; macOS: brew install parallel)" >&2
fi
exit 0
