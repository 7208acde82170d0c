"""Revenue for partners and the vendor (issue 6 "Revenue"): a monthly bar chart of one
TTM figure and its trailing-twelve-month line against the USD 300,000 direct-bill
threshold (rules.md §2a) and the USD 1,000 reseller floor (rules.md §3.4), both drawn and
labelled; the months in a table; each month drilling down to the charge lines behind it,
downloadable as CSV. The chart is inline SVG drawn on the server (no script) on a
square-root scale, so both thresholds and a small partner's bars are legible.

A partner sees its own figures; the vendor (``billing.read``) sees every partner's TTM,
or one partner's page with ``?partnerId=`` (``reporting.queries``: another partner's is
404)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

from babel.dates import format_date
from babel.numbers import format_currency
from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse

from opencsp.console import i18n, rendering, session
from opencsp.console.session import Visit, allowed, db
from opencsp.core import clock
from opencsp.core.actor import Actor, Perm, Tier
from opencsp.reporting import exports, queries, rules
from opencsp.reporting.errors import InvalidMeasure, PartnerRevenueNotFound
from opencsp.reporting.revenue import MonthPoint
from opencsp.reporting.rules import Measure

router = APIRouter()

Reader = Annotated[Visit, allowed(Perm.BILLING_READ)]

WIDTH, HEIGHT = 720, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 16, 40
VENDOR_LIST = 50
"""Partners listed on the vendor's page, largest direct-bill TTM first."""


