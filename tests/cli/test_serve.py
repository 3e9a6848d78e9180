"""``pfund serve`` as a real process: it answers, counts across workers, stops on one
SIGTERM with exit 0, and a worker that cannot start says why."""

from __future__ import annotations

import json
import logging
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
import pytest
from prometheus_client.parser import text_string_to_metric_families
from typer.testing import CliRunner

from pfund.api.app import serve_app
from pfund.cli.app import app
from pfund.cli.serving import STOP_MARGIN, death

STARTED_WITHIN = 180  # seconds: generous, the machine is shared and may be loaded
STOPPED_WITHIN = 60  # a hung process, not a slow one, fails this


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


@pytest.fixture
def store(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'pfund.db'}"
    result = CliRunner().invoke(app, ["--db", url, "init"])
    assert result.exit_code == 0, result.output
    return url


def start(
    store: str,
    workers: int,
    tmp_path: Path,
    *options: str,
    env: dict[str, str] | None = None,
) -> tuple[subprocess.Popen[bytes], str, Path]:
    port = free_port()
    log = tmp_path / f"serve-{workers}.log"
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"} | (env or {})
    command = [str(Path(sys.executable).parent / "pfund"), "--db", store, "serve"]
    command += ["--port", str(port), "--workers", str(workers), *options]
    with log.open("wb") as out:
        process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT, env=env)
    return process, f"http://127.0.0.1:{port}", log


def wait_until_up(process: subprocess.Popen[bytes], base: str, log: Path) -> None:
    deadline = time.monotonic() + STARTED_WITHIN
    while time.monotonic() < deadline:
        assert process.poll() is None, f"pfund serve exited early:\n{log.read_text()}"
        try:
            if get(f"{base}/healthz")[0] == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    process.kill()
    pytest.fail(f"pfund serve did not answer within {STARTED_WITHIN} s:\n{log.read_text()}")


def wait_until_ready(base: str, log: Path) -> Any:
    """/readyz's answer once it is 200 (every worker listens)."""
    deadline = time.monotonic() + STARTED_WITHIN
    while time.monotonic() < deadline:
        status, body = get(f"{base}/readyz")
        if status == 200:
            return json.loads(body)
        assert status == 503, body
        time.sleep(0.5)
    pytest.fail(f"/readyz not ready within {STARTED_WITHIN} s: {body}\n{log.read_text()}")


@pytest.fixture
def stopped() -> Iterator[list[subprocess.Popen[bytes]]]:
    """Processes a test started; killed at the end should the test fail midway."""
    started: list[subprocess.Popen[bytes]] = []
    yield started
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_answers_then_stops_on_the_first_sigterm_with_exit_0(
    store: str, workers: int, tmp_path: Path, stopped: list[subprocess.Popen[bytes]]
) -> None:
    process, base, log = start(store, workers, tmp_path)
    stopped.append(process)
    wait_until_up(process, base, log)
    for _ in range(10):
        assert get(f"{base}/healthz") == (200, '{"status":"alive"}')
    ready = wait_until_ready(base, log)
    names = [c["name"] for c in ready["checks"]]
    # Under a supervisor, ready means every worker listens.
    assert names == ["database", "migrations", "keys", *(["workers"] if workers > 1 else [])]
    status, metrics = get(f"{base}/metrics")
    assert status == 200
    counted = sum(
        s.value
        for family in text_string_to_metric_families(metrics)
        for s in family.samples
        if s.name == "pfund_http_requests_total" and s.labels["route"] == "/healthz"
    )
    # Whichever worker answered the scrape, it counts the requests every worker served.
    assert counted >= 10
    process.send_signal(signal.SIGTERM)
    try:
        code = process.wait(timeout=STOPPED_WITHIN)
    except subprocess.TimeoutExpired:
        pytest.fail(f"pfund serve still running {STOPPED_WITHIN} s after SIGTERM")
    assert code == 0, log.read_text()
    assert "Traceback" not in log.read_text()


