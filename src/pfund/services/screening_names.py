"""Screen a name, or a file of names, against the stored watchlists: read-only.

Nothing is stored and no audit event is written: this is a look-up, as a compliance
officer would do before a first meeting.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pydantic import BaseModel

from pfund.domain.account import Permission
from pfund.errors import InvalidInput, Problem
from pfund.services.runtime import Runtime
from pfund.services.screening import build_index

SCHEMAS = {
    "any": "LegalEntity",
    "person": "Person",
    "organisation": "Organization",
    "company": "Company",
}


class NameHit(BaseModel):
    watchlist: str
    entity_id: str
    matched: str
    score: float
    explanation: str


class NameResult(BaseModel):
    name: str
    hits: list[NameHit]


def read_names(path: Path) -> list[str]:
    """Names from a .txt (one a line) or a .csv (a ``name`` column, else the first)."""
    if not path.is_file():
        raise InvalidInput(f"cannot read {path}", [Problem("no such file", file=str(path))])
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as err:
        raise InvalidInput(
            f"cannot read {path.name}", [Problem(f"not UTF-8: {err.reason}", file=path.name)]
        ) from None
    names = _csv_names(text) if path.suffix.lower() == ".csv" else text.splitlines()
    names = [n.strip() for n in names if n.strip()]
    if not names:
        raise InvalidInput(f"{path.name} holds no name", [Problem("no name found", file=path.name)])
    return names


def _csv_names(text: str) -> list[str]:
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        return []
    header = [cell.strip().lower() for cell in rows[0]]
    column = header.index("name") if "name" in header else 0
    body = rows[1:] if "name" in header else rows
    return [row[column] for row in body if len(row) > column]


def screen_names(rt: Runtime, names: list[str], *, kind: str = "any") -> list[NameResult]:
    """Each name's hits in every stored watchlist, best first."""
    rt.require(Permission.SCREEN)
    if kind not in SCHEMAS:
        choices = ", ".join(SCHEMAS)
        raise InvalidInput(
            "unknown kind", [Problem(f"'{kind}' is not a kind; choose {choices}", field="kind")]
        )
    with rt.uow() as uow:
        lists = [(w.id, uow.watchlists.entities(w.id)) for w in uow.watchlists.list()]
    indexes = [(wid, build_index(e for e, _ in found)) for wid, found in lists if found]
    results = []
    for name in names:
        hits = [
            NameHit(
                watchlist=wid,
                entity_id=hit.entity_id,
                matched=hit.matched,
                score=hit.score,
                explanation=hit.summary,
            )
            for wid, index in indexes
            for hit in index.screen(name, SCHEMAS[kind])
        ]
        results.append(NameResult(name=name, hits=sorted(hits, key=lambda h: -h.score)))
    return results
