"""One-to-one alignment of the words of two names, in any order."""

import math
from collections.abc import Callable
from functools import lru_cache
from typing import Final

from rapidfuzz.distance import OSA

from pfund.screening.lexicon import given_name_symbols
from pfund.screening.names import PERSON, Form, Token, word_key
from pfund.screening.phonetic import east_slavic_skeletons, reading_keys

# OSA's similarity as a constant: compiled, a ``Final`` is read from a C static, where
# ``OSA.normalized_similarity`` looks up the module and then its attribute at each call.
OSA_SIMILARITY: Final = OSA.normalized_similarity

MATCH_MIN: Final = 0.5  # below this similarity two words are not counterparts
COUNTERPART_MIN: Final = 0.7  # a word paired below this still counts as lacking a counterpart
COMPOUND_MIN: Final = 0.8  # two joined words must spell a word of the other name this closely
# Similarity of two spellings of one given name that rigour knows as equivalents (Ted and
# Theodore, Sasha and Aleksandr): alike, but less certain than one spelling.
EQUIVALENT_NAME: Final = 0.9
# Similarity of a contraction to the word it contracts (Int'l and International, Mgmt and
# Management, Chas and Charles): the first and last letters kept, others dropped in order.
CONTRACTION: Final = 0.9
# Similarity of two words of a person's name that are one name in Belarusian or Ukrainian
# and in Russian spelling (Putsila and Putilo, Siarhei and Sergei): their consonants meet
# once the sound changes that the national spelling writes are undone.
EAST_SLAVIC: Final = 0.8
EAST_SLAVIC_MIN: Final = 3  # consonants the two must share: fewer meet too easily
# Words less alike than this as written are not read again (other readings, East Slavic
# consonants): a reading changes a letter group or two, not a whole word, and most pairs
# compared while screening are a name's different words. A shortcut for speed: no pair of
# the labelled set or the name benchmark changes its verdict with it.
READING_MIN: Final = 0.4
# Nor words this alike already: the best reading could add a letter or so, which the
# pairing does not need; ``_read_alike`` still keys a pair in its best reading.
READING_MAX: Final = 0.9
CONTRACTION_MAX_SHARE: Final = 0.6  # a contraction keeps at most this share of the word's letters


# Paired word indexes of an alignment, left and right, with their similarity.
Pairs = tuple[tuple[int, int, float], ...]
# An alignment's fields in order: the left and right names' forms, their pairs, the
# schema compared in, and the two names as written (``raw``).
_Fields = tuple[Form, Form, Pairs, str, tuple[str, str]]


class Alignment:
    """Paired word indexes with their similarity, for one spelling of each name.

    A plain class, not a frozen dataclass: screening makes hundreds a query, and a
    frozen dataclass's ``__init__`` sets each field through ``object.__setattr__`` in
    Python even when compiled (1.15 against 0.22 microseconds compiled).
    ``Final`` keeps the fields unassigned after ``__init__`` (mypy checks it), and
    equality and hashing are the fields', as the dataclass's were."""

    __slots__ = ("left", "pairs", "raw", "right", "schema")

    def __init__(
        self,
        left: Form,
        right: Form,
        pairs: Pairs,
        schema: str = PERSON,
        raw: tuple[str, str] = ("", ""),
    ) -> None:
        self.left: Final = left
        self.right: Final = right
        self.pairs: Final = pairs
        self.schema: Final = schema
        self.raw: Final = raw

    def _fields(self) -> _Fields:
        return (self.left, self.right, self.pairs, self.schema, self.raw)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Alignment) and self._fields() == other._fields()

    def __hash__(self) -> int:
        return hash(self._fields())

    def __repr__(self) -> str:
        left, right, pairs, schema, raw = self._fields()
        return f"Alignment({left!r}, {right!r}, {pairs!r}, {schema!r}, {raw!r})"

    def __reduce__(self) -> tuple[type["Alignment"], _Fields]:
        return Alignment, self._fields()

    def similarity_of(self, side: int, index: int) -> float:
        """Similarity of the counterpart of word ``index`` on ``side`` (0 left, 1 right)."""
        for pair in self.pairs:
            if pair[side] == index:
                return pair[2]
        return 0.0