def test_a_worker_that_cannot_start_logs_why_and_exits_with_the_start_up_failure_code(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    port = free_port()  # nothing listens there
    url = f"postgresql+psycopg://nobody:hunter2@127.0.0.1:{port}/pfund?connect_timeout=2"
    monkeypatch.setenv("PFUND_DATABASE_URL", url)
    caplog.set_level(logging.ERROR, logger="pfund")
    with pytest.raises(SystemExit) as stop:
        serve_app()
    assert stop.value.code == 3  # uvicorn's supervisor then stops instead of respawning
    (line,) = [r.getMessage() for r in caplog.records if r.name == "pfund.serve"]
    assert line.endswith("could not start: the database does not answer (OperationalError)")
    assert "hunter2" not in caplog.text


def test_workers_that_cannot_start_say_why_and_the_service_stops_with_exit_3() -> None:
    """Two real workers on a database that does not answer: each logs its cause (no
    password, no traceback) and the supervisor stops instead of respawning them. The
    health check waits long: a worker spawned on a loaded machine can take more than
    10 s to answer its first one, and is then replaced before it can fail."""
    url = f"postgresql+psycopg://nobody:hunter2@127.0.0.1:{free_port()}/pfund?connect_timeout=2"
    script = (
        "import sys\n"
        "from pfund.cli.serving import serve\n"
        "if __name__ == '__main__':\n"
        f"    sys.exit(serve(host='127.0.0.1', port={free_port()}, workers=2,"
        " worker_timeout=120, graceful_timeout=5))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    env["PFUND_DATABASE_URL"] = url
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=env,
        capture_output=True,
        text=True,
        timeout=STARTED_WITHIN + STOPPED_WITHIN,
        check=False,
    )
    log = done.stdout + done.stderr
    assert done.returncode == 3, log
    assert log.count("could not start: the database does not answer (OperationalError)") >= 1
    assert "failed to start, stopping the parent process" in log
    assert "hunter2" not in log and "Traceback" not in log


@pytest.mark.parametrize("workers", [1, 2])
def test_a_request_in_flight_at_sigterm_is_answered_before_the_service_exits(
    store: str, workers: int, tmp_path: Path, stopped: list[subprocess.Popen[bytes]]
) -> None:
    """A sign-in whose body is half sent when SIGTERM arrives still gets its answer."""
    process, base, log = start(store, workers, tmp_path)
    stopped.append(process)
    wait_until_up(process, base, log)
    body = b"username=nobody&password=" + b"x" * 20
    head = (
        b"POST /api/v1/auth/token HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
        b"Content-Type: application/x-www-form-urlencoded\r\n"
        b"Content-Length: " + str(len(body)).encode() + b"\r\n\r\n"
    )
    port = int(base.rsplit(":", 1)[1])
    with socket.create_connection(("127.0.0.1", port), timeout=STOPPED_WITHIN) as conn:
        conn.sendall(head + body[:10])
        time.sleep(1)  # the request is being read by the app
        process.send_signal(signal.SIGTERM)
        time.sleep(1)
        conn.sendall(body[10:])
        answer = b""
        while chunk := conn.recv(65536):
            answer += chunk
    assert answer.startswith(b"HTTP/1.1 401 "), answer[:200]
    assert process.wait(timeout=STOPPED_WITHIN) == 0, log.read_text()


def test_a_named_metrics_folder_is_emptied_and_a_made_one_removed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from pfund.cli.serving import _metrics_folder

    named = tmp_path / "metrics"
    named.mkdir()
    (named / "counter_123.db").write_bytes(b"stale")
    (named / "keep.txt").write_text("not prometheus's")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(named))
    assert _metrics_folder() is None  # the operator's folder stays, emptied of metrics
    assert sorted(p.name for p in named.iterdir()) == ["keep.txt"]
    monkeypatch.delenv("PROMETHEUS_MULTIPROC_DIR")
    made = _metrics_folder()
    assert made is not None and made.is_dir()
    assert os.environ.pop("PROMETHEUS_MULTIPROC_DIR") == str(made)
    made.rmdir()


