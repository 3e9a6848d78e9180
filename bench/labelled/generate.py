"""Generate a labelled set of Russian person names in the spellings found in practice.

Usage: python bench/labelled/generate.py [OUT_JSONL]  (default bench/labelled/persons.jsonl)

Each line is ``{"query", "listed", "schema", "match", "class", "rule"}``: ``listed`` is a
name as a Russian list writes it (Cyrillic), ``query`` the same or another person written
by one cited rule. Deterministic: no randomness, names and rules in fixed order, so the
file is the same on every run (a test checks it).

Rules, by class:

- ``scheme_<name>``: the official and library romanisations, as the iuliia package
  implements them (https://github.com/nalgeon/iuliia: ALA-LC, BGN/PCGN, BS 2979, GOST
  16876, GOST 52290, GOST 52535, GOST 7034, GOST 7.79, ICAO Doc 9303, ISO 9, MVD 310 and
  782, Moscow metro, scientific, Telegram, UNGEGN 1987, Wikipedia, Yandex);
- ``combining_marks``: ALA-LC (tie bars), GOST 7.79 and the scientific scheme written in
  decomposed form (Unicode NFD: a letter followed by its combining caron or circumflex),
  as text copied from PDFs and library catalogues arrives;
- ``german``, ``french``, ``polish``, ``czech``, ``italian``: the usual transliteration
  of Russian in each language's press, after the table "Transliteration of Russian into
  other languages" of Wikipedia's "Romanization of Russian" (German after Duden; French;
  Polish after the Polish spelling rules; Czech; Italian), tables ``LANGUAGES`` below;
- ``patronymic_like_surname``: surnames ending -ович/-евич/-ич (Абрамович, Рабинович,
  Шостакович) in "Given Patronymic Surname" order, against the name without the
  patronymic or in list order (Surname Given Patronymic);
- ``case``: the same names in upper case, as passports and lists print them;
- ``ukrainian``, ``belarusian``: names shared with Russian in their Ukrainian and
  Belarusian spelling (і, ї, є, ґ; ў, і), listed in Russian, queried in Cyrillic and in
  the national passport romanisation (Ukraine: Cabinet of Ministers resolution 55 of
  2010; Belarus: the 2000 national system, as in Belarusian passports' Latin field);
- ``nonmatch_*``: another person: another surname, or the same surname and given name
  with another patronymic, or the same given name and patronymic with another surname.
"""

import json
import re
import sys
import unicodedata
from collections.abc import Callable
from functools import partial
from pathlib import Path

import iuliia

OUT = Path(__file__).resolve().parent / "persons.jsonl"

# (given, patronymic, surname) in Russian.
PEOPLE: tuple[tuple[str, str, str], ...] = (
    ("Никита", "Сергеевич", "Хрущёв"),
    ("Михаил", "Сергеевич", "Горбачёв"),
    ("Юрий", "Алексеевич", "Гагарин"),
    ("Георгий", "Константинович", "Жуков"),
    ("Марина", "Ивановна", "Цветаева"),
    ("Пётр", "Ильич", "Чайковский"),
    ("Дмитрий", "Дмитриевич", "Шостакович"),
    ("Александр", "Исаевич", "Солженицын"),
    ("Владимир", "Владимирович", "Путин"),
    ("Игорь", "Иванович", "Сечин"),
    ("Алишер", "Бурханович", "Усманов"),
    ("Геннадий", "Николаевич", "Тимченко"),
    ("Евгений", "Викторович", "Пригожин"),
    ("Юлия", "Владимировна", "Щербакова"),
    ("Олег", "Владимирович", "Дерипаска"),
    ("Аркадий", "Романович", "Ротенберг"),
    ("Фёдор", "Михайлович", "Достоевский"),
    ("Елена", "Юрьевна", "Хачатурян"),
    ("Вячеслав", "Викторович", "Володин"),
    ("Ксения", "Анатольевна", "Собчак"),
    ("Сергей", "Кужугетович", "Шойгу"),
    ("Татьяна", "Алексеевна", "Голикова"),
    ("Анатолий", "Борисович", "Чубайс"),
    ("Григорий", "Алексеевич", "Явлинский"),
)
PATRONYMIC_LIKE: tuple[tuple[str, str, str], ...] = (
    ("Роман", "Аркадьевич", "Абрамович"),
    ("Иван", "Сергеевич", "Рабинович"),
    ("Дмитрий", "Дмитриевич", "Шостакович"),
    ("Андрей", "Викторович", "Мицкевич"),
    ("Елена", "Петровна", "Станкевич"),
    ("Михаил", "Юрьевич", "Гуревич"),
    ("Ипполит", "Фёдорович", "Богданович"),
    ("Ольга", "Николаевна", "Лукашевич"),
    ("Сергей", "Павлович", "Карпович"),
    ("Борис", "Ефимович", "Немцович"),
    ("Анна", "Игоревна", "Пашкевич"),
    ("Николай", "Иванович", "Петрович"),
)
OTHER_SURNAMES = ("Кузнецов", "Смирнова", "Попов", "Лебедев", "Новиков", "Морозов")
OTHER_PATRONYMICS = ("Петрович", "Андреевна", "Олегович", "Тимурович", "Павловна")


