"""Recall, precision and F1 by class on the labelled sets, and the index's recall by class.

Usage: python bench/screening_classes.py [--filler N] [--seed S]

Reads every ``bench/labelled/*.jsonl`` (lines ``{"query", "listed", "schema", "match",
"class", "rule"}``), scores each pair with the pair scorer, and prints JSON by class:
pairs, matches, recall, precision and F1 at the threshold (a class of non-matches has no
recall; its ``false_matches`` say how many the scorer accepted). Then builds the candidate
index over every listed name of the sets plus ``N`` synthetic entities (default 100,000,
from ``bench/screening_index.py``) and screens each query: ``index_recall`` is the share of
a class's true matches that ``screen`` returns, ``index_recall_of_pair_accepted`` the share
of the pairs the scorer accepts (the index's own job: never to lose what the scorer would
accept).
"""

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH))

from pfund.domain.watchlist import WatchlistEntity  # noqa: E402
from pfund.screening.index import CandidateIndex  # noqa: E402
from pfund.screening.score import THRESHOLD, score  # noqa: E402
from screening_index import entities, generate  # noqa: E402


def read_lines(folder: Path) -> list[dict[str, object]]:
    """Every line of every labelled file, with its file's name."""
    lines = []
    for path in sorted(folder.glob("*.jsonl")):
        for number, text in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not text.strip():
                continue
            line = json.loads(text)
            missing = {"query", "listed", "schema", "match", "class"} - set(line)
            if missing:
                raise SystemExit(f"{path}:{number}: missing {', '.join(sorted(missing))}")
            lines.append(line | {"file": path.name})
    return lines


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def by_class(lines: list[dict[str, object]], accepted: list[bool], found: list[bool]) -> dict:  # type: ignore[type-arg]
    """The figures of each class and of all lines together."""
    groups: dict[str, list[int]] = defaultdict(list)
    for number, line in enumerate(lines):
        groups[str(line["class"])].append(number)
        groups["all"].append(number)
    result = {}
    for kind, numbers in sorted(groups.items()):
        matches = [i for i in numbers if lines[i]["match"]]
        true = sum(accepted[i] for i in matches)
        predicted = sum(accepted[i] for i in numbers)
        recall, precision = _ratio(true, len(matches)), _ratio(true, predicted)
        f1 = (
            round(2 * recall * precision / (recall + precision), 4)
            if recall and precision
            else None
        )
        scored = [i for i in matches if accepted[i]]
        result[kind] = {
            "pairs": len(numbers),
            "matches": len(matches),
            "recall": recall,
            "precision": precision,
            "f1": f1,
            "false_matches": predicted - true,
            "index_recall": _ratio(sum(found[i] for i in matches), len(matches)),
            "index_recall_of_pair_accepted": _ratio(sum(found[i] for i in scored), len(scored)),
        }
    return result


def listed_entities(lines: list[dict[str, object]]) -> dict[tuple[str, str], str]:
    """An entity id for each distinct (schema, listed name)."""
    ids: dict[tuple[str, str], str] = {}
    for line in lines:
        ids.setdefault((str(line["schema"]), str(line["listed"])), f"listed{len(ids)}")
    return ids


def main() -> None:
    """Print the JSON."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--filler", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    lines = read_lines(BENCH / "labelled")
    accepted = [
        score(str(line["query"]), str(line["listed"]), str(line["schema"])) >= THRESHOLD
        for line in lines
    ]
    ids = listed_entities(lines)
    listed = [
        WatchlistEntity(id=entity_id, schema_name=schema, names=(name,))
        for (schema, name), entity_id in ids.items()
    ]
    filler = entities(generate(args.filler, args.seed), args.seed)
    index = CandidateIndex.build([*listed, *filler])
    found = []
    for line in lines:
        wanted = ids[(str(line["schema"]), str(line["listed"]))]
        hits = index.screen(str(line["query"]), str(line["schema"]))
        found.append(any(hit.entity_id == wanted for hit in hits))
    missed = [
        f"{line['class']}: {line['query']} / {line['listed']}"
        for line, ok, hit in zip(lines, accepted, found, strict=True)
        if line["match"] and not (ok and hit)
    ]
    result = {
        "files": sorted({str(line["file"]) for line in lines}),
        "filler_entities": args.filler,
        "threshold": THRESHOLD,
        "classes": by_class(lines, accepted, found),
        "missed_examples": missed[:40],
    }
    print(json.dumps(result, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
