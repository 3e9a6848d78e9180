"""Matching features. Each is a function of an alignment of two names returning a value
in [0, 1]; its docstring is the explanation a user sees next to the value."""

import re
from collections.abc import Callable
from functools import lru_cache
from itertools import combinations
from typing import Final

from icu import Transliterator
from rapidfuzz import fuzz
from rapidfuzz.distance import JaroWinkler, Levenshtein
from rigour._core import text_scripts

from pfund.screening import entity_marks
from pfund.screening.align import COUNTERPART_MIN, Alignment, alignment_quality
from pfund.screening.legal_forms import CONVERTIBLE_RU, family
from pfund.screening.lexicon import place
from pfund.screening.names import ORGANISATION_SCHEMAS, PERSON, Form, Token, patronymic_stem
from pfund.screening.phonetic import east_slavic_skeletons, skeleton

Feature = Callable[[Alignment], float]

# rapidfuzz's scorers as constants: compiled, a ``Final`` is read from a C static, where
# ``Levenshtein.normalized_similarity`` looks up the module and then its attribute at each
# call (features are worked out for every pair screening scores: thousands a query).
LEVENSHTEIN: Final = Levenshtein.normalized_similarity
JARO_WINKLER: Final = JaroWinkler.normalized_similarity
TOKEN_SET_RATIO: Final = fuzz.token_set_ratio


def _keys(form: Form) -> list[str]:
    return [token.key for token in form.required] or [token.key for token in form.tokens]


def _shorter_longer(alignment: Alignment) -> tuple[int, int]:
    left, right = len(alignment.left.required), len(alignment.right.required)
    return (0, 1) if left <= right else (1, 0)


def _unmatched(alignment: Alignment, side: int) -> int:
    form = alignment.left if side == 0 else alignment.right
    return sum(
        1
        for index, token in enumerate(form.tokens)
        if not token.optional and alignment.similarity_of(side, index) < COUNTERPART_MIN
    )


def aligned_similarity(alignment: Alignment) -> float:
    """How closely the words of the two names correspond when each word is paired with its
    most similar counterpart, in any order. Spellings are compared on a phonetic key, so
    transliterations such as Khrushchev and Chruschtschow count as the same word.
    Patronymics (Petrovich, Ivanovna) are optional and do not lower this value."""
    return alignment_quality(alignment)


def weakest_pair(alignment: Alignment) -> float:
    """Similarity of the least similar pair of corresponding words. One clearly different
    word (Olaf against Octavian) is a strong sign of two different people."""
    required = [
        similarity
        for i, j, similarity in alignment.pairs
        if not (alignment.left.tokens[i].optional or alignment.right.tokens[j].optional)
    ]
    return min(required, default=0.0)


def prefix_similarity(one: Token, other: Token) -> float:
    """Jaro-Winkler similarity of two words, by key or as written, whichever is higher."""
    by_key = JARO_WINKLER(one.key, other.key)
    return max(by_key, JARO_WINKLER(one.text, other.text))


def weakest_pair_prefix(alignment: Alignment) -> float:
    """Jaro-Winkler similarity of the least similar pair of corresponding words, which
    counts agreement at the start of a word more than at its end: a changed ending
    (Sechin, Sechev) is a spelling variant more often than a changed beginning."""
    left, right = alignment.left.tokens, alignment.right.tokens
    return min(
        (
            prefix_similarity(left[i], right[j])
            for i, j, _ in alignment.pairs
            if not (left[i].optional or right[j].optional)
        ),
        default=0.0,
    )


def token_set_similarity(alignment: Alignment) -> float:
    """Similarity of the two names read as sets of words, ignoring order and ignoring
    words that only one name has."""
    left, right = " ".join(_keys(alignment.left)), " ".join(_keys(alignment.right))
    return TOKEN_SET_RATIO(left, right) / 100.0


def aligned_keys(alignment: Alignment) -> tuple[list[str], list[str]]:
    """The required keys of both names, the right name's put in the order of their
    counterparts in the left (its words without one after them): the order in which
    sorting would put them had the counterparts begun with the same letter. Sorting alone
    sets Ielena Khatchatourian and Khachaturian Elena apart, since i and e sort apart."""
    left, right = alignment.left, alignment.right
    partner = {j: i for i, j, _ in alignment.pairs}
    order = sorted(
        (index for index, token in enumerate(right.tokens) if not token.optional),
        key=lambda index: (partner.get(index, len(left.tokens)), index),
    )
    right_keys = [right.tokens[index].key for index in order]
    return [token.key for token in left.required], right_keys


