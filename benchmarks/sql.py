"""Benchmark: the DuckDB engine against a hand-written DuckDB query of the same rule.

    python benchmarks/sql.py --sizes 10000,100000,1000000 [--parquet]

For each size it generates a seeded log with examples/generate_interactions.py
(CSV, and Parquet with --parquet), then, each in a fresh process so that peak
memory is its own, runs:

- ``engine``: ``decide_duckdb`` with the example contract's rule (load, check
  every row, decide with ``rule.to_sql``, usage for October in Dubai time);
- ``reference``: benchmarks/reference_duckdb.sql, the same rule by hand
  (October's counts only, no checks).

It prints seconds, contacts per second, peak RSS and the engine's ratio to the
reference, and checks that both give the same October counts.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import duckdb

from resolutionpricing import load_contract
from resolutionpricing._duckdb import decide_duckdb

ROOT = Path(__file__).resolve().parent.parent
REFERENCE = Path(__file__).with_name("reference_duckdb.sql")
# October 2026 in Dubai (UTC+04:00), in microseconds since the epoch.
OCTOBER = ("2026-10", 1_790_798_400_000_000, 1_793_476_800_000_000)


def _engine(log: str) -> dict[str, object]:
    rule = load_contract(ROOT / "examples" / "contract.toml").resolution
    result = decide_duckdb(rule, log, periods=[OCTOBER])
    (october,) = [row for row in result.usage if row["period"] == "2026-10"]
    return {key: str(october[key]) for key in _COUNTS}


def _reference(log: str) -> dict[str, object]:
    table = (
        f"read_parquet('{log}')"
        if log.endswith(".parquet")
        else f"read_csv('{log}', all_varchar = true)"
    )
    query = REFERENCE.read_text(encoding="utf-8").replace("{log}", table)
    result = duckdb.connect().execute(query)
    names = [column[0] for column in result.description or ()]
    row = dict(zip(names, result.fetchall()[0], strict=True))
    return {key: str(row[key]) for key in _COUNTS}


_COUNTS = ("contacts", "escalated", "billable_interactions", "billable_units", "pending")


def _one(kind: str, log: str) -> None:
    """Run one measurement in this process and print it as JSON."""
    began = time.perf_counter()
    counts = _engine(log) if kind == "engine" else _reference(log)
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"seconds": seconds, "peak_mib": peak, "counts": counts}))


def _measure(kind: str, log: Path) -> dict[str, object]:
    output = subprocess.run(  # noqa: S603 -- this interpreter, this script
        [sys.executable, __file__, "--one", kind, "--log", str(log)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, object] = json.loads(output.splitlines()[-1])
    return result


def _generate(folder: Path, size: int, *, parquet: bool) -> Path:
    csv_log = folder / f"log-{size}.csv"
    subprocess.run(  # noqa: S603 -- this interpreter, the example generator
        [
            sys.executable,
            str(ROOT / "examples" / "generate_interactions.py"),
            "--out",
            str(csv_log),
            "--contacts",
            str(size),
        ],
        check=True,
    )
    if not parquet:
        return csv_log
    parquet_log = csv_log.with_suffix(".parquet")
    duckdb.connect().execute(
        f"COPY (SELECT * FROM read_csv('{csv_log}', all_varchar = true)) TO '{parquet_log}' (FORMAT parquet)"  # noqa: S608 -- our own temporary files
    )
    return parquet_log


def main() -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--parquet", action="store_true", help="measure from Parquet, not CSV")
    parser.add_argument("--one", choices=["engine", "reference"], help=argparse.SUPPRESS)
    parser.add_argument("--log", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.one:
        _one(arguments.one, arguments.log)
        return
    print(
        f"{'contacts':>10} {'path':>10} {'seconds':>8} {'contacts/s':>11} {'peak MiB':>9} {'ratio':>6}"
    )
    with tempfile.TemporaryDirectory() as folder:
        for size in (int(size) for size in arguments.sizes.split(",")):
            log = _generate(Path(folder), size, parquet=arguments.parquet)
            reference = _measure("reference", log)
            engine = _measure("engine", log)
            if engine["counts"] != reference["counts"]:
                sys.exit(
                    f"the engine and the reference disagree: {engine['counts']} != {reference['counts']}"
                )
            for kind, figures in (("reference", reference), ("engine", engine)):
                seconds = float(figures["seconds"])  # type: ignore[arg-type]
                ratio = seconds / float(reference["seconds"])  # type: ignore[arg-type]
                print(
                    f"{size:>10,} {kind:>10} {seconds:>8.2f} {size / seconds:>11,.0f}"
                    f" {float(figures['peak_mib']):>9.0f} {ratio:>6.2f}"  # type: ignore[arg-type]
                )


if __name__ == "__main__":
    main()
