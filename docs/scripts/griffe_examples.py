"""A Griffe extension for the docs build: read ``Example:`` sections as ``Examples:``.

The docstrings of ``src/`` title their runnable examples ``Example:``. Griffe's
Google parser knows only the plural, ``Examples:``, as the section that holds
``>>>`` code; it reads the singular as an admonition of Markdown text, where
``>>>`` becomes a quote and ``[...]`` output a broken link. Until the
docstrings say ``Examples:``, this extension renames the heading before the
docstring is parsed, so the reference shows the examples as code.
"""

from __future__ import annotations

import re
from typing import Final

import griffe

_SINGULAR: Final = re.compile(r"^(?P<indent>[ \t]*)Example:[ \t]*$", re.MULTILINE)


class ExampleSections(griffe.Extension):
    """Rename each ``Example:`` section heading of a docstring to ``Examples:``."""

    def on_object(
        self,
        *,
        obj: griffe.Object,
        loader: griffe.GriffeLoader,  # noqa: ARG002  (Griffe passes it by keyword)
        **kwargs: object,  # noqa: ARG002  (for forward compatibility, as Griffe asks)
    ) -> None:
        """Fix the object's docstring once the object tree is complete."""
        if obj.docstring is not None:
            obj.docstring.value = _SINGULAR.sub(r"\g<indent>Examples:", obj.docstring.value)
