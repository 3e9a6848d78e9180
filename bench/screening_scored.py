"""How many candidates screening must score to find the true entity, and what rules for
choosing them would find: prints JSON.

Usage: python bench/screening_scored.py [--n N] [--queries Q] [--seed S]

The list and queries of ``bench/screening_index.py``. For each query every candidate the
index gathers is ordered by likeness (``CandidateIndex._closest``'s order, with the pool
not cut at ``RERANKED``), and every candidate at least ``ALIKE_MIN`` alike is scored by
the pair scorer. Of the noisy queries whose true entity the scorer accepts (the direct
pairs of ``recall_of_pair_accepted``): ``true_rank_within`` gives the share whose true
entity is among the k closest, ``never_candidate`` how many it is not a candidate of.
``rules`` simulates choosing the candidates to score: the pool cut to ``reranked`` by
key weight, the ``ALWAYS_SCORED`` closest and then, up to ``scored``, those at least
``ALIKE_MIN`` alike and within ``spread`` of the closest (``spread`` 100: no spread
rule); for each, the recall of the direct pairs, the mean candidates scored a query
(all queries), and the share of every scorer-accepted candidate scored. Scores about
100 candidates a query: several CPU minutes at 1,000,000 entities.
"""

import argparse
import json
from typing import Any

import numpy as np

from pfund.screening import index as module
from pfund.screening.index import (
    ALIKE_MIN,
    ALWAYS_SCORED,
    CandidateIndex,
)
from pfund.screening.score import THRESHOLD
from screening_index import entities, generate, queries

RANKS = (1, 4, 10, 20, 40)
RULES = [
    (150, 4, 100),
    (150, 10, 100),
    (300, 12, 5),
    (300, 12, 8),
    (500, 20, 5),
    (500, 20, 10),
    (5000, 40, 10),
    (5000, 1000, 100),
]


def pools(index: CandidateIndex, asked: list[tuple[str, str, str]]) -> list[dict[str, Any] | None]:
    """Per query its whole pool: positions, key weights, likeness and scores."""
    found: list[dict[str, Any] | None] = []
    seen: list[tuple[Any, ...]] = []
    original = CandidateIndex._closest

    def record(self, name, schema, candidates, totals, *_rest):  # type: ignore[no-untyped-def]
        alike, covered = self.likeness(name, schema, candidates)
        if schema != "Person":
            alike = (alike + covered) // 2
        seen.append((candidates.copy(), totals.copy(), alike.astype(int), covered.copy()))
        return []

    reranked, module.RERANKED = module.RERANKED, 10**9
    CandidateIndex._closest = record  # type: ignore[method-assign]
    try:
        for _, schema, name in asked:
            seen.clear()
            index._by_name(name, schema, 10**9, 10**9, 0)
            if not seen:
                found.append(None)
                continue
            candidates, totals, alike, covered = seen[0]
            scores = np.array(
                [
                    index.score_entity(int(p), name, schema) if a >= ALIKE_MIN else 0.0
                    for p, a in zip(candidates, alike, strict=True)
                ]
            )
            found.append(
                {
                    "at": candidates,
                    "totals": totals,
                    "alike": alike,
                    "covered": covered,
                    "scores": scores,
                }
            )
    finally:
        CandidateIndex._closest = original  # type: ignore[method-assign]
        module.RERANKED = reranked
    return found


def _order(pool: dict[str, Any], keep: np.ndarray) -> np.ndarray:
    at, totals, alike, covered = pool["at"], pool["totals"], pool["alike"], pool["covered"]
    return keep[np.lexsort((at[keep], -totals[keep], -covered[keep], -alike[keep]))]


def measure(n: int, count: int, seed: int) -> dict[str, object]:
    rows = generate(n, seed)
    index = CandidateIndex.build(entities(rows, seed))
    asked = queries(rows, count, seed)
    position = {entity_id: i for i, entity_id in enumerate(index.ids)}
    found = pools(index, asked)
    direct, never, ranks = 0, 0, []
    for (expected, schema, name), pool in zip(asked, found, strict=True):
        if not expected or index.score_entity(position[expected], name, schema) < THRESHOLD:
            continue
        direct += 1
        true = position[expected]
        if pool is None or true not in pool["at"]:
            never += 1
            continue
        order = _order(pool, np.arange(len(pool["at"])))
        ranks.append(int(np.nonzero(pool["at"][order] == true)[0][0]))
        pool["true"] = true
    rules = []
    for reranked, scored, spread in RULES:
        hit, chosen_total, accepted, accepted_all = 0, 0, 0, 0
        for pool in found:
            if pool is None:
                continue
            keep = np.arange(len(pool["at"]))
            if len(keep) > reranked:
                keep = np.lexsort((pool["at"], -pool["totals"]))[:reranked]
            order = _order(pool, keep)
            least = max(ALIKE_MIN, int(pool["alike"][order[0]]) - spread)
            chosen = [
                at
                for rank, at in enumerate(order[:scored].tolist())
                if rank < ALWAYS_SCORED or pool["alike"][at] >= least
            ]
            chosen_total += len(chosen)
            passing = pool["scores"] >= THRESHOLD
            accepted_all += int(passing.sum())
            accepted += int(passing[chosen].sum())
            if "true" in pool:
                hit += pool["true"] in set(pool["at"][chosen].tolist())
        rules.append(
            {
                "reranked": reranked,
                "scored": scored,
                "spread": spread,
                "recall_of_direct_pairs": round(hit / direct, 4),
                "scored_per_query": round(chosen_total / len(asked), 2),
                "share_of_accepted_scored": round(accepted / max(accepted_all, 1), 3),
            }
        )
    ranked = np.array(ranks)
    return {
        "entities": n,
        "direct_pairs": direct,
        "never_candidate": never,
        "true_rank_within": {str(k): round(float((ranked < k).sum()) / direct, 4) for k in RANKS},
        "rules": rules,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(json.dumps(measure(args.n, args.queries, args.seed), indent=2))


if __name__ == "__main__":
    main()
