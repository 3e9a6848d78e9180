"""Every bounded text column holds whatever its domain field accepts.

A value the domain accepts but the column cannot hold passes validation and then fails
inside the database, where PostgreSQL refuses it with the row in its message (a person's
name, e-mail and phone ended up in a server traceback that way) and SQLite keeps it,
so that a SQLite backup no longer restores into PostgreSQL. So each ``String(n)`` column
of every table is named here with the field it stores, and the field must refuse
anything longer than ``n``; a column that stores no field says why. A new column, or a
field that loses its bound, fails this test.
"""

from __future__ import annotations

import re
import types
from decimal import Decimal
from enum import Enum
from re import _parser as sre_parse  # a pattern's longest match
from typing import Annotated, Any, Union, get_args, get_origin

import annotated_types
import pycountry
import pytest
from pydantic import AfterValidator, BaseModel
from pydantic.fields import FieldInfo
from sqlalchemy import String

from pfund.domain import (
    account,
    agreement,
    audit,
    company_return,
    compliance,
    conditions,
    decision,
    donor_agreement,
    fund,
    fx,
    governance,
    grievance,
    instrument,
    jobs,
    ledger,
    licence,
    organisation,
    outturn,
    project,
    reference,
    results,
    scorecard,
    verification,
    watchlist,
)
from pfund.domain.money import check_currency
from pfund.services.committee import ItemRequest, SeatRequest
from pfund.services.grievances import GrievanceForm
from pfund.services.reviews import Review
from pfund.store.tables import Base

# Validators that accept only codes of a known length.
KNOWN = {
    reference.check_country2: 2,
    reference.check_country3: 3,
    check_currency: 3,
    reference.check_subdivision: max(len(s.code) for s in pycountry.subdivisions),
}
EMAIL_MAX = 254  # email-validator refuses longer addresses (RFC 5321)

