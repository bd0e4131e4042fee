"""The command line: ``main``, and the commands that price: ``quote``, ``invoice``, ``bill``, ``init``.

The reports' commands (``business-case``, ``pilot``, ``review``, ``clauses``,
``offers``) are in `_cli_reports`, and ``audit`` in `_cli_audit`. Every command
is a parser and a runner that returns the text to print; `main` alone writes
it and turns every failure into an exit status, never a traceback:

- 0: done;
- 1: the output could not be written (standard output closed or full, a disk
  error), with one line on standard error;
- 2: bad input (a contract, a log, an argument, a file that cannot be read),
  with the error's message on standard error: one line, or for a file with
  problems a summary line and then each problem on its own indented line, the
  same for contracts and logs;
- 141 (128 + SIGPIPE, as Unix tools do): the reader of standard output went
  away (``| head``); nothing is printed.
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

from resolutionpricing._adjustment import Adjustment
from resolutionpricing._billing import BillingRun, bill, calculate_run
from resolutionpricing._calculator import quote
from resolutionpricing._cli_audit import add_audit_parser
from resolutionpricing._cli_common import (
    add_reader_argument,
    count,
    instant,
    iter_log,
    load,
    read_log,
)
from resolutionpricing._cli_reports import add_report_parsers
from resolutionpricing._decisions import Decision
from resolutionpricing._errors import (
    InvalidValueError,
    ResolutionPricingError,
)
from resolutionpricing._examples import write_examples
from resolutionpricing._interactions import Interaction
from resolutionpricing._invoice import Invoice
from resolutionpricing._version import __version__

__all__ = ["main", "write_decisions"]

_PERIOD_HELP = 'the billing period, such as "2026-10" (monthly) or "2026-Q4" (quarterly)'
_FORMAT_HELP = "text (a readable table, the default) or json (the canonical invoice JSON)"


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="resolutionpricing",
        description="Price AI customer-service contracts per resolution.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    _add_quote_parser(commands)
    _add_invoice_parser(commands)
    _add_bill_parser(commands)
    _add_init_parser(commands)
    add_report_parsers(commands)
    add_audit_parser(commands)
    return parser


def _add_quote_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    quote_command = commands.add_parser("quote", help="price one billing period from counts")
    quote_command.add_argument("contract", metavar="CONTRACT", help="the contract's TOML file")
    quote_command.add_argument("--period", required=True, help=_PERIOD_HELP)
    quote_command.add_argument(
        "--resolutions", required=True, help="billable resolution units in the period (a decimal)"
    )
    quote_command.add_argument(
        "--escalations", type=count, default=0, help="escalated contacts in the period (default 0)"
    )
    quote_command.add_argument(
        "--contacts", type=count, default=None, help="contacts in the period, if known"
    )
    quote_command.add_argument(
        "--format", choices=("text", "json"), default="text", help=_FORMAT_HELP
    )
    quote_command.set_defaults(run=_run_quote)


def _add_invoice_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    invoice_command = commands.add_parser(
        "invoice", help="price one billing period from an interaction log"
    )
    invoice_command.add_argument("contract", metavar="CONTRACT", help="the contract's TOML file")
    invoice_command.add_argument(
        "interactions", metavar="INTERACTIONS", help="the log: a .csv or .jsonl file"
    )
    invoice_command.add_argument("--period", required=True, help=_PERIOD_HELP)
    invoice_command.add_argument(
        "--as-of",
        type=instant,
        default=None,
        help="what was known, an RFC 3339 timestamp with its offset (default: the log's latest)",
    )
    invoice_command.add_argument(
        "--format", choices=("text", "json"), default="text", help=_FORMAT_HELP
    )
    invoice_command.add_argument(
        "--decisions",
        metavar="PATH",
        default=None,
        help="also write the decision of every contact of the period to PATH as CSV "
        "(account_id, id, period, status, units, reasons, recontacted_by)",
    )
    add_reader_argument(invoice_command)
    invoice_command.set_defaults(run=_run_invoice)


def _add_init_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    init_command = commands.add_parser(
        "init", help="write the example contract and a small log into a folder, to start from"
    )
    init_command.add_argument(
        "folder", metavar="DIR", help="the folder to write into (created if missing)"
    )
    init_command.set_defaults(run=_run_init)


def _add_bill_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    command = commands.add_parser(
        "bill", help="price every account's periods from one log: a billing run"
    )
    command.add_argument(
        "contracts",
        metavar="CONTRACT",
        nargs="+",
        help="the contracts' TOML files, one per account",
    )
    command.add_argument(
        "--log", required=True, help="the log of every account: a .csv or .jsonl file"
    )
    command.add_argument(
        "--period",
        required=True,
        action="append",
        help='a period ("2026-10") or an inclusive range ("2026-07..2026-12"); may be repeated',
    )
    command.add_argument(
        "--as-of",
        type=instant,
        default=None,
        help="what was known, an RFC 3339 timestamp with its offset (default: the log's latest)",
    )
    command.add_argument(
        "--out",
        required=True,
        metavar="DIR",
        help="where to write DIR/<account>/<period>.json and DIR/decisions.csv",
    )
    command.add_argument(
        "--strict",
        action="store_true",
        help="refuse a log with rows that no contract bills (exit 2)",
    )
    command.add_argument(
        "--statement",
        action="store_true",
        help="print each account's statement (its periods in order, totals and balances) "
        "instead of the run's table",
    )
    command.add_argument(
        "--sorted",
        action="store_true",
        help="the log is sorted by started_at (ties by account, id): decide it in one streaming"
        " pass (an unsorted row exits 2); DIR/decisions.csv is then left empty",
    )
    command.add_argument(
        "--issued",
        metavar="DIR",
        default=None,
        help="the invoices issued so far (an earlier run's --out): corrections are carried forward",
    )
    command.add_argument(
        "--audit",
        metavar="FILE",
        action="append",
        default=[],
        help="an audit credit's adjustment JSON, carried onto the next invoice; may be repeated",
    )
    add_reader_argument(command)
    command.set_defaults(run=_run_bill)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (0, 1, 2 or 141: see the module).

    Examples:
        >>> from resolutionpricing._cli import main
        >>> main(["quote", "examples/contract.toml", "--period", "2026-10", "--resolutions", "12000", "--format", "json"])
        {"account_id":null,"as_of":null,...,"total":"42787.50"}
        0
    """
    arguments = _parser().parse_args(argv)
    try:
        output = arguments.run(arguments)
    except ResolutionPricingError as error:
        _write(sys.stderr, f"resolutionpricing: error: {error}\n")
        return 2
    except OSError as error:  # a file a command reads or writes: missing, a folder, no permission
        where = f"{error.filename}: " if error.filename else ""
        _write(sys.stderr, f"resolutionpricing: error: {where}{error.strerror or error}\n")
        return 2
    return _print(output)