def _is_initial(token: Token) -> bool:
    return len(token.text) == 1


@lru_cache(maxsize=2**16)
def token_similarity(
    one: Token, other: Token, person: bool = False, contractions: bool = True
) -> float:
    """Similarity in [0, 1] of two words; an initial agrees with any word it begins, a
    contraction with the word it contracts (unless not ``contractions``), and in a
    person's name (``person``) a given name with the equivalents rigour knows for it."""
    if _is_initial(one) or _is_initial(other):
        return 1.0 if one.text[0] == other.text[0] else 0.0
    by_key = OSA_SIMILARITY(one.key, other.key)
    similarity = max(by_key, OSA_SIMILARITY(one.text, other.text))
    if READING_MIN <= similarity < READING_MAX and not (one.text.isdigit() or other.text.isdigit()):
        similarity = max(similarity, _reading_similarity(one.text, other.text))
    if (
        person
        and similarity < EQUIVALENT_NAME
        and given_name_symbols(one.text) & given_name_symbols(other.text)
    ):
        return EQUIVALENT_NAME
    if (
        person
        and READING_MIN <= similarity < EAST_SLAVIC
        and _east_slavic_alike(one.text, other.text)
    ):
        return EAST_SLAVIC
    if contractions and similarity < CONTRACTION and _contracts(one.text, other.text):
        return CONTRACTION
    return similarity


def _east_slavic_alike(one: str, other: str) -> bool:
    """Whether two words of a person's name have the same consonants once one of them
    has the Belarusian or Ukrainian sound changes undone (``phonetic.east_slavic_skeleton``:
    Putsila and Putilo, Stsiapan and Stepan), at least ``EAST_SLAVIC_MIN`` of them: the
    changes must be what makes the words meet, not vowels alone (Marina and Marian)."""
    if one.isdigit() or other.isdigit():
        return False
    mine, theirs = east_slavic_skeletons(one), east_slavic_skeletons(other)
    if len(mine) == len(theirs) == 1:
        return False
    return any(
        a == b and len(a) >= EAST_SLAVIC_MIN
        for i, a in enumerate(mine)
        for j, b in enumerate(theirs)
        if i or j
    )


def _reading_similarity(one: str, other: str) -> float:
    """The best similarity of the two words' keys over the readings their Latin letters
    allow in other languages' spellings (``phonetic.reading_keys``): French j as ж, German
    z as ц, Ukrainian and Belarusian h as г."""
    return _closest_readings(one, other)[2]


@lru_cache(maxsize=2**16)
def _closest_readings(one: str, other: str) -> tuple[str, str, float]:
    """The keys of the two words' readings that agree best, and their similarity (the
    words' own keys win a tie)."""
    return max(
        ((a, b, OSA_SIMILARITY(a, b)) for a in reading_keys(one) for b in reading_keys(other)),
        key=lambda found: found[2],
    )


def _read_alike(
    left: Form, right: Form, pairs: tuple[tuple[int, int, float], ...]
) -> tuple[Form, Form]:
    """The forms with each pair of counterparts that agree best in another reading
    (Joukov and Zhukov, French j as ж) keyed in that reading, so that the features
    comparing keys (whole names run together, consonants) see the words as alike as
    the pairing did."""
    left_tokens, right_tokens = list(left.tokens), list(right.tokens)
    for i, j, similarity in pairs:
        one, other = left_tokens[i], right_tokens[j]
        if _is_initial(one) or _is_initial(other) or one.key == other.key:
            continue
        by_key = OSA_SIMILARITY(one.key, other.key)
        plain = max(by_key, OSA_SIMILARITY(one.text, other.text))
        if similarity <= plain < READING_MAX:
            continue  # read in every way already (token_similarity), and none did better
        a, b, read = _closest_readings(one.text, other.text)
        if read >= similarity and read > by_key:
            left_tokens[i], right_tokens[j] = one._replace(key=a), other._replace(key=b)
    return Form(tuple(left_tokens), left.legal_forms), Form(tuple(right_tokens), right.legal_forms)