def _rows(text: str) -> tuple[tuple[str, ...], ...]:
    """Rows of " | "-separated fields; a line starting with spaces continues the row."""
    joined = re.sub(r"\s*\n\s+", " ", text.strip())
    return tuple(tuple(line.split(" | ")) for line in joined.splitlines())


# Ukrainian and Belarusian spellings of names shared with Russian: Russian listed |
# Ukrainian or Belarusian Cyrillic | its passport romanisation.
UKRAINIAN: tuple[tuple[str, ...], ...] = _rows(
    """
Александр Иванович Коваленко | Олександр Іванович Коваленко | Oleksandr Ivanovych Kovalenko
Андрей Петрович Шевченко | Андрій Петрович Шевченко | Andrii Petrovych Shevchenko
Сергей Николаевич Бондаренко | Сергій Миколайович Бондаренко | Serhii Mykolaiovych Bondarenko
Григорий Васильевич Ткаченко | Григорій Васильович Ткаченко | Hryhorii Vasylovych Tkachenko
Юлия Владимировна Тимошенко | Юлія Володимирівна Тимошенко | Yuliia Volodymyrivna Tymoshenko
Евгений Олегович Кравченко | Євген Олегович Кравченко | Yevhen Olehovych Kravchenko
Игорь Валерьевич Коломойский | Ігор Валерійович Коломойський | Ihor Valeriiovych Kolomoiskyi
Виктор Фёдорович Янукович | Віктор Федорович Янукович | Viktor Fedorovych Yanukovych
Ганна Ивановна Гончаренко | Ганна Іванівна Гончаренко | Hanna Ivanivna Honcharenko
Ольга Ильинична Зинченко | Ольга Іллівна Зінченко | Olha Illivna Zinchenko
"""
)
BELARUSIAN: tuple[tuple[str, ...], ...] = _rows(
    """
Александр Григорьевич Лукашенко |
    Аляксандр Рыгоравіч Лукашэнка | Aliaksandr Ryhoravich Lukashenka
Светлана Георгиевна Тихановская |
    Святлана Георгіеўна Ціханоўская | Sviatlana Heorhiyeuna Tsikhanouskaya
Мария Александровна Колесникова |
    Марыя Аляксандраўна Калеснікава | Maryia Aliaksandrauna Kalesnikava
Виктор Дмитриевич Бабарико | Віктар Дзмітрыевіч Бабарыка | Viktar Dzmitryevich Babaryka
Роман Дмитриевич Протасевич | Раман Дзмітрыевіч Пратасевіч | Raman Dzmitryevich Pratasevich
Владимир Петрович Макей | Уладзімір Пятровіч Макей | Uladzimir Piatrovich Makei
Наталья Ивановна Кочанова | Наталля Іванаўна Качанава | Natallia Ivanauna Kachanava
Сергей Степанович Тихановский | Сяргей Сцяпанавіч Ціханоўскі | Siarhei Sciapanavich Tsikhanouski
"""
)

_VOWELS = "аеёиоуыэюяьъй"


