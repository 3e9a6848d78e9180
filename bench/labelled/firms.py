"""Generate the labelled firm-name pairs of issue #14, point 4: ``firms.jsonl`` beside this file.

Usage: python bench/labelled/firms.py [OUT_JSONL]

Each line is ``{"query", "listed", "schema": "Company", "match", "class", "rule"}`` and, for
pairs decided by more than the names, ``query_ids`` / ``listed_ids`` (INN, OGRN) or
``listed_aliases``. Deterministic: one seeded ``random.Random`` draws every choice, so the
file is the same on every run. The classes and the rules they follow:

- ``firm_number_added`` (no match): the listed name plus a number, written as registers
  and lists write it: ``-2``, ``№ 3``, ``No. 3``, ``2``, a Roman ``II``. A numbered firm
  is a separate registration (the Unified State Register of Legal Entities, ЕГРЮЛ,
  holds "Ромашка" and "Ромашка-2" as two legal persons).
- ``firm_branch_added`` (no match): a branch word before or after the listed name
  (филиал, представительство: Civil Code art. 55; the English "branch", "representative
  office"), or a federal district's adjective (Decree No. 849 of 13 May 2000: Северо-
  Западный, Приволжский, ...).
- ``firm_region_added`` (no match): a region of the fund's table
  (``src/pfund/data/rpf/regions.csv``) added to the name: its Russian adjective in the
  masculine, as a regional company's name gives it (Самарский), or its English name
  (Samara).
- ``legal_form_conversion`` (match): the listed form changed as Russian law lets a company
  change it without becoming another business: ООО ↔ АО by transformation (Civil Code art.
  92), ЗАО → АО and ОАО → ПАО or АО by the 2014 reform (Federal Law No. 99-FZ of 5 May
  2014, art. 3).
- ``legal_form_english`` (match): the same form in its English rendering (ООО = LLC,
  АО = JSC, ПАО = PJSC, ЗАО = CJSC, ОАО = OJSC) with the name romanised by the Wikipedia
  scheme (iuliia), the form before or after the name.
- ``quotes_order`` (match): the same name and form with «», "" or no quotes and the form
  before the name, after it, or after a comma.
- ``shared_identifier`` (match): a number or branch added, but both records carry the same
  INN: the identifier outweighs the names.
- ``listed_alias`` (match): a number added, but the listed entity's own aliases hold that
  extended name.
"""

from __future__ import annotations

import csv
import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path

import iuliia

ROOT = Path(__file__).resolve().parents[2]
OUT = Path(__file__).resolve().with_suffix(".jsonl")
REGIONS = ROOT / "src" / "pfund" / "data" / "rpf" / "regions.csv"
SEED = 14
PER_CLASS = 60

