"""The screening engine compiled by mypyc at install gives what the Python gives.

The suite itself runs the Python modules (``PFUND_PURE_PYTHON=1``, set in
``tests/conftest.py``: tests replace module functions, which compiled callers would not
see). What users run is the compiled engine: here it must be the one installed, and its
answers on a fixed workload (``engine_run``) must be the Python's, number for number.
"""

from __future__ import annotations

import hashlib
import importlib.machinery
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pfund.screening import engine
from pfund.screening.index import _DERIVED, _STATE, CandidateIndex
from tests.screening import synthetic

ROOT = Path(__file__).resolve().parents[2]
SUFFIXES = importlib.machinery.EXTENSION_SUFFIXES


def _run(pure: bool) -> dict[str, object]:
    environment = {key: value for key, value in os.environ.items() if key != "PFUND_PURE_PYTHON"}
    if pure:
        environment["PFUND_PURE_PYTHON"] = "1"
    done = subprocess.run(
        [sys.executable, "-m", "tests.screening.engine_run", "3000", "150"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    found: dict[str, object] = json.loads(done.stdout)
    return found


def test_the_install_compiled_the_engine_and_it_answers_as_the_python() -> None:
    compiled, python = _run(pure=False), _run(pure=True)
    assert compiled["engine"] == "compiled", (
        f"the compiled screening engine is not in use: {compiled['engine']};"
        " reinstall (pip install -e .) on a machine with a C compiler to build it"
    )
    assert str(compiled["index_module"]).endswith(tuple(SUFFIXES)), compiled["index_module"]
    assert python["engine"] == "python (PFUND_PURE_PYTHON=1)"
    assert str(python["index_module"]).endswith("index.py")
    assert compiled["values_one_by_one"] is True and python["values_one_by_one"] is False
    flags = compiled["alignment"]
    assert isinstance(flags, list) and flags[:4] == [True] * 4, flags
    for part in ("pairs", "screened", "candidates", "pickled", "alignment"):
        assert compiled[part] == python[part], part
    pairs, screened = python["pairs"], python["screened"]
    assert isinstance(pairs, list) and len(pairs) > 2_000
    assert isinstance(screened, list) and sum(len(hits) for hits in screened) > 100


def test_an_edited_source_runs_as_python_until_compiled_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Compiled modules built from other sources than those beside them are not used."""
    compiled = tmp_path / "_compiled"
    compiled.mkdir()
    source = tmp_path / "names.py"
    source.write_text("WORDS = 1\n")
    (compiled / f"names{SUFFIXES[0]}").write_bytes(b"")
    digest = hashlib.sha256(source.read_bytes()).hexdigest()
    (compiled / "sources.json").write_text(json.dumps({"names": digest}))
    monkeypatch.delenv("PFUND_PURE_PYTHON")
    monkeypatch.setattr(engine, "HERE", tmp_path)
    monkeypatch.setattr(engine, "COMPILED_DIR", compiled)
    monkeypatch.setattr(engine, "SOURCES", compiled / "sources.json")
    path: list[str] = []
    assert engine.choose(path) == "compiled" and path == [str(compiled)]
    source.write_text("WORDS = 2\n")
    path = []
    assert engine.choose(path) == "python (names.py changed since it was compiled)"
    assert path == []
    monkeypatch.setenv("PFUND_PURE_PYTHON", "1")
    source.write_text("WORDS = 1\n")
    assert engine.choose(path) == "python (PFUND_PURE_PYTHON=1)" and path == []
    monkeypatch.delenv("PFUND_PURE_PYTHON")
    (compiled / f"names{SUFFIXES[0]}").unlink()
    assert engine.choose(path) == "python (names not compiled for this Python)"
    (compiled / "sources.json").unlink()
    assert engine.choose(path) == "python (not compiled at install)"


def test_an_index_pickles_every_attribute_it_does_not_work_out_again() -> None:
    """``__getstate__`` names what it pickles (a compiled class has no ``__dict__``):
    an attribute added to the index must be named there or among the derived ones."""
    index = CandidateIndex.build(synthetic.listed(200))
    assert set(vars(index)) == set(_STATE) | set(_DERIVED)
    assert not set(_STATE) & set(_DERIVED)
