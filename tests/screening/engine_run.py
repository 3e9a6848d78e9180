"""What the screening engine gives on a fixed workload, as JSON on stdout.

``test_compiled_engine.py`` runs this twice, once with the modules mypyc compiled at
install and once with the Python (``PFUND_PURE_PYTHON=1``), and compares the outputs:
every number and word must be the same. The workload is what screening is made of: the
labelled pairs scored and explained one by one (the pair scorer), a synthetic list's
index screening noisy and fresh queries (candidates, the pool's alignments and values,
hits and their summaries), the index and its hits through pickle (Dask sends both), and
the batch path.

Usage: python -m tests.screening.engine_run [ENTITIES] [QUERIES]
"""

from __future__ import annotations

import json
import pickle
import sys

import pfund.screening
from pfund.screening import explain
from pfund.screening.align import Alignment
from pfund.screening.index import CandidateIndex, Hit
from pfund.screening.score import best_alignment
from tests.screening import synthetic
from tests.screening.test_fast_score import labelled_pairs


def _hits(found: list[Hit]) -> list[list[object]]:
    return [[hit.entity_id, repr(hit.score), hit.matched, hit.summary] for hit in found]


def alignment_values() -> list[object]:
    """An alignment as a value: equal, with the same hash, to one of the same fields,
    unequal to one written otherwise, the same through pickle, and its repr."""
    found = best_alignment("Mikhail Khodorkovsky", "Khodorkovskiy Mikhail Borisovich", "Person")
    assert found is not None
    same = Alignment(found.left, found.right, found.pairs, found.schema, found.raw)
    written = Alignment(found.left, found.right, found.pairs, found.schema, ("", ""))
    return [
        found == same,
        hash(found) == hash(same),
        found != written,
        pickle.loads(pickle.dumps(found)) == found,
        repr(found),
    ]


def run(entities: int, asked: int) -> dict[str, object]:
    pairs = []
    for one, other, schema in labelled_pairs():
        explained = explain(one, other, schema)
        pairs.append(
            [
                repr(explained.score),
                explained.left,
                explained.right,
                [repr(feature.value) for feature in explained.features],
            ]
        )
    index = CandidateIndex.build(synthetic.listed(entities))
    queries = synthetic.queries(entities, asked)
    screened = [_hits(index.screen(name, schema)) for _, schema, name in queries]
    candidates = [index.query(name, schema) for _, schema, name in queries]
    again = pickle.loads(pickle.dumps(index, protocol=5))
    sent = [
        _hits(pickle.loads(pickle.dumps(again.screen(name, schema))))
        for _, schema, name in queries[:: max(1, asked // 20)]
    ]
    return {
        "engine": pfund.screening.ENGINE,
        "index_module": sys.modules["pfund.screening.index"].__file__,
        # Compiled, a pool's values come from ``bounded_values`` one name at a time;
        # the Python takes ``pool_values``' array steps: both give the hits compared here.
        "values_one_by_one": sys.modules["pfund.screening.score"].COMPILED,
        "pairs": pairs,
        "screened": screened,
        "candidates": candidates,
        "pickled": sent,
        "alignment": alignment_values(),
    }


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else 5_000
    questions = int(sys.argv[2]) if len(sys.argv) > 2 else 200
    json.dump(run(count, questions), sys.stdout)
