"""Counts with their nouns, as each language writes them: "1 tranche", "2 tranches";
«1 транш», «2 транша», «5 траншей».

A notice is written in English where it is made (a staff action's redirect, a CLI line),
so its counts are written here too, by ``counted``, with the singular for one. A page
translating the notice (``pfund.web.localize``) finds each count by the name of its
slot in the message's template (``%(tranches)s``) and writes it again with the catalog's
``ngettext``, which knows Russian's three forms (one, few, many). Pages write counts of
their own with ``ngettext`` in the template; a count whose noun comes from data (the
kind of records imported) takes its pair from here.

The CLI speaks English: it writes the counts of its own lines with ``counted`` too, or
with ``plural`` for a noun no page shows. ``Nn_`` only marks a pair for extraction
(``pybabel extract -k Nn_:1,2``).
"""

from __future__ import annotations


def Nn_(one: str, many: str) -> tuple[str, str]:  # noqa: N802 (the gettext convention)
    return one, many


# Each slot's singular and plural, with the count as ``%(num)s``. A placeholder of a
# notice's template (pfund.web.localize.MESSAGES) named like a slot here is a count.
COUNTS = {
    "projects": Nn_("%(num)s project", "%(num)s projects"),
    "organisations": Nn_("%(num)s organisation", "%(num)s organisations"),
    "people": Nn_("%(num)s person", "%(num)s people"),
    "indicators": Nn_("%(num)s indicator", "%(num)s indicators"),
    "tranches": Nn_("%(num)s tranche", "%(num)s tranches"),
    "frozen": Nn_("%(num)s tranche frozen", "%(num)s tranches frozen"),
    "entities": Nn_("%(num)s entity", "%(num)s entities"),
    "new_hits": Nn_("%(num)s new hit", "%(num)s new hits"),
    "companies": Nn_("%(num)s company", "%(num)s companies"),
    "new_organisations": Nn_("%(num)s new organisation", "%(num)s new organisations"),
    "problems_found": Nn_("%(num)s problem found", "%(num)s problems found"),
    "numbers": Nn_("%(num)s number", "%(num)s numbers"),
}


def counted(n: int, slot: str) -> str:
    """``n`` and the noun of ``slot`` in English: the singular for one, else the plural."""
    one, many = COUNTS[slot]
    return (one if n == 1 else many) % {"num": n}


def plural(n: int, one: str, many: str) -> str:
    """``n`` and a noun no page translates (a CLI line's own), in English."""
    return f"{n} {one if n == 1 else many}"
