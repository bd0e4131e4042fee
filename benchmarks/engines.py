"""Benchmark: every engine of `bill`, against the hand-written DuckDB query, in one run.

    python benchmarks/engines.py --sizes 10000,100000,1000000 [--logs DIR]

For each size it generates a seeded log with examples/generate_interactions.py
(CSV), then runs each path in a fresh process (so that its peak memory, the
child's ``ru_maxrss``, is its own), October 2026 for the example contract:

- ``memory``: `bill` from rows already in memory (the read is not timed);
- ``csv-stdlib``: `read_interactions` then `bill`, the standard library alone;
- ``csv-arrow``: ``read_interactions(log, reader="arrow")`` then `bill`
  (pyarrow imported before the clock starts, as duckdb is for the SQL paths);
- ``stream``: ``bill(..., sorted_by_start=True)`` over the CSV read lazily,
  10,000 rows at a time (`iter_interactions`);
- ``duckdb``: ``bill(contract, path, ..., engine="duckdb")``;
- ``duckdb-parquet``: the same from the log written to Parquet (by DuckDB,
  before the clock starts);
- ``hand-sql``: benchmarks/reference_duckdb.sql, the same rule by hand.

It prints seconds, contacts per second, peak MiB and each path's ratio to the
hand-written query of the same run, and exits non-zero if the paths do not
give the same October billable units.
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

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / "examples" / "contract.toml"
REFERENCE = Path(__file__).with_name("reference_duckdb.sql")
PATHS = ("memory", "csv-stdlib", "csv-arrow", "stream", "duckdb", "duckdb-parquet", "hand-sql")


def _run(kind: str, log: str) -> tuple[float, str]:
    """Run one path; return its seconds and October's billable units."""
    from resolutionpricing import (  # noqa: PLC0415
        bill,
        iter_interactions,
        load_contract,
        read_interactions,
    )

    contract = load_contract(CONTRACT)
    if kind == "hand-sql":
        import duckdb  # noqa: PLC0415

        began = time.perf_counter()
        query = REFERENCE.read_text(encoding="utf-8").replace(
            "{log}", f"read_csv('{log}', all_varchar = true)"
        )
        result = duckdb.connect().execute(query)
        names = [column[0] for column in result.description or ()]
        row = dict(zip(names, result.fetchall()[0], strict=True))
        return time.perf_counter() - began, str(row["billable_units"].normalize())
    rows = read_interactions(log) if kind == "memory" else None
    if kind == "csv-arrow":
        import pyarrow.compute  # noqa: PLC0415 -- imported before the clock, as duckdb is
        import pyarrow.csv  # noqa: PLC0415, F401
    began = time.perf_counter()
    if kind == "memory":
        run = bill(contract, rows or (), "2026-10")
    elif kind == "csv-stdlib":
        run = bill(contract, read_interactions(log), "2026-10")
    elif kind == "csv-arrow":
        run = bill(contract, read_interactions(log, reader="arrow"), "2026-10")
    elif kind == "stream":
        run = bill(contract, iter_interactions(log), "2026-10", sorted_by_start=True)
    else:  # duckdb, duckdb-parquet: the log's path is the file to read
        run = bill(contract, log, "2026-10", engine="duckdb")
    seconds = time.perf_counter() - began
    units = run.invoices[0].counts["billable_units"]
    return seconds, str(units.normalize())  # type: ignore[attr-defined]


def _one(kind: str, log: str) -> None:
    seconds, units = _run(kind, log)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux
    print(json.dumps({"seconds": seconds, "peak_mib": peak, "units": units}))


def _measure(kind: str, log: Path) -> dict[str, object]:
    output = subprocess.run(  # noqa: S603 -- this interpreter, this script
        [sys.executable, __file__, "--one", kind, "--log", str(log)],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    result: dict[str, object] = json.loads(output.splitlines()[-1])
    return result


def _generate(folder: Path, size: int) -> Path:
    log = folder / f"log-{size}.csv"
    if log.exists():  # --logs: made by an earlier run (the generator is seeded)
        return log
    subprocess.run(  # noqa: S603 -- this interpreter, the example generator
        [
            sys.executable,
            str(ROOT / "examples" / "generate_interactions.py"),
            "--out",
            str(log),
            "--contacts",
            str(size),
        ],
        check=True,
        capture_output=True,
    )
    return log


def _parquet(log: Path) -> Path:
    """The log written to Parquet by DuckDB (its text columns as they are), made once."""
    written = log.with_suffix(".parquet")
    if not written.exists():
        import duckdb  # noqa: PLC0415

        duckdb.connect().execute(
            f"COPY (SELECT * FROM read_csv('{log}', all_varchar = true))"  # noqa: S608 -- our own files
            f" TO '{written}' (FORMAT parquet)"
        )
    return written


def main() -> None:
    """Run the benchmark and print its table."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--paths", default=",".join(PATHS), help="a subset of " + ", ".join(PATHS))
    parser.add_argument(
        "--logs", help="a folder to keep the generated logs in, reused by later runs"
    )
    parser.add_argument("--one", choices=PATHS, help=argparse.SUPPRESS)
    parser.add_argument("--log", help=argparse.SUPPRESS)
    arguments = parser.parse_args()
    if arguments.one:
        _one(arguments.one, arguments.log)
        return
    paths = [path for path in PATHS if path in arguments.paths.split(",")]
    if "hand-sql" not in paths:
        paths.append("hand-sql")  # the anchor of every ratio
    print(
        f"{'contacts':>10} {'path':>10} {'seconds':>8} {'contacts/s':>11} {'peak MiB':>9} {'ratio':>6}"
    )
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(arguments.logs or scratch)
        folder.mkdir(parents=True, exist_ok=True)
        for size in (int(size) for size in arguments.sizes.split(",")):
            log = _generate(folder, size)
            figures = {
                path: _measure(path, _parquet(log) if path == "duckdb-parquet" else log)
                for path in paths
            }
            anchor = float(figures["hand-sql"]["seconds"])  # type: ignore[arg-type]
            for path in paths:
                seconds = float(figures[path]["seconds"])  # type: ignore[arg-type]
                print(
                    f"{size:>10,} {path:>10} {seconds:>8.2f} {size / seconds:>11,.0f}"
                    f" {float(figures[path]['peak_mib']):>9.0f} {seconds / anchor:>6.2f}",  # type: ignore[arg-type]
                    flush=True,
                )
            units = {path: figures[path]["units"] for path in paths}
            if len(set(units.values())) != 1:
                sys.exit(f"the paths disagree on October's billable units: {units}")


if __name__ == "__main__":
    main()
