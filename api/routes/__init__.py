"""One module per group of routes; :data:`routers` lists them in the order the docs show them."""

from api.routes import analysis, entities, exports, health, ingest, maps, report

routers = [
    health.router,
    entities.router,
    analysis.router,
    maps.router,
    report.router,
    exports.router,
    ingest.router,
]

__all__ = ["routers"]
