#!/usr/bin/env bash
# Installs Debian's chromium for the browser tests (test/web/pages-in-browser.test.ts,
# test/adapters/playground/browser.test.ts), which drive it with playwright-core. In CI (CI set) a
# failure fails the build, as the browser tests then do; elsewhere they skip and print why.
set -u

CHROMIUM="${CHROMIUM_PATH:-/usr/bin/chromium}"
HOW="run: sudo apt-get update && sudo apt-get install -y chromium, or set CHROMIUM_PATH to a Chromium"

# One line saying what went wrong and how to install it; fatal only in CI.
not_installed() {
  if [ -n "${CI:-}" ] && [ "${CI}" != "false" ]; then
    echo "chromium not installed: $1 ($HOW); CI is set, so the browser tests would fail" >&2
    exit 1
  fi
  echo "chromium not installed: $1 ($HOW); browser tests skip until then"
  exit 0
}

if [ -x "$CHROMIUM" ]; then
  echo "chromium already installed: $("$CHROMIUM" --version 2>/dev/null | tail -n 1)"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  not_installed "apt-get is not available here"
fi
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    SUDO="sudo -n"
  else
    not_installed "installing needs root"
  fi
fi

echo "installing Debian's chromium with apt-get"
if ! $SUDO apt-get update; then
  not_installed "apt-get update failed (offline?)"
fi
if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y --no-install-recommends chromium; then
  not_installed "apt-get install chromium failed"
fi
if [ ! -x "$CHROMIUM" ]; then
  not_installed "apt-get installed chromium, but there is none at $CHROMIUM"
fi
echo "chromium installed: $("$CHROMIUM" --version 2>/dev/null | tail -n 1)"
