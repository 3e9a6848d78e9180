"""The index keeps each listed name's spellings (``pool_score.listed_spellings``), and
screening reads them there instead of working them out for each query: the same
spellings, so the same hits."""

from __future__ import annotations

import copy

from pfund.domain.watchlist import WatchlistEntity
from pfund.screening.index import CandidateIndex
from pfund.screening.names import PERSON, spelling_rule, spellings
from pfund.screening.pool_score import SEPARATOR, listed_spellings
from tests.screening import synthetic


def test_each_listed_name_keeps_the_spellings_of_its_own_kind() -> None:
    index = CandidateIndex.build(synthetic.listed(2_000))
    assert len(index.spelt) == len(index.names)
    for names, kept, person in zip(index.names, index.spelt, index.persons.tolist(), strict=True):
        kind = PERSON if person else "Organization"
        assert len(kept) == len(names)
        for name, packed in zip(names, kept, strict=True):
            assert packed is not None
            assert tuple(packed.split(SEPARATOR)) == spellings(name, kind)
    assert any(SEPARATOR in packed for kept in index.spelt for packed in kept if packed)


def test_spellings_that_cannot_be_packed_are_worked_out_when_needed() -> None:
    for name in ("", "Иван Петров", "Mr John Smith / J. Smith"):
        packed = listed_spellings(name, PERSON)
        assert packed is not None and tuple(packed.split(SEPARATOR)) == spellings(name)
    assert listed_spellings(f"Ivan{SEPARATOR}Petrov", PERSON) is None
    assert listed_spellings("Иван Петров", PERSON) == SEPARATOR.join(spellings("Иван Петров"))


def test_screening_with_the_kept_spellings_finds_what_working_them_out_finds() -> None:
    index = CandidateIndex.build(synthetic.listed(3_000))
    unkept = copy.copy(index)
    unkept.spelt = [tuple(None for _ in kept) for kept in index.spelt]
    # Wrong spellings kept would change the hits: the kept ones must be read.
    wrong = copy.copy(index)
    wrong.spelt = [tuple("zzzz" for _ in kept) for kept in index.spelt]
    queries = synthetic.queries(3_000, 120)
    found = [index.screen(name, schema) for _, schema, name in queries]
    assert found == [unkept.screen(name, schema) for _, schema, name in queries]
    assert sum(map(len, found)) > 50
    assert found != [wrong.screen(name, schema) for _, schema, name in queries]


def test_a_vessels_query_works_out_the_vessels_spellings() -> None:
    """Asked as a vessel, a listed vessel's names are spelt without "MV" (its kept
    spellings, an organisation's, keep it): the kept ones must not be read then."""
    listed = [WatchlistEntity(id="v1", schema_name="Vessel", names=("MV Ocean Star",))]
    index = CandidateIndex.build(listed)
    unkept = copy.copy(index)
    unkept.spelt = [(None,)]
    found = index.screen("Ocean Star", "Vessel", threshold=0.01)
    assert found and found == unkept.screen("Ocean Star", "Vessel", threshold=0.01)


def test_a_company_query_reads_the_spellings_kept_as_an_organizations() -> None:
    """A Company query compares listed firms as Companies, whose names ``spellings``
    spells by the same rule as an Organization's: the kept spellings serve it."""
    index = CandidateIndex.build(synthetic.listed(3_000))
    unkept = copy.copy(index)
    unkept.spelt = [tuple(None for _ in kept) for kept in index.spelt]
    wrong = copy.copy(index)
    wrong.spelt = [tuple("zzzz" for _ in kept) for kept in index.spelt]
    queries = [query for query in synthetic.queries(3_000, 200) if query[1] == "Company"]
    assert len(queries) > 20
    found = [index.screen(name, schema) for _, schema, name in queries]
    assert sum(map(len, found)) > 10
    assert found == [unkept.screen(name, schema) for _, schema, name in queries]
    assert found != [wrong.screen(name, schema) for _, schema, name in queries]


def test_schemas_of_one_spelling_rule_spell_every_name_alike() -> None:
    schemas = [PERSON, "Organization", "Company", "LegalEntity", "PublicBody", "Vessel"]
    names = ["MV Ocean Star", "Mr John Smith / J. Smith", "ООО «Ромашка»", "Иван Петров"]
    for one in schemas:
        for other in schemas:
            same = [spellings(name, one) == spellings(name, other) for name in names]
            if spelling_rule(one) == spelling_rule(other):
                assert all(same), (one, other)
            else:
                assert not all(same), (one, other)
