#!/usr/bin/env bash
# Install the self-service kiosk on a Debian 12 terminal, as root. Safe to run again: it
# installs what is missing, refreshes the code and the unit, and never overwrites the site
# profile, the environment file or the terminal secret once they exist.
#
#   deploy/install.sh [--profile service_hall|bank_branch|FILE.toml] [--terminal-id ID]
#                     [--secret-file FILE] [--x11] [--no-packages] [--dry-run]
#
# What it does: Debian packages (the runtime part of scripts/bootstrap.sh's list, plus cage
# or Xorg), the system user `kiosk`, the code in /opt/si-kiosk with its virtual environment,
# /etc/si-kiosk (site profile, kiosk.env, terminal-secret), /var/lib/si-kiosk and
# /var/log/si-kiosk, and the systemd unit (cage/Wayland, or Xorg with --x11), enabled for
# the next boot. `--dry-run` prints every step instead of doing it (no root needed).
# docs/operator-guide.md is the operator's side of this.
set -euo pipefail

source_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
prefix=/opt/si-kiosk
# The units read /etc/si-kiosk; SI_KIOSK_ETC_DIR exists for tests (a scratch directory with --dry-run).
etc_dir="${SI_KIOSK_ETC_DIR:-/etc/si-kiosk}"
state_dir=/var/lib/si-kiosk
log_dir=/var/log/si-kiosk
unit_dir=/etc/systemd/system
xorg_conf_dir=/etc/X11/xorg.conf.d
kiosk_user=kiosk

profile=service_hall
terminal_id=""
secret_source=""
display_server=wayland
install_packages=1
dry_run=0

usage() {
  sed -n '2,15p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
}

die() { echo "install: $*" >&2; exit 1; }
say() { echo "install: $*"; }

while (($#)); do
  case "$1" in
    --profile) profile="${2:?--profile needs a value}"; shift 2 ;;
    --profile=*) profile="${1#*=}"; shift ;;
    --terminal-id) terminal_id="${2:?--terminal-id needs a value}"; shift 2 ;;
    --terminal-id=*) terminal_id="${1#*=}"; shift ;;
    --secret-file) secret_source="${2:?--secret-file needs a value}"; shift 2 ;;
    --secret-file=*) secret_source="${1#*=}"; shift ;;
    --x11) display_server=x11; shift ;;
    --no-packages) install_packages=0; shift ;;
    --dry-run) dry_run=1; shift ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; die "unknown option: $1" ;;
  esac
done

# Run a command, or in a dry run print it (shell-quoted, so it can be pasted).
run() {
  if ((dry_run)); then
    printf 'would run:'; printf ' %q' "$@"; printf '\n'
  else
    "$@"
  fi
}

# Write stdin to a file with mode and owner; the content of a secret is never printed.
write_file() {
  local mode="$1" owner="$2" path="$3" show="${4:-show}" tmp
  if ((dry_run)); then
    echo "would write: $path (mode $mode, owner $owner)"
    if [ "$show" = show ]; then sed 's/^/    | /'; else cat >/dev/null; fi
    return
  fi
  tmp="$(mktemp "$path.XXXXXX")"   # created 0600: nothing readable before chmod
  cat >"$tmp"
  chown "$owner" "$tmp"
  chmod "$mode" "$tmp"
  mv -f "$tmp" "$path"
}

# --- what to install --------------------------------------------------------------------