ORG, PERSON, COMPANY = organisation.Organisation, organisation.Person, organisation.CompanyProfile
PR = project.Project
IND = results.Indicator
UNIT, SAMPLE, FINDING = verification.ReportedUnit, verification.SampleRequest, verification.Finding
LINK = verification.TrancheLinkRequest
# table.column -> "Model.field" (a path through nested models; [] is a list's item,
# {} a mapping's key), or None with the reason the column stores no domain field.
COLUMNS: dict[str, tuple[type[BaseModel], str] | str] = {
    "areas.code": (reference.Area, "code"),
    "areas.name": (reference.Area, "name"),
    "areas.name_ru": (reference.Area, "name_ru"),
    "audit_events.actor": (audit.AuditEvent, "actor"),
    "audit_events.action": (audit.AuditEvent, "action"),
    "audit_events.record_type": (audit.AuditEvent, "record_type"),
    "audit_events.record_id": (audit.AuditEvent, "record_id"),
    "audit_events.prev_hash": (audit.AuditEvent, "prev_hash"),
    "audit_events.hash": (audit.AuditEvent, "hash"),
    "audit_head.hash": (audit.AuditEvent, "hash"),
    "conditions.code": (conditions.Condition, "code"),
    "conditions.title": (conditions.Condition, "title"),
    "conditions.title_ru": (conditions.Condition, "title_ru"),
    "conditions.iati_type": (conditions.Condition, "iati_type"),
    "conditions.status": (conditions.Condition, "status"),
    "contributors.iso3": (reference.Contributor, "iso3"),
    "contributors.name": (reference.Contributor, "name"),
    "contributors.defence_pct_gdp": (reference.Contributor, "defence_pct_gdp"),
    "contributors.share_of_gdp": (reference.Contributor, "share_of_gdp"),
    "decision_records.id": (decision.DecisionRecord, "id"),
    "decision_records.kind": (decision.DecisionRecord, "kind"),
    "decision_records.actor": (decision.DecisionRecord, "actor"),
    "decision_records.inputs_hash": (decision.DecisionRecord, "inputs_hash"),
    "decision_records.solver": (decision.DecisionRecord, "solver"),
    "decision_records.solver_version": (decision.DecisionRecord, "solver_version"),
    "decision_records.status": (decision.DecisionRecord, "status"),
    "decision_records.pfund_version": (decision.DecisionRecord, "pfund_version"),
    "fund.code": (fund.FundDefinition, "code"),
    "fund.name": (fund.FundDefinition, "name"),
    "fund.name_ru": (fund.FundDefinition, "name_ru"),
    "fund.beneficiary_country": (fund.FundDefinition, "beneficiary_country"),
    "fund.currency": (fund.FundDefinition, "currency"),
    "fund.default_share_of_gdp": (fund.FundDefinition, "default_share_of_gdp"),
    "fund.discount_rate": (fund.FundDefinition, "discount_rate"),
    "fund.iati_org_ref": (fund.FundDefinition, "iati_org_ref"),
    "organisations.id": (ORG, "id"),
    "organisations.name": (ORG, "name"),
    "organisations.alias": (ORG, "alias"),
    "organisations.kind": (ORG, "kind"),
    "organisations.country": (ORG, "country"),
    "organisations.website": (ORG, "website"),
    "organisations.company_russia_status": (COMPANY, "russia_status"),
    "organisations.company_reengagement": (COMPANY, "reengagement"),
    "organisations.company_home_country": (COMPANY, "home_country"),
    "regions.code": (reference.Region, "code"),
    "regions.name": (reference.Region, "name"),
    "regions.name_ru": (reference.Region, "name_ru"),
    "regions.kind": (reference.Region, "kind"),
    "stages.name": (conditions.Stage, "name"),
    "stages.name_ru": (conditions.Stage, "name_ru"),
    "users.username": (account.User, "username"),
    "users.display_name": (account.User, "display_name"),
    "users.password_hash": "an argon2 hash the service computes (about 100 characters)",
    "watchlists.id": (compliance.Watchlist, "id"),
    "watchlists.name": (compliance.Watchlist, "name"),
    "watchlists.content_hash": (compliance.Watchlist, "content_hash"),
    "api_tokens.token_hash": "a SHA-256 hex digest the service computes",
    "api_tokens.username": (account.User, "username"),
    "api_tokens.label": "typed by an admin on the command line; a longer one is refused",
    "audit_events.scheme": "the chain's hash scheme, written by the audit writer",
    "idempotency_keys.actor": (audit.AuditEvent, "actor"),
    "jobs.id": (jobs.Job, "id"),
    "jobs.kind": (jobs.Job, "kind"),
    "jobs.state": (jobs.Job, "state"),
    "jobs.actor": (jobs.Job, "actor"),
    "jobs.claimed_by": (jobs.Job, "claimed_by"),
    "jobs.result": (jobs.Job, "result"),
    "jobs.error": (jobs.Job, "error"),
    "audit_verifications.actor": (audit.AuditEvent, "actor"),
    "job_files.id": (jobs.JobFile, "id"),
    "job_files.job_id": (jobs.JobFile, "job_id"),
    "job_files.role": (jobs.JobFile, "role"),
    "job_files.name": (jobs.JobFile, "name"),
    "job_files.media_type": (jobs.JobFile, "media_type"),
    "job_files.sha256": (jobs.JobFile, "sha256"),
    "job_files.actor": (jobs.JobFile, "actor"),
    "idempotency_keys.key": "an Idempotency-Key header, bounded to 200 by the API",
    "idempotency_keys.fingerprint": "a SHA-256 hex digest the API computes",
    "idempotency_keys.method": "an HTTP method",
    "idempotency_keys.path": "a route path of the API, bounded by the API",
    "ledger_balances.account": "a ledger account name, kept by a database trigger",
    "ledger_balances.scope": "a tranche, member or empty, kept by a database trigger",
    "api_tokens.token_id": "a short public id the service derives from the token's hash",
    "rate_limits.key": "an HMAC hex digest of an address or user name, made by the service",
    "user_sessions.id_hash": "a SHA-256 hex digest of the session id, made by the service",
    "user_sessions.username": (account.User, "username"),
    "condition_changes.code": (conditions.ConditionChange, "code"),
    "condition_changes.old": (conditions.ConditionChange, "old"),
    "condition_changes.new": (conditions.ConditionChange, "new"),
    "people.id": (PERSON, "id"),
    "people.organisation": (PERSON, "organisation"),
    "people.role": (PERSON, "role"),
    "people.alias": (PERSON, "alias"),
    "people.name": (PERSON, "name"),
    "people.email": (PERSON, "email"),
    "people.phone": (PERSON, "phone"),
    "projects.id": (PR, "id"),
    "projects.title": (PR, "title"),
    "projects.title_ru": (PR, "title_ru"),
    "projects.area": (PR, "area"),
    "projects.proponent": (PR, "proponent"),
    "projects.status": (PR, "status"),
    "projects.currency": (PR, "currency"),
    "projects.risk": (PR, "risk"),
    "screening_hits.counterparty_kind": (compliance.ScreeningHit, "counterparty_kind"),
    "screening_hits.counterparty_id": (compliance.ScreeningHit, "counterparty_id"),
    "screening_hits.watchlist_id": (compliance.ScreeningHit, "watchlist_id"),
    "screening_hits.entity_id": (compliance.ScreeningHit, "entity_id"),
    "screening_hits.entity_hash": (compliance.ScreeningHit, "entity_hash"),
    "stage_conditions.condition": (conditions.Stage, "conditions[]"),
    "vetting_items.organisation_id": (ORG, "id"),
    "vetting_items.criterion": (organisation.VettingItem, "criterion"),
    "vetting_items.reviewer": (organisation.VettingItem, "reviewer"),
    "watchlist_entities.watchlist_id": (compliance.Watchlist, "id"),
    "watchlist_entities.entity_id": (watchlist.WatchlistEntity, "id"),
    "watchlist_entities.schema_name": (watchlist.WatchlistEntity, "schema_name"),
    "watchlist_entities.content_hash": "a SHA-256 hex digest the service computes",
    "hit_decisions.decision": (compliance.HitDecision, "decision"),
    "outreach.organisation_id": (compliance.OutreachEntry, "organisation_id"),
    "outreach.channel": (compliance.OutreachEntry, "channel"),
    "outreach.staff": (compliance.OutreachEntry, "staff"),
    "outreach.contact_person_id": (compliance.OutreachEntry, "contact_person_id"),
    "outreach.outcome": (compliance.OutreachEntry, "outcome"),
    "project_benefits.project_id": (PR, "id"),
    "project_benefits.stream": (PR, "benefits{}"),
    "project_contacts.project_id": (PR, "id"),
    "project_contacts.contact": (PR, "contacts[]"),
    "project_costs.project_id": (PR, "id"),
    "project_costs.kind": "'capital' or 'running', written by the repository",
    "project_links.project_id": (PR, "id"),
    "project_links.other_id": (PR, "depends_on[]"),
    "project_links.kind": "'depends_on' or 'excludes', written by the repository",
    "project_outcomes.project_id": (PR, "id"),
    "project_outcomes.name": (PR, "outcomes{}"),
    "project_outcomes.unit": (project.Outcome, "unit"),
    "project_outcomes.name_ru": (project.Outcome, "name_ru"),
    "project_partners.project_id": (PR, "id"),
    "project_partners.organisation_id": (PR, "partners[]"),
    "project_regions.project_id": (PR, "id"),
    "project_regions.region": (PR, "regions[]"),
    "project_scores.project_id": (PR, "id"),
    "project_scores.criterion": (PR, "scores{}"),
    "reviews.project_id": (Review, "project_id"),
    "reviews.reviewer": (Review, "reviewer"),
    "reviews.assigned_by": (Review, "assigned_by"),
    "tranches.id": (ledger.Tranche, "id"),
    "tranches.project_id": (ledger.Tranche, "project_id"),
    "tranches.currency": (ledger.Tranche, "currency"),
    "tranches.status": (ledger.Tranche, "status"),
    "tranches.original_currency": (ledger.Tranche, "original_currency"),
    "tranches.rate": (ledger.Tranche, "rate"),
    "tranches.rate_source": (ledger.Tranche, "rate_source"),
    "tranches.rate_date": "an ISO day the repository writes from a date (10 characters)",
    "ledger_entries.fx_rate_date": "an ISO day the repository writes from a date (10 characters)",
    "ledger_entries.fx_currency": (ledger.LedgerEntry, "fx_currency"),
    "ledger_entries.fx_rate": (ledger.LedgerEntry, "fx_rate"),
    "exchange_rates.base": (fx.ExchangeRate, "base"),
    "exchange_rates.quote": (fx.ExchangeRate, "quote"),
    "exchange_rates.rate": (fx.ExchangeRate, "rate"),
    "exchange_rates.source": (fx.ExchangeRate, "source"),
    "exchange_rates.source_ru": (fx.ExchangeRate, "source_ru"),
    "exchange_rates.file_sha256": (fx.ExchangeRate, "file_sha256"),
    "ledger_entries.debit": (ledger.LedgerEntry, "debit"),
    "ledger_entries.credit": (ledger.LedgerEntry, "credit"),
    "ledger_entries.currency": (ledger.LedgerEntry, "currency"),
    "ledger_entries.contributor": (ledger.LedgerEntry, "contributor"),
    "ledger_entries.project_id": (ledger.LedgerEntry, "project_id"),
    "ledger_entries.tranche_id": (ledger.LedgerEntry, "tranche_id"),
    "tranche_conditions.tranche_id": (ledger.Tranche, "id"),
    "tranche_conditions.condition": (ledger.Tranche, "conditions[]"),
    "project_publications.project_id": (PR, "id"),
    "proposals.project_id": (PR, "id"),
    "proposals.code_hash": "hex of an HMAC-SHA256: always 64 characters",
    "proposal_messages.project_id": (PR, "id"),
    "proposal_messages.kind": "a MessageKind the service writes (at most 9 characters)",
    "result_indicators.project_id": (IND, "project"),
    "result_indicators.code": (IND, "code"),
    "result_indicators.name": (IND, "name"),
    "result_indicators.name_ru": (IND, "name_ru"),
    "result_indicators.unit": (IND, "unit"),
    "result_indicators.baseline": (IND, "baseline"),
    "result_indicators.outcome": (IND, "outcome"),
    "result_targets.project_id": (IND, "project"),
    "result_targets.code": (IND, "code"),
    "result_targets.period": (IND, "targets{}"),
    "result_targets.value": "a target: the Decimal of Indicator.targets (max_digits 30)",
    "result_reports.id": (results.ReportRecord, "id"),
    "result_reports.project_id": (results.ReportInput, "project"),
    "result_reports.period": (results.ReportInput, "period"),
    "result_reports.token_hash": "hex of an HMAC-SHA256: always 64 characters",
    "result_reports.channel": "a channel the service writes (form, api, csv: at most 4)",
    "result_values.report_id": (results.ReportRecord, "id"),
    "result_values.indicator": (results.ReportedValue, "indicator"),
    "result_values.region": (IND, "regions[]"),
    "result_values.value": (results.ReportedValue, "value"),
    "result_values.unit": (results.ReportedValue, "unit"),
    "evidence_files.sha256": (results.EvidenceFile, "sha256"),
    "evidence_files.media_type": (results.EvidenceFile, "media_type"),
    "report_evidence.report_id": (results.ReportRecord, "id"),
    "report_evidence.sha256": (results.EvidenceFile, "sha256"),
    "report_evidence.filename": (results.EvidenceFile, "filename"),
    "project_outturns.project_id": (outturn.Outturn, "project"),
    "project_outturns.cost": "a realised cost: the Decimal of Outturn.cost (max_digits 30)",
    "result_units.report_id": (UNIT, "report"),
    "result_units.indicator": (UNIT, "indicator"),
    "result_units.unit_id": (UNIT, "unit"),
    "result_units.stratum": (UNIT, "stratum"),
    "result_units.reported": (UNIT, "reported"),
    "result_verifications.id": "VER- and a 5-digit count the service writes (9 characters)",
    "result_verifications.report_id": (SAMPLE, "report"),
    "result_verifications.indicator": (SAMPLE, "indicator"),
    "result_verifications.confidence": (SAMPLE, "confidence"),
    "result_verifications.precision": (SAMPLE, "precision"),
    "result_verifications.verifier": (audit.AuditEvent, "actor"),
    "result_verifications.status": "a VerificationStatus the service writes (at most 8)",
    "result_findings.verification_id": (FINDING, "verification"),
    "result_findings.unit_id": (FINDING, "unit"),
    "result_findings.recounted": (FINDING, "recounted"),
    "tranche_result_links.tranche_id": (LINK, "tranche"),
    "tranche_result_links.project_id": (ledger.Tranche, "project_id"),
    "tranche_result_links.indicator": (LINK, "indicator"),
    "tranche_result_links.period": (LINK, "period"),
    "result_indicators.direction": (IND, "direction"),
    "tranche_remainder_decisions.tranche_id": (ledger.Tranche, "id"),
    "tranche_remainder_decisions.decision": "'kept' or 'returned', written by the service",
    "tranche_remainder_decisions.amount": (
        "a ledger balance the service computes (BigInteger minor units: at most 19 digits)"
    ),
    "tranche_remainder_decisions.decided_by": (audit.AuditEvent, "actor"),
    "committees.code": (governance.CommitteeDefinition, "code"),
    "committees.name": (governance.CommitteeDefinition, "name"),
    "committees.name_ru": (governance.CommitteeDefinition, "name_ru"),
    # The service checks a seat's label against SEAT_LABEL_PATTERN (SeatVote's pattern).
    "committee_seats.label": (governance.SeatVote, "label"),
    "committee_seats.committee": (governance.CommitteeDefinition, "code"),
    "committee_seats.side": (SeatRequest, "side"),
    "committee_seats.contributor": (SeatRequest, "contributor"),
    "committee_seats.organisation_id": (SeatRequest, "organisation_id"),
    "committee_seats.member": (SeatRequest, "member"),
    "committee_seats.label_ru": (SeatRequest, "label_ru"),
    "committee_items.committee": (governance.CommitteeDefinition, "code"),
    "committee_items.kind": (ItemRequest, "kind"),
    "committee_items.title": (ItemRequest, "title"),
    "committee_items.title_ru": (ItemRequest, "title_ru"),
    "committee_items.run_id": (ItemRequest, "run_id"),
    "committee_items.status": "'open' or an outcome the service writes (at most 8)",
    "committee_items.opened_by": (audit.AuditEvent, "actor"),
    "committee_items.record_id": (decision.DecisionRecord, "id"),
    "committee_votes.vote": (governance.SeatVote, "vote"),
    "committee_votes.cast_by": (audit.AuditEvent, "actor"),
    "grievances.id": "GRV- and 8 hex digits, made by the service (12 characters)",
    "grievances.code_hash": "hex of an HMAC-SHA256: always 64 characters",
    "grievances.category": (GrievanceForm, "category"),
    "grievances.subject_kind": (GrievanceForm, "subject_kind"),
    "grievances.subject_id": (GrievanceForm, "subject_id"),
    "grievances.language": (GrievanceForm, "language"),
    "grievances.status": (grievance.Grievance, "status"),
    "grievance_events.grievance_id": "a grievance's id (GRV- and 8 hex digits, 12 characters)",
    "grievance_events.actor": (audit.AuditEvent, "actor"),
    "grievance_events.kind": "a step the service writes (received, moved, held...: at most 14)",
    "grievance_events.status": (grievance.Grievance, "status"),
    "grievance_files.grievance_id": "a grievance's id (GRV- and 8 hex digits, 12 characters)",
    "grievance_files.media_type": "one of pfund.io.evidence.ACCEPTED (at most 15 characters)",
    "grievance_files.sha256": "a SHA-256 hex digest the repository computes",
    "indicator_sets.name": "a data set name the service checks against SET_NAME (at most 64)",
    "indicator_sets.sha256": "a SHA-256 hex digest the service computes",
    "indicator_sets.file": "a file's name (Path.name): at most 255 bytes on any file system",
    "indicator_sets.imported_by": (audit.AuditEvent, "actor"),
    "indicator_values.area": (scorecard.IndicatorValue, "area"),
    "indicator_values.indicator": (scorecard.IndicatorValue, "indicator"),
    "indicator_values.value": (scorecard.IndicatorValue, "value"),
    "indicator_values.category": (scorecard.IndicatorValue, "category"),
    "indicator_values.licence": (scorecard.IndicatorValue, "licence"),
    "condition_proposals.condition": (conditions.Condition, "code"),
    "condition_proposals.old": (scorecard.Proposal, "old"),
    "condition_proposals.new": (scorecard.Proposal, "new"),
    "condition_proposals.verifier": (fund.Verifier, "code"),
    "condition_proposals.status": (scorecard.Proposal, "status"),
    "condition_proposals.decided_by": (audit.AuditEvent, "actor"),
    "licences.id": (licence.SanctionsLicence, "id"),
    "licences.kind": (licence.SanctionsLicence, "kind"),
    "licences.authority": (licence.SanctionsLicence, "authority"),
    "licences.reference": (licence.SanctionsLicence, "reference"),
    "licences.legal_basis": (licence.SanctionsLicence, "legal_basis"),
    "licences.authority_ru": (licence.SanctionsLicence, "authority_ru"),
    "licences.legal_basis_ru": (licence.SanctionsLicence, "legal_basis_ru"),
    "licences.currency": (fund.FundDefinition, "currency"),
    "licences.scope": (licence.SanctionsLicence, "scope"),
    "licences.scope_ru": (licence.SanctionsLicence, "scope_ru"),
    "licences.revoked_reason": (licence.SanctionsLicence, "revoked_reason"),
    "licence_uses.licence_id": (licence.SanctionsLicence, "id"),
    "licence_uses.tranche_id": (ledger.Tranche, "id"),
    "licence_uses.currency": (fund.FundDefinition, "currency"),
    "agreements.id": (agreement.Agreement, "id"),
    "agreements.project_id": (agreement.Agreement, "project_id"),
    "agreements.status": (agreement.Agreement, "status"),
    "agreements.currency": (agreement.Agreement, "currency"),
    "agreements.conditions_precedent": (agreement.Agreement, "conditions_precedent"),
    "agreements.conditions_precedent_ru": (agreement.Agreement, "conditions_precedent_ru"),
    "agreements.reporting_duties": (agreement.Agreement, "reporting_duties"),
    "agreements.reporting_duties_ru": (agreement.Agreement, "reporting_duties_ru"),
    "agreement_versions.agreement_id": (agreement.AgreementVersion, "agreement_id"),
    "agreement_versions.kind": (agreement.AgreementVersion, "kind"),
    "agreement_versions.reason": (agreement.AgreementVersion, "reason"),
    "agreement_versions.actor": (agreement.AgreementVersion, "actor"),
    "company_lists.id": (company_return.CompanyList, "id"),
    "company_lists.tracker": (company_return.CompanyList, "tracker"),
    "company_lists.source": (company_return.CompanyList, "source"),
    "company_lists.url": (company_return.CompanyList, "url"),
    "company_lists.file": (company_return.CompanyList, "file"),
    "company_lists.sha256": (company_return.CompanyList, "sha256"),
    "company_returns.organisation_id": (company_return.CompanyReturn, "organisation_id"),
    "company_returns.list_id": (company_return.CompanyReturn, "list_id"),
    "company_returns.listed_name": (company_return.CompanyReturn, "listed_name"),
    "company_returns.tracker": (company_return.CompanyReturn, "tracker"),
    "company_returns.grade": (company_return.CompanyReturn, "grade"),
    "company_returns.tracker_status": (company_return.CompanyReturn, "tracker_status"),
    "company_returns.russia_status": (company_return.CompanyReturn, "russia_status"),
    "company_returns.sector": (company_return.CompanyReturn, "sector"),
    "company_returns.stage": (company_return.CompanyReturn, "stage"),
    "donor_agreements.id": (donor_agreement.DonorAgreement, "id"),
    "donor_agreements.contributor": (donor_agreement.DonorAgreement, "contributor"),
    "donor_agreements.reference": (donor_agreement.DonorAgreement, "reference"),
    "donor_agreements.title": (donor_agreement.DonorAgreement, "title"),
    "donor_agreements.title_ru": (donor_agreement.DonorAgreement, "title_ru"),
    "donor_agreements.currency": (donor_agreement.DonorAgreement, "currency"),
    "donor_agreements.admin_fee": (donor_agreement.DonorAgreement, "admin_fee"),
    "donor_receipts.agreement_id": (donor_agreement.DonorReceipt, "agreement_id"),
    "donor_receipts.currency": (donor_agreement.DonorReceipt, "currency"),
    "donor_receipts.agreement_amount": (donor_agreement.DonorReceipt, "agreement_amount"),
    "donor_receipts.rate": (donor_agreement.DonorReceipt, "rate"),
    "donor_receipts.fund_currency": (fund.FundDefinition, "currency"),
    "donor_receipts.fund_rate": (donor_agreement.DonorReceipt, "fund_rate"),
    "donor_receipts.memo": (donor_agreement.DonorReceipt, "memo"),
    "donor_receipts.status": (donor_agreement.DonorReceipt, "status"),
    "donor_receipt_reversals.agreement_id": (donor_agreement.DonorReceipt, "agreement_id"),
    "donor_receipt_reversals.actor": (donor_agreement.DonorReceipt, "reversed_by"),
    "donor_receipt_reversals.reason": (donor_agreement.DonorReceipt, "reversal_reason"),
    "loans.project_id": (instrument.LoanTerms, "project_id"),
    "loans.currency": (instrument.LoanTerms, "currency"),
    "loans.annual_rate": (instrument.LoanTerms, "annual_rate"),
    "loans.method": (instrument.LoanTerms, "method"),
    "guarantees.project_id": (instrument.GuaranteeTerms, "project_id"),
    "guarantees.currency": (instrument.GuaranteeTerms, "currency"),
    "guarantees.beneficiary": (instrument.GuaranteeTerms, "beneficiary"),
    "guarantees.call_probability": (instrument.GuaranteeTerms, "call_probability"),
    "guarantees.loss_given_call": (instrument.GuaranteeTerms, "loss_given_call"),
}
# Links that must hold the same ids as their first entry (same bound, checked there too).
ALSO = {"project_links.other_id": (PR, "excludes[]")}