@dataclass(frozen=True, slots=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    month: str
    label: str


@dataclass(frozen=True, slots=True)
class Threshold:
    y: float
    label: str


@dataclass(frozen=True, slots=True)
class Chart:
    width: int
    height: int
    left: int
    bottom: float
    right: float
    bars: list[Bar]
    line: str
    thresholds: list[Threshold]


def _scale(value: Decimal, top: Decimal) -> float:
    """Square-root scale from 0..top to the plot's height (0 at the baseline)."""
    if top <= 0 or value <= 0:
        return 0.0
    return float((value / top).sqrt()) * (HEIGHT - TOP - BOTTOM)


def chart(points: list[MonthPoint], money: Any, month_label: Any) -> Chart:
    """Bars for each month's amount, a polyline for the TTM, and the two thresholds."""
    top = max([rules.DIRECT_BILL_THRESHOLD, *(p.usd for p in points), *(p.ttm for p in points)])
    top = top * Decimal("1.1")
    base = HEIGHT - BOTTOM
    slot = (WIDTH - LEFT - RIGHT) / max(1, len(points))
    bars, vertices = [], []
    for k, p in enumerate(points):
        h = _scale(p.usd, top)
        x = LEFT + k * slot
        bars.append(
            Bar(x + slot * 0.15, base - h, slot * 0.7, h, month_label(p.month), money(p.usd))
        )
        vertices.append(f"{x + slot / 2:.1f},{base - _scale(p.ttm, top):.1f}")
    thresholds = [
        Threshold(
            base - _scale(rules.DIRECT_BILL_THRESHOLD, top), money(rules.DIRECT_BILL_THRESHOLD)
        ),
        Threshold(base - _scale(rules.RESELLER_FLOOR, top), money(rules.RESELLER_FLOOR)),
    ]
    return Chart(WIDTH, HEIGHT, LEFT, base, WIDTH - RIGHT, bars, " ".join(vertices), thresholds)


def default_measure(actor: Actor, partner_id: uuid.UUID | None) -> Measure:
    """An indirect reseller's own page shows its direct-bill figure; others what they were
    billed."""
    if partner_id is None and actor.tier is Tier.INDIRECT_RESELLER:
        return Measure.DIRECT_BILL
    return Measure.BILLED


def _measure(value: str | None, fallback: Measure) -> Measure:
    if not value:
        return fallback
    try:
        return Measure(value)
    except ValueError:
        raise InvalidMeasure(measure=value) from None


def _partner(value: str | None) -> uuid.UUID | None:
    if not value:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        raise PartnerRevenueNotFound(partner_id=value) from None


def _formatters(request: Request) -> tuple[Any, Any]:
    locale = i18n.babel_locale(session.language_of(request))

    def money(value: Decimal) -> str:
        return str(format_currency(value, "USD", locale=locale))

    def month_label(value: date) -> str:
        return str(format_date(value, "yyyy-MM", locale=locale))

    return money, month_label


@router.get("/revenue")
def revenue_page(
    request: Request,
    visit: Reader,
    partner: Annotated[str | None, Query(alias="partnerId")] = None,
    measure: Annotated[str | None, Query()] = None,
) -> Response:
    store, actor = db(request), visit.actor
    partner_id = _partner(partner)
    shown = _measure(measure, default_measure(actor, partner_id))
    scope = queries.scope(store, actor, partner_id)
    now = clock.now()
    start, end = rules.window(now)
    points = queries.chart_series(store, actor, partner_id, shown, end)
    money, month_label = _formatters(request)
    figures = queries.ttm_figures(store, actor, scope, now) if scope else []
    partners: list[Any] = []
    if scope is None:
        every = sorted(queries.ttm_figures(store, actor, None, now), key=lambda f: -f.direct_bill)
        partners = every[:VENDOR_LIST]
    names = queries.names(store, [f.organization_id for f in [*figures, *partners]])
    context: dict[str, Any] = {
        "measure": shown.value,
        "measures": [m.value for m in Measure],
        "partner_id": str(scope) if scope else "",
        "partner_name": names.get(scope, "") if scope else "",
        "figures": figures[0] if figures else None,
        "partners": partners,
        "names": names,
        "points": points,
        "chart": chart(points, money, month_label),
        "money": money,
        "month_label": month_label,
        "first_month": f"{start:%Y-%m}",
        "last_month": f"{rules.add_months(end, -1):%Y-%m}",
    }
    return rendering.render(request, "revenue.html", context)


@router.get("/revenue/lines")
def revenue_lines(
    request: Request,
    visit: Reader,
    partner: Annotated[str | None, Query(alias="partnerId")] = None,
    measure: Annotated[str | None, Query()] = None,
    month: Annotated[str | None, Query()] = None,
) -> Response:
    """The lines behind the figure, optionally of one month of the window."""
    store, actor = db(request), visit.actor
    partner_id = _partner(partner)
    shown = _measure(measure, default_measure(actor, partner_id))
    drill = queries.ttm_drill(store, actor, partner_id, clock.now(), shown)
    lines = [ln for ln in drill.lines if not month or f"{ln.period:%Y-%m}" == month]
    money, month_label = _formatters(request)
    context: dict[str, Any] = {
        "drill": drill,
        "lines": lines,
        "month": month or "",
        "measure": shown.value,
        "partner_id": str(drill.organization_id),
        "partner_name": queries.names(store, [drill.organization_id]).get(
            drill.organization_id, ""
        ),
        "money": money,
        "month_label": month_label,
        "subtotal": sum((ln.usd for ln in lines), Decimal("0.00")),
    }
    return rendering.render(request, "revenue_lines.html", context)


@router.get("/revenue/lines.csv")
def revenue_lines_csv(
    request: Request,
    visit: Reader,
    partner: Annotated[str | None, Query(alias="partnerId")] = None,
    measure: Annotated[str | None, Query()] = None,
) -> StreamingResponse:
    store, actor = db(request), visit.actor
    partner_id = _partner(partner)
    shown = _measure(measure, default_measure(actor, partner_id))
    drill = queries.ttm_drill(store, actor, partner_id, clock.now(), shown)
    name = f"ttm-{shown.value}-{drill.organization_id}.csv"
    return StreamingResponse(
        iter(list(exports.drill_csv(drill))),
        media_type="text/csv; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            **rendering.SECURITY_HEADERS,
        },
    )