case "$profile" in
  */*|*.toml)
    [ -f "$profile" ] || die "profile file $profile does not exist"
    profile_file="$(cd "$(dirname "$profile")" && pwd)/$(basename "$profile")" ;;
  *)
    profile_file="$source_dir/config/$profile.toml"
    [ -f "$profile_file" ] || die "no profile named $profile (have: $(cd "$source_dir/config" && ls -- *.toml | sed 's/\.toml$//' | tr '\n' ' '))" ;;
esac

if [ "$display_server" = x11 ]; then
  unit=si-kiosk-x11.service; unit_source="$source_dir/deploy/xorg/si-kiosk-x11.service"; other_unit=si-kiosk.service
else
  unit=si-kiosk.service; unit_source="$source_dir/deploy/systemd/si-kiosk.service"; other_unit=si-kiosk-x11.service
fi

# The run-time part of scripts/bootstrap.sh's list (that one also carries test tools:
# Xvfb, xdotool, poppler, zbar); swig, gcc and the PC/SC headers build pyscard.
runtime_packages=(
  pcscd libpcsclite1 libccid libpcsclite-dev swig
  libusb-1.0-0
  cups-daemon cups-client
  espeak-ng
  fonts-noto-cjk libegl1 libgl1 libxkbcommon0 libfontconfig1 libdbus-1-3
  python3 python3-venv python3-dev gcc
  rsync
)
wayland_packages=(cage libwayland-client0 libwayland-cursor0 libwayland-egl1)
x11_packages=(
  xserver-xorg-core xserver-xorg-input-libinput xinit x11-xserver-utils
  libxkbcommon-x11-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0
  libxcb-shape0 libxcb-randr0 libxcb-xinerama0 libxcb-xkb1
)
if [ "$display_server" = x11 ]; then
  packages=("${runtime_packages[@]}" "${x11_packages[@]}")
else
  packages=("${runtime_packages[@]}" "${wayland_packages[@]}")
fi

if ((dry_run)); then
  say "dry run: nothing is changed"
elif [ "$(id -u)" != 0 ]; then
  die "run as root (or with --dry-run to see what it would do)"
fi
say "source $source_dir -> $prefix; profile $profile_file; display $display_server; unit $unit"

# --- Debian packages --------------------------------------------------------------------

missing_packages() {
  local pkg
  for pkg in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
  done
}

if ((install_packages)); then
  command -v dpkg-query >/dev/null 2>&1 || die "not a Debian system (no dpkg-query); use --no-packages and install: ${packages[*]}"
  mapfile -t missing < <(missing_packages)
  if ((${#missing[@]})); then
    say "installing Debian packages: ${missing[*]}"
    run env DEBIAN_FRONTEND=noninteractive apt-get update -q
    run env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    say "Debian packages: all present"
  fi
fi

# --- the kiosk user ---------------------------------------------------------------------

if id -u "$kiosk_user" >/dev/null 2>&1; then
  say "user $kiosk_user: exists"
else
  # Home is the state directory: rootless Xorg and fontconfig write under it, /home stays hidden.
  run useradd --system --user-group --home-dir "$state_dir" --no-create-home \
      --shell /usr/sbin/nologin --comment "Self-service kiosk" "$kiosk_user"
fi
# Devices the kiosk opens itself: the console and GPU (tty, video, render), touch and keys
# (input), USB/parallel receipt printers (lp), serial QR scanners and printers (dialout), sound.
for group in tty video render input lp dialout audio; do
  if getent group "$group" >/dev/null 2>&1; then
    if ! id -nG "$kiosk_user" 2>/dev/null | tr ' ' '\n' | grep -qx "$group"; then
      run usermod -a -G "$group" "$kiosk_user"
    fi
  fi
done

# --- directories ------------------------------------------------------------------------

run install -d -m 0755 -o root -g root "$prefix"
run install -d -m 0750 -o root -g "$kiosk_user" "$etc_dir"
run install -d -m 0750 -o "$kiosk_user" -g "$kiosk_user" "$state_dir" "$state_dir/state" "$state_dir/certificates"
run install -d -m 0750 -o "$kiosk_user" -g "$kiosk_user" "$log_dir"

# --- code and virtual environment -------------------------------------------------------

if [ "$source_dir" != "$prefix" ]; then
  # Owned by root: the kiosk user can run the code but not change it.
  run rsync -a --delete --chown=root:root \
      --exclude=/.git/ --exclude=/.venv/ --exclude=/var/ --exclude=/demo-output/ \
      --exclude='*.egg-info/' --exclude=__pycache__/ --exclude=.pytest_cache/ --exclude=.hypothesis/ \
      "$source_dir/" "$prefix/"
else
  say "running from $prefix: code already in place"
fi

source "$source_dir/scripts/python311.sh"   # pick_python

venv="$prefix/.venv"
python_bin="$(pick_python)" || die "no Python 3.11 to build the virtual environment with"
if [ ! -x "$venv/bin/python" ]; then
  run "$python_bin" -m venv "$venv"
fi
# Editable, like scripts/bootstrap.sh: the kiosk finds config/ and assets/ next to its code.
# Reinstalled only when pyproject.toml changed (the stamp carries its hash).
stamp="$venv/.installed-$(sha256sum "$source_dir/pyproject.toml" | cut -c1-16)"
if [ ! -f "$stamp" ]; then
  run "$venv/bin/python" -m pip install -q --upgrade pip
  run "$venv/bin/python" -m pip install -q -e "$prefix[card]"
  run find "$venv" -maxdepth 1 -name '.installed-*' -delete
  run touch "$stamp"
fi
# The unit runs with /opt read-only: compile once here.
run "$venv/bin/python" -m compileall -q "$prefix/kiosk" "$prefix/ui" "$prefix/devices" "$prefix/backoffice"

# --- /etc/si-kiosk ----------------------------------------------------------------------

# The chosen profile, with what this installation decides: state, logs and certificates
# under /var (the code directory is read-only for the service), the secret file, and the
# terminal id when given. Keys already set to absolute paths are kept.
render_site_profile() {
  "$python_bin" - "$profile_file" "$terminal_id" "$etc_dir/terminal-secret" "$state_dir" "$log_dir" <<'PY'
import json
import re
import sys
import tomllib

source, terminal_id, secret_file, state_dir, log_dir = sys.argv[1:]
text = open(source, encoding="utf-8").read()
settings = tomllib.loads(text)


def current(table: str, key: str):
    node = settings
    for part in table.split("."):
        node = node.get(part, {})
    return node.get(key)


def set_key(text: str, table: str, key: str, value: str) -> str:
    line = f"{key} = {json.dumps(value, ensure_ascii=False)}"
    header = re.search(rf"^\[{re.escape(table)}\][ \t]*(#.*)?$", text, re.M)
    if header is None:
        return text.rstrip("\n") + f"\n\n[{table}]\n{line}\n"
    end = re.search(r"^\[", text[header.end():], re.M)
    body_end = header.end() + (end.start() if end else len(text[header.end():]))
    body = text[header.end():body_end]
    existing = re.search(rf"^[ \t]*{re.escape(key)}[ \t]*=.*$", body, re.M)
    if existing:
        body = body[:existing.start()] + line + body[existing.end():]
    else:
        body = "\n" + line + body
    return text[:header.end()] + body + text[body_end:]


def relative(value) -> bool:
    return not (isinstance(value, str) and value.startswith("/"))


changes = []
if terminal_id:
    changes.append(("terminal", "id", terminal_id))
if not current("terminal", "secret_file") and not current("terminal", "secret"):
    changes.append(("terminal", "secret_file", secret_file))
if relative(current("storage", "directory")):
    changes.append(("storage", "directory", f"{state_dir}/state"))
if relative(current("logging", "directory")):
    changes.append(("logging", "directory", log_dir))
if relative(current("devices.document_printer", "output_dir")):
    changes.append(("devices.document_printer", "output_dir", f"{state_dir}/certificates"))
for table, key, value in changes:
    text = set_key(text, table, key, value)
result = tomllib.loads(text)   # a profile this script cannot edit safely stops the install here
for table, key, value in changes:
    node = result
    for part in table.split("."):
        node = node[part]
    assert node[key] == value, (table, key)
print(f"# Site profile, written by deploy/install.sh from {source}.")
print("# Edit it here; check with: /opt/si-kiosk/.venv/bin/kiosk config check /etc/si-kiosk/site.toml")
print(text.rstrip("\n"))
PY
}

site_profile="$etc_dir/site.toml"
if [ -e "$site_profile" ]; then
  say "keeping $site_profile"
else
  render_site_profile | write_file 0640 "root:$kiosk_user" "$site_profile"
fi

if [ -e "$etc_dir/kiosk.env" ]; then
  say "keeping $etc_dir/kiosk.env"
else
  printf '# Read by the kiosk unit (%s).\nKIOSK_PROFILE=%s\n' "$unit" "$site_profile" \
    | write_file 0644 root:root "$etc_dir/kiosk.env"
fi

secret="$etc_dir/terminal-secret"
if [ -e "$secret" ]; then
  # Never overwritten: the back office knows this terminal by it. Only its mode is made right.
  say "keeping $secret"
  run chown "$kiosk_user:$kiosk_user" "$secret"
  run chmod 0600 "$secret"
elif [ -n "$secret_source" ]; then
  [ -s "$secret_source" ] || die "secret file $secret_source is missing or empty"
  write_file 0600 "$kiosk_user:$kiosk_user" "$secret" hide <"$secret_source"
else
  # A fresh random secret; register it with the back office for this terminal id.
  "$python_bin" -c 'import secrets; print(secrets.token_hex(32))' \
    | write_file 0600 "$kiosk_user:$kiosk_user" "$secret" hide
  say "new terminal secret in $secret: register it with the back office (see docs/operator-guide.md)"
fi

# --- display server and unit ------------------------------------------------------------

if [ "$display_server" = x11 ]; then
  run install -d -m 0755 "$xorg_conf_dir"
  run install -m 0644 "$source_dir/deploy/xorg/50-kiosk-lockdown.conf" "$xorg_conf_dir/50-kiosk-lockdown.conf"
fi
run install -m 0644 "$unit_source" "$unit_dir/$unit"
if [ -e "$unit_dir/$other_unit" ]; then
  run systemctl disable "$other_unit"
  run rm -f "$unit_dir/$other_unit"
fi
run systemctl daemon-reload
# tty1 belongs to the kiosk: no login prompt competing for it at boot.
run systemctl disable getty@tty1.service
run systemctl enable pcscd.socket
run systemctl set-default graphical.target
run systemctl enable "$unit"

say "done: $unit enabled; it starts at the next boot (now: systemctl start $unit)"
say "next: set the terminal id, back office URL and technician PIN hash in $site_profile,"
say "      then check it: $venv/bin/kiosk config check $site_profile"
