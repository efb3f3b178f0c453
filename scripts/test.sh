#!/usr/bin/env bash
# Run the whole test suite on this machine (installs what it needs first).
set -euo pipefail
repo_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$repo_root/scripts/bootstrap.sh"
cd "$repo_root"
export QT_QPA_PLATFORM="${QT_QPA_PLATFORM:-offscreen}"
exec "$repo_root/.venv/bin/python" -m pytest "$@"
