"""The CLI reference of the documentation, generated from the Typer app itself.

The reference is the click command tree walked in the order the commands are listed by
``--help``: every command with its help text, its usage line, its arguments and its
options (type, default, help). Nothing is written by hand, so the reference cannot say
something the code does not do; a test regenerates it and fails when the committed page
differs (run ``pfund docs cli-reference`` after changing a command).

The help texts are the code's, in English; the Russian page carries the same reference
under Russian headings and says so.
"""

from __future__ import annotations

import enum
import inspect
import types
import typing
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import typer

# Headings and fixed words of the page, per language (the help texts stay as written).
WORDS: dict[str, dict[str, str]] = {
    "en": {
        "title": "CLI reference",
        "intro": "Every `pfund` command with its arguments and options, generated from the "
        "code by `pfund docs cli-reference`; do not edit this page by hand. Global options "
        "(`--db`, `--dataset`) go before the command: `pfund --db URL projects list`.",
        "usage": "Usage",
        "name": "Argument or option",
        "type": "Type",
        "default": "Default",
        "help": "What",
        "commands": "Commands",
        "required": "required",
    },
    "ru": {
        "title": "Справочник команд",
        "intro": "Все команды `pfund` с аргументами и параметрами, собранные из кода "
        "командой `pfund docs cli-reference`; не правьте эту страницу вручную. Описания "
        "команд приводятся так, как они написаны в коде, — по-английски (это же "
        "показывает `pfund КОМАНДА --help`). Общие параметры (`--db`, `--dataset`) "
        "ставятся перед командой: `pfund --db URL projects list`.",
        "usage": "Вызов",
        "name": "Аргумент или параметр",
        "type": "Тип",
        "default": "По умолчанию",
        "help": "Что делает",
        "commands": "Команды",
        "required": "обязателен",
    },
}
LANGUAGES = tuple(WORDS)


# The command tree is read by duck typing: Typer builds it on click, or (from 0.2x) on
# a click of its own with the same command, context and parameter attributes.
Command = Any


def root_command() -> Command:
    """The ``pfund`` command as Typer builds it to run it."""
    from pfund.cli.app import app

    return typer.main.get_command(app)


def subcommands(command: Command, name: str) -> list[tuple[str, Command]]:
    """A group's visible commands in the order ``--help`` lists them; none for a command."""
    if not hasattr(command, "list_commands"):
        return []
    ctx = command.context_class(command, info_name=name)
    found = [(n, command.get_command(ctx, n)) for n in command.list_commands(ctx)]
    return [(n, sub) for n, sub in found if sub is not None and not sub.hidden]


def walk(
    command: Command, path: tuple[str, ...] = ("pfund",)
) -> Iterator[tuple[tuple[str, ...], Command]]:
    """Every command under ``command`` (itself first), in the order ``--help`` lists them."""
    yield path, command
    for name, sub in subcommands(command, path[-1]):
        yield from walk(sub, (*path, name))


def cli_reference(language: str = "en") -> str:
    """The whole reference as Markdown, in ``language``'s headings."""
    words = WORDS[language]
    parts = [f"# {words['title']}\n", f"{words['intro']}\n"]
    for path, command in walk(root_command()):
        parts.append(_section(path, command, words))
    return "\n".join(parts).rstrip() + "\n"


def reference_path(docs_dir: Path, language: str) -> Path:
    """Where the reference of ``language`` lives in the documentation tree."""
    return docs_dir / language / "reference" / "cli.md"


def write_references(docs_dir: Path) -> list[Path]:
    """Write the reference in every language; returns the files that changed."""
    changed = []
    for language in LANGUAGES:
        target = reference_path(docs_dir, language)
        text = cli_reference(language)
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
            changed.append(target)
    return changed


def stale_references(docs_dir: Path) -> list[Path]:
    """The committed references that differ from what the code generates now."""
    return [
        reference_path(docs_dir, language)
        for language in LANGUAGES
        if not reference_path(docs_dir, language).exists()
        or reference_path(docs_dir, language).read_text(encoding="utf-8") != cli_reference(language)
    ]


def _section(path: tuple[str, ...], command: Command, words: dict[str, str]) -> str:
    name = " ".join(path)
    level = "#" * min(len(path) + 1, 4)
    lines = [f"{level} `{name}`\n"]
    if command.help:
        lines.append(_text(inspect.cleandoc(command.help)) + "\n")
    lines.append(f"{words['usage']}: `{name} {_usage(command)}`\n")
    rows = [_row(p, words) for p in command.params if not getattr(p, "hidden", False)]
    if rows:
        head = f"| {words['name']} | {words['type']} | {words['default']} | {words['help']} |"
        lines.append("\n".join([head, "|---|---|---|---|", *rows]) + "\n")
    subs = subcommands(command, path[-1])
    if subs:
        lines.append(f"{words['commands']}: " + ", ".join(f"`{n}`" for n, _ in subs) + "\n")
    return "\n".join(lines)


def _is_option(param: Any) -> bool:
    return bool(param.param_type_name == "option")


def _usage(command: Command) -> str:
    pieces = ["[OPTIONS]"] if any(_is_option(p) for p in command.params) else []
    for param in command.params:
        if not _is_option(param):
            label = (param.name or "").upper()
            pieces.append(label if param.required else f"[{label}]")
    if hasattr(command, "list_commands"):
        pieces.append("COMMAND [ARGS]...")
    return " ".join(pieces)


def _row(param: Any, words: dict[str, str]) -> str:
    if _is_option(param):
        names = ", ".join(f"`{n}`" for n in [*param.opts, *param.secondary_opts])
    else:
        names = f"`{(param.name or '').upper()}`"
    help_text = getattr(param, "help", None) or ""
    default = words["required"] if param.required else _default(param)
    return f"| {names} | {_type(param)} | {default} | {_cell(help_text)} |"


def _type(param: Any) -> str:
    """What the parameter takes: a flag, one of its choices, or a kind of value."""
    if getattr(param, "is_flag", False):
        return "flag"
    descriptor = getattr(param, "type_descriptor", None)
    if descriptor is not None:
        return _kind(descriptor.annotation)
    choices = getattr(param.type, "choices", None)
    if choices:
        return " \\| ".join(f"`{c}`" for c in choices)
    return str(param.type.name)


KINDS: dict[object, str] = {
    str: "text",
    int: "integer",
    float: "float",
    bool: "boolean",
    Path: "path",
    date: "date",
    datetime: "datetime",
}


def _kind(annotation: Any) -> str:
    """A Python annotation as the reference names it (``X | None`` as X, a list as X...)."""
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in typing.get_args(annotation) if a is not type(None)]
        return _kind(inner[0]) if len(inner) == 1 else " or ".join(_kind(a) for a in inner)
    if origin in (list, tuple):
        return _kind(typing.get_args(annotation)[0]) + " ..."
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return " \\| ".join(f"`{m.value}`" for m in annotation)
    return KINDS.get(annotation, getattr(annotation, "__name__", str(annotation)).lower())


def _default(param: Any) -> str:
    value = param.default
    if value is None or value == "" or callable(value) or (_is_option(param) and value is False):
        return ""
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    return _cell(f"`{value}`")


def _text(text: str) -> str:
    """Help text as Markdown: angle brackets shown, not taken for HTML."""
    return text.replace("<", "&lt;").replace(">", "&gt;")


def _cell(text: str) -> str:
    """Help text fit for one table cell."""
    return _text(" ".join(text.split())).replace("|", "\\|")