# Put on PYTHONPATH for a served process: each uvicorn worker (a spawned child, so
# multiprocessing names its parent) blocks while it loads its app, as a worker slow to
# start does. uvicorn has by then put in its own SIGTERM handler, which only records the
# signal: such a worker does not stop when told to.
SLOW_START = """
import os
import time
from pathlib import Path

import uvicorn.config

_load = uvicorn.config.Config.load


def _slow_load(self):
    import multiprocessing

    if multiprocessing.parent_process() is not None:  # a worker, not the supervisor
        Path(os.environ["PFUND_TEST_STARTING"], str(os.getpid())).touch()
        time.sleep(3600)
    _load(self)


uvicorn.config.Config.load = _slow_load
"""


def test_sigterm_while_the_workers_start_stops_the_service_and_every_worker(
    store: str, tmp_path: Path, stopped: list[subprocess.Popen[bytes]]
) -> None:
    """Workers that do not stop when told are killed once the graceful timeout and the
    margin have passed: the service exits 0 and leaves no process behind."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "sitecustomize.py").write_text(SLOW_START)
    starting = tmp_path / "starting"
    starting.mkdir()
    paths = [str(site), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    env = {"PYTHONPATH": os.pathsep.join(paths), "PFUND_TEST_STARTING": str(starting)}
    grace = 1
    process, _, log = start(store, 2, tmp_path, "--graceful-timeout", str(grace), env=env)
    stopped.append(process)
    deadline = time.monotonic() + STARTED_WITHIN
    while len(list(starting.iterdir())) < 2:
        assert process.poll() is None, f"pfund serve exited early:\n{log.read_text()}"
        if time.monotonic() > deadline:
            pytest.fail(f"the workers did not start within {STARTED_WITHIN} s:\n{log.read_text()}")
        time.sleep(0.2)
    children = psutil.Process(process.pid).children(recursive=True)
    workers = {int(mark.name) for mark in starting.iterdir()}
    assert workers <= {child.pid for child in children}
    try:
        process.send_signal(signal.SIGTERM)
        within = grace + STOP_MARGIN + STOPPED_WITHIN  # a deadline, not a timing
        try:
            code = process.wait(timeout=within)
        except subprocess.TimeoutExpired:
            pytest.fail(f"pfund serve still running {within} s after SIGTERM:\n{log.read_text()}")
        assert code == 0, log.read_text()
        _, alive = psutil.wait_procs(children, timeout=STOPPED_WITHIN)
        left = [p for p in alive if running(p)]
        assert left == [], f"left behind: {left}\n{log.read_text()}"
    finally:
        for child in children:
            if running(child):
                child.kill()
    text = log.read_text()
    for pid in workers:
        assert f"Child process [{pid}] still running {grace + STOP_MARGIN} s after SIGTERM" in text
    assert "Traceback" not in text


def test_a_worker_killed_while_serving_is_replaced_and_its_cause_logged(
    store: str, tmp_path: Path, stopped: list[subprocess.Popen[bytes]]
) -> None:
    process, base, log = start(store, 2, tmp_path)
    stopped.append(process)
    wait_until_up(process, base, log)
    wait_until_ready(base, log)
    children = psutil.Process(process.pid).children()
    workers = [c for c in children if "multiprocessing.spawn" in " ".join(c.cmdline())]
    workers = [w for w in workers if "resource_tracker" not in " ".join(w.cmdline())]
    assert len(workers) == 2, [c.cmdline() for c in children]
    workers[0].kill()
    said = f"Child process [{workers[0].pid}] died (killed by SIGKILL); starting another"
    deadline = time.monotonic() + STARTED_WITHIN
    while said not in log.read_text():
        if time.monotonic() > deadline:
            pytest.fail(f"no replacement logged within {STARTED_WITHIN} s:\n{log.read_text()}")
        time.sleep(0.5)
    wait_until_ready(base, log)  # the replacement listens: every worker does again
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=STOPPED_WITHIN) == 0, log.read_text()


def running(process: psutil.Process) -> bool:
    """Still running code: a zombie (ended, not yet reaped by whoever adopted it) is not."""
    try:
        return process.is_running() and process.status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


def test_death_says_how_a_worker_ended() -> None:
    assert death(None) == "exit code unknown"
    assert death(0) == "exit code 0"
    assert death(1) == "exit code 1"
    assert death(-signal.SIGKILL) == "killed by SIGKILL"
    assert death(-signal.SIGSEGV) == "killed by SIGSEGV"
    assert death(-200) == "killed by signal 200"
