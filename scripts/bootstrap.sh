#!/usr/bin/env bash
# Prepare a fresh Debian machine for the kiosk: system packages (when root), a virtual
# environment in .venv and the project installed into it. Safe to run again; fast when
# nothing changed. Sourced by scripts/demo.sh and scripts/test.sh.
set -euo pipefail

repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
venv="$repo_root/.venv"

debian_packages=(
  # card reader: PC/SC daemon, the vpcd virtual reader driver, headers for building pyscard
  pcscd vsmartcard-vpcd libpcsclite1 libpcsclite-dev swig
  # USB receipt printers (pyusb loads libusb at run time)
  libusb-1.0-0
  # A4 printing through CUPS (the document printer's cups driver and its tests)
  cups-daemon cups-client
  # speech
  espeak-ng
  # Qt runtime, fonts, virtual screen for screenshots
  fonts-noto-cjk libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libxcb-cursor0
  libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0 libxcb-randr0 libxcb-xinerama0 libxcb-xkb1
  libdbus-1-3 xvfb xauth
  # real X11 keystrokes for the keyboard-wedge scanner test
  xdotool
  # checking printed output: PDF text and images, QR decoding; dev CA
  poppler-utils zbar-tools openssl
  # Python itself on a machine that lacks it
  python3 python3-venv python3-dev gcc
)

missing_packages() {
  local pkg
  for pkg in "${debian_packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
  done
}

if command -v dpkg-query >/dev/null 2>&1; then
  mapfile -t missing < <(missing_packages)
  if ((${#missing[@]})); then
    if [ "$(id -u)" = "0" ]; then
      echo "bootstrap: installing Debian packages: ${missing[*]}"
      export DEBIAN_FRONTEND=noninteractive
      apt-get update -q >/dev/null
      apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
    else
      echo "bootstrap: not root; please install: sudo apt-get install ${missing[*]}" >&2
    fi
  fi
fi

# vpcd listens on 35963/35964; keep the kernel from handing those out as ephemeral ports,
# or pcscd can start without its virtual readers (seen in the card tests).
if [ "$(id -u)" = "0" ] && command -v sysctl >/dev/null 2>&1; then
  sysctl -q -w net.ipv4.ip_local_reserved_ports=35963-35964 2>/dev/null || true
fi

source "$repo_root/scripts/python311.sh"   # pick_python

if [ ! -x "$venv/bin/python" ]; then
  "$(pick_python)" -m venv "$venv"
fi

# Reinstall only when the project's requirements changed.
stamp="$venv/.installed-$(sha256sum "$repo_root/pyproject.toml" | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  # demo: the embedded reference back office (FastAPI, uvicorn), which the tests also run.
  extras="demo,test"
  # pyscard builds from source: it needs swig and the PC/SC headers.
  if command -v swig >/dev/null 2>&1 && [ -e /usr/include/PCSC/winscard.h ]; then extras="demo,test,card"; fi
  # pip and the build backend talk a lot (notes, build warnings): into a log, shown when it fails.
  pip_log="$venv/pip-install.log"
  echo "bootstrap: installing the kiosk and its Python packages into .venv (pip's log: $pip_log)"
  if ! { "$venv/bin/python" -m pip install --upgrade pip && "$venv/bin/python" -m pip install -e "$repo_root[$extras]"; } \
      >"$pip_log" 2>&1; then
    tail -n 40 "$pip_log" >&2
    echo "bootstrap: pip install failed; the whole log is in $pip_log" >&2
    exit 1
  fi
  rm -f "$venv"/.installed-*
  touch "$stamp"
fi
