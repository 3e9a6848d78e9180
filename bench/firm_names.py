"""Measure firm-name screening on the labelled firm pairs (issue #14, point 4) and print JSON.

Usage: python bench/firm_names.py [FIRMS_JSONL]

FIRMS_JSONL defaults to ``bench/labelled/firms.jsonl`` (made by ``bench/labelled/firms.py``).
Each pair is decided two ways: by the pair scorer alone (``score.is_match`` on the two
names) and by screening, as the fund screens: a candidate index over every listed firm of
the file (the others stand as a small watchlist around it) queried with the query's name
and identifiers, a hit on the pair's listed entity counting as a match. Only screening
sees identifiers and aliases, so the ``shared_identifier`` and ``listed_alias`` classes are
left out of the pair scorer's figures. Prints, by class, the share of pairs decided as
labelled (the recall of a match class; one minus the false-match rate of a no-match
class), and precision, recall and F1 over all pairs.
"""

from __future__ import annotations

import json
import sys
from collections import defaultdict
from pathlib import Path

from pfund.domain.watchlist import WatchlistEntity
from pfund.screening.index import CandidateIndex
from pfund.screening.score import is_match

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "bench" / "labelled" / "firms.jsonl"
SCHEMA = "Company"
# Candidates scored per query: the file repeats names (one firm in several forms, and rows
# with identifiers or aliases listed apart), so more than the default ten tie.
LIMIT = 100
# Every key indexed: in a list of a few hundred firms drawn from 25 names each name is
# held by more than the default 5 %, which a real watchlist's names are not.
MAX_SHARE = 1.0


def read(path: Path) -> list[dict[str, object]]:
    """The labelled rows, one JSON object a line."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def _strings(row: dict[str, object], key: str) -> tuple[str, ...]:
    value = row.get(key) or []
    return tuple(str(item) for item in value) if isinstance(value, list) else ()


def watchlist(rows: list[dict[str, object]]) -> tuple[list[WatchlistEntity], list[str]]:
    """One entity per listed name, and one of its own for a row with identifiers or
    aliases (so that they decide that row only); the id of each row's listed entity."""
    entities: dict[str, WatchlistEntity] = {}
    targets = []
    for number, row in enumerate(rows):
        listed = str(row["listed"])
        ids, aliases = _strings(row, "listed_ids"), _strings(row, "listed_aliases")
        key = f"row-{number}" if ids or aliases else f"name-{listed}"
        entities.setdefault(
            key,
            WatchlistEntity(id=key, schema_name=SCHEMA, names=(listed,), aliases=aliases, inn=ids),
        )
        targets.append(key)
    return list(entities.values()), targets


def decide(rows: list[dict[str, object]]) -> tuple[list[bool], list[bool]]:
    """Each pair's decision by the pair scorer and by screening."""
    entities, targets = watchlist(rows)
    index = CandidateIndex.build(entities, max_share=MAX_SHARE)
    pair = [is_match(str(row["query"]), str(row["listed"]), SCHEMA) for row in rows]
    screened = []
    for row, target in zip(rows, targets, strict=True):
        found = index.screen(
            str(row["query"]), SCHEMA, identifiers=_strings(row, "query_ids"), limit=LIMIT
        )
        screened.append(any(hit.entity_id == target for hit in found))
    return pair, screened


def metrics(rows: list[dict[str, object]], decided: list[bool]) -> dict[str, object]:
    """Share decided as labelled by class; precision, recall and F1 over all pairs."""
    by_class: dict[str, list[bool]] = defaultdict(list)
    for row, found in zip(rows, decided, strict=True):
        by_class[str(row["class"])].append(found == bool(row["match"]))
    labels = [bool(row["match"]) for row in rows]
    tp = sum(1 for found, label in zip(decided, labels, strict=True) if found and label)
    fp = sum(1 for found, label in zip(decided, labels, strict=True) if found and not label)
    fn = sum(1 for found, label in zip(decided, labels, strict=True) if label and not found)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "correct_by_class": {
            kind: {"pairs": len(found), "correct": round(sum(found) / len(found), 4)}
            for kind, found in sorted(by_class.items())
        },
    }


def main(argv: list[str]) -> None:
    """Print the benchmark JSON."""
    path = Path(argv[0]) if argv else DEFAULT
    rows = read(path)
    pair, screened = decide(rows)
    by_names = [i for i, row in enumerate(rows) if not (_extra_evidence(row))]
    result = {
        "pairs": str(path),
        "rows": len(rows),
        "pair_scorer": metrics([rows[i] for i in by_names], [pair[i] for i in by_names]),
        "screening": metrics(rows, screened),
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))


def _extra_evidence(row: dict[str, object]) -> bool:
    """Whether identifiers or aliases decide the row, which the pair scorer cannot see."""
    return bool(_strings(row, "query_ids") or _strings(row, "listed_aliases"))


if __name__ == "__main__":
    main(sys.argv[1:])
