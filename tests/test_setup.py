"""The test run's own set-up: a missing browser or valgrind stops the run with the command
to fix it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import ensure_installed, pytest_sessionstart


def test_present_browser_needs_nothing(tmp_path: Path) -> None:
    browser = tmp_path / "chromium"
    browser.write_text("")
    assert ensure_installed(browser) is None


def test_missing_browser_names_the_install_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("shutil.which", lambda _name: None)  # no apt-get: cannot install
    message = ensure_installed(tmp_path / "chromium")
    assert message is not None
    assert "apt-get install -y chromium" in message
    assert str(tmp_path / "chromium") in message


def test_missing_browser_is_installed_when_apt_can(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    browser = tmp_path / "chromium"
    calls: list[list[str]] = []

    def fake_run(args: list[str], **_kwargs: object) -> object:
        calls.append(args)
        browser.write_text("")  # the install put it there

        class Done:
            returncode = 0

        return Done()

    monkeypatch.setattr("shutil.which", lambda _name: "/usr/bin/apt-get")
    monkeypatch.setattr("os.geteuid", lambda: 0)
    monkeypatch.setattr("subprocess.run", fake_run)
    assert ensure_installed(browser) is None
    assert calls == [["/usr/bin/apt-get", "install", "-y", "chromium"]]


def test_session_start_stops_the_run_without_the_browser(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The controller's session start ends the run (usage error) with the command."""
    monkeypatch.setattr("tests.conftest.CHROMIUM", tmp_path / "chromium")
    monkeypatch.setattr("shutil.which", lambda _name: None)

    with pytest.raises(pytest.exit.Exception, match="apt-get install -y chromium") as stop:
        pytest_sessionstart(_controller_session())
    assert stop.value.returncode == pytest.ExitCode.USAGE_ERROR


def test_session_start_stops_the_run_without_valgrind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The browser is there, valgrind is not: the run stops with valgrind's command."""
    browser = tmp_path / "chromium"
    browser.write_text("")
    monkeypatch.setattr("tests.conftest.CHROMIUM", browser)
    monkeypatch.setattr("tests.conftest.VALGRIND", tmp_path / "valgrind")
    monkeypatch.setattr("shutil.which", lambda _name: None)

    with pytest.raises(pytest.exit.Exception, match="apt-get install -y valgrind") as stop:
        pytest_sessionstart(_controller_session())
    assert "the instruction count's test needs valgrind" in str(stop.value)


def _controller_session() -> pytest.Session:
    """A session as xdist's controller has it: a config without ``workerinput``."""

    class Config:
        pass

    class Session:
        config = Config()

    return Session()  # type: ignore[return-value]
