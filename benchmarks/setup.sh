#!/usr/bin/env bash
# The peers of the page benchmark, installed only for benchmarking (never a sitegen dependency):
# MkDocs (pinned) in a venv under .sitegen/bench-venv, Hugo from Debian's package.
# Also compiles sitegen to bytecode (see the end).
#
#     bash benchmarks/setup.sh
#
# Safe to re-run: an existing venv and an installed hugo are kept.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.sitegen/bench-venv"
MKDOCS_VERSION="1.6.1"

if [ ! -x "$venv/bin/mkdocs" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet "mkdocs==$MKDOCS_VERSION"
fi
"$venv/bin/mkdocs" --version

if ! command -v hugo >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ]; then
    apt-get update -qq
    apt-get install -y -qq hugo >/dev/null
  else
    sudo apt-get update -qq && sudo apt-get install -y -qq hugo >/dev/null
  fi
fi
hugo version

# sitegen's own modules as bytecode, as a pip-installed (not editable) sitegen has them: with
# PYTHONDONTWRITEBYTECODE set, an editable checkout would otherwise compile them again in every process
# the benchmarks start (~0.25 s each).
python3 -m compileall -q "$root/sitegen"
