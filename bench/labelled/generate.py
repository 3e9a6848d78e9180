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

Held out: the lines of ``HELD_OUT_PEOPLE``, ``HELD_OUT_PATRONYMIC_LIKE``,
``HELD_OUT_UKRAINIAN`` and ``HELD_OUT_BELARUSIAN`` follow the same rules for other people,
added after the scorer's rules for these classes were written and never looked at while
writing them; they carry ``"split": "held_out"`` (other lines carry no split). Their
Ukrainian and Belarusian Latin spellings are made by rule, not by hand: ``KMU_2010``
(Ukraine, Cabinet of Ministers resolution 55 of 27 January 2010) and
``BELARUS_PASSPORT`` (the romanisation of Belarusian passports, ICAO Doc 9303 based:
ў as u, г as h, я, ю as ia, iu after a consonant, as the development rows write them).
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

# Held out (see the module docstring): people and spellings never looked at while the
# scorer's rules for these classes were written.
HELD_OUT_PEOPLE: tuple[tuple[str, str, str], ...] = (
    ("Борис", "Николаевич", "Ельцин"),
    ("Лев", "Николаевич", "Толстой"),
    ("Анна", "Андреевна", "Ахматова"),
    ("Сергей", "Викторович", "Лавров"),
    ("Алексей", "Борисович", "Миллер"),
    ("Валентина", "Ивановна", "Матвиенко"),
    ("Дмитрий", "Анатольевич", "Медведев"),
    ("Михаил", "Борисович", "Ходорковский"),
    ("Зинаида", "Николаевна", "Гиппиус"),
    ("Вячеслав", "Михайлович", "Молотов"),
)
HELD_OUT_PATRONYMIC_LIKE: tuple[tuple[str, str, str], ...] = (
    ("Ирина", "Сергеевна", "Богушевич"),
    ("Павел", "Андреевич", "Кашкевич"),
    ("Вадим", "Олегович", "Шуневич"),
    ("Тамара", "Ивановна", "Радзевич"),
    ("Яков", "Моисеевич", "Свердлович"),
)
# Russian listed | Ukrainian or Belarusian Cyrillic; the Latin is made by rule.
HELD_OUT_UKRAINIAN: tuple[tuple[str, ...], ...] = _rows(
    """
Алексей Николаевич Гончарук | Олексій Миколайович Гончарук
Дмитрий Иванович Кулеба | Дмитро Іванович Кулеба
Пётр Алексеевич Порошенко | Петро Олексійович Порошенко
Виталий Владимирович Кличко | Віталій Володимирович Кличко
Елена Григорьевна Зеленская | Олена Григорівна Зеленська
Ирина Владимировна Верещук | Ірина Володимирівна Верещук
Денис Анатольевич Шмыгаль | Денис Анатолійович Шмигаль
Фёдор Игоревич Ткачук | Федір Ігорович Ткачук
"""
)
HELD_OUT_BELARUSIAN: tuple[tuple[str, ...], ...] = _rows(
    """
Павел Павлович Латушко | Павел Паўлавіч Латушка
Валерий Викторович Цепкало | Валерый Віктаравіч Цапкала
Вероника Владимировна Цепкало | Вераніка Уладзіміраўна Цапкала
Степан Олегович Путило | Сцяпан Алегавіч Пуціла
Игорь Петрович Лосик | Ігар Пятровіч Лосік
Максим Сергеевич Знак | Максім Сяргеевіч Знак
Ольга Николаевна Ковалькова | Вольга Мікалаеўна Кавалькова
Андрей Олегович Санников | Андрэй Алегавіч Саннікаў
"""
)
# Ukrainian passport romanisation (KMU resolution 55, 2010): є, ї, й, ю, я opening a word
# are ye, yi, y, yu, ya, elsewhere ie, i, i, iu, ia; зг is zgh; ь and the apostrophe
# are dropped.
KMU_2010: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "h", "ґ": "g", "д": "d", "е": "e", "є": "ie",
    "ж": "zh", "з": "z", "и": "y", "і": "i", "ї": "i", "й": "i", "к": "k", "л": "l",
    "м": "m", "н": "n", "о": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "shch", "ь": "", "ю": "iu",
    "я": "ia", "'": "", "’": "",
}  # fmt: skip
KMU_2010_INITIAL: dict[str, str] = {"є": "ye", "ї": "yi", "й": "y", "ю": "yu", "я": "ya"}
# Belarusian passports: ў is u, г is h, ы is y; я, ё, ю are ia, io, iu after a consonant
# and е is e (Siarhei, Aliaksei, Kalesnikava); opening a word or after a vowel they are
# ya, yo, yu, ye (Heorhiyeuna).
BELARUS_PASSPORT: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "h", "д": "d", "е": "e", "ё": "io", "ж": "zh",
    "з": "z", "і": "i", "й": "i", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o",
    "п": "p", "р": "r", "с": "s", "т": "t", "у": "u", "ў": "u", "ф": "f", "х": "kh",
    "ц": "ts", "ч": "ch", "ш": "sh", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
    "'": "", "’": "",
}  # fmt: skip
BELARUS_PASSPORT_INITIAL: dict[str, str] = {"е": "ye", "ё": "yo", "ю": "yu", "я": "ya"}
_NATIONAL_VOWELS = "аеёєиіїоуўыэюя"


