"""The example notebook runs from top to bottom in a fresh kernel: it cannot rot."""

from __future__ import annotations

import gc
import json
import os
import sys
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "examples" / "notebooks" / "contract-math.ipynb"


@pytest.fixture
def kernel_dirs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A kernel spec that runs this interpreter (the venv's python), whatever is installed elsewhere."""
    # jupyter_core warns on import until its paths move to platformdirs; opt in now.
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    spec = tmp_path / "kernels" / "resolutionpricing-tests"
    spec.mkdir(parents=True)
    argv = [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"]
    kernel = {"argv": argv, "display_name": "resolutionpricing tests", "language": "python"}
    (spec / "kernel.json").write_text(json.dumps(kernel), encoding="utf-8")
    return spec.parent


def _stored() -> Any:
    import nbformat  # noqa: PLC0415 -- after JUPYTER_PLATFORM_DIRS is set

    return nbformat.read(NOTEBOOK, as_version=4)  # type: ignore[no-untyped-call]


def _results(notebook: Any) -> dict[str, dict[str, Any]]:
    """Each tagged code cell's value (its execute_result data), by tag."""
    found = {}
    for cell in notebook.cells:
        for tag in cell.metadata.get("tags", []):
            values = [out for out in cell.outputs if out.output_type == "execute_result"]
            assert len(values) == 1, f"the cell tagged {tag} shows no value"
            found[tag] = values[0].data
    return found


def test_the_notebook_is_stored_without_outputs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stored notebook has no outputs or counts: what a reader sees is what their run makes."""
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    code = [cell for cell in _stored().cells if cell.cell_type == "code"]
    assert code
    assert all(cell.outputs == [] and cell.execution_count is None for cell in code)


# The kernel client's zmq sockets are closed by the garbage collector, not by
# nbclient: collected below, inside this test, and their warning ignored.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_the_notebook_runs_and_shows_tables_and_charts(kernel_dirs: Path) -> None:
    """Every cell runs without error; the invoice and reports show as HTML, the charts as images."""
    from jupyter_client.kernelspec import KernelSpecManager  # noqa: PLC0415
    from jupyter_client.manager import KernelManager  # noqa: PLC0415
    from nbclient import NotebookClient  # noqa: PLC0415

    notebook = _stored()
    specs = KernelSpecManager(kernel_dirs=[str(kernel_dirs)])
    manager = KernelManager(kernel_name="resolutionpricing-tests", kernel_spec_manager=specs)
    client = NotebookClient(
        notebook,
        km=manager,
        timeout=600,
        resources={"metadata": {"path": str(NOTEBOOK.parent)}},
    )
    client.execute(env={**os.environ, "MPLBACKEND": "Agg"})
    del client, manager
    gc.collect()
    outputs = [
        output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs
    ]
    assert not [output for output in outputs if output.output_type in {"error", "stream"}]
    results = _results(notebook)
    # The invoice cell renders the invoice's own HTML: lines, tiers, totals, counts.
    invoice = results["invoice"]["text/html"]
    for caption in ("Lines", "Tier breakdown", "Totals", "Counts"):
        assert f"<caption>{caption}</caption>" in invoice
    assert "26506.34" in invoice  # October's total, as test_invoice_view pins it
    # The tier rows are a DataFrame of the two tier parts of October's 6361.5017 units.
    assert "1361.5017" in results["tier-rows"]["text/html"]
    # The decisions' not-billable reasons count what the invoice counts.
    assert results["reasons-match"]["text/plain"] in {"True", "np.True_"}
    assert "5104" in results["reasons"]["text/html"]  # unresolved, as the invoice says
    for tag in ("contract", "invoices", "clauses", "offers"):
        assert "<table" in results[tag]["text/html"], tag
    for tag in ("price-curve", "statement", "plot-clauses", "plot-offers"):
        assert "image/png" in results[tag], tag
    assert sum("image/png" in output.get("data", {}) for output in outputs) == 4
