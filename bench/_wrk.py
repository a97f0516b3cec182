"""Loading a served API from the benchmarks: ``kg serve`` on a loopback port, ``wrk``, latencies.

Shared by ``bench_api.py`` and ``bench_survey.py`` (run as scripts, so this folder is on the path:
``from _wrk import ...``). Whichever client loads the server, the result is one dict:
``requests``, ``errors``, ``rps`` and ``p50`` / ``p95`` / ``p99`` in milliseconds. Without
``wrk``, :func:`load_httpx` takes the same arguments and loads it from threads of ``httpx``
clients in this process (whose own cost then shows in the latencies).

``wrk`` (``apt-get install wrk``) is a C client, so its figures are the server's; a Lua ``done``
hook prints its counts and percentiles on one line that :func:`load_wrk` parses. A load can also
be started (:func:`start_wrk`), paced (each connection waits between requests), and stopped
when something else is over (:func:`finish_wrk`): wrk reports on SIGINT.
"""

from __future__ import annotations

import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx

__all__ = [
    "finish_wrk", "free_port", "load_httpx", "load_wrk", "start_server", "start_wrk", "summary",
]

ROOT = Path(__file__).resolve().parents[1]
START_SECONDS = 60  # how long the server may take to answer /health

# Cycles through the paths given (a request() hook; with one path wrk's own request is used).
_ROTATE = """
local paths = {PATHS}
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
"""
_DELAY = """
delay = function()
  return DELAY
end
"""
_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("CB %d %d %d %f %f %f\\n", summary.requests,
    e.connect + e.read + e.write + e.timeout + e.status, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99)))
end
"""


def free_port() -> int:
    """A loopback TCP port that is free now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(data: Path, port: int, api_keys: str) -> subprocess.Popen:
    """``kg serve`` over ``KG_DATA_DIR=data`` with ``KG_API_KEYS=api_keys``, once it answers.

    Raises
    ------
    SystemExit
        When ``/health`` does not answer within ``START_SECONDS`` (the server is killed).
    """
    env = dict(os.environ, KG_DATA_DIR=str(data), KG_API_KEYS=api_keys)
    proc = subprocess.Popen(
        [str(Path(sys.executable).parent / "kg"), "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )
    deadline = time.monotonic() + START_SECONDS
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/health", timeout=1).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise SystemExit(f"the API did not start within {START_SECONDS} s")


def summary(latencies: list[float], errors: int, elapsed: float) -> dict:
    """The result of an in-process load: ``latencies`` in seconds over ``elapsed`` seconds."""
    q = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [float("nan")] * 99
    return {
        "requests": len(latencies),
        "errors": errors,
        "rps": len(latencies) / elapsed,
        "p50": q[49] * 1000,
        "p95": q[94] * 1000,
        "p99": q[98] * 1000,
    }


def load_httpx(
    base: str, paths: list[str], clients: int, seconds: float, headers: tuple[str, ...] = (),
    *, max_requests: int = 500_000,
) -> dict:
    """:func:`load_wrk` from ``clients`` threads of ``httpx`` clients in this process, each
    going through ``paths`` in turn; at most ``max_requests`` requests in all."""
    sent = dict(h.split(": ", 1) for h in headers)
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    stop = time.monotonic() + seconds

    def worker(k: int) -> None:
        mine, bad = [], 0
        with httpx.Client(base_url=base, headers=sent, timeout=30) as client:
            i = k
            while time.monotonic() < stop and len(mine) + bad < max_requests // clients:
                t = time.perf_counter()
                try:
                    ok = client.get(paths[i % len(paths)]).status_code == 200
                except httpx.HTTPError:
                    ok = False
                if ok:
                    mine.append(time.perf_counter() - t)
                else:
                    bad += 1
                i += clients
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(k,)) for k in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return summary(latencies, errors[0], time.monotonic() - started)


def load_wrk(
    base: str, paths: list[str], clients: int, seconds: float, headers: tuple[str, ...] = ()
) -> dict:
    """``wrk`` with ``clients`` connections for ``seconds`` on ``base``, the requests going
    through ``paths`` in turn (URL-safe, query included); ``headers`` as ``"Name: value"``."""
    return finish_wrk(start_wrk(base, paths, clients, seconds, headers))


def start_wrk(
    base: str, paths: list[str], clients: int, seconds: float, headers: tuple[str, ...] = (),
    *, delay_ms: int = 0,
) -> tuple[subprocess.Popen, str, float]:
    """:func:`load_wrk` started in the background (``delay_ms``: each connection's pause
    between requests); :func:`finish_wrk` waits for it, or stops it."""
    script_text = _REPORT
    url = base + paths[0]
    if len(paths) > 1:
        script_text = _ROTATE.replace("PATHS", ",".join(f'"{p}"' for p in paths)) + _REPORT
        url = base
    if delay_ms:
        script_text = _DELAY.replace("DELAY", str(int(delay_ms))) + script_text
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(script_text)
    command = ["wrk", f"-t{min(2, clients)}", f"-c{clients}", f"-d{int(seconds)}s"]
    for header in headers:
        command += ["-H", header]
    proc = subprocess.Popen([*command, "-s", script.name, url], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    return proc, script.name, seconds


def finish_wrk(running: tuple[subprocess.Popen, str, float], *, stop: bool = False) -> dict:
    """The result of a :func:`start_wrk` load once it ends (at once with ``stop``)."""
    proc, script, seconds = running
    try:
        if stop:
            proc.send_signal(signal.SIGINT)  # wrk stops and reports what it has measured
        out, err = proc.communicate(timeout=seconds + 60)
        if proc.returncode:
            raise subprocess.CalledProcessError(proc.returncode, proc.args, out, err)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        os.unlink(script)
    line = next(x for x in out.splitlines() if x.startswith("CB "))
    n, errors, micros, p50, p95, p99 = (float(x) for x in line.split()[1:])
    return {
        "requests": int(n),
        "errors": int(errors),
        "rps": n / (micros / 1e6),
        "p50": p50 / 1000,
        "p95": p95 / 1000,
        "p99": p99 / 1000,
    }
