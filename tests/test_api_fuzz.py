"""Every operation of the OpenAPI schema, fed generated parameters and bodies (schemathesis,
derandomised so a failure reproduces), answers as its schema says: never a 500, only documented
status codes and content types, bodies that match their declared schema."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis import checks  # noqa: E402

from api import create_app  # noqa: E402
from kg.config import Settings  # noqa: E402
from kg.ingest import ingest_path  # noqa: E402

KEY = "fuzz-admin-key"

# schemathesis reads the schema when the module is collected, so the app is built then, over an
# empty store in a folder that lives as long as the test process; the data comes in below.
_DATA = tempfile.TemporaryDirectory(prefix="carebridge-fuzz-")
app = create_app(Settings(data_dir=Path(_DATA.name), api_keys=f"{KEY}:admin", max_upload_mb=1,
                          fresh_per_minute=0))  # thousands of new questions: none limited
schema = schemathesis.openapi.from_asgi("/openapi.json", app)
# Requests that fit the schema, checked with every response check. (Negative generation is left
# out: FastAPI, like most frameworks, takes the last of a repeated scalar parameter.)
schema.config.generation.update(modes=[schemathesis.GenerationMode.POSITIVE])


@pytest.fixture(scope="module", autouse=True)
def demo_partnership(small_bundle):
    """The small demo partnership in the app's store, before any generated request."""
    ingest_path(app.state.store, small_bundle)
    yield
    app.state.store.close()


@schema.parametrize()
@settings(
    max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
def test_every_answer_keeps_the_schemas_promises(case):
    # Every response check but "a schema-valid request is accepted": some parameters depend on
    # each other in ways a schema cannot say (a window or a phase, not both; a phase that
    # exists), and those answer 422 or 404 with a message, as they should.
    case.call_and_validate(headers={"X-API-Key": KEY},
                           excluded_checks=[checks.positive_data_acceptance])
