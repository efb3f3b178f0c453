# Sourced by scripts/bootstrap.sh and deploy/install.sh.
# pick_python prints the command of a Python 3.11 on PATH; without one it says so and fails.
pick_python() {
  local candidate
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      echo "$candidate"; return 0
    fi
  done
  echo "Python 3.11 is required (Debian 12 ships it as python3)" >&2
  return 1
}
