"""`spectrum report --export-csv` read back with Python's csv module: what pandas or a
spreadsheet gets. Needs the spectrum binary: $SPECTRUM_BIN (scripts/test.sh sets it after
`cargo test` built it), else target/debug or target/release beside the sources."""

import csv
import json
import math
import os
import pathlib
import subprocess

import pytest

ROOT = pathlib.Path(__file__).resolve().parent.parent.parent
FIXTURE = ROOT / "tests" / "fixtures" / "fixture-results.json"

# Columns that hold text; every other column is a number (or empty where it does not
# apply), as docs/report.md documents.
TEXT_COLUMNS = {
    "id", "runtime", "model", "variant", "io", "gil", "interpreter", "file_sync", "background",
    "counter", "status", "error",
}


def spectrum_binary():
    """The binary to run: $SPECTRUM_BIN must exist when set; otherwise a built one."""
    given = os.environ.get("SPECTRUM_BIN")
    if given:
        path = pathlib.Path(given)
        assert path.is_file(), f"SPECTRUM_BIN={given} does not exist: build it with cargo build"
        return path
    for profile in ("debug", "release"):
        path = ROOT / "target" / profile / "spectrum"
        if path.is_file():
            return path
    pytest.skip("no spectrum binary: run `cargo build` (scripts/test.sh does)")


def test_csv_has_one_row_per_cell_and_its_numbers_parse(tmp_path):
    out = tmp_path / "cells.csv"
    subprocess.run(
        [
            str(spectrum_binary()),
            "report",
            str(FIXTURE),
            "--out",
            str(tmp_path),
            "--export-csv",
            str(out),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    cells = json.loads(FIXTURE.read_text())["cells"]
    with out.open(newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == len(cells)
    assert [r["id"] for r in rows] == [c["id"] for c in cells]
    numeric = [name for name in rows[0] if name not in TEXT_COLUMNS]
    assert {"ops_per_s", "efficiency", "latency_p99_us", "max_rss_kib"} <= set(numeric)
    for row, cell in zip(rows, cells):
        for name in numeric:
            if row[name] != "":
                assert math.isfinite(float(row[name])), (row["id"], name, row[name])
        if cell["status"] == "ok":
            assert float(row["ops_per_s"]) == cell["summary"]["ops_per_s"]["median"]
            assert float(row["io_fraction"]) == cell["io_fraction"]
        else:
            assert row["status"] == "failed" and row["ops_per_s"] == "" and row["error"]
