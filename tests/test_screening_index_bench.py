"""``bench/screening_index.py`` with several ``--n``: each list measured in a process of
its own, with the run's options, giving what one list alone gives."""

from __future__ import annotations

import json
import subprocess
import sys

from tests.screening import synthetic

SCRIPT = synthetic.BENCH / "screening_index.py"
# What does not depend on the machine or the process: the lists' sizes and what was found.
SAME = (
    "entities",
    "scored_rule",
    "recall_at_candidates",
    "recall_at_threshold",
    "mean_candidates",
    "recall_of_pair_accepted",
    "indexed_keys",
)


def _run(*sizes: int) -> list[dict[str, object]]:
    command = [sys.executable, str(SCRIPT), "--n", *map(str, sizes), "--queries", "8"]
    command += ["--brute", "1", "--seed", "3", "--scored", "13", "--spread", "20"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    found: list[dict[str, object]] = json.loads(done.stdout)
    return found


def test_each_list_is_measured_apart_with_the_runs_options() -> None:
    together = _run(200, 300)
    assert [found["entities"] for found in together] == [200, 300]
    for found in together:
        assert found["scored_rule"] == {"SCORED": 13, "ALIKE_SPREAD": 20}
        assert isinstance(found["peak_rss_mib"], float)
    alone = _run(300)[0]
    assert {key: together[1][key] for key in SAME} == {key: alone[key] for key in SAME}
