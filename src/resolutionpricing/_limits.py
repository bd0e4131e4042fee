"""Bounds on input: what one contract file, one log line or one list may hold.

Every bound is far above any real contract or log, and each exists so that no
input, however made, can take unbounded time or memory, or block: a contract
file is at most `MAX_CONTRACT_BYTES`, nested at most `MAX_NESTING` deep, with
at most `MAX_ITEMS` tiers, caps, fees or milestones; a log line (JSON Lines)
or a CSV field is at most `MAX_LINE_CHARACTERS`; and only regular files are
read (a FIFO would block, ``/dev/zero`` never ends).
"""

from __future__ import annotations

import io
import os
import re
import stat
from typing import Final

from resolutionpricing._errors import InvalidValueError

__all__ = [
    "read_small_text",
    "MAX_CONTRACT_BYTES",
    "MAX_ITEMS",
    "MAX_LINE_CHARACTERS",
    "MAX_NESTING",
    "check_count",
    "nesting_problem",
    "open_regular",
]

MAX_CONTRACT_BYTES: Final = 256 * 1024
"""A contract file is at most 256 KiB (the example contract is 2 KB); parsing that takes
well under a second whatever it holds."""
MAX_NESTING: Final = 32
"""At most 32 parts in a dotted key or table header, and arrays or inline tables 32 deep."""
MAX_ITEMS: Final = 1000
"""At most 1,000 tiers, caps, fees, or milestones of one implementation fee."""
MAX_LINE_CHARACTERS: Final = 1024 * 1024
"""A JSON Lines line, or a CSV field, is at most 1 MiB (1,048,576 characters)."""

_O_NONBLOCK: Final = getattr(os, "O_NONBLOCK", 0)
_KINDS: Final = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def open_regular(path: str | os.PathLike[str], what: str) -> io.BufferedReader:
    """Open ``path`` for reading in binary, refusing anything but a regular file.

    Opening without blocking, then checking the open file, means that a FIFO
    with no writer is refused instead of waiting forever, and that the file
    checked is the file read.

    Raises:
        InvalidValueError: for a directory, a FIFO, a device or a socket.
        OSError: if the file cannot be opened.
    """
    descriptor = os.open(path, os.O_RDONLY | _O_NONBLOCK)
    mode = os.fstat(descriptor).st_mode
    if not stat.S_ISREG(mode):
        os.close(descriptor)
        kind = next((name for test, name in _KINDS if test(mode)), "not a regular file")
        raise InvalidValueError(os.fspath(path), f"is {kind}", f"a regular file holding {what}")
    return io.BufferedReader(io.FileIO(descriptor, "rb", closefd=True))


def check_count(values: object, path: str) -> None:
    """Refuse a list of more than `MAX_ITEMS` items, before any of them is built."""
    try:
        count = len(values)  # type: ignore[arg-type]
    except TypeError:
        return  # not sized: the field's own check words the problem
    if count > MAX_ITEMS:
        raise InvalidValueError(
            path, f"has {count:,} items", f"at most {MAX_ITEMS:,} (a documented limit)"
        )


# The tokens that matter for nesting: strings and comments are skipped whole,
# so a "[" or a "." inside them does not count.
_TOKENS: Final = re.compile(
    r'"""(?:[^\\]|\\.)*?"""'
    r"|'''.*?'''"
    r'|"(?:[^"\\\n]|\\.)*"'
    r"|'[^'\n]*'"
    r"|#[^\n]*"
    r"|(?P<open>[\[{])"
    r"|(?P<close>[\]}])"
    r"|(?P<dot>\.)"
    r"|(?P<other>[\n=,]|[\"'])"
    # Everything else between those, in one token (valid TOML has only bare
    # keys, numbers, dates and blanks there).
    r"""|[^"'#\[\]{}.\n=,]+""",
    re.DOTALL,
)


def nesting_problem(text: str) -> str | None:
    """Why ``text`` nests too deeply for a contract, or None; checked before parsing.

    Deeply dotted keys (``a.a.a...``) make the TOML parser quadratic in time
    and memory, and deep arrays exhaust the stack; a contract needs a depth of
    three or four. A run of dotted parts counts its dots (a number such as
    ``1.5`` or a time such as ``09:00:00.5`` has one); brackets and braces
    count their depth.
    """
    depth = 0
    dots = 0
    for token in _TOKENS.finditer(text):
        kind = token.lastgroup
        if kind == "dot":
            dots += 1
            if dots >= MAX_NESTING:
                return f"a key or value has more than {MAX_NESTING} dotted parts"
        elif kind == "open":
            depth += 1
            dots = 0
            if depth > MAX_NESTING:
                return f"arrays, tables or inline tables are nested more than {MAX_NESTING} deep"
        elif kind == "close":
            depth = max(depth - 1, 0)
            dots = 0
        elif kind == "other":
            dots = 0  # "=", ",", a line break: the run of dotted parts ends
    return None


def read_small_text(path: str | os.PathLike[str], what: str, limit: int) -> str:
    """The UTF-8 text of a regular file of at most ``limit`` bytes (a byte order mark is dropped).

    Raises:
        InvalidValueError: located at the path, for a file that is not regular,
            cannot be opened, is over the limit or is not UTF-8.
    """
    where = os.fspath(path)
    try:
        with open_regular(path, what) as handle:
            data = handle.read(limit + 1)
    except OSError as error:
        raise InvalidValueError(
            where, error.strerror or str(error), f"a readable file holding {what}"
        ) from None
    if len(data) > limit:
        raise InvalidValueError(
            where, f"is over {limit // 1024} KiB", f"{what} of at most {limit // 1024} KiB"
        )
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidValueError(
            where, f"is not UTF-8 text ({error})", f"{what} encoded in UTF-8"
        ) from None
