"""``pfund doctor``'s findings: is this configuration one a service can run on?

Each finding is said as data (a code and its values), so the command line words it in
the reader's language and ``--json`` keeps it machine-readable. Nothing here opens a
runtime: that would migrate the database and create a keys file, the very things a
diagnosis must only look at. Chromium is not checked: only the test suite's browser
tests need it, never a running service.
"""

from __future__ import annotations

import ipaddress
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine, create_engine, make_url
from sqlalchemy.exc import ArgumentError, SQLAlchemyError

from pfund.errors import InvalidInput
from pfund.keys import read_keys
from pfund.services.operations import database_check
from pfund.settings import Settings
from pfund.store.migrate import current_revision, head_revision

# Networks wider than this trust (or let read the metrics) more machines than any
# installation has proxies or monitoring servers: a mistake, such as 0.0.0.0/0.
WIDEST_NETWORK = 65_536
CONNECT_TIMEOUT = 5  # seconds: a database that does not answer in this is reported


@dataclass(frozen=True)
class Finding:
    """One thing checked: its subject, whether it is fine, and what was found (a code
    the interfaces word, with the values the words need)."""

    check: str
    ok: bool
    code: str
    values: dict[str, Any] = field(default_factory=dict)


def diagnose(overrides: dict[str, Any]) -> list[Finding]:
    """Every finding for the settings the environment and ``overrides`` give."""
    try:
        settings = Settings(**overrides)
    except ValidationError as err:
        return [_invalid_setting(e) for e in err.errors()]
    findings = [Finding("settings", True, "settings_valid")]
    findings += database_findings(settings.database_url)
    findings += keys_findings(settings.keys_file)
    findings.append(network_finding("trusted_proxies", settings.trusted_proxies))
    findings.append(network_finding("metrics_networks", settings.metrics_networks))
    return findings


def _invalid_setting(error: Any) -> Finding:
    name = ".".join(str(part) for part in error.get("loc", ())) or "settings"
    reason = str(error.get("msg", "invalid"))
    variable = f"PFUND_{name.upper()}" if name != "settings" else "PFUND_*"
    return Finding("settings", False, "setting_invalid", {"variable": variable, "reason": reason})


def database_findings(url: str) -> list[Finding]:
    """The URL parses, names an existing SQLite file, answers, and is at the head."""
    try:
        parsed = make_url(url)
    except ArgumentError:
        return [Finding("database", False, "database_url_invalid")]
    name = parsed.database or ""
    if parsed.get_backend_name() == "sqlite" and _is_missing_file(name):
        return [Finding("database", False, "database_missing", {"path": name})]
    try:
        engine = _probe(url)
    except (ArgumentError, SQLAlchemyError, ImportError):
        return [Finding("database", False, "database_url_invalid")]
    try:
        answer = database_check(engine)
        if not answer.ok:
            cause = answer.reason.rsplit("(", 1)[-1].rstrip(")")
            return [Finding("database", False, "database_unreachable", {"cause": cause})]
        return [Finding("database", True, "database_answers"), _schema(engine)]
    finally:
        engine.dispose()


def _is_missing_file(name: str) -> bool:
    """A SQLite file name (not memory, not a URI) with no file there: connecting would
    create an empty database under a mistyped name."""
    plain = name not in ("", ":memory:") and not name.startswith("file:")
    return plain and not Path(name).exists()


def _probe(url: str) -> Engine:
    """An engine that gives up on an unreachable server after a few seconds."""
    options: dict[str, Any] = {}
    if url.startswith("postgresql"):
        options["connect_args"] = {"connect_timeout": CONNECT_TIMEOUT}
    return create_engine(url, **options)


def _schema(engine: Engine) -> Finding:
    head = head_revision()
    try:
        current = current_revision(engine)
    except SQLAlchemyError:
        current = None
    if current == head:
        return Finding("migrations", True, "schema_current", {"head": head})
    if current is None:
        return Finding("migrations", False, "schema_never", {"head": head})
    return Finding("migrations", False, "schema_behind", {"current": current, "head": head})


def keys_findings(path: Path) -> list[Finding]:
    """The keys file is there, is valid, and only its owner may read it."""
    values: dict[str, Any] = {"path": str(path)}
    if not path.exists():
        return [Finding("keys", False, "keys_missing", values)]
    try:
        read_keys(path)
    except InvalidInput as err:
        reason = err.problems[0].reason if err.problems else err.message
        return [Finding("keys", False, "keys_invalid", values | {"reason": reason})]
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        return [Finding("keys", False, "keys_mode", values | {"mode": f"{mode:o}"})]
    return [Finding("keys", True, "keys_fine", values)]


def network_finding(setting: str, entries: list[str]) -> Finding:
    """No network in the setting spans more machines than a proxy or monitor could be."""
    variable = f"PFUND_{setting.upper()}"
    for entry in entries:
        network = ipaddress.ip_network(entry, strict=False)
        if network.num_addresses > WIDEST_NETWORK:
            values = {"variable": variable, "network": str(network)}
            return Finding(setting, False, f"{setting}_too_wide", values)
    return Finding(setting, True, f"{setting}_fine", {"count": len(entries)})