def _all_paired(alignment: Alignment) -> bool:
    """Whether every required word of both names has a close counterpart (one name may
    have fewer words): only then is the order of the counterparts the names' order."""
    shorter, _ = _shorter_longer(alignment)
    return bool(alignment.left.required and alignment.right.required) and not _unmatched(
        alignment, shorter
    )


def compact_similarity(alignment: Alignment) -> float:
    """Similarity of the names written without spaces, in their own order, sorted or
    with each word beside its counterpart, so that Jin Ping and Jinping, or Sidorov Ivan
    and Ivan Sidorov, agree."""
    paired = aligned_keys(alignment) if _all_paired(alignment) else None
    return compact_of(_keys(alignment.left), _keys(alignment.right), paired)


def compact_of(
    left: list[str], right: list[str], paired: tuple[list[str], list[str]] | None
) -> float:
    """``compact_similarity`` of the names' keys, and of their keys each beside its
    counterpart (``aligned_keys``) when every word is paired (``None`` otherwise)."""
    as_written = LEVENSHTEIN("".join(left), "".join(right))
    as_sorted = LEVENSHTEIN("".join(sorted(left)), "".join(sorted(right)))
    found = max(as_written, as_sorted)
    if found < 1.0 and paired is not None:
        paired_left, paired_right = paired
        as_paired = LEVENSHTEIN("".join(paired_left), "".join(paired_right))
        found = max(found, as_paired)
    return found


def skeleton_similarity(alignment: Alignment) -> float:
    """Similarity of the consonants of the names, which survive transliteration better
    than vowels do (Khrushchyov, Khrushchev and Chruszczow share h-r-sh-v), the words
    sorted or each beside its counterpart."""
    paired = aligned_keys(alignment) if _all_paired(alignment) else None
    return skeleton_of(_keys(alignment.left), _keys(alignment.right), paired)


def skeleton_of(
    left_keys: list[str], right_keys: list[str], paired: tuple[list[str], list[str]] | None
) -> float:
    """``skeleton_similarity`` of the names' keys (``paired`` as in ``compact_of``)."""
    left = sorted(skeleton(key) for key in left_keys)
    right = sorted(skeleton(key) for key in right_keys)
    found = LEVENSHTEIN(" ".join(left), " ".join(right))
    if found < 1.0 and paired is not None:
        paired_left, paired_right = paired
        as_paired = LEVENSHTEIN(
            " ".join(skeleton(key) for key in paired_left),
            " ".join(skeleton(key) for key in paired_right),
        )
        found = max(found, as_paired)
    return found


def _extra(alignment: Alignment) -> float:
    _, longer = _shorter_longer(alignment)
    return min(_unmatched(alignment, longer), 3) / 3.0


def extra_person_words(alignment: Alignment) -> float:
    """Words of the longer person name that the shorter one lacks (a middle name, a
    second surname), counted up to three. People are often listed with fewer names."""
    return _extra(alignment) if alignment.schema == PERSON else 0.0


def extra_organisation_words(alignment: Alignment) -> float:
    """Words of the longer organisation name that the shorter one lacks (Deutsche Bank
    Trust against Deutsche Bank), counted up to three: often a subsidiary or a branch."""
    return 0.0 if alignment.schema == PERSON else _extra(alignment)


def mismatched_words(alignment: Alignment) -> float:
    """Words of the shorter name without a close counterpart in the other, counted up to
    two. Even one such word (Castro against Castillo) suggests a different person."""
    shorter, _ = _shorter_longer(alignment)
    return min(_unmatched(alignment, shorter), 2) / 2.0


def same_words(alignment: Alignment) -> float:
    """The names have the same words once script, spelling, case, punctuation, word order,
    patronymics and legal form are set aside."""
    return float(sorted(_keys(alignment.left)) == sorted(_keys(alignment.right)))


CONVERTED: Final = 0.1  # the conflict of two forms one Russian company may have held in turn


def legal_form_conflict(alignment: Alignment) -> float:
    """Both names carry a legal form and the forms differ: 1 when they belong to different
    families (a limited company against a partnership, a GmbH against an AG), 0.5 when
    they are different forms of one family (SA against AG). Forms a Russian company
    takes in turn without ceasing to be the same business weigh only 0.1: ООО becomes
    АО and back by transformation (Civil Code art. 92), ЗАО became АО and ОАО became
    ПАО or АО by the 2014 reform (Federal Law No. 99-FZ of 5 May 2014, art. 3), and an
    older list keeps the old form."""
    left, right = alignment.left.legal_forms, alignment.right.legal_forms
    left, right = left - {"co"}, right - {"co"}
    if not left or not right or left & right:
        return 0.0
    if left | right <= CONVERTIBLE_RU:
        return CONVERTED
    return 0.5 if {family(form) for form in left} & {family(form) for form in right} else 1.0


