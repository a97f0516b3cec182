"""No input gets a 500: every operation of the OpenAPI schema, fed generated parameters and
bodies (schemathesis, derandomised so a failure reproduces), answers below 500."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402

from api import create_app  # noqa: E402
from kg.config import Settings  # noqa: E402
from kg.ingest import ingest_path  # noqa: E402

KEY = "fuzz-admin-key"

# schemathesis reads the schema when the module is collected, so the app is built then, over an
# empty store in a folder that lives as long as the test process; the data comes in below.
_DATA = tempfile.TemporaryDirectory(prefix="carebridge-fuzz-")
app = create_app(Settings(data_dir=Path(_DATA.name), api_keys=f"{KEY}:admin", max_upload_mb=1))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


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
def test_no_input_gets_a_server_error(case):
    response = case.call(headers={"X-API-Key": KEY})
    assert response.status_code < 500, (
        case.method, case.formatted_path, case.query, response.text[:300],
    )  # fmt: skip
