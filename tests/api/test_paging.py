"""The one paging helper of the staff lists: where a page sits and links that keep filters."""

from __future__ import annotations

from pfund.web.paging import paginate


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