def order_changed(alignment: Alignment) -> float:
    """Share of pairs of corresponding words that appear in the opposite order in the two
    names (Hans Friedrich against Friedrich Hans). Russian lists put the surname first or
    last, so this weighs only lightly."""
    pairs = [(i, j) for i, j, _ in alignment.pairs]
    crossings = sum(1 for (a, b), (c, d) in combinations(pairs, 2) if (a - c) * (b - d) < 0)
    total = len(pairs) * (len(pairs) - 1) // 2
    return crossings / total if total else 0.0


def patronymic_conflict(alignment: Alignment) -> float:
    """Both names give a patronymic and the patronymics differ (Ivan Petrovich against
    Ivan Sergeevich): the fathers differ, so the people most likely do too. The fathers'
    names are compared without the shared ending, so Igorevich and Yurevich differ."""
    if alignment.schema != PERSON:
        return 0.0
    left = [token for token in alignment.left.tokens if token.optional]
    right = [token for token in alignment.right.tokens if token.optional]
    if not left or not right:
        return 0.0
    best = max(_same_father(a, b) for a in left for b in right)
    return float(best < COUNTERPART_MIN)


# The consonants that end a patronymic in ``east_slavic_skeleton``: -vich, -ich, -vna,
# -una (Belarusian -аўна), -ichna and -inichna (Ильинична; ch before n folds to h).
_SKELETON_ENDING: Final = re.compile(r"(?:vC|vn|n?[Ch]n|C)$")


@lru_cache(maxsize=2**16)
def _same_father(one: Token, other: Token) -> float:
    """How alike the fathers' names in two patronymics are: their keys without the
    shared ending, or their consonants once Belarusian and Ukrainian sound changes are
    undone (Piatrovich and Petrovich, Sciapanavich and Stepanovich, Ryhoravich and
    Grigorevich are each one father's; ``phonetic.east_slavic_skeleton``). Cached: a
    list repeats its patronymics, and screening compares the query's with each."""
    by_key = LEVENSHTEIN(patronymic_stem(one.key), patronymic_stem(other.key))
    if by_key >= COUNTERPART_MIN:
        return by_key
    by_consonants = max(
        (LEVENSHTEIN(a, b) for a in _fathers(one.text) for b in _fathers(other.text) if a and b),
        default=0.0,
    )
    return max(by_key, by_consonants)


def _fathers(patronymic: str) -> tuple[str, ...]:
    """The consonants of a patronymic without its ending, as written and with the
    Belarusian and Ukrainian sound changes undone."""
    return tuple(_SKELETON_ENDING.sub("", found) for found in east_slavic_skeletons(patronymic))


def _around_bin(form: Form) -> tuple[int, int] | None:
    """Positions of the words just before and just after the first ``bin`` (son of)."""
    texts = [token.text for token in form.tokens]
    if "bin" not in texts[1:-1]:
        return None
    at = texts.index("bin", 1)
    return at - 1, at + 1


def lineage_swapped(alignment: Alignment) -> float:
    """Both names say whose son someone is (Omar bin Abdullah) and the words swap sides
    of ``bin``: Omar bin Abdullah is the son of Abdullah, Abdullah bin Omar his father
    or another man, so the same words name different people."""
    left, right = _around_bin(alignment.left), _around_bin(alignment.right)
    if left is None or right is None:
        return 0.0
    crossed = {(left[0], right[1]), (left[1], right[0])}
    return float(any((i, j) in crossed for i, j, _ in alignment.pairs))


ROMAN_NUMERALS: Final = frozenset({"ii", "iii", "iv", "vi", "vii", "viii", "ix", "xi", "xii"})


def _has_number(form: Form) -> bool:
    return any(token.text.isdigit() or token.text in ROMAN_NUMERALS for token in form.tokens)


def unpaired_number(alignment: Alignment) -> float:
    """One name carries a number (23, II) and the other none: Management Company 23 and
    Management Company, or a fund and its second series, are usually different entities."""
    return float(_has_number(alignment.left) != _has_number(alignment.right))


