"""The engines benchmark runs every path at 10^4 contacts (a smoke test: rows, not times)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_the_engines_benchmark_prints_a_row_for_every_path() -> None:
    """benchmarks/engines.py --sizes 10000 prints one row a path, and the paths agree (exit 0)."""
    done = subprocess.run(  # noqa: S603 -- this interpreter, our own script
        [sys.executable, str(ROOT / "benchmarks" / "engines.py"), "--sizes", "10000"],
        check=True,
        capture_output=True,
        text=True,
    )
    rows = [line.split() for line in done.stdout.splitlines()[1:]]
    assert [row[1] for row in rows] == [
        "memory",
        "csv-stdlib",
        "csv-arrow",
        "stream",
        "duckdb",
        "duckdb-parquet",
        "hand-sql",
    ]
    assert all(row[0] == "10,000" and len(row) == 6 for row in rows)
