"""``GET /``: the way in (a small page linking the report, the maps, the docs and the health
check, each with what it answers) and ``/docs``: the API docs with Swagger UI served from this
server (the copy in the ``fastapi-offline`` package), so they work with no internet."""

from __future__ import annotations

import functools
import importlib.resources
import mimetypes

import jinja2
from fastapi import APIRouter, Request, Response
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import HTMLResponse

from api.deps import StoreDep, ViewerDep
from api.responses import PAGE_HEADERS
from kg.errors import NotFound

__all__ = ["DOCS_ASSETS", "router"]

router = APIRouter(include_in_schema=False)

#: Where the Swagger UI files are served from, and the files there (nothing else is served).
DOCS_ASSETS = "/docs/assets"
_ASSET_FILES = ("swagger-ui-bundle.js", "swagger-ui.css")

# Swagger UI fetches the OpenAPI document and, with "Try it out", calls the API: same origin
# only. Its own script and style come from this server; its icons are inline data.
DOCS_POLICY = (
    "default-src 'none'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self' data:; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

#: The pages linked from the way in: (address, title, what it answers).
LINKS = (
    ("/report", "Board report",
     "The headline findings in plain words: silos, who bridges acute and community care and "
     "through which forums, key-person risk, communities of practice. Prints on a few pages."),
    ("/maps/network", "Collaboration network",
     "Everyone and their working ties, sized by how much they broker. Find a person to see "
     "their roles, forums and strongest ties."),
    ("/maps/bridges?by=sector&between=acute&between=community", "Bridges: acute and community",
     "Who connects acute and community health services, and through which forums: acute on "
     "the left, community on the right, the brokers numbered between them."),
    ("/maps/communities", "Communities",
     "The groups who work together most; click one for its people."),
    ("/maps/organisations", "Organisations",
     "Ties between organisations, and which ones work in silos."),
    ("/docs", "API docs",
     "Every question the API answers, with parameters; try them from the page."),
    ("/health", "Health check",
     "Is the service up, which store it reads and its revision (JSON)."),
)  # fmt: skip

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Carebridge</title>
<style>
body { margin: 0; font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
       color: #222; background: #fff; line-height: 1.45; }
main { max-width: 44rem; margin: 0 auto; padding: 1.25rem 1rem 2rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; }
.lead { color: #444; margin: 0 0 1.25rem; }
ul { list-style: none; padding: 0; margin: 0; }
li { border-top: 1px solid #ddd; padding: .7rem 0; }
li:last-child { border-bottom: 1px solid #ddd; }
a { color: #0b57a4; font-weight: 600; font-size: 1.05rem; }
a:focus-visible { outline: 3px solid #e69f00; outline-offset: 2px; }
li p { margin: .2rem 0 0; color: #444; overflow-wrap: anywhere; }
footer { margin-top: 1.25rem; color: #555; font-size: .9rem; overflow-wrap: anywhere; }
</style>
</head>
<body>
<main>
<h1>Carebridge</h1>
<p class="lead">Who bridges acute, community and social care, through which forums, and what if
they leave? Start with the board report, or open a map.</p>
<nav aria-label="Pages">
<ul>
{% for href, title, text in links %}<li><a href="{{ href }}">{{ title }}</a><p>{{ text }}</p></li>
{% endfor %}</ul>
</nav>
<footer>Store: {{ backend }}, revision {{ revision }}. Maps and the report open offline and
fetch nothing. {{ access }}</footer>
</main>
</body>
</html>
"""


@functools.cache
def _template() -> jinja2.Template:
    return jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined).from_string(_PAGE)


@router.get("/", response_class=HTMLResponse)
def home(request: Request, store: StoreDep, _: ViewerDep) -> Response:
    """The way in: links to the report, the maps, the docs and the health check."""
    access = (
        "Requests need a viewer key (X-API-Key)."
        if request.app.state.api_keys
        else "This server has no keys and answers only this machine."
    )
    html = _template().render(
        links=LINKS, backend=store.backend, revision=store.revision(), access=access
    )
    return HTMLResponse(html, headers=dict(PAGE_HEADERS))


@router.get("/favicon.ico")
def favicon() -> Response:
    """No icon: browsers ask for one beside every page (the JSON ones too); answer "nothing
    here" rather than a 404 that shows as an error in their console."""
    return Response(status_code=204, headers={"Cache-Control": "max-age=86400"})


@functools.cache
def _asset(name: str) -> bytes:
    return importlib.resources.files("fastapi_offline").joinpath("static", name).read_bytes()


@router.get(DOCS_ASSETS + "/{name}")
def docs_asset(name: str) -> Response:
    """Swagger UI's script and stylesheet, from the installed package (cached a day)."""
    if name not in _ASSET_FILES:
        raise NotFound("docs asset", name)
    media = mimetypes.guess_type(name)[0] or "application/octet-stream"
    return Response(_asset(name), media_type=media, headers={"Cache-Control": "max-age=86400"})


@router.get("/docs", response_class=HTMLResponse)
def docs(request: Request) -> Response:
    """Swagger UI with every file from this server: the docs work with no internet."""
    root = request.scope.get("root_path", "")
    page = get_swagger_ui_html(
        openapi_url=root + request.app.openapi_url,
        title=request.app.title + " API",
        swagger_js_url=f"{root}{DOCS_ASSETS}/swagger-ui-bundle.js",
        swagger_css_url=f"{root}{DOCS_ASSETS}/swagger-ui.css",
        # An inline icon: the default one is fetched from FastAPI's website.
        swagger_favicon_url="data:,",
        swagger_ui_parameters={
            **(request.app.swagger_ui_parameters or {}),
            "validatorUrl": None,  # no badge fetched from the online validator
        },
    )
    page.headers["Content-Security-Policy"] = DOCS_POLICY
    page.headers["Referrer-Policy"] = "no-referrer"
    return page
