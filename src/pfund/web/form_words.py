"""The English messages of the agreement, loan and company-list forms and of the
services they call, with their variable parts named, so that a page shows a refusal (or
what a form did) in the reader's language (``localize.MESSAGES`` takes them in)."""

from __future__ import annotations

from pfund.web.labels import N_

TWICE = " (the form was sent twice; it was recorded once)"

FORM_MESSAGES = [
    # What a form reports when it is done.
    N_("%(id)s drawn up for %(project)s"),
    N_("%(id)s drawn up for %(project)s (the form was sent twice; it was recorded once)"),
    N_("%(id)s changed: version %(n)s (the form was sent twice; it was recorded once)"),
    N_(
        "%(id)s: repayment of %(currency)s %(amount)s booked (interest %(interest)s, "
        "principal %(principal)s)"
    ),
    N_(
        "%(id)s: repayment of %(currency)s %(amount)s booked (interest %(interest)s, "
        "principal %(principal)s) (the form was sent twice; it was recorded once)"
    ),
    N_("%(id)s: guarantee call of %(amount)s paid"),
    N_("%(id)s: guarantee call of %(amount)s paid (the form was sent twice; it was recorded once)"),
    N_("%(id)s imported: %(companies)s, %(new_organisations)s"),
    # The forms' own checks.
    N_("choose the project; nothing was stored"),
    N_("choose an approved project without an agreement"),
    N_("not a valid date; nothing was stored"),
    N_("a date as YYYY-MM-DD"),
    N_("not a valid amount; nothing was stored"),
    N_("a positive amount with at most 2 decimals"),
    N_("a positive amount in %(currency)s with at most 2 decimals"),
    N_("the change needs its reason; nothing was stored"),
    N_("say in at least %(n)s characters why"),
    N_("the list's details are not valid; nothing was stored"),
    N_("choose the layout: Yale CELI or KSE Institute"),
    # Grant agreements (pfund.services.agreements).
    N_("no project '%(id)s'"),
    N_("no agreement '%(id)s'"),
    N_(
        "project %(id)s is %(status)s: only an approved project (approved, funded or in "
        "progress) gets an agreement"
    ),
    N_("project %(id)s already has an agreement"),
    N_(
        "agreement %(id)s is at version %(n)s, not %(m)s: another change came first; read "
        "it again; nothing was stored"
    ),
    N_(
        "agreement %(id)s is %(status)s: a change of kind %(kind)s needs it %(list)s; "
        "nothing was stored"
    ),
    N_(
        "agreement %(id)s changed meanwhile (it is no longer %(status)s at version %(n)s); "
        "nothing was stored"
    ),
    N_("the amendment of %(id)s changes nothing; nothing was stored"),
    N_("give a new amount, end date or text"),
    N_("not a valid agreement; nothing was stored"),
    N_("Value error, the end date comes before the signing date"),
    N_("the amendment would leave payments above agreement %(id)s; nothing was stored"),
    N_(
        "amount %(amount)s is below the %(exposure)s the project is paid and owed (paid "
        "%(paid)s, unpaid %(unpaid)s); cancel or reschedule tranches first"
    ),
    N_("a %(kind)s above what was paid under %(id)s; nothing was stored"),
    N_(
        "%(amount)s is above the %(paid)s paid to %(id)s net of earlier refunds (%(refunded)s "
        "refunded before)"
    ),
    N_("tranche %(id)s changed meanwhile; nothing was changed"),
    # Loans and guarantees (pfund.services.instruments, pfund.funding.instruments).
    N_("repayment refused"),
    N_("call refused"),
    N_("must be above 0"),
    N_("nothing of the loan of %(id)s was paid out; nothing is owed yet"),
    N_("repayment of %(amount)s exceeds the %(owed)s the schedule still asks"),
    N_("project %(id)s has no loan"),
    N_("project %(id)s has no guarantee"),
    N_("say in 10 characters why"),
    N_("a call of %(amount)s must be above 0 and at most %(left)s left"),
    N_("the guarantee is valid %(start)s to %(end)s, not on %(day)s"),
    # A company list (pfund.io.company_lists, pfund.services.company_returns).
    N_("%(file)s: the company list is not valid; nothing was stored"),
    N_("%(file)s: nothing was stored"),
    N_("%(file)s is not a UTF-8 CSV file"),
    N_(
        "%(file)s was imported already as %(id)s (the %(date)s list of %(source)s); nothing "
        "was stored"
    ),
    N_("'%(name)s' is %(id)s, a %(kind)s, not a company"),
    N_("'%(name)s' is a new company: its country (headquarters) is needed"),
    N_("'%(name)s' is listed twice (first on row %(n)s)"),
    N_("the file lists no company"),
    N_("the list's source is not valid; nothing was stored"),
    N_("name who published the list"),
    N_("an http(s) address of at most 500 characters"),
    N_("no '%(column)s' column: the %(tracker)s layout is %(layout)s"),
    N_("no %(column)s column: the layout is %(layout)s"),
    N_("a company name has 2 to 300 characters"),
    N_("unknown industry '%(id)s' (the GICS sectors: %(known)s)"),
    N_("unknown grade '%(id)s' (Yale grades: A, B, C, D, F)"),
    N_("unknown category '%(id)s' (Yale categories: %(known)s)"),
    N_("grade %(grade)s is %(status)s, but the category says %(category)s"),
    N_("unknown status '%(id)s' (KSE statuses: %(known)s)"),
    N_("no status"),
    N_("neither a grade nor a category"),
    N_("'%(id)s' is not a country (a name, or an ISO 3166 code)"),
    # A company's stage moved back.
    N_("a move back needs its reason and a valid day"),
    N_("say in at least %(n)s characters why the return fell back"),
    N_("%(date)s is before %(stage)s on %(since)s"),
    N_("a stage cannot come before the one it follows"),
    N_("unknown stage"),
    N_("'%(id)s' is not a stage (%(known)s)"),
]
