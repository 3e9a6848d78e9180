"""rapidfuzz's ``cdist`` and ``cpdist`` as numpy arrays, without the Python function
rapidfuzz wraps them in.

Where rapidfuzz has no build for the machine's instruction set (these machines: no
``process_cpp_avx2``), ``rapidfuzz.process.cdist`` is a Python function around the
compiled one in ``process_cpp_impl``: it imports numpy, finds the dtype's number by a
chain of comparisons and passes its keywords on. For a query's few words against a pool's
dozen that costs as much as the comparison itself (8.3 against 4.0 microseconds for 3 by
13 words), and screening makes some 17 such calls a query. Here the compiled function is
called directly with the dtype's number, and its matrix read as an array, as the wrapper
does; a rapidfuzz without ``process_cpp_impl`` (built without a compiler) is called
through its public functions. ``tests/screening/test_matrices.py`` checks both against
``rapidfuzz.process``.
"""

import importlib
from collections.abc import Callable, Sequence
from typing import Any, Final

import numpy as np
import numpy.typing as npt
from rapidfuzz import process

Scorer = Callable[..., Any]


def _compiled() -> tuple[Any, Any, dict[Any, int]] | None:
    """rapidfuzz's compiled ``cdist`` and ``cpdist`` and the numbers they take for the
    dtypes used here, or ``None`` where this rapidfuzz has no compiled ``process``."""
    try:
        module = importlib.import_module("rapidfuzz.process_cpp_impl")
    except ImportError:
        return None
    numbers = {np.float64: module.FLOAT64, np.uint8: module.UINT8}
    return module.cdist, module.cpdist, numbers


_COMPILED: Final = _compiled()


def cdist(
    left: Sequence[str], right: Sequence[str], scorer: Scorer, dtype: type[Any]
) -> npt.NDArray[Any]:
    """``rapidfuzz.process.cdist(left, right, scorer=scorer, dtype=dtype, workers=1)``."""
    found = _COMPILED
    if found is None:
        public: npt.NDArray[Any] = process.cdist(left, right, scorer=scorer, dtype=dtype, workers=1)
        return public
    compiled, _, numbers = found
    return np.asarray(compiled(left, right, scorer=scorer, dtype=numbers[dtype], workers=1))


def cpdist(
    left: Sequence[str], right: Sequence[str], scorer: Scorer, dtype: type[Any]
) -> npt.NDArray[Any]:
    """``rapidfuzz.process.cpdist(left, right, scorer=scorer, dtype=dtype, workers=1)``."""
    found = _COMPILED
    if found is None:
        public: npt.NDArray[Any] = process.cpdist(
            left, right, scorer=scorer, dtype=dtype, workers=1
        )
        return public
    _, compiled, numbers = found
    return np.asarray(compiled(left, right, scorer=scorer, dtype=numbers[dtype], workers=1))
