"""The documentation is executed: no example, output or picture in it can rot.

- every ```pycon block of a page runs as a doctest, the page's blocks in order
  and in one namespace, from the repository root;
- every ```toml block holding a ``[contract]`` table loads as a contract, and
  every other ```toml block makes a valid contract when it takes the place of
  the same tables of ``examples/contract.toml``;
- every ```text block under a ``<!-- cli: COMMAND -->`` comment is what
  COMMAND prints (``<!-- cli exit=2: COMMAND -->`` for a failing command),
  and one under ``<!-- cli-file: PATH -->`` is the start of the file PATH that
  the page's previous command writes (a last line ``...`` stands for the rest);
- Python is only shown as ```pycon, and the command line only in checked
  ```text blocks, so nothing escapes the checks above;
- every public name has its ``::: resolutionpricing.Name`` block in the
  reference;
- every chart of ``docs/assets/`` is what ``docs/scripts/figures.py`` draws, and a page
  shows it.
"""

from __future__ import annotations

import difflib
import doctest
import importlib.metadata
import importlib.util
import os
import re
import shlex
import shutil
import subprocess
import sys
import textwrap
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

import resolutionpricing
from resolutionpricing import loads_contract

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(DOCS.rglob("*.md"))
EXAMPLE_CONTRACT = ROOT / "examples" / "contract.toml"

_OPENING = re.compile(r"^(?P<indent> *)(?P<fence>`{3,}|~{3,})\s*(?P<language>[\w+-]*)(?P<rest>.*)$")
_CLI = re.compile(r"^\s*<!--\s*cli(?:\s+exit=(?P<status>\d+))?:\s*(?P<command>.+?)\s*-->\s*$")
_CLI_FILE = re.compile(r"^\s*<!--\s*cli-file:\s*(?P<path>\S+)\s*-->\s*$")
_SNIPPET = re.compile(r'^\s*--8<--\s+"(?P<path>[^"]+)"\s*$')
_RUNS_CLI = re.compile(r"^\s*(?:\$\s*)?(?:python3? -m )?resolutionpricing\b", re.MULTILINE)
_DIRECTIVE = re.compile(r"^::: (?P<path>[\w.]+)\s*$", re.MULTILINE)
_OPTIONS = doctest.NORMALIZE_WHITESPACE | doctest.ELLIPSIS


@dataclass(frozen=True)
class Block:
    """A fenced code block of a page, dedented, with what stands just above it."""

    page: Path
    line: int  # the 1-based line of the first line of the block's text
    language: str
    text: str
    above: str  # the nearest non-blank line above the opening fence

    @property
    def where(self) -> str:
        """The page and line, as an editor would jump to them."""
        return f"{self.page.relative_to(ROOT)}:{self.line}"


def blocks(page: Path) -> list[Block]:
    """Every fenced block of ``page``, including those indented in tabs and admonitions."""
    lines = page.read_text(encoding="utf-8").splitlines()
    found = []
    index = 0
    while index < len(lines):
        opening = _OPENING.match(lines[index])
        if opening is None:
            index += 1
            continue
        indent, fence = opening["indent"], opening["fence"]
        above = next((line for line in reversed(lines[:index]) if line.strip()), "")
        end = index + 1
        while end < len(lines) and lines[end].strip() != fence:
            end += 1
        body = [line.removeprefix(indent) for line in lines[index + 1 : end]]
        found.append(
            Block(
                page=page,
                line=index + 2,
                language=opening["language"].lower(),
                text=_include(textwrap.dedent("\n".join(body))) + "\n",
                above=above,
            )
        )
        index = end + 1
    return found


def _include(text: str) -> str:
    """Replace each pymdownx.snippets line (--8<-- "file") by the file, as the build does."""
    lines = []
    for line in text.splitlines():
        snippet = _SNIPPET.match(line)
        if snippet:
            lines.append((ROOT / snippet["path"]).read_text(encoding="utf-8").rstrip("\n"))
        else:
            lines.append(line)
    return "\n".join(lines)


def _page_id(page: Path) -> str:
    return page.relative_to(DOCS).as_posix()


def _blocks_of(language: str) -> list[Block]:
    return [block for page in PAGES for block in blocks(page) if block.language == language]


def _block_id(block: Block) -> str:
    return f"{_page_id(block.page)}:{block.line}"


def test_docs_are_found() -> None:
    """The collection sees the pages, so an empty glob cannot pass silently."""
    assert DOCS / "index.md" in PAGES
    assert _blocks_of("pycon")
    assert _cli_blocks()
    assert _file_blocks()


@pytest.fixture
def _hypothesis_as_readers_run_it() -> Iterator[None]:
    """The current Hypothesis profile, but without the ``reproduce_failure`` blob.

    The ci profile prints one under every failure, which the pages show
    without it, as a reader's session prints them.
    """
    profile = settings.get_current_profile_name()
    settings.register_profile("docs", settings.get_profile(profile), print_blob=False)
    settings.load_profile("docs")
    try:
        yield
    finally:
        settings.load_profile(profile)