def _print(output: str) -> int:
    """Write the command's output; a reader gone or a full disk is one line, not a traceback."""
    stdout = sys.stdout
    if stdout is None:  # started with standard output closed (>&-)
        _write(sys.stderr, "resolutionpricing: error: standard output is closed\n")
        return 1
    try:
        _write(stdout, output)
        stdout.flush()
    except BrokenPipeError:
        _silence(stdout)
        return 141
    except OSError as error:
        _silence(stdout)
        reason = error.strerror or str(error)
        _write(
            sys.stderr, f"resolutionpricing: error: standard output cannot be written: {reason}\n"
        )
        return 1
    return 0


def _silence(stdout: object) -> None:
    """Point standard output at the null device, so that Python's flush at exit is quiet."""
    try:
        fileno = stdout.fileno()  # type: ignore[attr-defined]
    except (AttributeError, OSError, ValueError):
        return  # not a real file (a test's capture): nothing will flush it at exit
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, fileno)
    os.close(null)


def _write(stream: object, text: str) -> None:
    """Write ``text``; a character the stream's encoding lacks is written as an escape."""
    write = stream.write  # type: ignore[attr-defined]
    try:
        write(text)
    except UnicodeEncodeError:
        encoding = getattr(stream, "encoding", None) or "ascii"
        write(text.encode(encoding, "backslashreplace").decode(encoding))


def _run_quote(arguments: argparse.Namespace) -> str:
    invoice = quote(
        load(arguments.contract),
        arguments.period,
        resolutions=arguments.resolutions,
        escalations=arguments.escalations,
        contacts=arguments.contacts,
    )
    return _rendered(invoice, arguments.format)


def _run_invoice(arguments: argparse.Namespace) -> str:
    contract = load(arguments.contract)
    log = read_log(arguments.interactions, arguments.reader)
    run = calculate_run(contract, log, arguments.period, as_of=arguments.as_of)
    (invoice,) = run.invoices
    if arguments.decisions is not None:
        label = invoice.period.label
        write_decisions(
            arguments.decisions,
            [decision for decision in run.decisions if decision.period == label],
        )
    return _rendered(invoice, arguments.format)


def _run_init(arguments: argparse.Namespace) -> str:
    written = write_examples(Path(arguments.folder))
    lines = [f"wrote {path}" for path in written]
    contract, log = written
    lines.append(f"next: resolutionpricing invoice {contract} {log} --period 2026-10")
    return "\n".join(lines) + "\n"


def _rendered(invoice: Invoice, output_format: str) -> str:
    return invoice.to_json() + "\n" if output_format == "json" else invoice.to_text()


_DECISION_COLUMNS = ("account_id", "id", "period", "status", "units", "reasons", "recontacted_by")


