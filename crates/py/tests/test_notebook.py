"""The example notebook runs top to bottom on a small cohort."""

import os

import pytest


def test_the_example_notebook_runs(root):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    pytest.importorskip("matplotlib")
    nb = nbformat.read(root / "examples" / "cohort-notebook.ipynb", as_version=4)
    os.environ["REINNERVATE_NOTEBOOK_DRAWS"] = "4"
    os.environ["REINNERVATE_EXAMPLES"] = str(root / "examples")
    nbclient.NotebookClient(nb, timeout=600, kernel_name="python3").execute(
        cwd=str(root / "examples")
    )
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])]
    assert not [o for o in outputs if o.get("output_type") == "error"]