def national_latin(word: str, table: dict[str, str], initial: dict[str, str]) -> str:
    """One Ukrainian or Belarusian word in its passport romanisation: the ``initial``
    spelling of a letter opening the word (or, in Belarusian, following a vowel),
    Ukrainian зг as zgh, else letter by letter."""
    lower = word.lower()
    out: list[str] = []
    for at, char in enumerate(lower):
        previous = lower[at - 1] if at else ""
        after_vowel = table is BELARUS_PASSPORT and previous in _NATIONAL_VOWELS
        if char in initial and (not previous or after_vowel):
            out.append(initial[char])
        elif table is KMU_2010 and char == "г" and previous == "з":
            out.append("gh")
        else:
            out.append(table.get(char, char))
    text = "".join(out)
    return text[:1].upper() + text[1:]


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


def _father(patronymic: str) -> str:
    """The father's name in a Russian patronymic: Андреевич and Андреевна are both
    Andrei's, so one is not "another father" of the other."""
    return re.sub(r"(?:[оеё]?вич|[оеё]?вна|ич|ична|инична)$", "", patronymic.lower())


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
        if _father(other_patronymic) != _father(patronymic):
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
    """Every labelled line, in a fixed order: the development lines, then the held out."""
    lines = _generate(PEOPLE, PATRONYMIC_LIKE, UKRAINIAN, BELARUSIAN)
    national = (
        (HELD_OUT_UKRAINIAN, KMU_2010, KMU_2010_INITIAL),
        (HELD_OUT_BELARUSIAN, BELARUS_PASSPORT, BELARUS_PASSPORT_INITIAL),
    )
    ukrainian, belarusian = (
        tuple(
            (russian, spelt, _words(spelt, partial(national_latin, table=table, initial=first)))
            for russian, spelt in rows
        )
        for rows, table, first in national
    )
    held_out = _generate(HELD_OUT_PEOPLE, HELD_OUT_PATRONYMIC_LIKE, ukrainian, belarusian)
    return lines + [line | {"split": "held_out"} for line in held_out]


def _generate(
    people: tuple[tuple[str, str, str], ...],
    patronymic_like: tuple[tuple[str, str, str], ...],
    ukrainian_rows: tuple[tuple[str, ...], ...],
    belarusian_rows: tuple[tuple[str, ...], ...],
) -> list[dict[str, object]]:
    """The lines of every class for these people and rows."""
    lines: list[dict[str, object]] = []
    for given, patronymic, surname in people:
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
    for given, patronymic, surname in patronymic_like:
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
        ("ukrainian", ukrainian_rows, "Ukrainian passport romanisation (KMU 55, 2010)"),
        ("belarusian", belarusian_rows, "Belarusian national romanisation (2000)"),
    ):
        for russian, national, latin in rows:
            lines.append(_line(national, russian, True, kind, f"{kind} Cyrillic spelling"))
            lines.append(_line(latin, russian, True, kind, rule))
    lines += _nonmatches(people + patronymic_like)
    return lines


def main(argv: list[str]) -> None:
    """Write the labelled set as JSON lines."""
    out = Path(argv[0]) if argv else OUT
    with out.open("w", encoding="utf-8") as handle:
        for line in generate():
            handle.write(json.dumps(line, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
