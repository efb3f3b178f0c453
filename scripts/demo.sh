#!/usr/bin/env bash
# Run the kiosk demo: simulated devices, the reference back office embedded on a free
# loopback port, demo citizens. Without a display it renders the screens offscreen.
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$repo_root/scripts/bootstrap.sh"
cd "$repo_root"
if [ -z "${DISPLAY:-}" ] && [ -z "${WAYLAND_DISPLAY:-}" ]; then
  echo "demo: no display found, so every scripted journey is played offscreen"
  exec "$repo_root/.venv/bin/kiosk" demo --headless --scenario all --out "$repo_root/demo-output" "$@"
fi
exec "$repo_root/.venv/bin/kiosk" demo "$@"
