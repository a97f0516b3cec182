"""Shared fixtures. ``store`` runs every store test on each backend that can be reached:
SQLite always, Neo4j when ``KG_NEO4J_URI`` is set (the same tests, no mocks)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kg.store.base import GraphStore

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"

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
