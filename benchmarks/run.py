"""Benchmarks: how long the main jobs take, measured, never asserted.

Run ``make bench`` (100,000 generated contacts) or
``python benchmarks/run.py --contacts 1000000`` for the big log. It generates
a seeded log with ``examples/generate_interactions.py`` in a temporary folder,
then times, each the best of ``--repeat`` runs:

- ``read_interactions`` on the CSV;
- ``decide`` with the example contract's rule;
- ``calculate_invoice`` for October 2026 (it decides again, as a user would);
- ``bill`` over a three-account log of the same size (``--accounts 3``),
  October and November for the three example contracts in AED, SAR and KWD,
  per row beside ``calculate_invoice``'s;
- the whole command ``resolutionpricing invoice`` as a user runs it (one run);
- ``compare_clauses``: the default sweep of the example contract's rule
  (every default variant but those equal to the contract: 13 of the 20) for
  October 2026, and the same with all 20 default variants named explicitly,
  as a contract that matches none of them would sweep;

- ``quote`` for the example contract (per call, over 2,000 calls);
- the worst case for ``decide``: 100,000 contacts of one customer about one
  topic, all inside one re-contact window, in a fresh process, with its peak
  memory (``--worst-case`` sets the number).
"""

from __future__ import annotations

import argparse
import functools
import importlib.util
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from textwrap import dedent

from resolutionpricing import (
    bill,
    calculate_invoice,
    compare_clauses,
    decide,
    load_contract,
    quote,
    read_interactions,
)
from resolutionpricing._clauses import DEFAULT_VARIANTS

ROOT = Path(__file__).resolve().parent.parent
CONTRACT = ROOT / "examples" / "contract.toml"


def _best(repeat: int, job: Callable[[], object]) -> float:
    times = []
    for _ in range(repeat):
        began = time.perf_counter()
        job()
        times.append(time.perf_counter() - began)
    return min(times)


def _generate(path: Path, contacts: int, accounts: int = 1) -> None:
    spec = importlib.util.spec_from_file_location(
        "generate_interactions", ROOT / "examples" / "generate_interactions.py"
    )
    if spec is None or spec.loader is None:
        message = "examples/generate_interactions.py cannot be loaded"
        raise RuntimeError(message)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    module.main(["--out", str(path), "--contacts", str(contacts), "--accounts", str(accounts)])


_WORST_CASE = dedent(
    """
    import resource, sys, time
    from datetime import UTC, datetime, timedelta
    from resolutionpricing import Interaction, ResolutionRule, decide

    count = int(sys.argv[1])
    start = datetime(2026, 10, 1, tzinfo=UTC)
    log = [
        Interaction(
            id=f"c{n}", customer_id="unknown", channel="chat",
            started_at=start + timedelta(seconds=n), ended_at=start + timedelta(seconds=n + 1),
            topics=["billing"], resolved_topics=["billing"],
        )
        for n in range(count)
    ]
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    began = time.perf_counter()
    decisions = decide(ResolutionRule(recontact_window="30d"), log)
    seconds = time.perf_counter() - began
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    assert sum(len(d.recontacted_by) for d in decisions) == count - 1
    print(seconds, before / 1024, peak / 1024)
    """
)


def _worst_case(contacts: int) -> None:
    """Time ``decide`` on one customer's contacts inside one window, in a fresh process."""
    command = [sys.executable, "-c", _WORST_CASE, str(contacts)]
    done = subprocess.run(command, check=True, capture_output=True, text=True)  # noqa: S603
    seconds, before, peak = (float(part) for part in done.stdout.split())
    print(
        f"{'decide worst case':<18} {contacts:>9,} rows: {seconds:8.2f} s  "
        f"(peak {peak:,.0f} MB, {before:,.0f} MB before decide; one customer, one topic, one window)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmarks and print one line per job."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--contacts", type=int, default=100_000, help="rows in the generated log")
    parser.add_argument("--repeat", type=int, default=3, help="runs per job; the best counts")
    parser.add_argument(
        "--worst-case", type=int, default=100_000, help="contacts in the worst case for decide"
    )
    arguments = parser.parse_args(argv)

    contract = load_contract(CONTRACT)
    with tempfile.TemporaryDirectory() as folder:
        log_path = Path(folder, "interactions.csv")
        began = time.perf_counter()
        _generate(log_path, arguments.contacts)
        print(f"generate {arguments.contacts:,} contacts: {time.perf_counter() - began:8.2f} s")

        log = read_interactions(log_path)
        rows = len(log)
        timings = {
            "read_interactions": _best(arguments.repeat, lambda: read_interactions(log_path)),
            "decide": _best(arguments.repeat, lambda: decide(contract.resolution, log)),
            "calculate_invoice": _best(
                arguments.repeat, lambda: calculate_invoice(contract, log, "2026-10")
            ),
        }
        for name, seconds in timings.items():
            print(
                f"{name:<18} {rows:>9,} rows: {seconds:8.2f} s  ({seconds / rows * 1e6:6.1f} µs/row)"
            )
        for variants in (None, dict(DEFAULT_VARIANTS)):
            report = compare_clauses(contract, log, "2026-10", variants)
            sweep = functools.partial(compare_clauses, contract, log, "2026-10", variants)
            seconds = _best(arguments.repeat, sweep)
            swept = "default sweep" if variants is None else "all defaults"
            print(
                f"{'compare_clauses':<18} {rows:>9,} rows: {seconds:8.2f} s  "
                f"({swept}: {len(report.rows) - 1} variants and the contract, 2026-10)"
            )

        accounts_path = Path(folder, "accounts.csv")
        _generate(accounts_path, arguments.contacts, accounts=3)
        accounts_log = read_interactions(accounts_path)
        contracts = [
            load_contract(ROOT / "examples" / "accounts" / f"acct-{number}.toml")
            for number in (1, 2, 3)
        ]
        seconds = _best(arguments.repeat, lambda: bill(contracts, accounts_log, "2026-10..2026-11"))
        accounts_rows = len(accounts_log)
        print(
            f"{'bill (3 accounts)':<18} {accounts_rows:>9,} rows: {seconds:8.2f} s  "
            f"({seconds / accounts_rows * 1e6:6.1f} µs/row)"
        )

        command = [
            sys.executable, "-m", "resolutionpricing", "invoice", str(CONTRACT), str(log_path),
            "--period", "2026-10", "--format", "json",
        ]  # fmt: skip
        began = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)  # noqa: S603 (our own command)
        print(
            f"{'CLI invoice':<18} {rows:>9,} rows: {time.perf_counter() - began:8.2f} s (one run)"
        )

    calls = 2_000
    seconds = _best(
        arguments.repeat,
        lambda: [quote(contract, "2026-10", resolutions=12_000 + n) for n in range(calls)],
    )
    print(
        f"{'quote':<18} {calls:>9,} calls: {seconds:7.2f} s  ({seconds / calls * 1e6:6.1f} µs/call)"
    )
    _worst_case(arguments.worst_case)
    return 0


if __name__ == "__main__":
    sys.exit(main())
