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
from kg.demo import generate_bundle  # noqa: E402
from kg.ingest import ingest_path  # noqa: E402
from kg.store.sqlite import SQLiteStore  # noqa: E402

KEY = "fuzz-admin-key"

# schemathesis reads the schema when the module is collected, so the app is built then: the
# small demo partnership in a folder that lives as long as the test process.
_DATA = tempfile.TemporaryDirectory(prefix="carebridge-fuzz-")
_folder = Path(_DATA.name)
generate_bundle(_folder / "bundle", size="small", seed=7)
with SQLiteStore(_folder / "carebridge.sqlite") as _store:
    ingest_path(_store, _folder / "bundle")
app = create_app(Settings(data_dir=_folder, api_keys=f"{KEY}:admin", max_upload_mb=1))
schema = schemathesis.openapi.from_asgi("/openapi.json", app)


@schema.parametrize()
@settings(
    max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck)
)
def test_no_input_gets_a_server_error(case):
    response = case.call(headers={"X-API-Key": KEY})
    assert response.status_code < 500, (
        case.method, case.formatted_path, case.query, response.text[:300],
    )  # fmt: skip
