"""One module per group of routes; :data:`routers` lists them in the order the docs show them."""

from api.routes import analysis, decisions, entities, exports, health, ingest, maps, report, survey
from api.routes import impact as what_worked

routers = [
    health.router,
    entities.router,
    analysis.router,
    decisions.router,  # whom to introduce, brokerage direction, network profile
    what_worked.router,  # interventions and their effect
    maps.router,
    report.router,
    exports.router,
    ingest.router,
    survey.router,
]

__all__ = ["routers"]
