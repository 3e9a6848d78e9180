"""Read a FollowTheMoney JSON-lines file (the OpenSanctions format) into watchlist records.

Each line is one entity: ``{"id", "schema", "properties": {...}, "datasets", ...}``.
The schema is checked against the FollowTheMoney model and the properties screening
needs are kept. A line that is not JSON, names an unknown schema or has no name is a
problem located by its line number: by default the whole file is refused, listing every
bad line; with ``skip_bad=True`` the good entities come back together with the problems.
An INN or OGRN with a wrong check digit does not refuse the entity: it is noted on the
entity and returned among the warnings.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from followthemoney import model
from followthemoney.exc import FollowTheMoneyException
from followthemoney.proxy import EntityProxy

from pfund.domain.watchlist import WatchlistEntity, identifier_problems
from pfund.errors import InvalidInput, Problem
from pfund.io.files import TooDeep, within_depth

SCHEMAS = frozenset({"Person", "Organization", "Company", "LegalEntity", "PublicBody"})
# Entity field -> FtM property.
PROPERTIES = {
    "names": "name",
    "aliases": "alias",
    "weak_aliases": "weakAlias",
    "inn": "innCode",
    "ogrn": "ogrnCode",
    "registration_numbers": "registrationNumber",
    "birth_dates": "birthDate",
    "countries": "country",
}


@dataclass(frozen=True)
class FtmRead:
    """The entities read, the lines refused (``problems``) and non-fatal ``warnings``."""

    entities: tuple[WatchlistEntity, ...]
    problems: tuple[Problem, ...] = ()
    warnings: tuple[Problem, ...] = ()


class _BadLine(ValueError):
    def __init__(self, reason: str, field: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


def _lines(path: Path) -> Iterator[tuple[int, str]]:
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, start=1):
            try:
                text = raw.decode("utf-8-sig" if number == 1 else "utf-8").strip()
            except UnicodeDecodeError as err:
                yield number, f"\0not UTF-8 at byte {err.start} of the line"
                continue
            if text:
                yield number, text


def _parse(text: str) -> dict[str, Any]:
    if text.startswith("\0"):
        raise _BadLine(text[1:])
    try:
        data = json.loads(text)
    except json.JSONDecodeError as err:
        raise _BadLine(f"not valid JSON ({err.msg} at column {err.colno})") from None
    except RecursionError:
        raise _BadLine(TooDeep.problem) from None
    if not within_depth(data):
        raise _BadLine(TooDeep.problem)
    if not isinstance(data, dict):
        raise _BadLine("expected a JSON object with id, schema and properties")
    return data


def _proxy(data: dict[str, Any]) -> EntityProxy:
    schema = data.get("schema")
    found = model.get(str(schema))
    if found is None:
        raise _BadLine(f"unknown FollowTheMoney schema '{schema}'", "schema")
    if found.name not in SCHEMAS:
        known = ", ".join(sorted(SCHEMAS))
        raise _BadLine(f"schema '{schema}' is not screened (use one of {known})", "schema")
    if not data.get("id"):
        raise _BadLine("entity has no id", "id")
    try:
        return model.get_proxy(data)
    except (FollowTheMoneyException, TypeError, ValueError) as err:
        raise _BadLine(f"not a valid FollowTheMoney entity: {err}") from None


def _values(proxy: EntityProxy, prop: str) -> tuple[str, ...]:
    if prop not in proxy.schema.properties:
        return ()
    return tuple(dict.fromkeys(value.strip() for value in proxy.get(prop) if value.strip()))


def _strings(data: dict[str, Any], key: str) -> tuple[str, ...]:
    value = data.get(key) or ()
    return tuple(str(item) for item in value) if isinstance(value, list) else ()


def entity_from_ftm(data: dict[str, Any]) -> WatchlistEntity:
    """One FtM entity as a ``WatchlistEntity``; raises ``ValueError`` if it cannot be."""
    proxy = _proxy(data)
    values = {key: _values(proxy, prop) for key, prop in PROPERTIES.items()}
    if not values["names"]:
        raise _BadLine("entity has no name", "properties.name")
    found = identifier_problems(values["inn"], values["ogrn"])
    return WatchlistEntity(
        id=str(proxy.id),
        schema_name=proxy.schema.name,
        datasets=_strings(data, "datasets"),
        topics=_strings(data, "topics") or _values(proxy, "topics"),
        problems=tuple(reason for _, reason in found),
        **values,
    )


def _warnings(entity: WatchlistEntity, name: str, row: int) -> list[Problem]:
    found = identifier_problems(entity.inn, entity.ogrn)
    return [Problem(reason, file=name, row=row, field=f"properties.{fld}") for fld, reason in found]


def read_ftm(path: Path, *, skip_bad: bool = False) -> FtmRead:
    """Read every entity of an FtM JSON-lines file (see the module docstring)."""
    entities: list[WatchlistEntity] = []
    problems: list[Problem] = []
    warnings: list[Problem] = []
    if not path.is_file():
        raise InvalidInput(f"cannot read {path}", [Problem("no such file", file=str(path))])
    for row, text in _lines(path):
        try:
            entity = entity_from_ftm(_parse(text))
        except _BadLine as bad:
            problems.append(Problem(bad.reason, file=path.name, row=row, field=bad.field))
            continue
        entities.append(entity)
        warnings.extend(_warnings(entity, path.name, row))
    if problems and not skip_bad:
        raise InvalidInput(f"{path.name}: {len(problems)} bad line(s); nothing was read", problems)
    return FtmRead(tuple(entities), tuple(problems), tuple(warnings))