def bounded_columns() -> dict[str, int]:
    return {
        f"{t.name}.{c.name}": int(c.type.length)
        for t in Base.metadata.sorted_tables
        for c in t.columns
        if isinstance(c.type, String) and c.type.length
    }


def _unwrap(annotation: Any, metadata: list[Any]) -> Any:
    """The annotation without Annotated and None, collecting constraints on the way."""
    while True:
        if get_origin(annotation) is Annotated:
            annotation, *extra = get_args(annotation)
            metadata.extend(extra)
        elif get_origin(annotation) in (Union, types.UnionType):
            rest = [a for a in get_args(annotation) if a is not type(None)]
            if len(rest) != 1:
                return annotation
            annotation = rest[0]
        else:
            return annotation


def _field(model: type[BaseModel], path: str) -> tuple[Any, list[Any]]:
    """The annotation and constraints at ``path`` (``name``, ``name[]``, ``name{}``)."""
    name = path.rstrip("[]{}")
    info: FieldInfo = model.model_fields[name]
    metadata: list[Any] = list(info.metadata)
    annotation = _unwrap(info.annotation, metadata)
    if path.endswith(("[]", "{}")):
        index = 0  # a list's item, or a mapping's key
        metadata = []
        annotation = _unwrap(get_args(annotation)[index], metadata)
    return annotation, metadata


