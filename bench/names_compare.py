"""Score the labelled name pairs with pfund and with nomenklatura's logic-v2; print JSON.

Usage: python bench/names_compare.py [CASES_CSV] [--nk-threshold T]

Both matchers see the same pairs (schema, name1, name2 of the benchmark CSV, see
``bench/names.py`` for the default file). Each is measured at its own threshold: pfund at
``THRESHOLD`` (fitted on the even rows), logic-v2 at 0.7, the threshold yente uses to call
a result a match. For each: precision, recall, F1 on all pairs and on the odd rows (never
used to fit pfund), the share of tied scores, the F1 at the best threshold a posteriori
(an upper bound, not a fair figure) and pairs per second. nomenklatura is a bench-only
dependency: ``pip install -e '.[bench]'``.
"""

import json
import sys
import time
from collections.abc import Callable
from hashlib import sha1

from followthemoney import EntityProxy, model
from nomenklatura.matching import LogicV2, ScoringConfig

from names import cases_path, metrics_json
from pfund.screening import lexicon
from pfund.screening.calibrate import Case, best_threshold, measure, parse_cases
from pfund.screening.score import THRESHOLD, score

NK_THRESHOLD = 0.7
# Benchmark schemas that followthemoney does not know fall back to the nearest it does.
_SCHEMAS = {"Entity": "LegalEntity"}


def _entity(case: Case, name: str, side: str) -> EntityProxy:
    """A one-name entity. Its id is unique per name: logic-v2 caches name analysis by
    entity id, so reusing ids would compare stale names."""
    entity = model.make_entity(_SCHEMAS.get(case.schema, case.schema))
    entity.id = f"{side}-{sha1(name.encode()).hexdigest()}"
    entity.add("name", name)
    return entity


def logic_v2_scorer() -> Callable[[Case], float]:
    """Score a case with nomenklatura's logic-v2 and its default configuration."""
    config = ScoringConfig.defaults()

    def scored(case: Case) -> float:
        left = _entity(case, case.name1, "left")
        right = _entity(case, case.name2, "right")
        return float(LogicV2.compare(left, right, config).score)

    return scored


def report(
    cases: list[Case], scorer: Callable[[Case], float], threshold: float
) -> dict[str, object]:
    """Metrics of one matcher at its threshold, on all pairs and on the odd rows."""
    started = time.perf_counter()
    scores = [scorer(case) for case in cases]
    elapsed = time.perf_counter() - started
    labels = [case.is_match for case in cases]
    best = best_threshold(scores, labels)
    return {
        **metrics_json(measure(scores, labels, threshold)),
        "test_half": metrics_json(measure(scores[1::2], labels[1::2], threshold)),
        "best_threshold_a_posteriori": metrics_json(measure(scores, labels, best)),
        "pairs_per_second": round(len(cases) / elapsed, 1),
    }


def main(argv: list[str]) -> None:
    """Print both matchers' metrics as JSON."""
    nk_threshold = NK_THRESHOLD
    if "--nk-threshold" in argv:
        at = argv.index("--nk-threshold")
        nk_threshold = float(argv[at + 1])
        argv = argv[:at] + argv[at + 2 :]
    path = cases_path(argv)
    cases = parse_cases(path.read_text(encoding="utf-8").splitlines())
    lexicon.load()  # rigour's taggers, once per process: not part of the pairs' speed
    result = {
        "cases": str(path),
        "pfund": report(cases, lambda case: score(case.name1, case.name2, case.schema), THRESHOLD),
        "nomenklatura_logic_v2": report(cases, logic_v2_scorer(), nk_threshold),
    }
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main(sys.argv[1:])
