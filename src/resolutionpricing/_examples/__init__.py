"""The example contract and a small log, shipped in the package for ``resolutionpricing init``.

``contract.toml`` is ``examples/contract.toml`` of the repository;
``interactions.csv`` is 300 contacts from ``examples/generate_interactions.py``
(seed 2026), from 1 October to 14 November 2026, so that October's invoice
is final.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from resolutionpricing._errors import InvalidValueError

__all__ = ["EXAMPLE_FILES", "write_examples"]

EXAMPLE_FILES = ("contract.toml", "interactions.csv")


def write_examples(folder: Path) -> tuple[Path, ...]:
    """Write the example files into ``folder`` (created if missing); never overwrite one.

    Raises:
        InvalidValueError: if ``folder`` is a file, or already holds one of the files.

    Examples:
        >>> import pathlib, tempfile
        >>> from resolutionpricing._examples import write_examples
        >>> with tempfile.TemporaryDirectory() as folder:
        ...     [path.name for path in write_examples(pathlib.Path(folder, "start"))]
        ['contract.toml', 'interactions.csv']
    """
    if folder.exists() and not folder.is_dir():
        raise InvalidValueError(str(folder), "is a file", "a folder, new or existing")
    targets = [folder / name for name in EXAMPLE_FILES]
    present = [str(path) for path in targets if path.exists()]
    if present:
        raise InvalidValueError(
            ", ".join(present),
            "already exists",
            "a folder without these files (nothing is overwritten)",
        )
    try:
        folder.mkdir(parents=True, exist_ok=True)
        source = importlib.resources.files(__name__)
        for target in targets:
            target.write_bytes(source.joinpath(target.name).read_bytes())
    except OSError as error:
        raise InvalidValueError(
            str(folder), f"cannot be written ({error.strerror or error})", "a writable folder"
        ) from None
    return tuple(targets)
