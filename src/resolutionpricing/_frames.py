"""DataFrames of report rows, with pandas imported only when asked for.

pandas is the optional extra ``resolutionpricing[pandas]``; the core never
imports it. Money stays `Decimal` (an ``object`` column) unless the caller
asks for floats, which are for plotting only.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Any

__all__ = ["require", "rows_to_pandas", "to_pandas"]


def require(module: str, extra: str, feature: str) -> Any:  # noqa: ANN401 -- a module
    """Import an optional dependency, or say which extra installs it.

    Examples:
        >>> from resolutionpricing._frames import require
        >>> require("no_such_module_here", "pandas", "to_pandas()")
        Traceback (most recent call last):
        ...
        ImportError: to_pandas() needs no_such_module_here, which is not installed; install the extra: pip install 'resolutionpricing[pandas]'
    """
    try:
        return importlib.import_module(module)
    except ImportError:
        message = (
            f"{feature} needs {module}, which is not installed; "
            f"install the extra: pip install 'resolutionpricing[{extra}]'"
        )
        raise ImportError(message, name=module) from None


def to_pandas(
    rows: Iterable[Mapping[str, object]], columns: Sequence[str], *, exact: bool = True
) -> Any:  # noqa: ANN401 -- a DataFrame
    """A `pandas.DataFrame` of ``rows`` with ``columns``; with ``exact=False``, decimals become floats."""
    pandas = require("pandas", "pandas", "to_pandas()")
    listed = [dict(row) for row in rows]
    if not exact:
        listed = [
            {
                key: float(value) if isinstance(value, Decimal) else value
                for key, value in row.items()
            }
            for row in listed
        ]
    return pandas.DataFrame(listed, columns=list(columns))


def rows_to_pandas(rows: Sequence[Mapping[str, object]], *, exact: bool = True) -> Any:  # noqa: ANN401 -- a DataFrame
    """`to_pandas` with the columns of the rows: every key, in the order first seen.

    Examples:
        >>> from decimal import Decimal
        >>> from resolutionpricing._frames import rows_to_pandas
        >>> list(rows_to_pandas([{"a": 1}, {"b": Decimal("2.5")}], exact=False).columns)
        ['a', 'b']
    """
    columns = list(dict.fromkeys(key for row in rows for key in row))
    return to_pandas(rows, columns, exact=exact)
