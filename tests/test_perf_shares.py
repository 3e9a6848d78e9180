"""``bench/perf_shares.py``: a profile's inclusive shares and a function's callees, read
from ``perf script -F ip,sym`` output (innermost frame first, a blank line between
samples)."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

SCRIPT = Path(__file__).parent.parent / "bench" / "perf_shares.py"

# Three samples: two under screen -> _name_hits (one through a vectorcall wrapper into
# bounded_values, one in _name_hits itself), one in the candidate stage.
PERF_SCRIPT = """\
    7f01 unicodekeys_lookup_unicode+0x12
    7f02 CPyDef_score___bounded_values+0x40
    7f03 _PyObject_VectorcallTstate+0x9
    7f04 CPyDef_index____name_hits+0x10
    7f05 CPyDef_index___screen+0x20
    7f06 main

    7f04 CPyDef_index____name_hits+0x11
    7f05 CPyDef_index___screen+0x20
    7f06 main

    7f07 mapiter_get+0x1
    7f08 CPyDef_index____by_name+0x5
    7f05 CPyDef_index___screen+0x20
    7f06 main
"""


def _module() -> ModuleType:
    spec = importlib.util.spec_from_file_location("perf_shares", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_each_sample_counts_once_for_every_compiled_function_on_its_stack() -> None:
    module = _module()
    samples = list(module.stacks(iter(PERF_SCRIPT.splitlines())))
    assert len(samples) == 3
    assert samples[0][0] == "main" and samples[0][-1] == "unicodekeys_lookup_unicode"
    found = module.inclusive(samples, "CPyDef_")
    assert found == {
        "CPyDef_index___screen": 3,
        "CPyDef_index____name_hits": 2,
        "CPyDef_score___bounded_values": 1,
        "CPyDef_index____by_name": 1,
    }
    assert module.shares(found, len(samples), 1) == {"CPyDef_index___screen": 100.0}


def test_a_functions_callees_skip_the_wrappers_that_pass_a_call_on() -> None:
    module = _module()
    samples = list(module.stacks(iter(PERF_SCRIPT.splitlines())))
    assert module.callees(samples, "CPyDef_index____name_hits") == {
        "CPyDef_score___bounded_values": 1,
        "<self>": 1,
    }
    assert module.callees(samples, "CPyDef_index___screen") == {
        "CPyDef_index____name_hits": 2,
        "CPyDef_index____by_name": 1,
    }
