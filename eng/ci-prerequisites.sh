#!/usr/bin/env bash
# Installs what the tests need beyond Redis and PostgreSQL (eng/services.sh installs those).
# Kept separate so a developer machine can run it once: eng/ci-prerequisites.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

as_root() { if [ "$(id -u)" = "0" ]; then "$@"; else sudo "$@"; fi; }

need=()
command -v git >/dev/null || need+=(git)
# The dashboard's browser test drives Debian's Chromium headless; the SignalR client is bundled with npm.
[ -x "${COMMERCE_TEST_CHROMIUM:-/usr/bin/chromium}" ] || need+=(chromium)
command -v npm >/dev/null || need+=(npm)
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  as_root apt-get update -qq >/dev/null || true
  as_root apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
