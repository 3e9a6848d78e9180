"""``matrices.cdist`` and ``cpdist`` give what ``rapidfuzz.process`` gives, called
through rapidfuzz's compiled function where it has one and through the public one where
it has not."""

import random
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest
from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA, Levenshtein

from pfund.screening import matrices

# Every scorer and dtype screening asks of them (pool_score, index, score).
PAIRWISE: list[tuple[Callable[..., Any], type[Any]]] = [
    (OSA.normalized_similarity, np.float64),
    (Levenshtein.normalized_similarity, np.float64),
    (fuzz.ratio, np.uint8),
]
SIDE_BY_SIDE: list[tuple[Callable[..., Any], type[Any]]] = [
    (Levenshtein.normalized_similarity, np.float64),
    (fuzz.token_set_ratio, np.float64),
]


def _words(count: int, seed: int) -> list[str]:
    chosen = random.Random(seed)
    letters = "aeiouvkrstnlpmdzhčšж "
    return ["".join(chosen.choices(letters, k=chosen.randint(0, 12))) for _ in range(count)]


@pytest.mark.parametrize(("scorer", "dtype"), PAIRWISE)
def test_cdist_is_rapidfuzz_cdist(scorer: Callable[..., Any], dtype: type[Any]) -> None:
    left, right = _words(7, 1), _words(23, 2)
    found = matrices.cdist(left, right, scorer, dtype)
    expected = process.cdist(left, right, scorer=scorer, dtype=dtype, workers=1)
    assert found.dtype == expected.dtype == np.dtype(dtype)
    assert found.shape == (7, 23)
    assert np.array_equal(found, expected)


@pytest.mark.parametrize(("scorer", "dtype"), SIDE_BY_SIDE)
def test_cpdist_is_rapidfuzz_cpdist(scorer: Callable[..., Any], dtype: type[Any]) -> None:
    left, right = _words(40, 3), _words(40, 4)
    found = matrices.cpdist(left, right, scorer, dtype)
    expected = process.cpdist(left, right, scorer=scorer, dtype=dtype, workers=1)
    assert found.dtype == np.dtype(dtype)
    assert np.array_equal(found, expected)


def test_the_compiled_function_is_called_where_rapidfuzz_has_it() -> None:
    # rapidfuzz's wheels for this platform carry it: without it the speed-up is lost.
    assert matrices._COMPILED is not None
    assert matrices._COMPILED[0].__module__ == "rapidfuzz.process_cpp_impl"


def test_without_a_compiled_process_the_public_functions_serve(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(matrices, "_COMPILED", None)
    left, right = _words(5, 5), _words(9, 6)
    for scorer, dtype in PAIRWISE:
        expected = process.cdist(left, right, scorer=scorer, dtype=dtype, workers=1)
        assert np.array_equal(matrices.cdist(left, right, scorer, dtype), expected)
    expected = process.cpdist(left, left, scorer=fuzz.token_set_ratio, dtype=np.float64)
    assert np.array_equal(matrices.cpdist(left, left, fuzz.token_set_ratio, np.float64), expected)
