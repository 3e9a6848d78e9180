"""Reading user files into numbered records: CSV, JSON and YAML, strictly UTF-8.

Every record keeps the row a user would look for: the line of a CSV file (the header is
line 1) or the position of an object in a JSON or YAML list (from 1).
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from pfund.errors import InvalidInput, Problem

FORMATS = {".csv": "csv", ".json": "json", ".yaml": "yaml", ".yml": "yaml"}
MAX_FILE_BYTES = 200 * 1024 * 1024
# No record of the fund nests anywhere near this deep; a file that does is refused by
# name rather than left to exhaust the parser's (or a later reader's) recursion.
MAX_DEPTH = 64

# libyaml's parser, where PyYAML was built with it, reads the sample pipeline about five
# times faster than the pure-Python one; both build the same plain values.
_FAST_LOADER: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class Record:
    """One input record and where it came from."""

    file: str
    row: int
    data: dict[str, Any]
    format: str


def file_format(path: Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(FORMATS))
        raise InvalidInput(
            f"cannot read {path.name}",
            [Problem(f"unknown file type '{path.suffix}' (use one of {known})", file=path.name)],
        )
    return fmt


def read_text(path: Path) -> str:
    """The file's text; anything but UTF-8 is refused with the offending byte's position."""
    if not path.is_file():
        raise InvalidInput(f"cannot read {path}", [Problem("no such file", file=str(path))])
    raw = path.read_bytes()
    if len(raw) > MAX_FILE_BYTES:
        raise InvalidInput(
            f"cannot read {path.name}",
            [Problem(f"file is larger than {MAX_FILE_BYTES // 2**20} MiB", file=path.name)],
        )
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        reason = (
            f"not UTF-8: byte 0x{raw[err.start]:02x} at offset {err.start} cannot be decoded; "
            "save the file as UTF-8"
        )
        raise InvalidInput(
            f"cannot read {path.name}", [Problem(reason, file=path.name, row=line)]
        ) from None


def load_yaml(text: str) -> Any:
    """The plain values of a YAML text, as ``yaml.safe_load`` gives them, only faster.

    A text that libyaml refuses is parsed again by the pure-Python parser, so a file is
    refused with ``yaml.safe_load``'s own error, whose message names what it found.
    """
    try:
        try:
            value = yaml.load(text, Loader=_FAST_LOADER)
        except yaml.YAMLError:
            value = yaml.safe_load(text)
    except RecursionError:
        raise TooDeep() from None
    if not within_depth(value):
        raise TooDeep()
    return value


class TooDeep(yaml.YAMLError):
    """A file nested deeper than :data:`MAX_DEPTH`; a YAML error, so that every reader
    of YAML refuses it the way it refuses any malformed file."""

    problem = f"nested more than {MAX_DEPTH} levels deep"

    def __str__(self) -> str:
        return self.problem


def within_depth(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether lists and mappings in ``value`` nest at most ``limit`` levels (walked
    without recursion, so the check itself cannot overflow)."""
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict):
            children: Any = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        if depth > limit:
            return False
        stack.extend((child, depth + 1) for child in children)
    return True


def load_json(name: str, text: str) -> Any:
    """A JSON text's values; malformed or too deeply nested JSON is refused naming ``name``."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as err:
        problem = Problem(
            f"malformed JSON: {err.msg} (column {err.colno})", file=name, row=err.lineno
        )
        raise InvalidInput(f"cannot read {name}", [problem]) from None
    except RecursionError:
        value = None
        deep = True
    else:
        deep = not within_depth(value)
    if deep:
        raise InvalidInput(f"cannot read {name}", [Problem(TooDeep.problem, file=name)])
    return value


def read_records(path: Path, *, key: str) -> list[Record]:
    """Records of a CSV, JSON or YAML file; ``key`` names the list in a wrapping object."""
    fmt = file_format(path)
    text = read_text(path)
    if fmt == "csv":
        return _csv_records(path.name, text)
    return _tree_records(path.name, _parse_tree(path.name, text, fmt), fmt=fmt, key=key)


def _csv_records(name: str, text: str) -> list[Record]:
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if not reader.fieldnames:
        raise InvalidInput(f"cannot read {name}", [Problem("the file is empty", file=name)])
    records: list[Record] = []
    problems: list[Problem] = []
    for data in reader:
        if data.pop(None, None):
            problems.append(
                Problem("more cells than header columns", file=name, row=reader.line_num)
            )
            continue
        cells = {k.strip(): (v or "").strip() for k, v in data.items() if k}
        if any(cells.values()):
            records.append(Record(name, reader.line_num, cells, "csv"))
    if problems:
        raise InvalidInput(f"cannot read {name}", problems)
    return records


def _parse_tree(name: str, text: str, fmt: str) -> Any:
    if fmt == "json":
        return load_json(name, text)
    try:
        return load_yaml(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        problem = Problem(f"malformed YAML: {getattr(err, 'problem', err)}", file=name, row=row)
        raise InvalidInput(f"cannot read {name}", [problem]) from None


def _tree_records(name: str, tree: Any, *, fmt: str, key: str) -> list[Record]:
    items = tree.get(key) if isinstance(tree, dict) else tree
    if not isinstance(items, list):
        problem = Problem(f"expected a list of {key}, or an object with a '{key}' list", file=name)
        raise InvalidInput(f"cannot read {name}", [problem])
    records = []
    for i, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            problem = Problem(f"item {i} is not an object", file=name, row=i)
            raise InvalidInput(f"cannot read {name}", [problem])
        records.append(Record(name, i, item, fmt))
    return records
