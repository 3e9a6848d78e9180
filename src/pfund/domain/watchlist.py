"""A watchlist entity as screening needs it: names, identifiers and a few facts.

Plain and pure: readers (``pfund.io.ftm``) build these records; the index and the
scorer only read them.
"""

from pydantic import BaseModel, ConfigDict

from pfund.domain.identifiers import inn_problem, ogrn_problem
from pfund.domain.lengths import Name, Word


class WatchlistEntity(BaseModel):
    """One listed person or organisation (a FollowTheMoney entity, flattened)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: Name
    schema_name: Word
    names: tuple[str, ...]
    aliases: tuple[str, ...] = ()
    weak_aliases: tuple[str, ...] = ()
    inn: tuple[str, ...] = ()
    ogrn: tuple[str, ...] = ()
    registration_numbers: tuple[str, ...] = ()
    birth_dates: tuple[str, ...] = ()
    countries: tuple[str, ...] = ()
    datasets: tuple[str, ...] = ()
    topics: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def matchable_names(self) -> tuple[str, ...]:
        """Names, then aliases, without repeats: the names screening matches against.

        Weak aliases are kept for the reader but never matched: FollowTheMoney marks
        ``weakAlias`` not matchable (a nickname or a bare first name and surname such as
        "Anya Smirnova" would otherwise flag anyone called Anna whose other words score
        by chance)."""
        return tuple(dict.fromkeys((*self.names, *self.aliases)))

    @property
    def identifiers(self) -> tuple[str, ...]:
        """Every identifier (INN, OGRN, registration numbers), without repeats."""
        return tuple(dict.fromkeys((*self.inn, *self.ogrn, *self.registration_numbers)))


def identifier_problems(inn: tuple[str, ...], ogrn: tuple[str, ...]) -> list[tuple[str, str]]:
    """(field, reason) for every INN or OGRN whose format or check digit is wrong."""
    found = [("innCode", inn_problem(value)) for value in inn]
    found += [("ogrnCode", ogrn_problem(value)) for value in ogrn]
    return [(field, reason) for field, reason in found if reason]
