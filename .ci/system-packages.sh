#!/usr/bin/env bash
# System packages the browser tests need: Debian's chromium (Playwright drives it through
# executable_path, so no browser download at test time) and fonts-noto-cjk (without CJK fonts
# every Chinese character in a screenshot renders as a box).
# Idempotent: installs only what is missing, so .ci/run can call it on every run.
set -euo pipefail

have_chromium() { command -v chromium >/dev/null 2>&1; }
have_cjk_fonts() { command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -qi "noto"; }

if have_chromium && have_cjk_fonts; then
    echo "system-packages: chromium and fonts-noto-cjk already present" >&2
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "system-packages: need root (or sudo) to install chromium and fonts-noto-cjk" >&2
        exit 1
    fi
fi

echo "system-packages: installing chromium fonts-noto-cjk" >&2
$SUDO apt-get update
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-noto-cjk
