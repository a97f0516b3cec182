"""Graph store backends behind one interface (:class:`~kg.store.base.GraphStore`).

Backends are imported lazily so the Neo4j driver is needed only by those who use it
(``pip install carebridge[neo4j]``).
"""

from __future__ import annotations

from kg.config import Settings, get_settings
from kg.errors import BackendUnavailable, ConfigError
from kg.store.base import GraphSnapshot, GraphStore, WriteResult

__all__ = ["GraphSnapshot", "GraphStore", "WriteResult", "open_store"]


def open_store(settings: Settings | None = None, *, backend: str | None = None) -> GraphStore:
    """Open the store the settings name (``KG_BACKEND``): ``sqlite`` (default) or ``neo4j``."""
    settings = settings or get_settings()
    backend = backend or settings.backend
    if backend == "sqlite":
        from kg.store.sqlite import SQLiteStore

        return SQLiteStore(settings.sqlite_path)
    if backend == "neo4j":
        if not settings.neo4j_uri:
            raise ConfigError("KG_BACKEND=neo4j needs KG_NEO4J_URI, e.g. bolt://localhost:7687")
        try:
            from kg.store.neo4j import Neo4jStore
        except ImportError as exc:  # the driver is an optional extra
            raise BackendUnavailable(
                "the Neo4j driver is not installed: pip install 'carebridge[neo4j]'"
            ) from exc
        return Neo4jStore(
            settings.neo4j_uri,
            settings.neo4j_user,
            settings.neo4j_password.get_secret_value(),
            database=settings.neo4j_database,
        )
    raise ConfigError(f"unknown KG_BACKEND {backend!r}; use sqlite or neo4j")
