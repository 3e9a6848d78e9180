"""``pfund doctor``: check a configuration and say what to fix, in English or Russian.

The findings come from :mod:`pfund.services.diagnosis` as codes with values; this
module words each one for a person (what was found, and for a failure the command or
setting that puts it right), through the same gettext catalogs as the pages
(``ops.po`` holds the Russian), so the words are reviewed where every translation is.
"""

from __future__ import annotations

import os
from enum import StrEnum
from typing import Annotated, Any

import typer
from rich.table import Table

from pfund.cli.common import JsonOption, console, print_json
from pfund.services.diagnosis import Finding, diagnose
from pfund.web.i18n import translations
from pfund.web.labels import N_

# What each finding says, and for a failure what to do: (found, fix) by code.
WORDS: dict[str, tuple[str, str]] = {
    "settings_valid": (N_("The settings are valid."), ""),
    "setting_invalid": (
        N_("%(variable)s is not valid: %(reason)s."),
        N_("Correct %(variable)s in the environment or the service's settings file."),
    ),
    "database_url_invalid": (
        N_("The database URL is not one pfund can use."),
        N_(
            "Set PFUND_DATABASE_URL (or --db) to a URL such as "
            "postgresql+psycopg://pfund@127.0.0.1/pfund or sqlite:///pfund.db."
        ),
    ),
    "database_missing": (
        N_("There is no database file at %(path)s."),
        N_("Run 'pfund init' to create it, or correct the path in PFUND_DATABASE_URL."),
    ),
    "database_unreachable": (
        N_("The database does not answer (%(cause)s)."),
        N_(
            "Check that the database server runs and that the URL's host, port, user "
            "and password are right."
        ),
    ),
    "database_answers": (N_("The database answers."), ""),
    "schema_current": (N_("The schema is at the current revision (%(head)s)."), ""),
    "schema_never": (
        N_("The database has no pfund schema."),
        N_("Run 'pfund init', which creates the schema at revision %(head)s."),
    ),
    "schema_behind": (
        N_("The schema is at revision %(current)s; this pfund needs %(head)s."),
        N_(
            "Back the database up ('pfund backup'), then run 'pfund init', which "
            "migrates it; start the service after that."
        ),
    ),
    "keys_missing": (
        N_("There is no keys file at %(path)s."),
        N_(
            "Restore the keys file from its backup (or set PFUND_KEYS_FILE to where it "
            "is); 'pfund init' makes new keys only for a new installation, and new keys "
            "cannot read what the old ones protected."
        ),
    ),
    "keys_invalid": (
        N_("The keys file %(path)s is not valid: %(reason)s."),
        N_("Restore the keys file from its backup."),
    ),
    "keys_mode": (
        N_("Others than its owner may read the keys file %(path)s (mode %(mode)s)."),
        N_("Run: chmod 600 %(path)s"),
    ),
    "keys_fine": (N_("The keys file %(path)s is valid and readable by its owner only."), ""),
    "trusted_proxies_too_wide": (
        N_("%(variable)s trusts the whole network %(network)s."),
        N_(
            "Name only your reverse proxies' own addresses in %(variable)s: anyone it "
            "trusts can choose the address the rate limits count."
        ),
    ),
    "trusted_proxies_fine": (N_("Trusted proxies: %(count)s."), ""),
    "metrics_networks_too_wide": (
        N_("%(variable)s lets the whole network %(network)s read /metrics."),
        N_("Name only your monitoring server's address in %(variable)s."),
    ),
    "metrics_networks_fine": (N_("Networks that may read /metrics: %(count)s."), ""),
}
# The subject of each check, as the table heads its row.
CHECKS = {
    "settings": N_("Settings"),
    "database": N_("Database"),
    "migrations": N_("Migrations"),
    "keys": N_("Keys"),
    "trusted_proxies": N_("Trusted proxies"),
    "metrics_networks": N_("Metrics access"),
}
# The table's column headings.
HEADINGS = (N_("Check"), N_("Result"), N_("What to do"), N_("fix"))


class Language(StrEnum):
    EN = "en"
    RU = "ru"


def _default_language() -> Language:
    return Language.RU if os.environ.get("LANG", "").lower().startswith("ru") else Language.EN


def worded(finding: Finding, language: str) -> dict[str, Any]:
    """A finding as a person reads it (and ``--json`` prints it)."""
    say = translations(language).gettext
    found, fix = WORDS[finding.code]
    return {
        "check": finding.check,
        "ok": finding.ok,
        "code": finding.code,
        "subject": say(CHECKS[finding.check]),
        "found": say(found) % finding.values,
        "fix": say(fix) % finding.values if fix and not finding.ok else "",
    }


def doctor(
    ctx: typer.Context,
    lang: Annotated[
        Language | None,
        typer.Option("--lang", help="Language of the answer (default: from LANG)."),
    ] = None,
    as_json: bool = JsonOption,
) -> None:
    """Check this configuration (settings, database, migrations, keys, proxies, metrics
    access) and say what to fix; exits 1 when anything needs fixing."""
    language = (lang or _default_language()).value
    overrides: dict[str, Any] = ctx.find_root().meta.get("overrides", {})
    lines = [worded(f, language) for f in diagnose(overrides)]
    failed = any(not line["ok"] for line in lines)
    if as_json:
        print_json({"ok": not failed, "checks": lines})
    else:
        _print(lines, language)
    if failed:
        raise typer.Exit(1)


def _print(lines: list[dict[str, Any]], language: str) -> None:
    say = translations(language).gettext
    table = Table(show_header=True, header_style="bold")
    for heading in HEADINGS[:3]:
        table.add_column(say(heading), overflow="fold")
    for line in lines:
        mark = "[green]ok[/]" if line["ok"] else "[bold red]" + say(HEADINGS[3]) + "[/]"
        table.add_row(line["subject"], mark + " " + _escape(line["found"]), _escape(line["fix"]))
    console.print(table)


def _escape(text: str) -> str:
    from rich.markup import escape

    return escape(text)
