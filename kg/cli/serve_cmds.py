"""``kg serve``: run the HTTP API over the configured store."""

from __future__ import annotations

import gc
import logging
import sys
from typing import Annotated

import typer

from kg.cli import app
from kg.cli.store_cmds import console
from kg.config import Settings, get_settings

Host = Annotated[str, typer.Option(help="Address to listen on. 127.0.0.1 serves this machine "
                                   "only; 0.0.0.0 all interfaces (set KG_API_KEYS first).")]
Port = Annotated[int, typer.Option(help="Port to listen on.", min=1, max=65535)]

SWITCH_SECONDS = 0.0005  # the server's GIL switch interval (see run_server)


def run_server(settings: Settings, host: str, port: int) -> None:
    """Serve the API until interrupted, printing where to point a browser."""
    import uvicorn

    from api import create_app
    from kg.analysis import _fast

    # Cold computations split across processes leave every part to a child, so this process
    # (the event loop and the other requests' threads) never waits on the GIL for igraph.
    _fast.PARENT_WAITS = True
    # The Python parts of a computation (building a network, say) hand the GIL over every
    # SWITCH_SECONDS instead of Python's 5 ms: a request arriving meanwhile waits that long at
    # most at each step, and a request makes a few.
    sys.setswitchinterval(SWITCH_SECONDS)

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    application = create_app(settings)
    # What is loaded by now lives as long as the server: out of the collector's sight, a full
    # collection (which holds the GIL, so every request waits) costs about half as much.
    gc.freeze()
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    base = f"http://{shown}:{port}"
    console.print(
        f"\nCarebridge API on [bold]{base}[/bold] (store: {settings.backend}, "
        f"{settings.data_dir if settings.backend == 'sqlite' else settings.neo4j_uri})\n"
        f"  start here     {base}/\n"
        f"  board report   {base}/report\n"
        f"  network map    {base}/maps/network\n"
        f"  bridges map    {base}/maps/bridges?by=sector&between=acute&between=community\n"
        f"  API docs       {base}/docs\n"
    )
    if not application.state.api_keys:
        console.print("[yellow]No API keys configured (KG_API_KEYS): serving localhost only, "
                      "every local caller as admin.[/yellow]")
    console.print("Press Ctrl+C to stop.")
    # uvicorn's access log prints full paths, and paths can hold person ids: ours logs the
    # route template instead. The loop and HTTP parser are uvicorn's "auto": uvloop and
    # httptools (dependencies of the project), a few times faster than asyncio's and h11's.
    uvicorn.run(application, host=host, port=port, access_log=False, log_level="info")


@app.command("serve")
def serve(host: Host = "127.0.0.1", port: Port = 8000) -> None:
    """Serve the HTTP API: analyses, maps, the board report, metrics export and import.

    Reads the store KG_BACKEND and KG_DATA_DIR name. Keys and roles come from KG_API_KEYS
    ("key1:viewer,key2:analyst,key3:admin"); with none, only this machine is served.

    Example: [bold]KG_API_KEYS=s3cret:admin kg serve --host 0.0.0.0 --port 8000[/bold]
    """
    run_server(get_settings(), host, port)
