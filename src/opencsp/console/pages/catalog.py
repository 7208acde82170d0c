"""The catalog browser: what a market sells this month, by segment and view (online
services, software subscriptions, perpetual software), with this month's unit and ERP
prices in the market's currency, formatted for the reader's locale (KRW and JPY have no
decimals: Babel's currency digits). Partners browse their own market only; indirect
resellers see the catalog without prices (rules.md §1, §4, §9a; ``pricing.browse``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Annotated, Any

from babel.numbers import format_currency
from fastapi import APIRouter, Query, Request, Response

from opencsp.catalog.errors import UnknownTargetView
from opencsp.catalog.rules import (
    BillingPlan,
    ProductType,
    Segment,
    parse_segment,
    product_types_for_view,
)
from opencsp.console import i18n, rendering, session
from opencsp.console.i18n import N_
from opencsp.console.session import Visit, allowed, db
from opencsp.core import clock
from opencsp.core.actor import Perm
from opencsp.pricing import browse
from opencsp.pricing.browse import CatalogLine

router = APIRouter()

Reader = Annotated[Visit, allowed(Perm.CATALOG_READ)]

VIEWS: dict[str, str] = {
    "OnlineServices": N_("Online services"),
    "SoftwareSubscriptions": N_("Software subscriptions"),
    "SoftwarePerpetual": N_("Perpetual software"),
}
SEGMENTS: dict[Segment, str] = {
    Segment.COMMERCIAL: N_("Commercial"),
    Segment.EDUCATION: N_("Education"),
    Segment.GOVERNMENT: N_("Government"),
    Segment.NONPROFIT: N_("Nonprofit"),
}
TERMS: dict[str, str] = {
    "P1M": N_("1 month"),
    "P1Y": N_("1 year"),
    "P3Y": N_("3 years"),
    "OneTime": N_("Perpetual"),
}
PLANS: dict[str, str] = {
    BillingPlan.MONTHLY.value: N_("Monthly"),
    BillingPlan.ANNUAL.value: N_("Annual"),
    BillingPlan.TRIENNIAL.value: N_("Triennial"),
    BillingPlan.NONE.value: N_("No billing (trial)"),
    BillingPlan.ONE_TIME.value: N_("One-time"),
}
PRODUCT_TYPES: dict[ProductType, str] = {
    ProductType.ONLINE_SERVICES: N_("Online services"),
    ProductType.SOFTWARE_SUBSCRIPTIONS: N_("Software subscriptions"),
    ProductType.SOFTWARE_PERPETUAL: N_("Perpetual software"),
}


def price_text(amount: Decimal | None, currency: str | None, language: str) -> str:
    """An exact price in the reader's locale: the currency's own digits (``₩30,000``,
    ``$115.20``), never rounding away a finer digit the price list carries."""
    if amount is None or currency is None:
        return "—"
    locale = i18n.babel_locale(language)
    return str(format_currency(amount, currency, locale=locale, decimal_quantization=False))


@dataclass
class ProductGroup:
    """A product with its lines, as the table shows it."""

    product_id: str
    title: str
    product_type: ProductType
    lines: list[CatalogLine] = field(default_factory=list)


def grouped(lines: Sequence[CatalogLine]) -> list[ProductGroup]:
    groups: dict[str, ProductGroup] = {}
    for line in lines:
        group = groups.get(line.product_id)
        if group is None:
            group = groups[line.product_id] = ProductGroup(
                line.product_id, line.product_title, line.product_type
            )
        group.lines.append(line)
    return list(groups.values())


def parse_view(value: str | None) -> str:
    """One of the three views the console offers (online services by default); any
    other name is refused as the API refuses an unknown ``targetView``."""
    if value is None or not value.strip():
        return "OnlineServices"
    for name in VIEWS:
        if name.lower() == value.strip().lower():
            return name
    raise UnknownTargetView(target_view=value)


@router.get("/catalog")
def catalog_browser(
    request: Request,
    visit: Reader,
    market: Annotated[str | None, Query()] = None,
    segment: Annotated[str | None, Query()] = None,
    view: Annotated[str | None, Query()] = None,
    currency: Annotated[str | None, Query()] = None,
) -> Response:
    chosen_segment = parse_segment(segment) if segment else Segment.COMMERCIAL
    chosen_view = parse_view(view)
    now = clock.now()
    page = browse.browse(
        db(request),
        visit.actor,
        market_id=market,
        segment=chosen_segment,
        product_types=product_types_for_view(chosen_view),
        currency=currency,
        at=now,
    )
    language = session.language_of(request)
    context: dict[str, Any] = {
        "page": page,
        "groups": grouped(page.lines),
        "markets": browse.browsable_markets(db(request), visit.actor),
        "segment": chosen_segment.value,
        "segments": {s.value: label for s, label in SEGMENTS.items()},
        "view": chosen_view,
        "views": VIEWS,
        "terms": TERMS,
        "plans": PLANS,
        "product_types": PRODUCT_TYPES,
        "shows_prices": visit.actor.can(Perm.PRICING_READ),
        "now": now,
        "price": lambda amount: price_text(amount, page.currency, language),
    }
    return rendering.render(request, "catalog.html", context)
