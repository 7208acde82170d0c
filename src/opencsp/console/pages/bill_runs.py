"""Bill runs (issue 6; rules.md §9b): for the vendor's Billing operator,
the billing periods with their state, when their run started and closed, their charge
lines and documents, the next month due, and the action that bills it — the same
service as ``opencsp billing run`` and the ``billing.run`` job (``billing.bill_runs``).
A refused run (not ended yet, out of order, already closed) is shown with its message;
anyone else is answered 404."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response
from fastapi.responses import RedirectResponse
from starlette.datastructures import FormData

from opencsp.billing import bill_runs
from opencsp.billing.errors import PeriodOutOfOrder
from opencsp.billing.lines import next_month
from opencsp.console import i18n, rendering, session
from opencsp.console.feedback import TITLES, on_error
from opencsp.console.session import Visit, db
from opencsp.core import clock
from opencsp.core.actor import Perm
from opencsp.core.errors import NotFound

router = APIRouter()

PATH = "/billing/runs"


def _runner(visit: Visit) -> Visit:
    if not bill_runs.may_run(visit.actor):
        raise NotFound()
    return visit


def _reader(visit: Annotated[Visit, Depends(session.signed_in)]) -> Visit:
    return _runner(visit)


def _poster(visit: Annotated[Visit, Depends(session.posted)]) -> Visit:
    return _runner(visit)


Runner = Annotated[Visit, Depends(_reader)]
PostingRunner = Annotated[Visit, Depends(_poster)]


def parse_month(text: str | None) -> date | None:
    """``YYYY-MM`` as the month's first day; None for anything else."""
    try:
        year, month = (int(part) for part in (text or "").split("-"))
        return date(year, month, 1)
    except ValueError:
        return None


def runs_view(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    visit = session.signed_in(request)
    if not bill_runs.may_run(visit.actor):  # a refused POST by someone else: no page
        gettext = i18n.gettext_for(session.language_of(request))
        context = {"status": 404, "title": gettext(TITLES[404]), "message": ""}
        return rendering.render(request, "error.html", context, status=404)
    now = clock.now()
    found = bill_runs.overview(db(request), visit.actor, today=now.date())
    ran = parse_month(request.query_params.get("ran")) if error is None else None
    context = {
        "periods": found.periods,
        "next_period": found.next_period,
        "next_day": next_month(found.next_period),
        "due": found.due,
        "ran": next((p for p in found.periods if p.period == ran), None),
        "error": error,
    }
    return rendering.render(request, "bill_runs.html", context, status=status)


@router.get(PATH)
def show(request: Request, visit: Runner) -> Response:
    return runs_view(request)


@router.post(PATH, dependencies=[on_error(runs_view, shown_with=Perm.PROFILE_READ)])
def run_month(request: Request, visit: PostingRunner) -> Response:
    form: FormData = request.state.console_form
    value = form.get("month")
    period = parse_month(value if isinstance(value, str) else None)
    if period is None:
        raise PeriodOutOfOrder(period=str(value or ""), expected="YYYY-MM")
    bill_runs.run_bill(db(request), visit.actor, period)
    return RedirectResponse(f"{PATH}?ran={period:%Y-%m}", status_code=303)