def _contracts(one: str, other: str) -> bool:
    """Whether the shorter word is a contraction of the longer: at least three letters,
    the same first and last letter, the rest of its letters in order in the longer."""
    short, long = (one, other) if len(one) <= len(other) else (other, one)
    if len(short) < 3 or len(short) > CONTRACTION_MAX_SHARE * len(long):
        return False
    if short[0] != long[0] or short[-1] != long[-1] or short.isdigit():
        return False
    letters = iter(long[1:-1])
    return all(letter in letters for letter in short[1:-1])


def _spelt(token: Token, form: Form) -> float:
    """How closely ``token`` spells a word of ``form``: its similarity without reading
    either as a contraction of the other. Words joined into one are a compound only if
    they spell a word: Anya Smirnova run together keeps the first and last letters of
    Anna and its n, n in order, yet is no spelling of it."""
    return max(
        (token_similarity(token, other, contractions=False) for other in form.tokens),
        default=0.0,
    )


COMPOUND_MAX: Final = 3  # most words joined into one (Plat Ono Vich and Platonovich)


def merge_compounds(form: Form, other: Form) -> Form:
    """Join adjacent words of ``form`` that together spell one word of ``other``
    (Jin Ping and Jinping, Rami Makhlouf and RamiMakhlouf, van der Bilt and Vanderbilt):
    two words, else three."""
    if len(form.tokens) < 2:
        return form
    tokens = list(form.tokens)
    fits = _LengthFilter(other)
    index = 0
    while index < len(tokens) - 1:
        for count in range(2, COMPOUND_MAX + 1):
            parts = tokens[index : index + count]
            if len(parts) < count or not fits.could_spell(parts):
                continue
            joined = Token(
                "".join(part.text for part in parts),
                "".join(part.key for part in parts),
                all(part.optional for part in parts),
            )
            score = _spelt(joined, other)
            if score >= COMPOUND_MIN and score > max(_spelt(part, other) for part in parts):
                tokens[index : index + count] = [joined]
                break
        else:
            index += 1
    return Form(tuple(tokens), form.legal_forms)


class _LengthFilter:
    """Whether words joined could reach ``COMPOUND_MIN`` against a word of the other
    name. An edit distance is at least the difference in length, so a word much shorter
    or longer than the joined one cannot; initials match by first letter alone. A
    shortcut only: it never changes which words are joined."""

    def __init__(self, other: Form) -> None:
        self.any, self.texts, self.keys = _reachable_lengths(other)

    def could_spell(self, parts: list[Token]) -> bool:
        if self.any:
            return True
        return (
            sum(len(part.text) for part in parts) in self.texts
            or sum(len(part.key) for part in parts) in self.keys
        )


@lru_cache(maxsize=2**12)
def _reachable_lengths(other: Form) -> tuple[bool, frozenset[int], frozenset[int]]:
    """Whether ``other`` has an initial, and the lengths of joined text and keys that are
    close enough to the length of one of its words (the relation is symmetric)."""
    texts = frozenset(n for token in other.tokens for n in _close_lengths(len(token.text)))
    keys = frozenset(n for token in other.tokens for n in _close_lengths(len(token.key)))
    return any(_is_initial(token) for token in other.tokens), texts, keys


@lru_cache(maxsize=256)
def _close_lengths(length: int) -> range:
    """Lengths ``n`` with ``|length - n| <= (1 - COMPOUND_MIN) * max(length, n)``."""
    low = math.ceil(COMPOUND_MIN * length - 1e-9)
    high = math.floor(length / COMPOUND_MIN + 1e-9)
    return range(low, high + 1)


