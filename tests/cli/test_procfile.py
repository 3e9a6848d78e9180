"""The Procfile starts the stack as separate processes under honcho, as the runbook says,
and the first SIGTERM stops every one of them cleanly.

On PostgreSQL (the runbook's database): ``pfund init`` makes the store, then honcho starts
every line of the repository's Procfile: the API (two workers, which leave queued jobs to
the job workers), a job worker, the Dask scheduler and a Dask worker; the API answers
``/readyz``, the Dask worker joins the scheduler, a queued job is run to its end by the
job worker, and a SIGTERM to honcho ends every process with status 0 and nothing left to
kill.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from tests.conftest import _postgres_url, _reset_postgres

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PROCESSES = ["api", "worker", "scheduler", "dask-worker"]
START_DEADLINE = 300  # seconds: two API workers start slowly on a busy 2-core machine


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def answering(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


@pytest.fixture
def stack_env(tmp_path: Path) -> dict[str, str]:
    url = _postgres_url()
    _reset_postgres(url)
    env = {k: v for k, v in os.environ.items() if k != "PROMETHEUS_MULTIPROC_DIR"}
    env |= {
        "PATH": f"{BIN}{os.pathsep}{env.get('PATH', '')}",
        "PFUND_DATABASE_URL": url,
        "PFUND_KEYS_FILE": str(tmp_path / "pfund.keys"),
        "PFUND_ACTOR": "test:procfile",
        "PFUND_PORT": str(free_port()),
        "PFUND_DASK_PORT": str(free_port()),
        "PFUND_API_WORKERS": "2",
        "PFUND_DASK_WORKERS": "1",
    }
    made = subprocess.run(
        [str(BIN / "pfund"), "init", "--json"], env=env, cwd=tmp_path, capture_output=True
    )
    assert made.returncode == 0, made.stderr.decode()
    return env


def wait_until_ready(honcho: subprocess.Popen[bytes], api: str, scheduler: str, log: Path) -> None:
    """Poll until /readyz answers 200 and the scheduler has a worker (or honcho ends)."""
    from distributed import Client

    deadline = time.monotonic() + START_DEADLINE
    while time.monotonic() < deadline and honcho.poll() is None:
        try:
            if httpx.get(f"{api}/readyz", timeout=5).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        time.sleep(1)
    assert honcho.poll() is None, "a process stopped: " + log.read_text(errors="replace")[-3000:]
    assert httpx.get(f"{api}/readyz", timeout=5).status_code == 200
    with Client(scheduler, timeout=60) as client:  # type: ignore[no-untyped-call]
        client.wait_for_workers(1, timeout=START_DEADLINE)


def pfund_json(env: dict[str, str], cwd: Path, *args: str) -> dict[str, object]:
    done = subprocess.run(
        [str(BIN / "pfund"), *args, "--json"], env=env, cwd=cwd, capture_output=True
    )
    assert done.returncode == 0, done.stderr.decode()
    found: dict[str, object] = json.loads(done.stdout)
    return found


def run_a_job(env: dict[str, str], cwd: Path) -> dict[str, object]:
    """Queue a probe job (it waits two steps) and follow it until it ends."""
    job = pfund_json(env, cwd, "jobs", "start", "probe", "--set", "steps=2")
    deadline = time.monotonic() + START_DEADLINE
    while job["state"] in ("queued", "running") and time.monotonic() < deadline:
        time.sleep(1)
        job = pfund_json(env, cwd, "jobs", "show", str(job["id"]))
    return job


@pytest.mark.postgres
def test_the_procfile_stack_starts_answers_readyz_and_stops_cleanly_on_sigterm(
    stack_env: dict[str, str], tmp_path: Path
) -> None:
    log = tmp_path / "honcho.log"
    api_port, dask_port = int(stack_env["PFUND_PORT"]), int(stack_env["PFUND_DASK_PORT"])
    command = [str(BIN / "honcho"), "-f", str(REPO / "Procfile"), "-d", str(tmp_path)]
    with log.open("wb") as out:
        honcho = subprocess.Popen(
            [*command, "start", *PROCESSES],
            env=stack_env,
            cwd=tmp_path,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
        try:
            wait_until_ready(
                honcho, f"http://127.0.0.1:{api_port}", f"tcp://127.0.0.1:{dask_port}", log
            )
            assert httpx.get(f"http://127.0.0.1:{api_port}/healthz").status_code == 200
            job = run_a_job(stack_env, tmp_path)
            assert job["state"] == "done", job
            assert job["claimed_by"], job
        finally:
            honcho.send_signal(signal.SIGTERM)
            code = honcho.wait(timeout=120)
    output = log.read_text(encoding="utf-8", errors="replace")
    assert code == 128 + signal.SIGTERM, output[-3000:]  # honcho's own status after SIGTERM
    for name in PROCESSES:
        assert f"{name}.1 stopped (rc=0)" in output, output[-3000:]
    assert "SIGKILL" not in output
    assert not answering(api_port) and not answering(dask_port)