def _lang_table(base: dict[str, str], **extra: str) -> dict[str, str]:
    return base | extra


_COMMON = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "jo", "ж": "zh",
    "з": "z", "и": "i", "й": "j", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts",
    "ч": "ch", "ш": "sh", "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "ju",
    "я": "ja",
}  # fmt: skip
# Letters each language writes its own way; "^e" is е at the start of a word or after a
# vowel, where it is pronounced je; "ий$" and "ый$" are the adjective endings.
LANGUAGES: dict[str, dict[str, str]] = {
    "german": _COMMON | {
        "в": "w", "ж": "sch", "з": "s", "й": "i", "х": "ch", "ц": "z", "ч": "tsch",
        "ш": "sch", "щ": "schtsch", "^e": "je", "ё+": "o", "ё": "jo", "ы": "y",
        "ий$": "i", "ый$": "y",
    },
    "french": _COMMON | {
        "ж": "j", "у": "ou", "й": "ï", "х": "kh", "ц": "ts", "ч": "tch", "ш": "ch",
        "щ": "chtch", "ё+": "e", "ю": "iou", "я": "ia", "ё": "io", "^e": "ie",
        "ий$": "i", "ый$": "y",
        "г+e": "gu", "г+и": "gu",
    },
    "polish": _COMMON | {
        "в": "w", "ж": "ż", "й": "j", "х": "ch", "ц": "c", "ч": "cz", "ш": "sz",
        "щ": "szcz", "ё+": "o", "л": "ł", "л+е": "l", "л+и": "l", "л+ю": "l", "л+я": "l",
        "л+ь": "l",
        "^e": "je", "+e": "ie", "ё": "io", "ю": "iu", "я": "ia", "^ю": "ju", "^я": "ja",
        "ий$": "ij", "ый$": "y", "ь": "",
    },
    "czech": _COMMON | {
        "ж": "ž", "х": "ch", "ц": "c", "ч": "č", "ш": "š", "щ": "šč", "й": "j",
        "ё+": "o", "^e": "je", "ё": "jo", "ю": "ju", "я": "ja", "ий$": "ij", "ый$": "yj", "ь": "",
    },
    "italian": _COMMON | {
        "ж": "ž", "х": "ch", "ц": "c", "ч": "č", "ш": "š", "щ": "šč", "й": "j", "ё": "ë",
        "ю": "ju", "я": "ja", "ий$": "ij", "ый$": "yj",
    },
}  # fmt: skip


def transliterate(word: str, table: dict[str, str]) -> str:
    """One Russian word in a language's convention: contextual entries first (``^e`` at
    the start or after a vowel, ``+e`` after a consonant, ``л+е`` before a letter,
    ``ий$`` at the end), then letter by letter."""
    lower = word.lower()
    out: list[str] = []
    at = 0
    while at < len(lower):
        char = lower[at]
        rest = lower[at:]
        previous = lower[at - 1] if at else ""
        following = lower[at + 1] if at + 1 < len(lower) else ""
        ending = next((k for k in table if k.endswith("$") and rest == k[:-1]), None)
        if ending:
            out.append(table[ending])
            break
        if char == "ё" and previous in "жчшщ" and "ё+" in table:
            out.append(table["ё+"])
        elif char == "е" and (not previous or previous in _VOWELS) and "^e" in table:
            out.append(table["^e"])
        elif char in "юя" and not previous and f"^{char}" in table:
            out.append(table[f"^{char}"])
        elif char == "е" and previous and previous not in _VOWELS and "+e" in table:
            out.append(table["+e"])
        elif f"{char}+{following}" in table:
            out.append(table[f"{char}+{following}"])
        else:
            out.append(table.get(char, char))
        at += 1
    text = "".join(out)
    return text[:1].upper() + text[1:]


def _words(name: str, spell: Callable[[str], str]) -> str:
    return " ".join(spell(word) for word in name.split())


def _schemes() -> list[tuple[str, iuliia.Schema]]:
    """Every iuliia scheme for Russian (not the Uzbek one), by name."""
    return [
        (name.lower(), getattr(iuliia, name))
        for name in sorted(dir(iuliia))
        if name.isupper() and name != "UZ" and hasattr(getattr(iuliia, name), "translate")
    ]


