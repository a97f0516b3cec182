"""One module per group of routes; :data:`routers` lists them in the order the docs show them."""

import api.routes.impact
from api.routes import analysis, entities, exports, health, ingest, maps, report, survey

routers = [
    health.router,
    entities.router,
    analysis.router,
    api.routes.impact.router,  # what worked: interventions and their effect
    maps.router,
    report.router,
    exports.router,
    ingest.router,
    survey.router,
]

__all__ = ["routers"]
