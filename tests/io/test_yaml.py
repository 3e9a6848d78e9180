"""YAML goes through libyaml when PyYAML has it, with yaml.safe_load's values and errors."""

from pathlib import Path

import pytest
import yaml

import pfund
from pfund.io.files import load_yaml

BUNDLED = sorted((Path(pfund.__file__).parent / "data").rglob("*.yaml"))


@pytest.mark.parametrize("path", BUNDLED, ids=[p.name for p in BUNDLED])
def test_every_bundled_yaml_file_reads_as_safe_load_reads_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert load_yaml(text) == yaml.safe_load(text)


def test_a_malformed_text_is_refused_with_the_pure_python_parsers_message() -> None:
    with pytest.raises(yaml.YAMLError, match=r"found character '\\t'") as refused:
        load_yaml("projects:\n\t- id: x\n")
    mark = getattr(refused.value, "problem_mark", None)
    assert mark is not None and mark.line + 1 == 2
