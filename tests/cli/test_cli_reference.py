"""The CLI reference in docs/ is what the code generates: a changed command, option or
help text without ``pfund docs cli-reference`` fails here, naming the stale page."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from pfund.cli.app import app
from pfund.cli.reference import LANGUAGES, cli_reference, reference_path, stale_references

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_the_committed_cli_reference_is_what_the_code_generates() -> None:
    assert not stale_references(DOCS), "run 'pfund docs cli-reference' and commit docs/"


def test_the_reference_names_every_command_and_its_options() -> None:
    text = cli_reference("en")
    for expected in ("### `pfund serve`", "`--workers`", "#### `pfund audit verify`", "`--head`"):
        assert expected in text
    assert "### `pfund docs`" in text
    ru = cli_reference("ru")
    assert ru.startswith("# Справочник команд") and "`--workers`" in ru


def test_check_fails_on_a_stale_page_and_writing_mends_it(tmp_path: Path) -> None:
    runner = CliRunner()
    for language in LANGUAGES:
        target = reference_path(tmp_path, language)
        target.parent.mkdir(parents=True)
        target.write_text(cli_reference(language).replace("--workers", "--wrkrs"), "utf-8")
    checked = runner.invoke(app, ["docs", "cli-reference", "--docs", str(tmp_path), "--check"])
    assert checked.exit_code == 1
    assert "stale" in checked.output or "stale" in (checked.stderr or "")
    written = runner.invoke(app, ["docs", "cli-reference", "--docs", str(tmp_path)])
    assert written.exit_code == 0
    assert not stale_references(tmp_path)