def longest(annotation: Any, metadata: list[Any]) -> int | None:
    """The longest text the field accepts, or None when nothing bounds it."""
    bounds: list[int] = []
    for item in metadata:
        for inner in getattr(item, "metadata", [item]):
            if isinstance(inner, annotated_types.MaxLen):
                bounds.append(inner.max_length)
            pattern = getattr(inner, "pattern", None)
            if isinstance(pattern, str):
                width = sre_parse.parse(pattern).getwidth()[1]
                if width < sre_parse.MAXREPEAT:
                    bounds.append(width)
            if isinstance(inner, annotated_types.MaxLen | AfterValidator):
                func = getattr(inner, "func", None)
                if func in KNOWN:
                    bounds.append(KNOWN[func])
            max_digits = getattr(inner, "max_digits", None)
            if annotation is Decimal and max_digits is not None:
                bounds.append(int(max_digits) + 8)  # sign, point and an exponent
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        bounds.append(max(len(str(m.value)) for m in annotation))
    if getattr(annotation, "__name__", "") == "EmailStr":
        bounds.append(EMAIL_MAX)
    return min(bounds) if bounds else None


def test_every_bounded_column_is_named_with_the_field_it_stores() -> None:
    columns = bounded_columns()
    assert not set(columns) - set(COLUMNS), "columns this test does not know"
    # A column widened to unbounded text (an encrypted one, say) may stay named here.
    existing = {f"{t.name}.{c.name}" for t in Base.metadata.sorted_tables for c in t.columns}
    assert not set(COLUMNS) - existing, "columns that no longer exist"


@pytest.mark.parametrize("column", sorted({**COLUMNS, **ALSO}))
def test_the_field_refuses_what_the_column_cannot_hold(column: str) -> None:
    target = ALSO.get(column) or COLUMNS[column]
    if isinstance(target, str):
        return  # not a domain field; the reason is written beside it
    model, path = target
    annotation, metadata = _field(model, path)
    bound = longest(annotation, metadata)
    size = bounded_columns().get(column)
    if size is None:
        return  # no longer bounded: any length fits
    assert bound is not None, f"{model.__name__}.{path} has no length bound ({column}: {size})"
    assert bound <= size, (
        f"{model.__name__}.{path} accepts {bound} characters; {column} holds {size}"
    )


def test_the_bounds_are_read_correctly() -> None:
    """The walk itself, on fields whose bounds are known."""
    assert longest(*_field(PERSON, "phone")) == 64
    assert longest(*_field(ORG, "id")) == 64
    assert longest(*_field(PR, "regions[]")) == KNOWN[reference.check_subdivision]
    assert re.fullmatch(project.ID_PATTERN, "a" * 64)
    assert not re.fullmatch(project.ID_PATTERN, "a" * 65)
