"""Price lists: every list the reader may see (market, month, status preview / current /
history, rows, when imported), each downloadable in Partner Center's CSV layout; and, for
the vendor's Catalog manager, the upload of a month's list. A rejected file shows its
validation report — every problem with its line and column, and the total — and nothing
of it is written (issue 4; file-formats.md §1; PC:pricing-and-offers.md: lists update on
the 1st of each month with a 30-day preview). Indirect resellers hold no
``Perm.PRICING_READ`` and never reach these pages (rules.md §1)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, Any

from babel.dates import format_skeleton
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse
from starlette.datastructures import FormData, UploadFile

from opencsp.console import i18n, rendering, session
from opencsp.console.feedback import describe, done, notice, on_error
from opencsp.console.i18n import N_
from opencsp.console.session import Visit, allowed, db
from opencsp.core import clock
from opencsp.core.actor import Perm
from opencsp.core.errors import InvalidInput
from opencsp.pricing import exports, imports, lifecycle, rules
from opencsp.pricing.errors import FxRatesRejected, PriceListRejected

router = APIRouter()

Reader = Annotated[Visit, allowed(Perm.PRICING_READ)]

STATUSES: dict[str, str] = {
    rules.ListStatus.PREVIEW.value: N_("Preview"),
    rules.ListStatus.CURRENT.value: N_("Current"),
    rules.ListStatus.HISTORY.value: N_("History"),
}


def month_label(language: str) -> Callable[[date], str]:
    """Months as the reader's language writes them: ``November 2026``, ``2026년 11월``."""
    locale = i18n.babel_locale(language)

    def label(month: date) -> str:
        return str(format_skeleton("yMMMM", month, locale=locale))

    return label


def report_of(error: PriceListRejected | FxRatesRejected | None) -> dict[str, Any] | None:
    """A rejected file's validation report for the page: its problems by line (as many
    as the import kept) and the total it found."""
    if error is None:
        return None
    return {
        "problems": [
            {"line": line, "column": column, "message": message}
            for line, column, message in error.problems
        ],
        "total": error.total,
    }


def lists_view(
    request: Request,
    *,
    error: str | None = None,
    status: int = 200,
    rejected: PriceListRejected | None = None,
    market: str | None = None,
) -> Response:
    visit = session.signed_in(request)
    today = clock.now().date()
    lists = lifecycle.list_price_lists(db(request), visit.actor, market=market)
    context = {
        "lists": lists,
        "statuses": STATUSES,
        "market": market or "",
        "markets": sorted({row.market_id for row in lists}),
        "can_upload": visit.actor.can(Perm.CATALOG_MANAGE),
        "next_month": rules.format_month(rules.next_month(rules.month_of(today))),
        "month_label": month_label(session.language_of(request)),
        "report": report_of(rejected),
        "error": error,
        "notice": notice(request),
    }
    return rendering.render(request, "price_lists.html", context, status=status)


@router.get("/pricing/lists")
def price_lists(
    request: Request, visit: Reader, market: Annotated[str | None, Query()] = None
) -> Response:
    return lists_view(request, market=market)


Uploader = Annotated[Visit, allowed(Perm.CATALOG_MANAGE, post=True)]


def uploaded(form: FormData) -> UploadFile:
    """The posted file; a form without one is refused before anything is read."""
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        raise InvalidInput(description=N_("Choose a CSV file to upload."))
    return upload


def posted_month(form: FormData) -> date:
    value = form.get("month")
    return rules.parse_month(value if isinstance(value, str) else "")


@router.post("/pricing/lists", dependencies=[on_error(lists_view, shown_with=Perm.PRICING_READ)])
def upload_price_list(request: Request, visit: Uploader) -> Response:
    form: FormData = request.state.console_form
    upload = uploaded(form)
    try:
        imports.import_price_list(
            db(request),
            visit.actor,
            upload.file,
            month=posted_month(form),
            source_name=upload.filename or "",
        )
    except PriceListRejected as rejected:
        # shown with its report; the status rolls the unit of work back
        db(request).rollback()
        message = describe(rejected, i18n.gettext_for(session.language_of(request)))
        return lists_view(request, error=message, status=rejected.status, rejected=rejected)
    return done("/pricing/lists", "price_list_imported")


TIMELINE_OF: dict[rules.ListStatus, rules.Timeline] = {
    rules.ListStatus.PREVIEW: rules.Timeline.FUTURE,
    rules.ListStatus.CURRENT: rules.Timeline.CURRENT,
    rules.ListStatus.HISTORY: rules.Timeline.HISTORY,
}


@router.get("/pricing/lists/{market_id}/{month}/download")
def download_price_list(request: Request, market_id: str, month: str, visit: Reader) -> Response:
    """The list as Partner Center's price sheet download streams it (the console's own
    route: the API's ``/v1/program/pricesheets`` wants a bearer token). The list's month
    names its timeline: next month's is the future sheet, earlier ones history."""
    listed = rules.parse_month(month)
    status = rules.status_for(listed, clock.now().date())
    lines = exports.price_sheet(
        db(request),
        visit.actor,
        market=market_id,
        timeline=TIMELINE_OF[status],
        month=listed,
    )
    filename = f"{market_id.lower()}-{rules.format_month(listed)}.csv"
    return StreamingResponse(
        lines,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
