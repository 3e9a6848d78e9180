"""Conditions and stages: the verifiable political facts that decide which money may flow."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from pfund.domain.enums import ConditionStatus, IatiConditionType
from pfund.domain.lengths import Id, Title
from pfund.domain.protection import PUBLIC

V = TypeVar("V")

CODE_PATTERN = r"^[a-z][a-z0-9_]*$"


class VerificationProtocol(BaseModel):
    """Who verifies a condition and with what evidence.

    ``verifier`` names registered verifiers by code, comma-separated (the data set's
    loader checks them against the fund's register), so a page or report names each in
    its reader's language; a store filled before that may hold free text, shown as is."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    verifier: Annotated[str, PUBLIC]
    evidence: Annotated[str, PUBLIC]

    @property
    def verifier_codes(self) -> list[str]:
        """The verifiers this protocol names, one per comma-separated part."""
        return verifier_codes(self.verifier)


def verifier_codes(text: str) -> list[str]:
    """``"eu_council, us_treasury_ofac"`` -> ``["eu_council", "us_treasury_ofac"]``."""
    return [part.strip() for part in text.split(",") if part.strip()]


def named_verifiers(text: str, register: Mapping[str, V]) -> list[V] | None:
    """The register's entries for the verifiers ``text`` names, in its order; None when
    it names none or a code the register lacks (a store from before the codes holds free
    text, which the pages then show as it is)."""
    named = [register.get(code) for code in verifier_codes(text)]
    found = [v for v in named if v is not None]
    return found if found and len(found) == len(named) else None


class Condition(BaseModel):
    """A political fact, its definition, how it is verified and where it stands now."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: Annotated[Id, PUBLIC] = Field(pattern=CODE_PATTERN)
    title: Annotated[Title, PUBLIC]
    title_ru: Annotated[Title, PUBLIC] = ""
    definition: Annotated[str, PUBLIC]
    definition_ru: Annotated[str, PUBLIC] = ""
    protocol: Annotated[VerificationProtocol, PUBLIC]
    iati_type: Annotated[IatiConditionType, PUBLIC] = IatiConditionType.POLICY
    status: Annotated[ConditionStatus, PUBLIC] = ConditionStatus.NOT_MET
    status_since: Annotated[date | None, PUBLIC] = None


class Stage(BaseModel):
    """A set of conditions that, all met, unlocks a kind of work."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    number: Annotated[int, PUBLIC] = Field(ge=0, le=9)
    name: Annotated[Title, PUBLIC]
    name_ru: Annotated[Title, PUBLIC] = ""
    description: Annotated[str, PUBLIC] = ""
    description_ru: Annotated[str, PUBLIC] = ""
    conditions: Annotated[list[Id], PUBLIC] = Field(default_factory=list)
    unlocks: Annotated[list[str], PUBLIC] = Field(default_factory=list)


class ConditionChange(BaseModel):
    """One change of a condition's status, with the evidence and who verified it.

    Stored append-only: the history of a condition is the list of its changes. The
    conditions engine's subclass checks the protocol (allowed move, evidence, verifier).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: Annotated[Id, PUBLIC] = Field(pattern=CODE_PATTERN)
    old: Annotated[ConditionStatus, PUBLIC]
    new: Annotated[ConditionStatus, PUBLIC]
    evidence: Annotated[str, PUBLIC]
    verifier: Annotated[str, PUBLIC]
    on: Annotated[date, PUBLIC]
    actor: str = ""
