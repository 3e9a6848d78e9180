"""A small, documented phonetic folding for Latin spellings of Slavic names.

The same Russian name reaches us as English ``Khrushchev``, German ``Chruschtschow``,
French ``Khrouchtchev``, Polish ``Chruszczow`` or scientific ``Xruščëv``. Each national
spelling convention writes the same Cyrillic letter with a different group of Latin
letters. Folding maps every such group to one symbol, so the spellings above all become
``hruQev`` or ``hruQov``. Upper-case letters are symbols for sounds, never letters:

- ``S`` stands for ш (sh, sch, sz, š, and the Italian sc before e, i, which Italian
  writers use for ш and щ: Scerbakov),
- ``Q`` stands for щ (shch, schtsch, szcz, chtch, šč, ŝ, and shh of GOST 7.79 system
  B): Щипов and Шипов are different names, and folding both to one symbol made Shchipov
  and Shipov the same word (a Cyrillic name is indexed in every scheme, so a scheme
  writing щ as sch still meets it),
- ``C`` stands for ч (ch, tch, tsch, cz, č),
- ``Z`` stands for ж (zh, ž).

Other rules: х written ``kh`` or (before a consonant) ``ch`` becomes ``h``; ``ou`` becomes
``u`` (French); ``w`` becomes ``v`` (German, Polish); ``y`` and ``j`` become ``i``;
``ph`` becomes ``f``; ``ts``, ``tz`` and ``tc`` (GOST R 52535) become ``c`` (ц); ``x``
becomes ``ks``; repeated letters collapse. The folding is deliberately coarse: it only
has to bring spellings of one name together; telling names apart is the scorer's job.

The candidate index needs coarser keys still (``coarse_keys``): the keys of a word in
every reading its Latin letters allow, lower-cased, with the vowels dropped and the
consonants in classes. Latin letter groups stand for different Cyrillic letters in
different languages; the conventions below are those of the table "Transliteration of
Russian into other languages" in Wikipedia's "Romanization of Russian" (German after
Duden, French, Polish, Czech, Italian, Spanish columns):

- ``ch`` is ч in English and Spanish, ш in French, х in German, Polish and Czech
  (Chruschtschow, Chruszczow, Chruščov);
- ``j`` is й in German, Polish, Czech and the scientific scheme, ж in French (Joukov);
- ``x`` is х in ISO 9, GOST 7.79 (system B) and the scientific scheme (Xruščëv);
- ``c`` is ц in Polish, Czech and the scientific scheme, к in Italian, Spanish and French
  before a, o, u or a consonant (Nicolaj, Cuznetsov); ``c``, ``sc`` before e, i are ч, ш
  in Italian (Cecov, Scerbakov);
- ``ie``, ``ia``, ``iu`` (German, Polish je, ja, ju) and ``ou`` (French у) differ only in
  vowels, which the coarse key drops; ``s``, ``z``, ``c`` and the symbols ``S``, ``Q``,
  ``C``, ``Z`` are one class of hissing sounds (German z is ц, Polish sz, cz, ż are ш, ч,
  ж), ``k``, ``g``, ``h`` one class of back sounds (Ukrainian and Belarusian г is h).

Letter case is folded away in the coarse key: the upper-case symbols there are only one
more spelling of a hissing sound.
"""

import re
from functools import lru_cache
from typing import Final

from normality import ascii_text

from pfund.screening.translit import WORD_CACHE_SIZE

# Longest groups first: the regex alternation takes the first alternative that matches.
_GROUPS: Final[tuple[tuple[str, str], ...]] = (
    ("schtsch", "Q"),
    ("chtch", "Q"),
    ("shch", "Q"),
    ("shh", "Q"),
    ("szcz", "Q"),
    ("tsch", "C"),
    ("sch", "S"),
    ("tch", "C"),
    ("tc", "c"),
    ("šč", "Q"),
    ("sh", "S"),
    ("sz", "S"),
    ("š", "S"),
    ("ŝ", "Q"),
    ("zh", "Z"),
    ("ž", "Z"),
    ("ż", "Z"),
    ("cz", "C"),
    ("č", "C"),
    ("kh", "h"),
    ("ou", "u"),
    ("ph", "f"),
    ("ts", "c"),
    ("tz", "c"),
    ("ck", "k"),
    ("w", "v"),
    ("y", "i"),
    ("j", "i"),
    ("x", "ks"),
)
# The groups by their first letter, each letter's in the order of ``_GROUPS``: what a
# regular expression's alternation of the groups would try at a place, the first that
# matches winning.
_GROUPS_BY_FIRST: Final[dict[str, tuple[tuple[str, str], ...]]] = {
    first: tuple((group, value) for group, value in _GROUPS if group[0] == first)
    for first in dict.fromkeys(group[0] for group, _ in _GROUPS)
}
_CH_BEFORE_CONSONANT: Final = re.compile(r"ch(?=[bcdfgklmnpqrstvwz])")
_SC_BEFORE_FRONT_VOWEL: Final = re.compile(r"sc(?=[ei])")
_REPEATS: Final = re.compile(r"(.)\1+")
# The vowels a skeleton leaves out, as a table for ``str.translate``: a regular
# expression's substitution costs ten times as much for a word of a few letters, and
# features compute a skeleton for every word of every name scored.
_NO_VOWELS: Final = str.maketrans("", "", "aeiouy")