def marked_apart(alignment: Alignment) -> float:
    """One organisation's name adds a number, a branch word or a region that the other
    lacks, or the two give different ones (Ромашка-2, Филиал ООО «Ромашка», Ромашка
    Самарский against ООО «Ромашка»): a numbered firm, a branch or a regional company is
    a different entity, whatever the other words say. Only a shared identifier, or the
    listed entity's own alias with the same words, makes such a pair a match."""
    return float(bool(marks_apart(alignment)))


def marks_apart(alignment: Alignment) -> list[entity_marks.Mark]:
    """The marks (``entity_marks``) of either organisation name that set it apart from
    the other. A marked word paired with a spelling of itself (Volga and Wolga, Samarskiy
    and Samarsky) is shared; paired with another mark of its kind (Samara and Saratov) it
    differs; unpaired, it is shared only if the other name has the same mark elsewhere
    (филиал and branch, Самарский and Samara)."""
    if alignment.schema not in ORGANISATION_SCHEMAS:
        return []
    forms = (alignment.left, alignment.right)
    found: list[entity_marks.Mark] = []
    for side in (0, 1):
        form, other = forms[side], forms[1 - side]
        partner = {int(pair[side]): (int(pair[1 - side]), pair[2]) for pair in alignment.pairs}
        theirs = entity_marks.marks(token.text for token in other.tokens)
        for index, token in enumerate(form.tokens):
            mark = entity_marks.mark_of(token.text)
            if mark is None:
                continue
            counterpart, similarity = partner.get(index, (-1, 0.0))
            if counterpart >= 0 and similarity >= COUNTERPART_MIN:
                paired = entity_marks.mark_of(other.tokens[counterpart].text)
                if paired is not None and entity_marks.unshared([mark], [paired]):
                    found.append(mark)
                continue
            found += entity_marks.unshared([mark], theirs)
    return found


def written_alike(alignment: Alignment) -> float:
    """Similarity of the names exactly as written, before any normalisation: names
    written identically are stronger evidence than names equal only once normalised."""
    return LEVENSHTEIN(*alignment.raw)


def person(alignment: Alignment) -> float:
    """The names are of people rather than organisations; the same evidence weighs
    differently for the two."""
    return float(alignment.schema == PERSON)


def place_differs(alignment: Alignment) -> float:
    """An organisation's name names a place (a country, a region, a city) that the other
    name lacks or names differently: Banco Santander México against Banco Santander,
    Government of Estonia against Government of Ethiopia. A country in a company's name
    usually marks a subsidiary of its own. Places are recognised by rigour; a misspelt
    counterpart (China against Chima) is left to the similarity of the words."""
    if alignment.schema == PERSON:
        return 0.0
    return float(_unshared_place(alignment, 0) or _unshared_place(alignment, 1))


def _unshared_place(alignment: Alignment, side: int) -> bool:
    form, other = (
        (alignment.left, alignment.right) if side == 0 else (alignment.right, alignment.left)
    )
    partner = {int(pair[side]): int(pair[1 - side]) for pair in alignment.pairs}
    for index, token in enumerate(form.tokens):
        code = place(token.text)
        if code is None:
            continue
        counterpart = partner.get(index)
        if counterpart is None:
            return True
        other_code = place(other.tokens[counterpart].text)
        if other_code is not None and other_code != code:
            return True
    return False


_SIMPLIFIED: Final = Transliterator.createInstance("Traditional-Simplified")
# Scripts whose characters are whole syllables or words: two different characters read
# alike (石 and 市 are both shi) are still two different names.
SYLLABIC_SCRIPTS: Final = frozenset({"Han", "Hangul", "Hiragana", "Katakana"})


def characters_differ(alignment: Alignment) -> float:
    """Both names are written in Chinese, Japanese or Korean characters and the characters
    differ (traditional and simplified Chinese forms are one character). Transliteration
    makes different characters read alike (高石 and 高市 both read Gao Shi), but each
    character is a syllable of the name: one other character is another name."""
    left, right = alignment.raw
    if left.isascii() or right.isascii():
        return 0.0
    one, other = _syllables(left), _syllables(right)
    return float(bool(one and other and one != other))


@lru_cache(maxsize=2**12)
def _syllables(name: str) -> str:
    """The name's characters if all are Han, Hangul or kana (simplified), else ''."""
    letters = "".join(char for char in name if char.isalnum())
    if not letters or not text_scripts(letters) <= SYLLABIC_SCRIPTS:
        return ""
    return str(_SIMPLIFIED.transliterate(letters))
