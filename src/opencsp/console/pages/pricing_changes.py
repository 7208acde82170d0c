"""The month-to-month change report of a market's price list: new, changed (old → new
price), removed and end-of-sale rows between two months, by default this month's list
against next month's preview (file-formats.md §1 change detection; rules.md §9k, §11).
Partners see their own market; the vendor picks any."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from babel.numbers import format_currency
from fastapi import APIRouter, Query, Request, Response

from opencsp.console import i18n, rendering, session
from opencsp.console.i18n import N_
from opencsp.console.pages.catalog import PLANS, TERMS
from opencsp.console.pages.pricing import Reader, month_label
from opencsp.console.session import db
from opencsp.pricing import browse, changes, rules

router = APIRouter()

SECTIONS: tuple[tuple[str, str], ...] = (
    ("new", N_("New")),
    ("changed", N_("Changed")),
    ("removed", N_("Removed")),
    ("end_of_sale", N_("End of sale")),
)


def money_text(language: str) -> Any:
    """Exact prices in the reader's locale with their own currency's digits."""
    locale = i18n.babel_locale(language)

    def text(amount: Decimal | None, currency: str) -> str:
        if amount is None:
            return "—"
        return str(format_currency(amount, currency, locale=locale, decimal_quantization=False))

    return text


@router.get("/pricing/changes")
def change_report(
    request: Request,
    visit: Reader,
    market: Annotated[str | None, Query()] = None,
    from_month: Annotated[str | None, Query(alias="from")] = None,
    to_month: Annotated[str | None, Query(alias="to")] = None,
) -> Response:
    shown = browse.market_to_browse(db(request), visit.actor, market)
    report = changes.report_for_today(
        db(request),
        visit.actor,
        market_id=shown.id,
        from_month=rules.parse_month(from_month) if from_month else None,
        to_month=rules.parse_month(to_month) if to_month else None,
    )
    language = session.language_of(request)
    context = {
        "report": report,
        "market": shown,
        "markets": browse.browsable_markets(db(request), visit.actor),
        "from_value": rules.format_month(report.from_month),
        "to_value": rules.format_month(report.to_month),
        "sections": [(key, label, getattr(report, key)) for key, label in SECTIONS],
        "terms": TERMS,
        "plans": PLANS,
        "month_label": month_label(language),
        "money": money_text(language),
    }
    return rendering.render(request, "price_changes.html", context)
