"""The staff forms of the money side, on SQLite and PostgreSQL: an agreement drawn up,
signed, extended, completed and closed; a loan repayment and a guarantee call; a
tracker's list uploaded and a company's return moved back. Each form changes the state
and writes its audit event; a role without the permission is refused; bad input stores
nothing and the page says which field and why, in English and in Russian; a form sent
twice with its key lands once."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from pfund.api import create_app
from pfund.domain import ProjectStatus, Tranche
from pfund.domain.account import Role
from pfund.domain.agreement import Agreement
from pfund.domain.company_return import ReturnStage
from pfund.domain.instrument import LoanTerms
from pfund.funding import commit
from pfund.services import accounts
from pfund.services.audit import AuditWriter
from pfund.services.demo import load_demo
from pfund.services.funding import post_entries, record_contributions
from pfund.services.instruments import loan_view, record_loan
from pfund.services.runtime import Runtime
from pfund.services.tranches import disburse_tranche, release_tranche
from pfund.settings import Settings
from pfund.store.repositories import table_counts
from pfund.store.repositories.agreements import AgreementRepository
from pfund.store.repositories.companies import CompanyRepository
from tests.api.conftest import PASSWORD, _contributors, csrf_of, sign_in
from tests.factories import make_organisation, make_project

D = Decimal
DAY = date(2027, 2, 1)
PAGE = "/staff/agreements"
KSE = "Company,Status,Country,Industry\nNova Ferries AS,exited,Norway,Industrials\n"


@dataclass
class Fund:
    client: TestClient
    rt: Runtime

    def events(self, action: str) -> list[dict[str, object]]:
        with self.rt.uow() as uow:
            return [e.details for e in uow.audit.list() if e.action == action]

    def counts(self) -> dict[str, int]:
        with self.rt.uow() as uow:
            return table_counts(uow.session)


@pytest.fixture
def fund(
    database_url: str,
    engine: Engine,
    session_factory: sessionmaker[Session],
    today: Callable[[date], None],
) -> Iterator[Fund]:
    """The sample fund with an analyst and a reviewer, an approved project FRM-P1 with a
    committed 2027 tranche, and a loan to FRM-L1 whose 1,000.00 was paid out."""
    today(DAY)
    rt = Runtime(engine=engine, sessions=session_factory, actor="test:setup")
    load_demo(rt)
    accounts.add_user(rt, "ana", PASSWORD, roles=[Role.ANALYST])
    accounts.add_user(rt, "rev", PASSWORD, roles=[Role.REVIEWER])
    record_contributions(rt, year=max(c.year for c in _contributors(rt)), received=True)
    with rt.uow() as uow:
        uow.organisations.add_many([make_organisation("ORG-F01")])
        for pid in ("FRM-P1", "FRM-L1"):
            uow.projects.add(
                make_project(
                    pid,
                    proponent="ORG-F01",
                    partners=[],
                    contacts=[],
                    stage=0,
                    status=ProjectStatus.APPROVED,
                    depends_on=[],
                    excludes=[],
                )
            )
            tranche = Tranche(id=f"{pid}-2027", project_id=pid, year=2027, amount=D(1000))
            uow.tranches.add(tranche)
            entry = commit(datetime.now(UTC), D(1000), project_id=pid, tranche_id=tranche.id)
            post_entries(uow, AuditWriter(uow, rt.actor), [entry])
        uow.commit()
    release_tranche(rt, "FRM-L1-2027")
    disburse_tranche(rt, "FRM-L1-2027")
    terms = {
        "project_id": "FRM-L1",
        "principal": D("1000.00"),
        "annual_rate": D("0.02"),
        "periods_per_year": 1,
        "instalments": 2,
        "method": "linear",
        "disbursed_on": DAY,
    }
    record_loan(rt, LoanTerms.model_validate(terms))
    app = create_app(Settings(database_url=database_url), runtime=rt)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Fund(client, rt)


def _post(c: TestClient, path: str, lang: str = "en", **data: str) -> Response:
    token = csrf_of(c.get("/staff/agreements").text)
    answer: Response = c.post(
        f"{path}?lang={lang}", data={"csrf_token": token, **data}, follow_redirects=False
    )
    return answer


NOTHING = {
    "en": ("nothing was changed", "nothing was stored"),
    "ru": ("ничего не изменено", "ничего не сохранено"),
}


def said_once(page: str, problem: str, lang: str) -> None:
    """A refusal's box: the problem in its own words once, and 'nothing was changed'
    once (the page's sentence; lang18b dropped the reason's own 'nothing was stored')."""
    box = page[page.index('role="alert"') :]
    box = box[: box.index("</div>")]
    changed, stored = NOTHING[lang]
    assert box.count(problem) == 1, box
    assert box.lower().count(changed) == 1 and stored not in box.lower(), box


def _agreement(rt: Runtime, project: str) -> Agreement | None:
    with rt.uow() as uow:
        return AgreementRepository(uow.session).for_project(project)


def _status(rt: Runtime, project: str) -> str:
    found = _agreement(rt, project)
    return found.status.value if found else "none"


def test_an_agreement_is_drawn_up_signed_extended_completed_and_closed_by_its_forms(
    fund: Fund,
) -> None:
    c, rt = fund.client, fund.rt
    sign_in(c, "rev")
    assert 'action="/staff/agreements"' not in c.get(PAGE).text  # no form for a reader
    refused = _post(c, PAGE, project_id="FRM-P1")
    assert refused.status_code == 403 and _agreement(rt, "FRM-P1") is None
    sign_in(c, "ana")
    page = c.get(PAGE).text
    assert 'action="/staff/agreements"' in page and '<option value="FRM-P1">' in page
    for lang, words, field in (
        ("en", "a date as YYYY-MM-DD", "Ends on"),
        ("ru", "дата в виде ГГГГ-ММ-ДД", "Дата окончания"),
    ):
        bad = _post(c, PAGE, lang, project_id="FRM-P1", ends_on="soon")
        assert bad.status_code == 400 and words in bad.text
        assert f"<strong>{field}</strong>" in bad.text and "ends_on" not in bad.text
        said_once(bad.text, words, lang)
    assert _agreement(rt, "FRM-P1") is None and fund.events("agreement.drawn_up") == []
    drawn = _post(c, PAGE, project_id="FRM-P1", ends_on="2029-12-31", idempotency_key="k1")
    assert drawn.status_code == 303
    made = _agreement(rt, "FRM-P1")
    assert made is not None and made.status.value == "draft" and made.amount == D("1000.00")
    assert "drawn%20up%20for%20FRM-P1" in drawn.headers["location"]
    again = _post(c, PAGE, project_id="FRM-P1", ends_on="2029-12-31", idempotency_key="k1")
    assert again.status_code == 303 and "sent%20twice" in again.headers["location"]
    assert len(fund.events("agreement.drawn_up")) == 1
    aid = made.id
    late = _post(c, f"{PAGE}/{aid}/sign", "ru", version="1", signed_on="31.12.2029")
    assert late.status_code == 400 and "<strong>Дата подписания</strong>" in late.text
    assert "signed_on" not in late.text
    assert "Подписание соглашения" in late.text and "ничего не" in late.text.casefold()
    signed = _post(c, f"{PAGE}/{aid}/sign", version="1", signed_on="2027-01-20")
    assert signed.status_code == 303 and _status(rt, "FRM-P1") == "signed"
    stale = _post(c, f"{PAGE}/{aid}/sign", version="1", signed_on="2027-01-20")
    assert stale.status_code == 409 and fund.events("agreement.signed") == [
        fund.events("agreement.signed")[0]
    ]
    short = _post(c, f"{PAGE}/{aid}/extend", version="2", ends_on="2030-06-30", reason="later")
    assert short.status_code == 400 and "<strong>Reason</strong>" in short.text
    before = _post(
        c, f"{PAGE}/{aid}/extend", "ru", version="2", ends_on="2026-06-30", reason="a year late"
    )
    assert before.status_code == 400
    assert "дата окончания раньше даты подписания" in before.text and "ends_on" not in before.text
    extended = _post(
        c, f"{PAGE}/{aid}/extend", version="2", ends_on="2030-06-30", reason="Works ran a year late"
    )
    assert extended.status_code == 303
    now = _agreement(rt, "FRM-P1")
    assert now is not None and now.ends_on == date(2030, 6, 30) and now.version == 3
    assert fund.events("agreement.extended")[0]["reason"] == "Works ran a year late"
    done = _post(c, f"{PAGE}/{aid}/complete", version="3", reason="The works are handed over")
    assert done.status_code == 303 and _status(rt, "FRM-P1") == "completed"
    closed = _post(c, f"{PAGE}/{aid}/close", version="4", reason="Accounts settled at the end")
    assert closed.status_code == 303 and _status(rt, "FRM-P1") == "closed"
    assert fund.events("agreement.closed")[0]["decommitted"] == "1000.00"
    shown = c.get(closed.headers["location"] + "&lang=ru").text
    assert f"{aid} изменено: версия 5" in shown


def test_a_loan_repayment_and_a_guarantee_call_are_recorded_by_their_forms(
    fund: Fund, today: Callable[[date], None]
) -> None:
    c, rt = fund.client, fund.rt
    sign_in(c, "rev")
    assert "/staff/loans/FRM-L1/repay" not in c.get("/staff/loans").text
    assert _post(c, "/staff/loans/FRM-L1/repay", amount="100.00").status_code == 403
    sign_in(c, "ana")
    page = c.get("/staff/loans").text
    assert 'action="/staff/loans/FRM-L1/repay"' in page
    assert 'href="/staff/tranches?project=FRM-L1"' in page
    counts = fund.counts()
    for lang, words, field in (
        ("en", "a positive amount", "Amount"),
        ("ru", "положительная сумма", "Сумма"),
    ):
        bad = _post(c, "/staff/loans/FRM-L1/repay", lang, amount="lots")
        assert bad.status_code == 400 and f"<strong>{field}</strong>" in bad.text
        assert words in bad.text
        said_once(bad.text, words, lang)
    over = _post(c, "/staff/loans/FRM-L1/repay", "ru", amount="5000.00")
    assert over.status_code == 400 and "больше, чем" in over.text
    assert fund.counts() == counts and fund.events("loan.repaid") == []
    paid = _post(c, "/staff/loans/FRM-L1/repay", amount="300.00", idempotency_key="r1")
    assert paid.status_code == 303
    twice = _post(c, "/staff/loans/FRM-L1/repay", amount="300.00", idempotency_key="r1")
    assert "sent%20twice" in twice.headers["location"]
    assert fund.events("loan.repaid") == [
        {"amount": "300.00", "interest": "20.00", "principal": "280.00"}
    ]
    shown = c.get(paid.headers["location"] + "&lang=ru").text
    assert "погашение USD 300.00 проведено" in shown
    view = loan_view(rt, "FRM-L1")  # booked once, though the form was sent twice
    assert (view.interest_received, view.principal_repaid) == (D("20.00"), D("280.00"))
    early = _post(c, "/staff/loans/NRS-HE-01/call", amount="1000.00", reason="Missed payments")
    # The problem's own words, its dates as the page writes dates (lang18b), said once
    assert early.status_code == 400 and "the guarantee is valid January 1, 2030" in early.text
    early_ru = _post(
        c, "/staff/loans/NRS-HE-01/call", "ru", amount="1000.00", reason="Missed payments"
    )
    assert "гарантия действует с 1 января 2030\u202fг." in early_ru.text
    assert "2030-01-01" not in early_ru.text
    today(date(2031, 3, 1))
    assert _post(c, "/staff/loans/NRS-HE-01/call", amount="1000.00", reason="x").status_code == 400
    called = _post(
        c, "/staff/loans/NRS-HE-01/call", amount="1000000.00", reason="The venture missed two"
    )
    assert called.status_code == 303
    assert fund.events("guarantee.called")[0]["amount"] == "1000000.00"


def _upload(c: TestClient, body: str, lang: str = "en", **fields: str) -> Response:
    token = csrf_of(c.get("/staff/companies").text)
    data = {"csrf_token": token, "tracker": "kse", "source": "KSE Institute", "as_of": "2026-11-01"}
    answer: Response = c.post(
        f"/staff/companies/import?lang={lang}",
        data=data | fields,
        files={"file": ("kse.csv", body.encode(), "text/csv")},
        follow_redirects=False,
    )
    return answer


def test_a_company_list_is_uploaded_all_or_nothing_and_a_return_moves_back(fund: Fund) -> None:
    c, rt = fund.client, fund.rt
    sign_in(c, "rev")
    assert 'action="/staff/companies/import"' not in c.get("/staff/companies").text
    assert _upload(c, KSE).status_code == 403
    sign_in(c, "ana")
    counts = fund.counts()
    bad = KSE + "Polar Drills Oy,hibernating,Finland,Energy\n"
    for lang, words, field in (
        ("en", "unknown status &#39;hibernating&#39;", "Status"),
        ("ru", "неизвестный статус", "Статус"),
    ):
        refused = _upload(c, bad, lang)
        assert refused.status_code == 400 and words in refused.text
        assert f"<strong>{field}</strong>" in refused.text
        assert "row 3" in refused.text or "строка 3" in refused.text
    no_day = _upload(c, KSE, as_of="soon", tracker="nobody")
    assert no_day.status_code == 400 and "as_of" in no_day.text and "tracker" in no_day.text
    assert fund.counts() == counts and fund.events("companies.imported")[-1]["file"] != "kse.csv"
    done = _upload(c, KSE)
    assert done.status_code == 303 and "imported" in done.headers["location"]
    assert fund.events("companies.imported")[-1]["file"] == "kse.csv"
    assert _upload(c, KSE).status_code == 409  # the same file twice: imported once
    with rt.uow() as uow:
        was = CompanyRepository(uow.session).get("ORG-0050")
    assert was is not None and was.stage is ReturnStage.CONDITIONS_AGREED
    token = csrf_of(c.get("/staff/companies").text)
    move = {"stage": "in_contact", "on": "2026-12-05", "csrf_token": token}
    no_reason = c.post("/staff/companies/ORG-0050/stage", data=move, follow_redirects=False)
    assert "why=reason" in no_reason.headers["location"]
    worded = c.get(no_reason.headers["location"] + "&lang=ru").text
    assert "нужна причина не короче 10 знаков" in worded
    back = c.post(
        "/staff/companies/ORG-0050/stage",
        data=move | {"reason": "Talks broke down over the terms"},
        follow_redirects=False,
    )
    assert back.status_code == 303 and "moved=ORG-0050" in back.headers["location"]
    with rt.uow() as uow:
        now = CompanyRepository(uow.session).get("ORG-0050")
    assert now is not None and now.stage is ReturnStage.IN_CONTACT
    assert now.needs_stage == was.needs_stage  # the relief phase is unchanged
    assert now.conditions_agreed_on == was.conditions_agreed_on  # its dates are kept
    event = fund.events("company.stage_moved")[-1]
    assert event["back"] == "yes" and event["reason"] == "Talks broke down over the terms"
    page = c.get("/staff/companies?lang=ru").text
    assert "История этапов" in page and "Talks broke down over the terms" in page
