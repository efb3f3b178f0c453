#!/usr/bin/env bash
# The whole X session of the Xorg fallback (deploy/xorg/si-kiosk-x11.service): no window
# manager, no desktop, no terminal; the kiosk is the only X client. xinit runs this script
# and stops the X server when it ends, so when the kiosk exits systemd (Restart=always)
# starts a fresh X server and kiosk.
set -euo pipefail

kiosk_bin="${KIOSK_BIN:-/opt/si-kiosk/.venv/bin/kiosk}"
profile="${KIOSK_PROFILE:-service_hall}"

# The attract screen is the terminal's signage: never blank it or power the panel down.
# A server without the DPMS extension is not a reason to stay dark, so only warn.
if ! xset s off -dpms s noblank; then
  echo "kiosk-xsession: xset failed; the screen may blank" >&2
fi

export QT_QPA_PLATFORM=xcb
# exec: the kiosk is xinit's client itself, so its exit status is the session's.
exec "$kiosk_bin" run --profile "$profile"
