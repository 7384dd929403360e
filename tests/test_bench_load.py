"""
The load benchmark's own machinery (scripts/bench_load.py, scripts/wrk/random_paths.lua).

The cheap tests drive a tiny standard-library HTTP server with wrk and the Lua script (about
two seconds), so they check what the figures rest on: a random path from the file for every
request, every status counted, percentiles read from ``done()``.  A whole run of the harness
(prepare a SQLite database, gunicorn, wrk, the raw-SQL floor, Datasette) takes one to two
minutes on this shared 2-core machine, mostly migrating a fresh database and starting the
servers, so it runs only with ``BENCH_LOAD_E2E=1``.
"""

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from tests.checkers import require

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "bench_load.py"


def load_harness():
    spec = importlib.util.spec_from_file_location("bench_load", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


bench_load = load_harness()
WRK = shutil.which("wrk")


@pytest.fixture
def needs_wrk():
    """wrk from Debian's packages: skipped without it on a developer's machine, a failure in CI."""
    require(WRK is not None, "wrk is not installed: apt-get install wrk (make bench does).")


class Recorder(BaseHTTPRequestHandler):
    """Answers 200, except 404 for /missing; remembers the paths and headers it was sent."""

    seen: list = []
    protocol_version = "HTTP/1.1"
    wbufsize = 65536  # headers and body in one write (else Nagle and delayed ACKs: 40 ms)

    def do_GET(self):
        Recorder.seen.append((self.path, self.headers.get("X-Forwarded-Proto")))
        status = 404 if self.path == "/missing" else 200
        body = b"ok"
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    Recorder.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def harness_args(tmp_path, *extra):
    return bench_load.parse_args(
        ["--duration", "1", "--clients", "2", "--warm-up", "0", "--out", str(tmp_path), *extra]
    )


@pytest.mark.usefixtures("needs_wrk")
def test_wrk_requests_random_paths_and_reports_every_status(server, tmp_path):
    """Each request takes a random path from the file; 404s are counted, not hidden."""
    paths = [f"/documents/?person=p{n}&date_from={1800 + n}" for n in range(20)] + ["/missing"]
    figures = bench_load.drive(harness_args(tmp_path), server, paths, tmp_path, "test")

    requested = {path for path, _ in Recorder.seen}
    assert len(requested) >= 15, "wrk should spread requests over the parameter sets"
    assert requested <= set(paths)
    # wrk counts the answers it read; requests still in flight when it stops are not counted.
    assert 0 <= len(Recorder.seen) - figures["requests"] <= 2
    assert figures["requests"] > 50
    assert figures["statuses"][200] + figures["statuses"][404] == figures["requests"]
    assert figures["non2xx"] == figures["statuses"][404] > 0
    assert 0 < figures["p50"] <= figures["p95"] <= figures["p99"] <= figures["max"]
    assert figures["rps"] > 0
    # As the TLS-terminating proxy in production would: else the site redirects to https.
    assert {proto for _, proto in Recorder.seen} == {"https"}


def test_done_line_is_read_in_milliseconds_with_socket_errors_as_failures():
    """The ``done()`` line gives ms percentiles; socket errors count with non-2xx answers."""
    done = {
        "requests": 400,
        "duration_us": 2_000_000,
        "bytes": 1000,
        "latency_us": {"p50": 12_500, "p95": 40_000, "p99": 90_000, "max": 120_000, "mean": 1},
        "errors": {"connect": 0, "read": 1, "write": 0, "status": 3, "timeout": 2},
        "statuses": {"200": 394, "500": 3, "304": 0},
    }
    output = "Running 2s test\n" + bench_load.MARKER + json.dumps(done) + "\n"

    figures = bench_load.parse_wrk(output)

    assert (figures["p50"], figures["p95"], figures["p99"]) == (12.5, 40.0, 90.0)
    assert figures["rps"] == 200
    assert figures["non2xx"] == 3 + 3
    none = {**done, "requests": 0, "statuses": {}}
    none["latency_us"] = dict.fromkeys(done["latency_us"], 0)
    nothing = bench_load.parse_wrk(bench_load.MARKER + json.dumps(none))
    assert nothing["p50"] is None, "no answer within the run is no latency, not 0 ms"
    with pytest.raises(ValueError, match="BENCH_LOAD_JSON"):
        bench_load.parse_wrk("wrk: connection refused\n")


def test_percentile_is_nearest_rank():
    """The raw-SQL floor's percentiles: nearest rank over the sorted timings."""
    timings = list(range(1, 101))
    assert bench_load.percentile(timings, 50) == 50
    assert bench_load.percentile(timings, 95) == 95
    assert bench_load.percentile(timings, 99) == 99
    assert bench_load.percentile([7.0], 99) == 7.0


def test_help_explains_the_columns():
    """``--help`` says what each printed column means."""
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "--help"], capture_output=True, text=True, check=True
    )
    for words in ["p95", "req/s", "non-2xx", "queries", "VmHWM", "Datasette", "raw SQL"]:
        assert words in result.stdout


@pytest.mark.usefixtures("needs_wrk")
@pytest.mark.skipif(
    os.environ.get("BENCH_LOAD_E2E") != "1",
    reason="a whole harness run takes 1-2 minutes: set BENCH_LOAD_E2E=1 to run it",
)
def test_whole_run_on_sqlite(tmp_path):
    """A tiny run: gunicorn on SQLite, the record page, the raw-SQL floor and Datasette."""
    pytest.importorskip("datasette")
    command = [
        sys.executable,
        str(SCRIPT),
        "--databases",
        "sqlite",
        "--sqlite",
        str(tmp_path / "bench.sqlite3"),
        "--documents",
        "0",
        "--pages",
        "record",
        "--duration",
        "2",
        "--samples",
        "5",
        "--query-sample",
        "2",
        "--sql-sample",
        "2",
        "--warm-up",
        "1",
        "--no-cached",
        "--out",
        str(tmp_path / "out"),
    ]
    subprocess.run(command, check=True, cwd=ROOT, timeout=600)

    report = json.loads((tmp_path / "out" / "load-latest.json").read_text())
    rows = {(row["system"], row["page"]): row for row in report["rows"]}
    assert set(rows) == {("ours", "record"), ("raw SQL", "record"), ("Datasette", "record")}
    ours = rows["ours", "record"]
    assert ours["requests"] > 0 and ours["non2xx"] == 0
    assert ours["worker_mb"] > 10
    assert ours["queries"].isdigit()
    assert [line["peer"] for line in report["ratios"]] == ["Datasette (sqlite)", "raw SQL (sqlite)"]