# Words of Russian firm names: what the firm does, then its own name.
ACTIVITIES = (
    "", "", "Торговый дом", "Научно-производственное объединение", "Строительная компания",
    "Транспортная компания", "Инвестиционная группа", "Агрофирма", "Производственная фирма",
    "Управляющая компания", "Лизинговая компания", "Завод",
)  # fmt: skip
OWN_NAMES = (
    "Ромашка", "Вектор", "Гранит", "Меридиан", "Орион", "Полюс", "Импульс", "Кристалл",
    "Прогресс", "Феникс", "Сигма", "Атлант", "Стройтехмонтаж", "Энергосервис", "Альтаир",
    "Промресурс", "Техноком", "Спецавтоматика", "Металлинвест", "Агроальянс", "Логистик Плюс",
    "Нефтехимпроект", "Медтехника", "Теплосеть", "Геосистема",
)  # fmt: skip
FORMS_RU = ("ООО", "АО", "ПАО", "ЗАО", "ОАО")
FORMS_EN = {"ООО": "LLC", "АО": "JSC", "ПАО": "PJSC", "ЗАО": "CJSC", "ОАО": "OJSC"}
CONVERSIONS = (
    ("ООО", "АО", "Civil Code art. 92: an ООО transformed into an АО"),
    ("АО", "ООО", "Civil Code art. 92: an АО transformed into an ООО"),
    ("ЗАО", "АО", "99-FZ of 5 May 2014, art. 3: a ЗАО is now a non-public АО"),
    ("ОАО", "ПАО", "99-FZ of 5 May 2014, art. 3: an ОАО is now a ПАО"),
    ("ОАО", "АО", "99-FZ of 5 May 2014, art. 3: a non-public ОАО is now an АО"),
    ("ЗАО", "ООО", "Civil Code art. 92: a ЗАО transformed into an ООО"),
)
NUMBER_STYLES = (
    ("{name}-{n}", "number joined by a hyphen"),
    ("{name} № {n}", "number after the number sign"),
    ("{name} No. {n}", "number after No."),
    ("{name} {n}", "number as a separate word"),
    ("{name} {roman}", "Roman numeral"),
)
ROMAN = {2: "II", 3: "III", 4: "IV", 5: "V", 6: "VI", 7: "VII", 8: "VIII", 9: "IX"}
BRANCHES_RU = (
    ("Филиал {form} «{name}»", "филиал before the name (Civil Code art. 55)"),
    ("Представительство {form} «{name}»", "представительство before the name (art. 55)"),
    ("{form} «{name}» филиал", "филиал after the name (art. 55)"),
    ("Северо-Западный филиал {form} «{name}»", "federal district and филиал (Decree 849)"),
    ("{form} «{name} Северо-Западный»", "federal district adjective (Decree 849)"),
    ("{form} «{name} Приволжский»", "federal district adjective (Decree 849)"),
    ("{form} «{name} Сибирский»", "federal district adjective (Decree 849)"),
)
BRANCHES_EN = (
    ("{latin} {form} Branch", "English 'branch' after the name"),
    ("{latin} {form} Representative Office", "English 'representative office'"),
    ("{latin} North-Western Branch {form}", "English federal district and branch"),
)


# English region words that rarely name the region in a firm's name (the lexicon of
# ``entity_marks`` leaves them out too).
AMBIGUOUS_ENGLISH = frozenset({"Jewish"})


