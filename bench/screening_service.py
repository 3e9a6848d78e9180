"""Measure watchlist loads, delta updates and screen-all through the services; print JSON.

Usage: python bench/screening_service.py [--entities M] [--orgs N] [--people P]
       [--changed SHARE] [--db URL] [--seed S]

Builds a store (a SQLite file in a temporary folder unless --db) with N organisations
and P people, a tenth of them spelled like a listed entity in Latin letters, writes a
synthetic FtM JSON-lines watchlist of M entities, then times: the first load (stores
every entity and screens them all against every counterparty), ``screen_all`` (a full
re-screen that finds nothing new), and an update in which SHARE of the entities changed
(only those are screened again). The update is what the content-hash diff is for: it
should take a fraction of the full re-screen.
"""

from __future__ import annotations

import argparse
import json
import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from pfund.domain.enums import OrganisationKind
from pfund.domain.organisation import Organisation, Person
from pfund.services.runtime import Runtime, open_runtime
from pfund.services.screening import load_watchlist, screen_all
from pfund.settings import Settings

T = TypeVar("T")
SYLLABLES = [c + v for c in "бвгдзклмнпрстфхчшж" for v in "аеиоу"]
LATIN = str.maketrans("абвгдезиклмнопрстуфхчшж", "abvgdeziklmnoprstufhčšž")
FIRST = ["Иван", "Олег", "Павел", "Роман", "Юрий", "Игорь", "Вадим", "Кирилл", "Тимур"]
FORMS = ["ООО", "АО", "ПАО"]


@dataclass
class Listed:
    id: str
    schema: str
    name: str
    alias: str = ""

    def ftm(self) -> str:
        properties = {"name": [self.name]} | ({"alias": [self.alias]} if self.alias else {})
        row = {"id": self.id, "schema": self.schema, "properties": properties}
        return json.dumps(row, ensure_ascii=False)


def _word(rng: random.Random, ending: str) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(2)).capitalize() + ending


def latin(name: str) -> str:
    """A crude scientific-style romanisation, so counterparties differ from the list."""
    return " ".join(word.lower().translate(LATIN).capitalize() for word in name.split())


def listed(count: int, rng: random.Random) -> list[Listed]:
    """70 % people with patronymics, the rest companies with Russian legal forms."""
    out = []
    for i in range(count):
        if rng.random() < 0.7:
            name = f"{_word(rng, 'ов')} {rng.choice(FIRST)} {rng.choice(FIRST)}ович"
            out.append(Listed(f"p{i}", "Person", name))
        else:
            out.append(Listed(f"c{i}", "Company", f"{rng.choice(FORMS)} {_word(rng, 'строй')}"))
    return out


def write(path: Path, rows: list[Listed]) -> Path:
    path.write_text("\n".join(row.ftm() for row in rows) + "\n", encoding="utf-8")
    return path


def seed_parties(rt: Runtime, rows: list[Listed], orgs: int, people: int, seed: int) -> None:
    """Counterparties with random names; one in ten spells a listed name in Latin."""
    rng = random.Random(seed)
    by_schema = {s: [r for r in rows if r.schema == s] for s in ("Person", "Company")}

    def name_like(schema: str, fresh: str) -> str:
        if rng.random() < 0.1 and by_schema[schema]:
            return latin(rng.choice(by_schema[schema]).name)
        return latin(fresh)

    with rt.uow() as uow:
        uow.organisations.add_many(
            Organisation(
                id=f"ORG-{i}",
                name=name_like("Company", f"{_word(rng, 'тех')} Group"),
                kind=OrganisationKind.NGO,
                country="DE",
            )
            for i in range(orgs)
        )
        uow.people.add_many(
            Person(id=f"PER-{i}", name=name_like("Person", f"{_word(rng, 'ин')} Иван"))
            for i in range(people)
        )
        uow.commit()


def timed(step: Callable[[], T]) -> tuple[float, T]:
    start = time.perf_counter()
    result = step()
    return round(time.perf_counter() - start, 3), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--entities", type=int, default=20_000)
    parser.add_argument("--orgs", type=int, default=1_000)
    parser.add_argument("--people", type=int, default=1_000)
    parser.add_argument("--changed", type=float, default=0.01)
    parser.add_argument("--db", default=None)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as folder:
        url = args.db or f"sqlite:///{Path(folder) / 'bench.db'}"
        rt = open_runtime(Settings(database_url=url))
        rows = listed(args.entities, rng)
        seed_parties(rt, rows, args.orgs, args.people, args.seed + 1)
        path = write(Path(folder) / "bench.ftm.json", rows)
        load_s, first = timed(lambda: load_watchlist(rt, path))
        all_s, full = timed(lambda: screen_all(rt))
        for row in rng.sample(rows, int(args.changed * len(rows))):
            row.alias = latin(row.name)
        update_s, update = timed(lambda: load_watchlist(rt, write(path, rows)))
        rt.close()
    figures = {
        "entities": args.entities,
        "organisations": args.orgs,
        "people": args.people,
        "first_load_s": load_s,
        "first_load_hits": len(first.new_hits),
        "screen_all_s": all_s,
        "screen_all_new_hits": len(full.new_hits),
        "changed_entities": update.changed,
        "update_s": update_s,
        "update_new_hits": len(update.new_hits),
    }
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
