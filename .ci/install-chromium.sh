#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests (test/web/pages-in-browser.test.ts), which drive
# it with playwright-core. Never fails the build: without root or apt the tests print why they skip.
set -u

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"

if [ -x "$CHROMIUM" ]; then
  echo "chromium already installed: $("$CHROMIUM" --version 2>/dev/null | tail -n 1)"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "chromium not installed: apt-get is not available here; install Chromium yourself and set CHROMIUM_PATH (browser tests skip until then)"
  exit 0
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    echo "chromium not installed: installing needs root (run: sudo apt-get update && sudo apt-get install -y chromium); browser tests skip until then"
    exit 0
  fi
fi

echo "installing Debian's chromium with apt-get"
if ! $SUDO apt-get update; then
  echo "chromium not installed: apt-get update failed (offline?); browser tests skip until then"
  exit 0
fi
if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium; then
  echo "chromium not installed: apt-get install chromium failed; browser tests skip until then"
  exit 0
fi
echo "chromium installed: $("$CHROMIUM" --version 2>/dev/null | tail -n 1)"
