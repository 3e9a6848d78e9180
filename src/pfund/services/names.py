"""Names for the codes records carry, so a reader sees "Samara Oblast", not ``RU-SAM``.

Codes stay where they are useful (links, small print, exports, the API); pages, charts
and reports show these names instead, in the reader's language. They come from the
fund's reference tables (``regions.csv``, ``areas.csv``) and are cached until the store
changes, like every public view.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from pydantic import BaseModel

from pfund.services.portal import cached
from pfund.services.runtime import Runtime
from pfund.store.unit_of_work import UnitOfWork


class Named(Protocol):
    """A row of a reference table: a code and its names."""

    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def name_ru(self) -> str: ...


class Name(BaseModel):
    """A code and what a reader calls it, in English and Russian."""

    code: str
    name: str
    name_ru: str = ""

    def in_language(self, lang: str) -> str:
        """The name in ``lang``, English when no Russian name is recorded."""
        return self.name_ru if lang == "ru" and self.name_ru else self.name


def region_names(rt: Runtime) -> dict[str, Name]:
    """Every region of the fund's table by its ISO 3166-2 code."""
    return _named(rt, "regions", lambda uow: uow.reference.regions())


def area_names(rt: Runtime) -> dict[str, Name]:
    """Every area of cooperation by its code (``natural_resources``)."""
    return _named(rt, "areas", lambda uow: uow.reference.areas())


def _named(
    rt: Runtime, table: str, rows: Callable[[UnitOfWork], Sequence[Named]]
) -> dict[str, Name]:
    def build() -> dict[str, Name]:
        with rt.uow() as uow:
            found = rows(uow)
        return {r.code: Name(code=r.code, name=r.name, name_ru=r.name_ru) for r in found}

    return cached(rt, ("names", table), build)


def name_of(names: dict[str, Name], code: str, lang: str = "en") -> str:
    """The name of ``code`` in ``lang``; a code the table lacks reads as words."""
    found = names.get(code)
    return found.in_language(lang) if found else words(code)


def words(code: str) -> str:
    """A code without a recorded name, as words: ``ceasefire_only`` -> "Ceasefire only"."""
    text = code.replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def short(title: str, limit: int = 48) -> str:
    """A title short enough for a chart's axis, cut at a word."""
    if len(title) <= limit:
        return title
    return title[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"
