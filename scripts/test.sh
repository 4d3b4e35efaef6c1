#!/usr/bin/env bash
# The README's test command: every test, Rust and Python.
#
# Installs pytest for the interpreter spectrum is built against when it is missing
# (a fresh machine has only the standard library), then runs `cargo test` and the
# python_workloads pytest suite with that interpreter.
set -euo pipefail
cd "$(dirname "$0")/.."

# The interpreter pyo3 builds against (pinned in .cargo/config.toml); PYO3_PYTHON overrides.
py="${PYO3_PYTHON:-$(sed -n 's/^PYO3_PYTHON = { value = "\([^"]*\)".*/\1/p' .cargo/config.toml)}"
[ -x "$py" ] || py=python3

if ! "$py" -c 'import pytest' 2>/dev/null; then
    echo "installing pytest for $py"
    "$py" -m pip install --quiet --disable-pip-version-check pytest
fi

cargo test
"$py" -m pytest -q python_workloads
