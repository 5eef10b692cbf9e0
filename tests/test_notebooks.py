"""Every notebook: committed clean, and executed end to end with nbclient as a learner would."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient
from support import ROOT, widget_texts

from labkit.serve.server import never_miss_kernel_replies

# nbclient reads the kernel's replies with jupyter_client's asyncio channels, which can miss a
# ZeroMQ wake-up and then wait for a reply already there (seen here: a kernel idle, the test stuck
# until its time-out). The server polls its channels in slices for the same reason; so do the tests.
never_miss_kernel_replies()

NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_there_is_a_notebook_per_page():
    assert len(NOTEBOOKS) >= 1


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_committed_without_outputs(path: Path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    for cell in notebook["cells"]:
        if cell["cell_type"] == "code":
            assert cell.get("outputs") == [], f"{path.name}: a cell has outputs"
            assert cell.get("execution_count") is None, (
                f"{path.name}: a cell has an execution count"
            )
    assert "widgets" not in notebook.get("metadata", {}), f"{path.name}: widget state is stored"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_holds_narrative_and_a_few_calls(path: Path):
    notebook = nbformat.read(path, as_version=4)
    code = [c for c in notebook.cells if c.cell_type == "code"]
    markdown = [c for c in notebook.cells if c.cell_type == "markdown"]
    assert markdown, f"{path.name} has no narrative"
    for cell in code:
        lines = [line for line in cell.source.splitlines() if line.strip()]
        assert len(lines) <= 3, f"{path.name}: a code cell holds logic:\n{cell.source}"
        for line in lines:
            assert not line.lstrip().startswith(
                ("def ", "class ", "for ", "if ", "while ", "with ")
            ), line


@pytest.mark.notebook
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes_end_to_end(path: Path, tmp_path, monkeypatch):
    monkeypatch.setenv("DATALAB_WORKSPACE", str(tmp_path / "workspace"))
    monkeypatch.setenv("DATALAB_PSEUDONYM", "Notebook Test")
    monkeypatch.setenv("DATALAB_ROOT", str(ROOT))
    monkeypatch.delenv("QUERY_STRING", raising=False)
    notebook = nbformat.read(path, as_version=4)
    client = NotebookClient(
        notebook,
        timeout=300,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        store_widget_state=True,
    )
    client.execute()
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            assert output["output_type"] != "error", (
                f"{path.name}: {output.get('ename')}: {output.get('evalue')}"
            )
            if output["output_type"] == "stream" and output["name"] == "stderr":
                assert "Traceback" not in output["text"], output["text"]
    texts = "\n".join(widget_texts(notebook))
    assert "dl-header" in texts, f"{path.name}: the page header was not shown"
    assert "dl-msg dl-msg-error" not in texts, (
        f"{path.name}: the page shows an error message:\n" + _errors(texts)
    )
    assert "Choisissez d’abord votre pseudonyme" not in texts
    assert (tmp_path / "workspace" / "learners" / "notebook-test" / "progress.json").exists()
    assert os.environ["DATALAB_PSEUDONYM"] == "Notebook Test"


def _errors(texts: str) -> str:
    import re

    return "\n".join(re.findall(r'dl-msg dl-msg-error".*?</div>', texts, flags=re.S))[:2000]
