"""Paging for the staff lists: a page of rows, how many there are, and links that keep
the list's filters, so that a list of 400 tranches reads as a few pages of 50.

One helper for every list, so that ``page`` and ``per_page`` mean the same everywhere
and a link to page 3 keeps the project, status and year the reader chose.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar
from urllib.parse import urlencode

T = TypeVar("T")

PER_PAGE = 50
PER_PAGE_CHOICES = (25, 50, 100, 200)
# Query parameters that are not filters: a page's notice after a form is not kept.
NOT_FILTERS = frozenset({"message", "lang"})


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its rows, where it sits, and links to its neighbours."""

    items: list[T]
    number: int
    per_page: int
    total: int
    path: str
    filters: Mapping[str, str] = field(default_factory=dict)
    prefix: str = ""
    default_per_page: int = PER_PAGE

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def first(self) -> int:
        """The position of the page's first row, from 1 (0 for an empty list)."""
        return (self.number - 1) * self.per_page + 1 if self.items else 0

    @property
    def last(self) -> int:
        return self.first + len(self.items) - 1 if self.items else 0

    @property
    def previous(self) -> str | None:
        return self.link(self.number - 1) if self.number > 1 else None

    @property
    def next(self) -> str | None:
        return self.link(self.number + 1) if self.number < self.pages else None

    def link(self, number: int) -> str:
        """The address of page ``number`` of this list with the same filters."""
        query = dict(self.filters)
        query[f"{self.prefix}page"] = str(number)
        if self.per_page != self.default_per_page:
            query[f"{self.prefix}per_page"] = str(self.per_page)
        return f"{self.path}?{urlencode(query)}"

    def numbers(self, around: int = 2) -> list[int | None]:
        """Page numbers to link: the first, the last and those near this one; ``None``
        stands for a gap (shown as an ellipsis)."""
        wanted = {1, self.pages, *range(self.number - around, self.number + around + 1)}
        shown = sorted(n for n in wanted if 1 <= n <= self.pages)
        out: list[int | None] = []
        for n in shown:
            if out and out[-1] is not None and n - out[-1] > 1:
                out.append(None)
            out.append(n)
        return out

    @property
    def here(self) -> str:
        """The address of this very page, filters included: where a form sends the
        reader back after acting on one of its rows."""
        return self.link(self.number)


def _number(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _window(query: Mapping[str, str], total: int, prefix: str, per_page: int) -> tuple[int, int]:
    """The page number and size ``query`` asks for, for a list of ``total`` rows: a page
    number past the end is the last page, a per-page count one of ``PER_PAGE_CHOICES``."""
    size = _number(query.get(f"{prefix}per_page"), per_page)
    size = size if size in {*PER_PAGE_CHOICES, per_page} else per_page
    pages = max(1, -(-total // size))
    return min(max(1, _number(query.get(f"{prefix}page"), 1)), pages), size


def _filters(query: Mapping[str, str], prefix: str) -> dict[str, str]:
    kept = {f"{prefix}page", f"{prefix}per_page"} | NOT_FILTERS
    return {k: v for k, v in query.items() if k not in kept and v != ""}


# Reads one page of a list in the store: (offset, limit) -> (how many rows in all, the rows).
Fetch = Callable[[int, int], tuple[int, Sequence[T]]]


def paginate_stored(
    fetch: Fetch[T],
    query: Mapping[str, str],
    path: str,
    *,
    prefix: str = "",
    per_page: int = PER_PAGE,
) -> Page[T]:
    """The page ``query`` asks for of a list the store pages itself (``LIMIT``/``OFFSET``
    and a ``COUNT``), so that a page of 50 reads 50 rows however long the list is.

    ``fetch`` gives the total with the rows, in one transaction; the total is known only
    then, so a page number past the end costs one more fetch, of the last page.
    """
    asked, size = _window(query, 10**9, prefix, per_page)
    total, rows = fetch((asked - 1) * size, size)
    number, _ = _window(query, total, prefix, per_page)
    if number != asked:
        total, rows = fetch((number - 1) * size, size)
    filters = _filters(query, prefix)
    return Page(list(rows), number, size, total, path, filters, prefix, per_page)


def paginate(
    rows: Sequence[T],
    query: Mapping[str, str],
    path: str,
    *,
    prefix: str = "",
    per_page: int = PER_PAGE,
) -> Page[T]:
    """The page of ``rows`` (a list already in memory) that ``query`` asks for
    (``page``, ``per_page``, with ``prefix`` when a page holds two lists), as
    ``paginate_stored`` gives it for a list the store pages."""
    return paginate_stored(
        lambda offset, limit: (len(rows), rows[offset : offset + limit]),
        query,
        path,
        prefix=prefix,
        per_page=per_page,
    )