ACRONYM_MAX: Final = 5  # longest acronym read as the initials of as many words


def _acronym_at(tokens: list[Token], index: int, acronyms: set[str]) -> Token | None:
    initials = "".join(token.text[0] for token in tokens[index : index + ACRONYM_MAX])
    for length in range(len(initials), 1, -1):
        if initials[:length] in acronyms:
            return Token(initials[:length], word_key(initials[:length]), optional=False)
    return None


def merge_acronyms(form: Form, other: Form) -> Form:
    """Read consecutive words of ``form`` as the acronym that ``other`` uses for them
    (People's Liberation Army and PLA, United States and U.S.)."""
    acronyms = {token.text for token in other.tokens if 1 < len(token.text) <= ACRONYM_MAX}
    tokens = list(form.tokens)
    if not acronyms or len(tokens) < 2:
        return form
    for index in range(len(tokens)):
        acronym = _acronym_at(tokens, index, acronyms)
        if acronym is not None:
            tokens[index : index + len(acronym.text)] = [acronym]
    return Form(tuple(tokens), form.legal_forms)


def _expand_initials(form: Form, partners: dict[int, Token]) -> Form:
    tokens = tuple(
        partners[i] if _is_initial(token) and i in partners else token
        for i, token in enumerate(form.tokens)
    )
    return Form(tokens, form.legal_forms)


# The similarity of two words as ``token_similarity(one, other, person)`` gives it.
Similarity = Callable[[Token, Token, bool], float]


def align(
    left: Form, right: Form, schema: str = PERSON, similar: Similarity | None = None
) -> Alignment:
    """Pair words greedily, most similar first (ties broken by position), after joining
    compound words; an initial paired with a word is then read as that word. A person's
    initials run together are read as an acronym (JC Juncker) only beside another word:
    a person written as N.N. alone is an unknown, not Nursultan Nazarbayev. ``similar``
    gives the words' similarities as ``token_similarity`` does (``pool_score`` looks them
    up in a table worked out for many names at once)."""
    if schema != PERSON or min(len(left.tokens), len(right.tokens)) > 1:
        left, right = merge_acronyms(left, right), merge_acronyms(right, left)
    left, right = merge_compounds(left, right), merge_compounds(right, left)
    pairs = _pair(left, right, schema == PERSON, similar or token_similarity)
    left, right = _read_alike(left, right, pairs)
    left = _expand_initials(left, {i: right.tokens[j] for i, j, _ in pairs})
    right = _expand_initials(right, {j: left.tokens[i] for i, j, _ in pairs})
    return Alignment(left, right, pairs, schema)


def _pair(
    left: Form, right: Form, person: bool, similar: Similarity = token_similarity
) -> tuple[tuple[int, int, float], ...]:
    candidates = sorted(
        (
            (-similar(one, other, person), i, j)
            for i, one in enumerate(left.tokens)
            for j, other in enumerate(right.tokens)
        )
    )
    used_left: set[int] = set()
    used_right: set[int] = set()
    pairs: list[tuple[int, int, float]] = []
    for negative, i, j in candidates:
        if -negative < MATCH_MIN or i in used_left or j in used_right:
            continue
        used_left.add(i)
        used_right.add(j)
        pairs.append((i, j, -negative))
    return tuple(pairs)


def alignment_quality(alignment: Alignment) -> float:
    """Length-weighted similarity of paired words over all required words of both names."""
    weights = [len(token.text) for token in alignment.left.required]
    weights += [len(token.text) for token in alignment.right.required]
    matched = sum(
        similarity * (len(alignment.left.tokens[i].text) + len(alignment.right.tokens[j].text))
        for i, j, similarity in alignment.pairs
        if not (alignment.left.tokens[i].optional or alignment.right.tokens[j].optional)
    )
    return matched / sum(weights) if weights else 0.0