@pytest.mark.parametrize("page", PAGES, ids=_page_id)
@pytest.mark.usefixtures("_hypothesis_as_readers_run_it")
def test_examples_run(page: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every ```pycon block of the page prints exactly what the page says it prints."""
    monkeypatch.chdir(ROOT)
    parser = doctest.DocTestParser()
    runner = doctest.DocTestRunner(optionflags=_OPTIONS)
    namespace: dict[str, Any] = {"__name__": f"docs.{_page_id(page)}"}
    report: list[str] = []
    for block in blocks(page):
        if block.language != "pycon":
            continue
        # One name per block: doctest finds an example's source by the name in its
        # code's file name, and a function defined in one block may fail in a later one.
        name = f"{_page_id(page)}:{block.line}"
        test = parser.get_doctest(block.text, namespace, name, str(page), block.line - 1)
        # A DocTest copies its globals; share one dict instead, as a Python session
        # does, so that a name redefined in a later block is what earlier functions see.
        test.globs = namespace
        runner.run(test, out=report.append, clear_globs=False)
    if runner.failures:
        pytest.fail("".join(report), pytrace=False)


def _merge(fragment: dict[str, Any]) -> dict[str, Any]:
    """The example contract with the fragment's tables in place of its own."""
    text = EXAMPLE_CONTRACT.read_text(encoding="utf-8")
    base: dict[str, Any] = tomllib.loads(text, parse_float=Decimal)
    return {**base, **fragment}


@pytest.mark.parametrize("block", _blocks_of("toml"), ids=_block_id)
def test_toml_blocks_are_contracts(block: Block) -> None:
    """A ```toml block is a whole contract file, or tables that slot into the example's."""
    data = tomllib.loads(block.text, parse_float=Decimal)
    if "contract" in data:
        loads_contract(block.text, source=block.where)
        return
    merged = _merge(data)
    resolutionpricing.contract_from_dict(merged, source=block.where)


def _cli_blocks() -> list[Block]:
    return [block for block in _blocks_of("text") if _CLI.match(block.above)]


def _workspace(folder: Path) -> Path:
    """A working directory for commands: the repository's examples, and room for their files."""
    examples = folder / "examples"
    if not examples.exists():
        try:
            examples.symlink_to(ROOT / "examples", target_is_directory=True)
        except OSError:  # no symlinks (Windows without the privilege): copy
            shutil.copytree(ROOT / "examples", examples)
    return folder


def _run_cli(command: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a documented command in ``cwd``, where ``examples/`` is the repository's."""
    words = shlex.split(command)
    assert words[0] == "resolutionpricing", f"only resolutionpricing commands run: {command}"
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"FORCE_COLOR", "PYTHON_COLORS", "COLUMNS", "LINES"}
    }
    # argparse wraps help to the terminal's width: fix it, so the help text is stable.
    environment |= {"COLUMNS": "100", "NO_COLOR": "1", "PYTHONIOENCODING": "utf-8"}
    # The package is imported from wherever the test imported it, whatever the cwd.
    source = str(Path(resolutionpricing.__file__).resolve().parents[1])
    environment["PYTHONPATH"] = os.pathsep.join(
        path for path in (source, environment.get("PYTHONPATH", "")) if path
    )
    return subprocess.run(  # noqa: S603  (the command comes from our own docs)
        [sys.executable, "-m", "resolutionpricing", *words[1:]],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=environment,
        check=False,
        timeout=60,
    )


@pytest.mark.parametrize("block", _cli_blocks(), ids=_block_id)
def test_cli_output_is_current(block: Block, tmp_path: Path) -> None:
    """A ```text block under <!-- cli: ... --> is what the command prints, and its exit status."""
    marker = _CLI.match(block.above)
    assert marker is not None
    command, status = marker["command"], int(marker["status"] or 0)
    shown = block.text.splitlines()
    if shown and shown[0].startswith("$ "):
        assert shown[0] == f"$ {command}", f"{block.where}: the $ line is not the command run"
        shown = shown[1:]
    result = _run_cli(command, _workspace(tmp_path))
    printed = [line.rstrip() for line in (result.stdout + result.stderr).splitlines()]
    expected = [line.rstrip() for line in shown]
    if printed != expected:
        diff = "\n".join(difflib.unified_diff(expected, printed, "docs", "printed", lineterm=""))
        pytest.fail(f"{block.where}: `{command}` prints something else:\n{diff}", pytrace=False)
    assert result.returncode == status, f"{block.where}: `{command}` exits with {result.returncode}"


def _file_blocks() -> list[Block]:
    return [block for block in _blocks_of("text") if _CLI_FILE.match(block.above)]


