#!/usr/bin/env bash
# System packages the tests need, from Debian:
# - chromium and fonts-noto-cjk for the browser tests (Playwright drives Debian's chromium through
#   executable_path, so no browser download at test time; without CJK fonts every Chinese
#   character in a screenshot renders as a box);
# - postgresql and redis-server for the multi-host tests, which start real servers on loopback
#   (tests/servers.py runs initdb/pg_ctl from /usr/lib/postgresql/<v>/bin in a temp folder).
# Idempotent: installs only what is missing, so .ci/run can call it on every run.
set -euo pipefail

have_chromium() { command -v chromium >/dev/null 2>&1; }
have_cjk_fonts() { command -v fc-list >/dev/null 2>&1 && fc-list :lang=zh 2>/dev/null | grep -qi "noto"; }
have_postgres() { compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || command -v initdb >/dev/null 2>&1; }
have_redis() { command -v redis-server >/dev/null 2>&1; }

missing=()
have_chromium || missing+=(chromium)
have_cjk_fonts || missing+=(fonts-noto-cjk)
have_postgres || missing+=(postgresql)
have_redis || missing+=(redis-server)

if [ ${#missing[@]} -eq 0 ]; then
    echo "system-packages: chromium, fonts-noto-cjk, postgresql and redis-server already present" >&2
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then
        SUDO="sudo"
    else
        echo "system-packages: need root (or sudo) to install ${missing[*]}" >&2
        exit 1
    fi
fi

echo "system-packages: installing ${missing[*]}" >&2
$SUDO apt-get update
$SUDO env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
# Debian starts the packaged services; the tests run their own on free ports and need neither.
