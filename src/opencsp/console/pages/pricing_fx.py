"""FX rates by month: the USD value of one unit of each currency, set from the mid-rate
two business days before the month and used for the whole month (rules.md §11;
file-formats.md §6). Everyone who may read prices sees them; the vendor's Catalog
manager uploads a month's file, and a rejected file shows its validation report with
nothing written."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response
from starlette.datastructures import FormData

from opencsp.console import i18n, rendering, session
from opencsp.console.feedback import describe, done, notice, on_error
from opencsp.console.pages.pricing import (
    Reader,
    Uploader,
    month_label,
    posted_month,
    report_of,
    uploaded,
)
from opencsp.console.session import db
from opencsp.core import clock
from opencsp.core.actor import Perm
from opencsp.pricing import fx, rules
from opencsp.pricing.errors import FxRatesRejected

router = APIRouter()


def fx_view(
    request: Request,
    *,
    error: str | None = None,
    status: int = 200,
    rejected: FxRatesRejected | None = None,
    month: date | None = None,
) -> Response:
    visit = session.signed_in(request)
    shown = rules.month_of(month or clock.now())
    context = {
        "month": shown,
        "month_value": rules.format_month(shown),
        "previous": rules.format_month(rules.previous_month(shown)),
        "following": rules.format_month(rules.next_month(shown)),
        "rates": fx.rates_for(db(request), shown),
        "month_label": month_label(session.language_of(request)),
        "can_upload": visit.actor.can(Perm.CATALOG_MANAGE),
        "report": report_of(rejected),
        "error": error,
        "notice": notice(request),
    }
    return rendering.render(request, "fx_rates.html", context, status=status)


@router.get("/pricing/fx")
def fx_rates(
    request: Request, visit: Reader, month: Annotated[str | None, Query()] = None
) -> Response:
    return fx_view(request, month=rules.parse_month(month) if month else None)


@router.post("/pricing/fx", dependencies=[on_error(fx_view, shown_with=Perm.PRICING_READ)])
def upload_fx_rates(request: Request, visit: Uploader) -> Response:
    form: FormData = request.state.console_form
    upload = uploaded(form)
    month = posted_month(form)
    try:
        summary = fx.import_fx_rates(db(request), visit.actor, upload.file, month=month)
    except FxRatesRejected as rejected:
        # shown with its report; the status rolls the unit of work back
        db(request).rollback()
        message = describe(rejected, i18n.gettext_for(session.language_of(request)))
        return fx_view(
            request, error=message, status=rejected.status, rejected=rejected, month=month
        )
    return done(f"/pricing/fx?month={rules.format_month(summary.month)}", "fx_rates_imported")
