"""The one paging helper of the staff lists: where a page sits and links that keep filters."""

from __future__ import annotations

from importlib.resources import files
from pathlib import Path

from pfund.web.paging import paginate, paginate_stored


def test_a_page_of_rows_with_its_place_and_neighbours() -> None:
    rows = list(range(398))
    page = paginate(rows, {"page": "3", "status": "planned"}, "/staff/tranches")
    assert page.items == rows[100:150]
    assert (page.first, page.last, page.total, page.pages) == (101, 150, 398, 8)
    assert page.previous == "/staff/tranches?status=planned&page=2"
    assert page.next == "/staff/tranches?status=planned&page=4"
    assert page.numbers() == [1, 2, 3, 4, 5, None, 8]


def test_out_of_range_or_odd_numbers_fall_back_to_a_page_that_exists() -> None:
    rows = list(range(30))
    assert paginate(rows, {"page": "99"}, "/x").number == 1
    assert paginate(rows, {"page": "abc"}, "/x").number == 1
    assert paginate(rows, {"per_page": "7"}, "/x").per_page == 50  # not a choice
    small = paginate(rows, {"per_page": "25", "page": "2"}, "/x")
    assert small.items == rows[25:] and small.link(1) == "/x?page=1&per_page=25"


def test_a_notice_and_the_language_are_not_kept_as_filters() -> None:
    page = paginate([1, 2], {"message": "done", "lang": "ru", "year": "2030", "q": ""}, "/x")
    assert dict(page.filters) == {"year": "2030"}


def test_an_empty_list_is_one_empty_page() -> None:
    page = paginate(list[int](), {}, "/x")
    assert (page.number, page.pages, page.first, page.last, page.next) == (1, 1, 0, 0, None)


def test_a_list_the_store_pages_is_read_one_page_at_a_time() -> None:
    rows = list(range(120))
    asked: list[tuple[int, int]] = []

    def fetch(offset: int, limit: int) -> tuple[int, list[int]]:
        asked.append((offset, limit))
        return len(rows), rows[offset : offset + limit]

    page = paginate_stored(fetch, {"page": "2", "per_page": "25", "kind": "x"}, "/x")
    assert page.items == rows[25:50] and page.total == 120 and asked == [(25, 25)]
    assert page.next == "/x?kind=x&page=3&per_page=25"
    asked.clear()
    last = paginate_stored(fetch, {"page": "99"}, "/x")  # past the end: the last page
    assert last.number == 3 and last.items == rows[100:] and asked == [(4900, 50), (100, 50)]


def test_one_class_wraps_every_table_that_scrolls_sideways() -> None:
    """Staff and intake pages once used two classes (``scroll``, ``table-wrap``) for the
    same wrapper; one is kept, so a change to it reaches every page."""
    web = Path(str(files("pfund.web")))
    templates = [p.read_text(encoding="utf-8") for p in (web / "templates").rglob("*.j2")]
    assert sum(t.count('class="table-wrap"') for t in templates) >= 9
    assert not [t for t in templates if 'class="scroll"' in t]
    css = (web / "static" / "style.css").read_text(encoding="utf-8")
    assert ".table-wrap {" in css and ".scroll" not in css
