"""The researcher's walkthrough notebook runs end to end and leaves its exports behind."""

from __future__ import annotations

import csv
from pathlib import Path

import networkx as nx
import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "walkthrough.ipynb"


def test_notebook_is_committed_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    nbformat.validate(nb)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(c.outputs == [] and c.execution_count is None for c in code)


def test_walkthrough_runs_end_to_end(tmp_path, monkeypatch):
    # The notebook generates the small demo unless pointed at a bundle.
    monkeypatch.delenv("CAREBRIDGE_BUNDLE", raising=False)
    nb = nbformat.read(NOTEBOOK, as_version=4)
    # "python3" resolves to this interpreter (jupyter_client swaps "python" for sys.executable),
    # so the kernel sees the .venv's kg.
    client = nbclient.NotebookClient(
        nb, timeout=120, kernel_name="python3",
        resources={"metadata": {"path": str(tmp_path)}},
    )
    client.execute()  # raises CellExecutionError on the first failing cell
    errors = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
              if o.output_type == "error"]
    assert not errors

    out = tmp_path / "walkthrough-out"
    csv_path = out / "carebridge-metrics-pseudonymised.csv"
    graphml_path = out / "carebridge-metrics-pseudonymised.graphml"
    map_path = out / "network-map.html"
    for path in (csv_path, graphml_path, map_path):
        assert path.is_file() and path.stat().st_size > 0, path
    with open(csv_path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(line for line in f if not line.startswith("#")))
    H = nx.read_graphml(graphml_path)
    assert len(rows) == H.number_of_nodes() > 100 and H.number_of_edges() > 0
    assert {r["id"] for r in rows} == set(H)
    assert all(r["id"].startswith("X-") and r["name"] == "" for r in rows)
    assert map_path.read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html>")
    # The store and the key live elsewhere: only the three exports are in the output folder.
    assert sorted(p.name for p in out.iterdir()) == sorted(
        p.name for p in (csv_path, graphml_path, map_path))