def fold(token: str, *, collapse: bool = True) -> str:
    """Fold one lower-case Latin token into its phonetic key (see the module docstring);
    with ``collapse`` false, repeated letters stay repeated.

    The letter groups are rewritten by a scan that looks each place's letter up in
    ``_GROUPS_BY_FIRST``, as a substitution by the alternation of ``_GROUPS`` would
    rewrite them (``tests/screening/test_phonetic_fold.py`` checks the two alike), but
    without calling back into Python for every group found: fold runs for every reading
    of every word, listed or queried, and the regular expression took 7.8 microseconds
    a word (compiled, a dozen letters)."""
    if "sc" in token:
        token = _SC_BEFORE_FRONT_VOWEL.sub("S", token)
    parts: list[str] = []
    at = 0
    length = len(token)
    while at < length:
        char = token[at]
        groups = _GROUPS_BY_FIRST.get(char)
        step = 1
        value = char
        if groups is not None:
            for group, written in groups:
                if token.startswith(group, at):
                    step = len(group)
                    value = written
                    break
        parts.append(value)
        at += step
    token = "".join(parts)
    if "ch" in token:
        token = _CH_BEFORE_CONSONANT.sub("h", token).replace("ch", "C")
    return _collapsed(token) if collapse else token


def _collapsed(token: str) -> str:
    """The token with each run of one character written once (``_REPEATS``' rewrite)."""
    kept: list[str] = []
    last = ""
    for char in token:
        if char != last or char == "\n":  # ``.`` does not match a line break
            kept.append(char)
        last = char
    return "".join(kept)


# Skeletons already worked out, by key: features ask for the skeleton of every word of
# every name scored, the query's words once for each candidate. Emptied when full
# (``SKELETONS_KEPT``); a look-up in a dict costs a fifth of working one out again.
SKELETONS_KEPT: Final = 2**18
_SKELETONS: Final[dict[str, str]] = {}


def skeleton(key: str) -> str:
    """The consonants of a folded key, keeping a leading vowel: ``hruSev`` -> ``hrSv``."""
    found = _SKELETONS.get(key)
    if found is not None:
        return found
    found = key[:1] + key[1:].translate(_NO_VOWELS)
    if len(_SKELETONS) >= SKELETONS_KEPT:
        _SKELETONS.clear()
    _SKELETONS[key] = found
    return found


# Each reading rewrites every occurrence of one ambiguous group before folding (see the
# module docstring for the conventions); the word's own spelling is always a reading too.
_READINGS: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    (re.compile(r"(?<![st])ch"), "kh"),  # German, Polish, Czech ch: х
    (re.compile(r"j"), "zh"),  # French j: ж
    (re.compile(r"x"), "kh"),  # ISO 9, GOST 7.79, scientific x: х
    (re.compile(r"c(?![eiyhsz])"), "k"),  # Italian, Spanish, French c before a, o, u: к
)
# The pair scorer reads a Latin word the same ways, and in two more that the coarse key
# needs no reading for (its classes already join z and c, h and g):
# - German z is ц (Zwetajewa, Zoi: Duden's column of the same Wikipedia table);
# - Ukrainian and Belarusian г is h in their national romanisations (Ukraine: Cabinet of
#   Ministers resolution 55 of 27 January 2010, г = h; Belarus: the 2000 national system
#   and BGN/PCGN's Belarusian table, г = h), where Russian г is g: Hryhorii and Grigorii,
#   Olha and Olga, Siarhei and Sergei. Not after k, s, c, z, t, p, g, where h marks a
#   digraph (kh, sh, gh: Ghani is not Ggani, so not Hamid read as Gamid).
SCORER_READINGS: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    *_READINGS,
    (re.compile(r"z(?!h)"), "ts"),
    (re.compile(r"(?<![kszctpg])h"), "g"),
)
# The letter each reading needs: a word without it has nothing to read another way.
_TRIGGERS: Final = ("c", "j", "x", "c", "z", "h")


@lru_cache(maxsize=WORD_CACHE_SIZE)
def reading_keys(word: str) -> tuple[str, ...]:
    """The phonetic keys (``fold``) of one lower-case Latin word in every reading of
    ``SCORER_READINGS``, its own key first: French Joukov is read as Zhukov, German
    Zwetajewa as Tsvetajeva, Ukrainian Hryhorii as Grigorii. Each reading rewrites every
    occurrence of its group, one reading at a time."""
    spelt = dict.fromkeys(
        [
            word,
            *(
                pattern.sub(value, word)
                for (pattern, value), letter in zip(SCORER_READINGS, _TRIGGERS, strict=True)
                if letter in word
            ),
        ]
    )
    return tuple(dict.fromkeys(fold(reading) for reading in spelt))