def write_decisions(
    path: str | Path, decisions: Sequence[Decision], option: str = "--decisions"
) -> None:
    """Write decisions as CSV: account_id, id, period, status, units, reasons, recontacted_by.

    ``period`` is the decision's billing period (empty outside every billed
    period); an empty ``account_id`` is the rows without an account; units
    are in normal form (``1``, ``0.5``); ``reasons`` and ``recontacted_by``
    are separated by ``;``. Rows come in the order of ``decisions``.

    Examples:
        >>> import tempfile, pathlib
        >>> from resolutionpricing import bill, load_contract, read_interactions
        >>> from resolutionpricing._cli import write_decisions
        >>> run = bill(load_contract("examples/contract.toml"), read_interactions("examples/interactions.csv"), "2026-10")
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     path = pathlib.Path(folder, "decisions.csv")
        ...     write_decisions(path, run.decisions)
        ...     print(path.read_text().splitlines()[0])
        account_id,id,period,status,units,reasons,recontacted_by
    """
    try:
        with Path(path).open("w", newline="", encoding="utf-8") as file:
            writer = csv.writer(file, lineterminator="\n")
            writer.writerow(_DECISION_COLUMNS)
            for decision in decisions:
                data = decision.to_dict()
                writer.writerow(
                    [
                        decision.account_id or "",
                        decision.interaction_id,
                        decision.period or "",
                        decision.status.value,
                        data["units"],
                        ";".join(reason.value for reason in decision.reasons),
                        ";".join(decision.recontacted_by),
                    ]
                )
    except OSError as error:
        raise InvalidValueError(
            option, f"{path} cannot be written ({error.strerror})", "a writable file path"
        ) from None


_FOLDER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_DEFAULT_FOLDER = "default"


def _folder(account: str | None, index: int) -> str:
    """The folder of an account's invoices: its id, which must be a plain file name."""
    if account is None:
        return _DEFAULT_FOLDER
    if not _FOLDER.match(account) or account == _DEFAULT_FOLDER:
        raise InvalidValueError(
            f"contracts[{index}].account_id",
            f"{account!r} cannot name a folder of --out",
            f"letters, digits, '.', '_' and '-', starting with a letter or digit, and not {_DEFAULT_FOLDER!r}",
        )
    return account


def _run_bill(arguments: argparse.Namespace) -> str:
    contracts = [load(path) for path in arguments.contracts]
    folders = [_folder(contract.account_id, index) for index, contract in enumerate(contracts)]
    # Sorted, the stdlib reader gives the rows a chunk at a time: memory is the open windows.
    log: Iterable[Interaction] = (
        iter_log(arguments.log)
        if arguments.sorted and arguments.reader == "stdlib"
        else read_log(arguments.log, arguments.reader)
    )
    run = bill(
        contracts,
        log,
        arguments.period,
        as_of=arguments.as_of,
        sorted_by_start=arguments.sorted,
        issued=_read_issued(arguments.issued),
        audits=[Adjustment.from_json(_file_text(path, "--audit")) for path in arguments.audit],
    )
    for account, rows in run.unbilled.items():
        whose = "rows without an account" if account is None else f"account {account!r}"
        _write(
            sys.stderr,
            f"resolutionpricing: unbilled: {whose}: {rows} rows, no contract bills them\n",
        )
    if run.unbilled and arguments.strict:
        raise InvalidValueError(
            "--strict",
            "the log has rows that no contract bills",
            "add a contract for each account, or leave out --strict",
        )
    _write_run(
        Path(arguments.out), run, dict(zip((c.account_id for c in contracts), folders, strict=True))
    )
    if arguments.statement:
        accounts = dict.fromkeys(invoice.account_id for invoice in run.invoices)
        return "\n".join(run.statement(account).to_text() for account in accounts)
    return run.to_text()


def _read_issued(folder: str | None) -> list[Invoice]:
    """Every invoice under ``folder`` (``<account>/<period>.json``, as ``bill --out`` writes)."""
    if folder is None:
        return []
    root = Path(folder)
    if not root.is_dir():
        raise InvalidValueError("--issued", f"{folder} is not a folder", "an earlier run's --out")
    invoices = []
    for path in sorted(root.glob("*/*.json")):
        try:
            invoices.append(Invoice.from_json(_file_text(path, "--issued")))
        except InvalidValueError as error:
            raise error.at(str(path)) from None
    return invoices


def _file_text(path: str | Path, option: str) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise InvalidValueError(
            option, f"{path} cannot be read ({error.strerror})", "a readable file"
        ) from None


def _write_run(out: Path, run: BillingRun, folders: Mapping[str | None, str]) -> None:
    try:
        for invoice in run.invoices:
            folder = out / folders[invoice.account_id]
            folder.mkdir(parents=True, exist_ok=True)
            (folder / f"{invoice.period.label}.json").write_text(
                invoice.to_json() + "\n", encoding="utf-8"
            )
        out.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise InvalidValueError(
            "--out", f"{error.filename} cannot be written ({error.strerror})", "a writable folder"
        ) from None
    write_decisions(out / "decisions.csv", run.decisions, "--out")