def _line(query: str, listed: str, match: bool, kind: str, rule: str) -> dict[str, object]:
    return {
        "query": query,
        "listed": listed,
        "schema": "Person",
        "match": match,
        "class": kind,
        "rule": rule,
    }


def _nonmatches(people: tuple[tuple[str, str, str], ...]) -> list[dict[str, object]]:
    lines = []
    for number, (given, patronymic, surname) in enumerate(people):
        listed = f"{surname} {given} {patronymic}"
        other_surname = OTHER_SURNAMES[number % len(OTHER_SURNAMES)]
        other_patronymic = OTHER_PATRONYMICS[number % len(OTHER_PATRONYMICS)]
        wiki = iuliia.WIKIPEDIA
        lines.append(
            _line(
                _words(f"{given} {patronymic} {other_surname}", wiki.translate),
                listed,
                False,
                "nonmatch_surname",
                "another surname, same given name and patronymic (Wikipedia scheme)",
            )
        )
        if other_patronymic != patronymic:
            lines.append(
                _line(
                    _words(f"{given} {other_patronymic} {surname}", wiki.translate),
                    listed,
                    False,
                    "nonmatch_patronymic",
                    "another patronymic: another father (Wikipedia scheme)",
                )
            )
    return lines


def generate() -> list[dict[str, object]]:
    """Every labelled line, in a fixed order."""
    lines: list[dict[str, object]] = []
    for given, patronymic, surname in PEOPLE:
        listed = f"{surname} {given} {patronymic}"
        ordered = f"{given} {patronymic} {surname}"
        for name, scheme in _schemes():
            lines.append(
                _line(
                    _words(ordered, scheme.translate),
                    listed,
                    True,
                    f"scheme_{name}",
                    f"iuliia {name}",
                )
            )
        for name in ("ALA_LC", "GOST_779", "SCIENTIFIC"):
            spelt = _words(ordered, getattr(iuliia, name).translate)
            lines.append(
                _line(
                    unicodedata.normalize("NFD", spelt),
                    listed,
                    True,
                    "combining_marks",
                    f"iuliia {name.lower()}, decomposed (NFD)",
                )
            )
        for language, table in LANGUAGES.items():
            lines.append(
                _line(
                    _words(f"{given} {surname}", partial(transliterate, table=table)),
                    listed,
                    True,
                    language,
                    f"{language} transliteration (Wikipedia table)",
                )
            )
        lines.append(
            _line(
                _words(ordered, iuliia.BGN_PCGN.translate).upper(),
                listed,
                True,
                "case",
                "BGN/PCGN, upper case",
            )
        )
        lines.append(_line(ordered.upper(), listed, True, "case", "Cyrillic, upper case"))
    for given, patronymic, surname in PATRONYMIC_LIKE:
        listed = f"{given} {patronymic} {surname}"
        for query, rule in (
            (f"{given} {surname}", "given name and surname (Wikipedia scheme)"),
            (f"{surname} {given}", "surname first (Wikipedia scheme)"),
            (f"{surname} {given} {patronymic}", "list order (Wikipedia scheme)"),
        ):
            lines.append(
                _line(
                    _words(query, iuliia.WIKIPEDIA.translate),
                    listed,
                    True,
                    "patronymic_like_surname",
                    rule,
                )
            )
    for kind, rows, rule in (
        ("ukrainian", UKRAINIAN, "Ukrainian passport romanisation (KMU 55, 2010)"),
        ("belarusian", BELARUSIAN, "Belarusian national romanisation (2000)"),
    ):
        for russian, national, latin in rows:
            lines.append(_line(national, russian, True, kind, f"{kind} Cyrillic spelling"))
            lines.append(_line(latin, russian, True, kind, rule))
    lines += _nonmatches(PEOPLE + PATRONYMIC_LIKE)
    return lines


def main(argv: list[str]) -> None:
    """Write the labelled set as JSON lines."""
    out = Path(argv[0]) if argv else OUT
    with out.open("w", encoding="utf-8") as handle:
        for line in generate():
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
