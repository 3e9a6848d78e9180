"""``pfund doctor``: each failure it reports, what it says to do, in both languages."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner, Result

from pfund.cli.app import app
from pfund.cli.doctor_cmds import CHECKS, HEADINGS, WORDS
from pfund.keys import generate_keys, write_keys
from pfund.store import make_engine, upgrade
from pfund.store.migrate import head_revision
from pfund.web.i18n import catalog
from tests.language_runs import foreign_runs


@pytest.fixture
def keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A keys file of this test's own, mode 600, named by PFUND_KEYS_FILE."""
    path = write_keys(generate_keys(), tmp_path / "pfund.keys").path
    assert path is not None
    monkeypatch.setenv("PFUND_KEYS_FILE", str(path))
    return path


@pytest.fixture
def migrated(database_url: str) -> str:
    engine = make_engine(database_url)
    upgrade(engine)
    engine.dispose()
    return database_url


def doctor(url: str, *args: str, env: dict[str, str] | None = None) -> tuple[Result, Any]:
    result = CliRunner().invoke(app, ["--db", url, "doctor", "--json", *args], env=env)
    return result, json.loads(result.stdout)


def failures(answer: Any) -> dict[str, dict[str, Any]]:
    return {c["code"]: c for c in answer["checks"] if not c["ok"]}


def test_a_sound_configuration_passes_every_check(migrated: str, keys: Path) -> None:
    result, answer = doctor(migrated)
    assert result.exit_code == 0, result.output
    assert answer["ok"] is True
    assert [c["check"] for c in answer["checks"]] == list(CHECKS)
    assert all(c["fix"] == "" for c in answer["checks"])
    assert str(keys) in answer["checks"][3]["found"]


@pytest.mark.usefixtures("keys")
def test_a_database_behind_the_head_revision_is_reported_with_the_way_to_migrate(
    database_url: str,
) -> None:
    engine = make_engine(database_url)
    upgrade(engine, "0014")
    engine.dispose()
    result, answer = doctor(database_url)
    assert result.exit_code == 1
    behind = failures(answer)["schema_behind"]
    assert behind["found"] == f"The schema is at revision 0014; this pfund needs {head_revision()}."
    assert "pfund backup" in behind["fix"] and "pfund init" in behind["fix"]


@pytest.mark.usefixtures("keys")
def test_a_database_never_migrated_is_reported(database_url: str) -> None:
    if database_url.startswith("sqlite"):
        Path(database_url.removeprefix("sqlite:///")).touch()  # an empty file
    result, answer = doctor(database_url)
    assert result.exit_code == 1
    assert set(failures(answer)) == {"schema_never"}


@pytest.mark.usefixtures("keys")
def test_a_missing_sqlite_file_is_reported_and_not_created(tmp_path: Path) -> None:
    path = tmp_path / "typo.db"
    result, answer = doctor(f"sqlite:///{path}")
    assert result.exit_code == 1
    assert failures(answer)["database_missing"]["fix"].startswith("Run 'pfund init'")
    assert not path.exists()


@pytest.mark.usefixtures("keys")
def test_a_database_that_does_not_answer_is_reported_without_its_password() -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    url = f"postgresql+psycopg://pfund:hunter2@127.0.0.1:{port}/pfund"
    result, answer = doctor(url)
    assert result.exit_code == 1
    found = failures(answer)["database_unreachable"]
    assert found["found"].startswith("The database does not answer (")
    assert "hunter2" not in result.output


@pytest.mark.usefixtures("keys")
def test_a_url_that_is_no_database_url_is_reported() -> None:
    result, answer = doctor("not a url")
    assert result.exit_code == 1
    assert "PFUND_DATABASE_URL" in failures(answer)["database_url_invalid"]["fix"]


def test_a_missing_keys_file_is_reported_and_not_created(migrated: str, tmp_path: Path) -> None:
    missing = tmp_path / "elsewhere" / "pfund.keys"
    result, answer = doctor(migrated, env={"PFUND_KEYS_FILE": str(missing)})
    assert result.exit_code == 1
    assert "backup" in failures(answer)["keys_missing"]["fix"]
    assert not missing.exists()


def test_a_keys_file_others_may_read_is_reported_with_chmod(migrated: str, keys: Path) -> None:
    os.chmod(keys, 0o644)
    result, answer = doctor(migrated)
    assert result.exit_code == 1
    found = failures(answer)["keys_mode"]
    assert "(mode 644)" in found["found"]
    assert found["fix"] == f"Run: chmod 600 {keys}"


def test_a_keys_file_that_is_not_valid_is_reported(migrated: str, keys: Path) -> None:
    keys.write_text('{"format": "something else"}', encoding="utf-8")
    result, answer = doctor(migrated)
    assert result.exit_code == 1
    assert "not valid" in failures(answer)["keys_invalid"]["found"]


@pytest.mark.usefixtures("keys")
def test_an_invalid_setting_is_named_with_its_variable(tmp_path: Path) -> None:
    result, answer = doctor(f"sqlite:///{tmp_path / 'x.db'}", env={"PFUND_SESSION_HOURS": "0"})
    assert result.exit_code == 1
    invalid = failures(answer)["setting_invalid"]
    assert invalid["found"].startswith("PFUND_SESSION_HOURS is not valid")
    assert result.exception is None or isinstance(result.exception, SystemExit)


@pytest.mark.usefixtures("keys")
@pytest.mark.parametrize(
    ("variable", "code"),
    [
        ("PFUND_TRUSTED_PROXIES", "trusted_proxies_too_wide"),
        ("PFUND_METRICS_NETWORKS", "metrics_networks_too_wide"),
    ],
)
def test_a_network_setting_that_spans_the_internet_is_reported(
    migrated: str, variable: str, code: str
) -> None:
    result, answer = doctor(migrated, env={variable: "10.0.0.1,0.0.0.0/0"})
    assert result.exit_code == 1
    assert set(failures(answer)) == {code}
    assert "0.0.0.0/0" in failures(answer)[code]["found"]


def test_every_finding_is_worded_in_russian_and_a_russian_answer_reads_in_russian(
    tmp_path: Path, keys: Path
) -> None:
    russian = catalog("ru")
    messages = [m for pair in WORDS.values() for m in pair if m]
    for message in [*messages, *CHECKS.values(), *HEADINGS]:
        assert russian.get(message) and russian[message].string, message
    os.chmod(keys, 0o644)
    result = CliRunner().invoke(
        app, ["--db", f"sqlite:///{tmp_path / 'none.db'}", "doctor", "--lang", "ru"]
    )
    assert result.exit_code == 1
    assert "chmod 600" in result.stdout
    names = [str(keys), str(tmp_path / "none.db"), "PFUND_DATABASE_URL", "pfund init"]
    assert foreign_runs(result.stdout, "ru", names) == []
