"""The example notebook runs from top to bottom in a fresh kernel: it cannot rot."""

from __future__ import annotations

import gc
import json
import os
import sys
from pathlib import Path

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


# The kernel client's zmq sockets are closed by the garbage collector, not by
# nbclient: collected below, inside this test, and their warning ignored.
@pytest.mark.filterwarnings("ignore::ResourceWarning")
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_the_notebook_runs_and_shows_tables_and_charts(kernel_dirs: Path) -> None:
    """Every cell runs without error; the reports show as HTML tables and the charts as images."""
    import nbformat  # noqa: PLC0415 -- after JUPYTER_PLATFORM_DIRS is set
    from jupyter_client.kernelspec import KernelSpecManager  # noqa: PLC0415
    from jupyter_client.manager import KernelManager  # noqa: PLC0415
    from nbclient import NotebookClient  # noqa: PLC0415

    notebook = nbformat.read(NOTEBOOK, as_version=4)  # type: ignore[no-untyped-call]
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
    assert not [output for output in outputs if output.output_type == "error"]
    shown = [output.get("data", {}) for output in outputs]
    assert sum("<table>" in data.get("text/html", "") for data in shown) >= 3
    assert sum("image/png" in data for data in shown) == 3
