"""Shared fixtures. ``store`` runs every store test on each backend that can be reached:
SQLite always, Neo4j when ``KG_NEO4J_URI`` is set (the same tests, no mocks). ``demo_data`` and
``demo`` give a module the small demo partnership imported into a data directory of its own,
and :class:`Demo` runs ``kg`` and the HTTP API over it."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

import pytest

from kg.store.base import GraphStore

BACKENDS = ["sqlite"] + (["neo4j"] if os.environ.get("KG_NEO4J_URI") else [])


def make_store(backend: str, tmp_path: Path) -> GraphStore:
    if backend == "sqlite":
        from kg.store.sqlite import SQLiteStore

        return SQLiteStore(tmp_path / "kg.sqlite")
    from kg.store.neo4j import Neo4jStore

    store = Neo4jStore(
        os.environ["KG_NEO4J_URI"],
        os.environ.get("KG_NEO4J_USER", "neo4j"),
        os.environ.get("KG_NEO4J_PASSWORD", "neo4j"),
        database=os.environ.get("KG_NEO4J_DATABASE"),
    )
    store.clear()  # the suite owns the database it is pointed at
    return store


@pytest.fixture(params=BACKENDS)
def store(request, tmp_path):
    s = make_store(request.param, tmp_path)
    yield s
    s.close()


@pytest.fixture(scope="session")
def small_bundle(tmp_path_factory) -> Path:
    """The small demo partnership, generated once per test session."""
    from kg.demo import generate_bundle

    out = tmp_path_factory.mktemp("demo-small")
    generate_bundle(out, size="small", seed=7)
    return out


@pytest.fixture(scope="session")
def browser():
    """Debian's chromium driven by Playwright, once per test session (skips when absent)."""
    from browser_support import CHROMIUM

    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM))
        yield launched
        launched.close()


# The key and the client address of Demo.api: a remote viewer, so keys are checked.
VIEWER_KEY = "k-v"
REMOTE = ("10.1.2.3", 40000)


@pytest.fixture(scope="module")
def demo_data(tmp_path_factory, small_bundle) -> Path:
    """A data directory (``KG_DATA_DIR``) for the module whose ``carebridge.sqlite`` holds the
    small demo partnership; the module may change it."""
    from kg.ingest import ingest_path
    from kg.store.sqlite import SQLiteStore

    data = tmp_path_factory.mktemp("demo-data")
    with SQLiteStore(data / "carebridge.sqlite") as store:
        ingest_path(store, small_bundle)
    return data


@dataclass
class Demo:
    """The small demo partnership in ``data``, its store open, read from ``bundle``."""

    store: GraphStore
    data: Path
    bundle: Path

    @cached_property
    def G(self):
        """The person network of the current period (the analyses' default)."""
        from kg.queries import analyses

        return analyses.person_graph(self.store)

    @cached_property
    def bc(self) -> dict:
        """networkx betweenness on :attr:`G`: the reference every broker number is checked
        against."""
        import networkx as nx

        return nx.betweenness_centrality(self.G)

    @cached_property
    def names(self) -> dict[str, str]:
        """Each person's name, by id, from the bundle's people.csv."""
        from bundle_reading import read_rows

        return {r["id"]: r["name"] for r in read_rows(self.bundle, "people.csv")}

    def cli(self, *args: str):
        """``kg ARGS`` through typer's CliRunner, with ``KG_DATA_DIR`` this data directory."""
        from typer.testing import CliRunner

        from kg.cli import app
        from kg.config import get_settings

        env = {"KG_DATA_DIR": str(self.data), "KG_OUTPUT_DIR": str(self.data / "out")}
        get_settings.cache_clear()  # settings are read from the environment once, then kept
        try:
            return CliRunner().invoke(app, list(args), env=env)
        finally:
            get_settings.cache_clear()

    def cli_json(self, *args: str):
        """``kg ARGS --format json``, which must succeed, parsed."""
        result = self.cli(*args, "--format", "json")
        assert result.exit_code == 0, result.output
        return json.loads(result.stdout)

    def api(self):
        """A test client of the HTTP API over this store, as a remote viewer sending
        ``VIEWER_KEY``."""
        from fastapi.testclient import TestClient

        from api import create_app
        from kg.config import Settings

        settings = Settings(
            data_dir=self.data, output_dir=self.data / "out", api_keys=f"{VIEWER_KEY}:viewer"
        )
        app = create_app(settings, store=self.store)
        return TestClient(app, client=REMOTE, headers={"X-API-Key": VIEWER_KEY})


@pytest.fixture(scope="module")
def demo(demo_data, small_bundle):
    """:class:`Demo` over :func:`demo_data`, its store open for the module."""
    from kg.queries.snapshot import clear_cache
    from kg.store.sqlite import SQLiteStore

    store = SQLiteStore(demo_data / "carebridge.sqlite")
    clear_cache()
    yield Demo(store, demo_data, small_bundle)
    store.close()