@pytest.mark.parametrize("block", _file_blocks(), ids=_block_id)
def test_cli_files_are_current(block: Block, tmp_path: Path) -> None:
    """A ```text block under <!-- cli-file: PATH --> starts the file the command above writes."""
    marker = _CLI_FILE.match(block.above)
    assert marker is not None
    above = [
        other
        for other in blocks(block.page)
        if other.language == "text" and other.line < block.line and _CLI.match(other.above)
    ]
    assert above, f"{block.where}: no <!-- cli: --> command above writes {marker['path']}"
    command = _CLI.match(above[-1].above)
    assert command is not None
    _run_cli(command["command"], _workspace(tmp_path))
    written = tmp_path / marker["path"]
    assert written.is_file(), f"{block.where}: `{command['command']}` wrote no {marker['path']}"
    shown = [line.rstrip() for line in block.text.splitlines()]
    lines = [line.rstrip() for line in written.read_text(encoding="utf-8").splitlines()]
    if shown and shown[-1] == "...":
        shown = shown[:-1]
        assert len(lines) > len(shown), f"{block.where}: `...` but the file has no more lines"
        lines = lines[: len(shown)]
    if lines != shown:
        diff = "\n".join(difflib.unified_diff(shown, lines, "docs", "written", lineterm=""))
        pytest.fail(f"{block.where}: {marker['path']} holds something else:\n{diff}", pytrace=False)


@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_code_is_shown_only_in_checked_forms(page: Path) -> None:
    """Python is shown as ```pycon and commands as checked output, so every example is run."""
    for block in blocks(page):
        assert block.language not in {"python", "py", "python3"}, (
            f"{block.where}: write Python as a ```pycon doctest so that it runs"
        )
        if block.language in {"bash", "console", "shell", "sh"}:
            assert not _RUNS_CLI.search(block.text), (
                f"{block.where}: show the command's output in a ```text block "
                "under <!-- cli: ... --> so that it runs"
            )
        if block.language == "text" and block.text.startswith("$ "):
            assert _CLI.match(block.above), f"{block.where}: a shown command needs <!-- cli: -->"


def _public(path: str) -> bool:
    """Whether ``path`` is a name of ``__all__``, or a public submodule or one of its members."""
    parts = path.split(".")
    if parts[0] != "resolutionpricing" or len(parts) < 2 or parts[1].startswith("_"):
        return False
    if len(parts) == 2 and parts[1] in resolutionpricing.__all__:
        return True
    return importlib.util.find_spec(f"resolutionpricing.{parts[1]}") is not None


def test_reference_has_every_public_name() -> None:
    """Each name of resolutionpricing.__all__ has a ::: block in the reference; none is private."""
    documented = [
        match["path"]
        for page in sorted((DOCS / "reference").rglob("*.md"))
        for match in _DIRECTIVE.finditer(page.read_text(encoding="utf-8"))
    ]
    public = {f"resolutionpricing.{name}" for name in resolutionpricing.__all__}
    public.discard("resolutionpricing.__version__")
    missing = sorted(public - set(documented))
    assert missing == [], f"add ::: blocks to docs/reference for {', '.join(missing)}"
    unknown = sorted(path for path in documented if not _public(path))
    assert unknown == [], f"docs/reference has blocks for names that are not public: {unknown}"
    assert len(documented) == len(set(documented)), "a name is documented twice"


def test_figures_are_current(tmp_path: Path) -> None:
    """Every SVG of docs/assets is exactly what docs/scripts/figures.py draws today, and is shown."""
    # A machine's own matplotlibrc must not change a byte: draw under a hostile one.
    settings_file = tmp_path / "matplotlibrc"
    settings_file.write_text(
        "font.size: 20\nfont.family: serif\naxes.facecolor: red\nsvg.fonttype: none\n",
        encoding="utf-8",
    )
    out = tmp_path / "drawn"
    subprocess.run(  # noqa: S603  (our own script, with our own interpreter)
        [sys.executable, str(DOCS / "scripts" / "figures.py"), "--out", str(out)],
        cwd=ROOT,
        check=True,
        timeout=120,
        env={**os.environ, "MATPLOTLIBRC": str(settings_file)},
    )
    drawn = sorted(path.name for path in out.glob("*.svg"))
    committed = sorted(path.name for path in (DOCS / "assets").glob("*.svg"))
    assert drawn == committed, "docs/assets holds other charts than docs/scripts/figures.py draws"
    assert len(drawn) == 5
    stale = [
        name for name in drawn if (out / name).read_bytes() != (DOCS / "assets" / name).read_bytes()
    ]
    # The bytes depend on matplotlib's version (pinned in the dev extra) and on
    # nothing of the machine: its defaults, a fixed hash salt, its own font as paths.
    assert stale == [], (
        f"stale charts {stale} (drawn with matplotlib {importlib.metadata.version('matplotlib')}): "
        "run `python docs/scripts/figures.py` and commit docs/assets/"
    )
    pages = "\n".join(page.read_text(encoding="utf-8") for page in PAGES)
    unshown = [name for name in drawn if f"assets/{name})" not in pages]
    assert unshown == [], f"no page shows {unshown}"
