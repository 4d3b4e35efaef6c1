#!/usr/bin/env bash
# The README's test command: every test, Rust and Python.
#
# Installs pytest for the interpreter spectrum is built against when it is missing
# (a fresh machine has only the standard library), then runs `cargo test` and the
# python_workloads pytest suite with that interpreter.
set -euo pipefail
cd "$(dirname "$0")/.."

# The interpreter pyo3 builds against: $PYO3_PYTHON when set, else python3 on PATH (what
# pyo3 itself picks; see README, "Choosing the interpreter").
py="${PYO3_PYTHON:-python3}"

if ! "$py" -c 'import pytest' 2>/dev/null; then
    echo "installing pytest for $py"
    "$py" -m pip install --quiet --disable-pip-version-check pytest || {
        echo "could not install pytest for $py: install it yourself (Debian/Ubuntu:" \
             "apt install python3-pytest), or point PYO3_PYTHON at another python3" >&2
        exit 1
    }
fi

cargo test
# The CSV export's test reads what this binary writes (cargo test has just built it).
SPECTRUM_BIN="${SPECTRUM_BIN:-$PWD/target/debug/spectrum}" "$py" -m pytest -q python_workloads