def regions() -> list[tuple[str, str]]:
    """(Russian masculine adjective, English name) of the regions whose Russian name opens
    with an adjective (Самарская область → Самарский, Samara)."""
    found = []
    with REGIONS.open(encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            first = row["name_ru"].split()[0]
            english = row["name"].split()[0]
            if first.endswith(("ская", "цкая")) and english not in AMBIGUOUS_ENGLISH:
                found.append((first[:-2] + "ий", english))
    return found


def latin(text: str) -> str:
    """A Russian name romanised by the Wikipedia scheme, words capitalised."""
    spelt = iuliia.WIKIPEDIA.translate(text)
    return " ".join(word[:1].upper() + word[1:] for word in spelt.split())


class Generator:
    """Draws firms and writes the pairs of each class."""

    def __init__(self, seed: int = SEED) -> None:
        self.random = random.Random(seed)
        self.inn = 7700000000

    def name(self) -> str:
        activity = self.random.choice(ACTIVITIES)
        return f"{activity} {self.random.choice(OWN_NAMES)}".strip()

    def listed(self, form: str | None = None) -> tuple[str, str, str]:
        """A listed firm: its bare name, its form and the name as listed (ООО «Ромашка»)."""
        name, form = self.name(), form or self.random.choice(FORMS_RU)
        return name, form, f"{form} «{name}»"

    def next_inn(self) -> str:
        self.inn += self.random.randint(1, 9999)
        return str(self.inn)

    def row(self, query: str, listed: str, match: bool, kind: str, rule: str, **extra: object
            ) -> dict[str, object]:  # fmt: skip
        return {"query": query, "listed": listed, "schema": "Company", "match": match,
                "class": kind, "rule": rule, **extra}  # fmt: skip

    def number_added(self) -> dict[str, object]:
        name, form, listed = self.listed()
        style, rule = self.random.choice(NUMBER_STYLES)
        n = self.random.randint(2, 9)
        numbered = style.format(name=name, n=n, roman=ROMAN[n])
        return self.row(f"{form} «{numbered}»", listed, False, "firm_number_added", rule)

    def branch_added(self) -> dict[str, object]:
        name, form, listed = self.listed()
        if self.random.random() < 0.7:
            style, rule = self.random.choice(BRANCHES_RU)
            query = style.format(form=form, name=name)
        else:
            style, rule = self.random.choice(BRANCHES_EN)
            query = style.format(form=FORMS_EN[form], latin=latin(name))
        return self.row(query, listed, False, "firm_branch_added", rule)

    def region_added(self, table: list[tuple[str, str]]) -> dict[str, object]:
        name, form, listed = self.listed()
        adjective, english = self.random.choice(table)
        if self.random.random() < 0.6:
            query, rule = f"{form} «{name} {adjective}»", f"Russian adjective {adjective}"
        else:
            query = f"{latin(name)} {english} {FORMS_EN[form]}"
            rule = f"English region name {english}"
        return self.row(query, listed, False, "firm_region_added", f"regions.csv: {rule}")

    def conversion(self) -> dict[str, object]:
        old, new, rule = self.random.choice(CONVERSIONS)
        name, _, listed = self.listed(old)
        return self.row(f"{new} «{name}»", listed, True, "legal_form_conversion", rule)

    def english(self) -> dict[str, object]:
        name, form, listed = self.listed()
        english = FORMS_EN[form]
        before = self.random.random() < 0.3
        query = f"{english} {latin(name)}" if before else f"{latin(name)} {english}"
        rule = f"{form} = {english}, Wikipedia romanisation, form {'before' if before else 'after'}"
        return self.row(query, listed, True, "legal_form_english", rule)

    def quotes_order(self) -> dict[str, object]:
        name, form, listed = self.listed()
        styles = (
            (f'{form} "{name}"', "straight quotes"),
            (f"«{name}» {form}", "form after the name"),
            (f"{name}, {form}", "no quotes, form after a comma"),
            (f"{form} {name}", "no quotes"),
            (f'"{name}" {form}', "straight quotes, form after"),
        )
        query, rule = self.random.choice(styles)
        return self.row(query, listed, True, "quotes_order", rule)

    def shared_identifier(self) -> dict[str, object]:
        extended = self.number_added() if self.random.random() < 0.5 else self.branch_added()
        inn = self.next_inn()
        return self.row(str(extended["query"]), str(extended["listed"]), True,
                        "shared_identifier", f"same INN; {extended['rule']}",
                        query_ids=[inn], listed_ids=[inn])  # fmt: skip

    def listed_alias(self) -> dict[str, object]:
        extended = self.number_added()
        alias = str(extended["query"])
        return self.row(alias, str(extended["listed"]), True, "listed_alias",
                        f"the listed entity's alias; {extended['rule']}",
                        listed_aliases=[alias])  # fmt: skip

    def rows(self) -> Iterator[dict[str, object]]:
        table = regions()
        makers = (
            self.number_added, self.branch_added, lambda: self.region_added(table),
            self.conversion, self.english, self.quotes_order, self.shared_identifier,
            self.listed_alias,
        )  # fmt: skip
        for make in makers:
            seen: set[tuple[str, str]] = set()
            while len(seen) < PER_CLASS:
                row = make()
                pair = (str(row["query"]), str(row["listed"]))
                if pair not in seen:
                    seen.add(pair)
                    yield row


def lines(seed: int = SEED) -> list[str]:
    """The JSON lines of the labelled set."""
    return [json.dumps(row, ensure_ascii=False) for row in Generator(seed).rows()]


def main(argv: list[str]) -> None:
    out = Path(argv[0]) if argv else OUT
    out.write_text("\n".join(lines()) + "\n", encoding="utf-8")
    print(f"wrote {out}")


if __name__ == "__main__":
    main(sys.argv[1:])
