#!/usr/bin/env bash
# Create .venv with a Python >= 3.12 and install Parley with its dev tools into it.
# Reinstalls only when pyproject.toml changed since the last install.
set -euo pipefail
cd "$(dirname "$0")/.."

# Whether the interpreter $1 runs and is Python >= 3.12.
is_new_enough() {
  "$1" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null
}

find_python() {
  local candidates=(python3.13 python3.12 python3 python)
  for c in "${candidates[@]}"; do
    if command -v "$c" >/dev/null 2>&1 && is_new_enough "$c"; then
      command -v "$c"; return 0
    fi
  done
  local root="${PYENV_ROOT:-$HOME/.pyenv}"
  for p in "$root"/versions/3.1[2-9]*/bin/python3 "$root"/versions/3.[2-9][0-9]*/bin/python3; do
    if [ -x "$p" ] && is_new_enough "$p"; then
      echo "$p"; return 0
    fi
  done
  return 1
}

if [ ! -x .venv/bin/python ] || ! is_new_enough .venv/bin/python; then
  if ! PY=$(find_python); then
    echo "Parley needs Python 3.12 or newer, and none was found on PATH or under pyenv." >&2
    echo "Install one, e.g. 'sudo apt-get install python3.12 python3.12-venv' or 'pyenv install 3.12'." >&2
    exit 1
  fi
  echo "creating .venv with $PY"
  rm -rf .venv
  "$PY" -m venv .venv
fi

stamp=.venv/.parley-installed
if [ ! -f "$stamp" ] || ! cmp -s pyproject.toml "$stamp"; then
  .venv/bin/python -m pip install --quiet --upgrade pip
  .venv/bin/python -m pip install --quiet -e ".[dev]"
  cp pyproject.toml "$stamp"
fi
