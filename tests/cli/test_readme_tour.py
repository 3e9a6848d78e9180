"""The README's tour, run literally: every line of its block, in order, must succeed.

Each line is a real command on a fresh SQLite database in an empty folder, as a reader
would type it there (``pfund.db`` and the files the tour writes land in that folder).
The lines run in this process through Typer's runner (one import of pfund instead of
sixty); ``pfund serve`` runs as a real background process, is asked for its home page
once and stopped. What a person would type at a prompt comes from the environment
variables the tour names: ``PFUND_NEW_PASSWORD`` and ``PFUND_BACKUP_PASSPHRASE``. The
money gate sees the real day, as it does for a reader (the suite's fixed day is undone).
"""

from __future__ import annotations

import re
import shlex
import socket
import subprocess
import sys
import time
import urllib.request
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from pfund.cli.app import app

README = Path(__file__).parents[2] / "README.md"
# What a Python value looks like when it leaks into output meant for people.
REPR = re.compile(r"<[A-Z]\w*\.[A-Z_]+: |datetime\.(date|datetime)\(|Decimal\('|\bnan\b|\{'")


def tour_lines(readme: Path = README) -> list[str]:
    """The command lines of the README's "A tour" block, in order."""
    text = readme.read_text(encoding="utf-8")
    block = re.search(r"^## A tour\n.*?^```sh\n(.*?)^```", text, flags=re.MULTILINE | re.DOTALL)
    assert block is not None, "README.md has no '## A tour' sh block"
    return [line for line in block.group(1).splitlines() if line.strip()]


def test_the_tour_is_literal() -> None:
    """No placeholders: every line is one pfund command that parses as the shell would."""
    lines = tour_lines()
    assert len(lines) > 40
    for line in lines:
        args = shlex.split(line, comments=True)
        assert args[0] == "pfund", line
        code = line.split("#", 1)[0]
        for placeholder in ("[", "|", "TOKEN_ID", "SEQ:HASH", "...", " ID", "PROJECT "):
            assert placeholder not in code, f"placeholder {placeholder!r} in: {line}"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _serve_once(args: list[str], folder: Path) -> None:
    """Start `pfund serve` (on a free port rather than the README's, which may be taken
    on a shared machine), ask for the home page once, stop it."""
    port = _free_port()
    if "--port" in args:
        args[args.index("--port") + 1] = str(port)
    else:
        args += ["--port", str(port)]
    command = [str(Path(sys.executable).with_name("pfund")), *args[1:]]
    server = subprocess.Popen(command, cwd=folder, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as answer:
                    assert answer.status == 200
                    assert "pfund" in answer.read().decode("utf-8").lower()
                    return
            except OSError:
                if server.poll() is not None:
                    out = server.stdout.read().decode() if server.stdout else ""
                    pytest.fail(f"pfund serve exited {server.returncode}:\n{out}")
                if time.monotonic() > deadline:
                    pytest.fail("pfund serve did not answer within 180 s")
                time.sleep(0.5)
    finally:
        server.terminate()
        server.wait(timeout=30)


def test_the_readme_tour_runs_as_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for name in ("PFUND_DATABASE_URL", "PFUND_DATASET", "PFUND_ACTOR"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("PFUND_KEYS_FILE", str(tmp_path / "pfund.keys"))
    monkeypatch.setenv("PFUND_NEW_PASSWORD", "a tour password of some length")
    monkeypatch.setenv("PFUND_BACKUP_PASSPHRASE", "a tour passphrase of some length")
    monkeypatch.setattr("pfund.services.gate.today", date.today)
    runner = CliRunner()
    for number, line in enumerate(tour_lines(), start=1):
        args = shlex.split(line, comments=True)
        if args[1:2] == ["serve"]:
            _serve_once(args, tmp_path)
            continue
        started = time.monotonic()
        result = runner.invoke(app, args[1:])
        print(f"{time.monotonic() - started:6.1f} s  {line[:70]}", file=sys.stderr)
        assert result.exit_code == 0, (
            f"README tour, line {number} exits {result.exit_code}: {line}\n{result.output}"
        )
        if "--json" not in args:
            leak = REPR.search(result.output)
            assert leak is None, f"line {number} prints a Python repr: {line}\n{result.output}"
    assert (tmp_path / "pfund-report" / "index.html").exists()
    assert (tmp_path / "restored.db").exists()