_CLASSES: Final = str.maketrans(
    {"S": "s", "Q": "s", "C": "s", "Z": "s", "z": "s", "c": "s", "g": "k", "h": "k", "q": "k"}
)
_NOT_CONSONANTS: Final = re.compile(r"[aeiouy]")
COARSE: Final = "~"  # marks a coarse key apart from a word's key in one table of keys


@lru_cache(maxsize=2**20)
def coarse_keys(word: str, ambiguous: bool = True) -> tuple[str, ...]:
    """The coarse keys of one lower-case Latin word, each starting with ``COARSE``: one per
    reading of its ambiguous letter groups (only the word's own when not ``ambiguous``: a
    transliteration of Cyrillic has one reading), and one with the Belarusian and
    Ukrainian sound changes undone (``east_slavic_undone``: Tsikhanouskaya meets
    Tikhanovskaya), consonant classes only, case folded. Empty for a word of vowels only
    (its key is enough)."""
    spelt = [word, east_slavic_undone(word)]
    if ambiguous:
        spelt += [pattern.sub(value, word) for pattern, value in _READINGS]
    found = (_coarse(fold(reading)) for reading in dict.fromkeys(spelt))
    return tuple(dict.fromkeys(COARSE + key for key in found if key))


def _coarse(key: str) -> str:
    consonants = _NOT_CONSONANTS.sub("", (ascii_text(key.translate(_CLASSES)) or "").lower())
    return _REPEATS.sub(r"\1", consonants)


# The spellings of one name in Belarusian and Ukrainian against Russian differ by sound
# changes that the national spellings write, so that a Belarusian name and its Russian
# counterpart share their consonants once these are undone (Wikipedia, "Belarusian
# language", sections "Phonology" and "Orthography"; "Ukrainian alphabet"):
# - дзеканне and цеканне: Belarusian дз and ц where Russian has a soft д and т
#   (Дзмітрый and Дмитрий, Сцяпан and Степан, Ціханоўскі and Тихановский);
# - ў (romanised w, ŭ or u after a vowel) where Russian has в or л (Ціханоўская and
#   Тихановская), and у opening a word before л where Russian has в (Уладзімір and
#   Владимир, Уладзіслаў and Владислав; only before л, since a lossy ASCII of ю is u too);
# - г as h (Сяргей, Siarhei; Григорій, Hryhorii) where Russian г is g;
# - аканне and яканне, і and и, and Ukrainian і for Russian о or е (Раман and Роман,
#   Пятро and Пётр, Федір and Фёдор), which dropping the vowels sets aside;
# - one name's own correspondence, the commonest: Ukrainian Микола and Belarusian Мікалай
#   for Russian Николай (Wikipedia, "Mykola": the Ukrainian form of Nicholas), so also
#   in the patronymics Миколайович, Мікалаеўна.
_EAST_SLAVIC: Final[tuple[tuple[re.Pattern[str], str], ...]] = (
    (re.compile(r"^m(?=[iy]k[oa]l)"), "n"),
    (re.compile(r"dz(?=[iey])"), "d"),
    (re.compile(r"(?:ts|c)(?=[iey])"), "t"),
    (re.compile(r"[wŭ]|(?<=[aeiou])u(?![aeiouy])|^u(?=l)"), "v"),
    (re.compile(r"(?<![kszctpg])h"), "g"),
)
_VOWELS_AND_J: Final = re.compile(r"[aeiouyj]")


@lru_cache(maxsize=2**16)
def east_slavic_skeleton(word: str) -> str:
    """The consonants of one lower-case Latin word once the Belarusian and Ukrainian
    sound changes above are undone, letter case of the phonetic symbols kept (ш, ч, ж
    stay apart from s, c, z): Sciapan, Stsiapan and Stepan give ``stpn``, Uladzimir and
    Vladimir ``vldmr``, Tsikhanouski and Tikhanovskii ``thnvsk``."""
    return consonants(east_slavic_undone(word))


def east_slavic_undone(word: str) -> str:
    """One lower-case Latin word with the Belarusian and Ukrainian sound changes above
    undone: Tsikhanouski reads tikhanovski."""
    for pattern, value in _EAST_SLAVIC:
        word = pattern.sub(value, word)
    return word


def consonants(word: str) -> str:
    """The consonants of one lower-case Latin word's phonetic key, as they stand."""
    return _REPEATS.sub(r"\1", _VOWELS_AND_J.sub("", fold(word)))


@lru_cache(maxsize=WORD_CACHE_SIZE)
def east_slavic_skeletons(word: str) -> tuple[str, ...]:
    """The word's consonants as they stand and, when they differ, with the Belarusian
    and Ukrainian sound changes undone (``east_slavic_skeleton``). Both, since the
    changes go one way: Belarusian ц before a front vowel is Russian т (Пуціла and
    Путило), but Russian ц stays ц (Цепкало and Цапкала)."""
    return tuple(dict.fromkeys((consonants(word), east_slavic_skeleton(word))))
