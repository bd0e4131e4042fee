"""What the command line's modules share: argument types and reading the input files."""

from __future__ import annotations

import argparse
import re
from collections.abc import Iterator
from datetime import datetime

from resolutionpricing._contract import Contract
from resolutionpricing._errors import InteractionLogError, InvalidValueError, shown
from resolutionpricing._files import load_contract
from resolutionpricing._interactions import (
    Interaction,
    iter_interactions,
    parse_timestamp,
    read_interactions,
)

__all__ = ["add_reader_argument", "count", "instant", "iter_log", "load", "read_log"]

_READERS = ("stdlib", "arrow")
_ARROW_EXTRA = "resolutionpricing[arrow]"


def count(text: str) -> int:
    # ASCII digits only: int() also reads "1_000" and Arabic-Indic digits.
    if not re.fullmatch(r"-?[0-9]{1,18}", text.strip(), re.ASCII):
        raise argparse.ArgumentTypeError(
            f"{shown(text)} is not a whole number; ASCII digits 0-9, at most 18 of them"
        )
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is negative; 0 or more")
    return value


def instant(text: str) -> datetime:
    """``--as-of``: a timestamp of the log's grammar (RFC 3339 with an offset)."""
    try:
        return parse_timestamp(text)
    except InvalidValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def load(contract_path: str) -> Contract:
    return load_contract(contract_path)


def add_reader_argument(command: argparse.ArgumentParser) -> None:
    """``--reader stdlib|arrow``: which `read_interactions` reader parses the log."""
    command.add_argument(
        "--reader",
        choices=_READERS,
        default="stdlib",
        metavar="READER",
        help="stdlib (the standard library, the default) or arrow (pyarrow: faster, "
        f"also reads .parquet; pip install '{_ARROW_EXTRA}')",
    )


def read_log(path: str, reader: str = "stdlib") -> tuple[Interaction, ...]:
    """The log, or a bad-input error in the shape of a contract's (summary, then the problem).

    Without pyarrow, ``--reader arrow`` is the same one-line error naming the
    extra, not a traceback.
    """
    try:
        return read_interactions(path, reader=reader)
    except OSError as error:  # missing, a folder, no permission
        problem = InvalidValueError(path, error.strerror or str(error), "a readable log file")
        raise InteractionLogError(f"{path} cannot be read", [problem]) from None
    except ImportError:  # only the arrow reader imports anything
        raise InvalidValueError(
            "--reader",
            "arrow needs pyarrow, which is not installed",
            f"--reader stdlib, or pip install '{_ARROW_EXTRA}'",
        ) from None


def iter_log(path: str) -> Iterator[Interaction]:
    """The log read lazily (`iter_interactions`), its errors in `read_log`'s shape.

    The arguments are checked now, the file read as the rows are asked for:
    an error comes from the iteration, in the middle of the run.
    """
    return _readable(path, iter_interactions(path))


def _readable(path: str, rows: Iterator[Interaction]) -> Iterator[Interaction]:
    try:
        yield from rows
    except OSError as error:  # missing, a folder, no permission
        problem = InvalidValueError(path, error.strerror or str(error), "a readable log file")
        raise InteractionLogError(f"{path} cannot be read", [problem]) from None
