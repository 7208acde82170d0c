"""Revenue reporting (opencsp extensions under ``/v1/reporting``) and Partner Center's
analytics (``/partner/v1/analytics/subscriptions``, ``/indirectresellers``;
PC:developer/get-all-subscription-analytics.md, get-subscription-analytics-by-search-
query.md, get-subscription-analytics-grouped-by-dates-or-terms.md, get-all-indirect-
resellers-analytics.md). The router carries whole paths: the app mounts it beside the
``/v1`` router. A partner reads its own figures; naming another partner is 404."""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query
from fastapi.responses import StreamingResponse

from opencsp.core import clock
from opencsp.core.actor import Actor, Perm
from opencsp.core.http import Collection, Link, Links
from opencsp.pricing.rules import parse_month
from opencsp.reporting import analytics, analytics_query, exports, queries, rules
from opencsp.reporting.errors import (
    InvalidBreakdown,
    InvalidMeasure,
    UnsupportedAnalyticsQuery,
)
from opencsp.reporting.revenue import Breakdown
from opencsp.reporting.rules import Measure
from opencsp.reporting.schemas import (
    AnalyticsCollection,
    RevenueRead,
    TtmDrillRead,
    TtmRead,
    drill_read,
    revenue_read,
    ttm_read,
)
from opencsp.web.deps import SessionDep, require, require_any

router = APIRouter(tags=["reporting"])

Reader = Annotated[Actor, require(Perm.BILLING_READ)]
AnalyticsReader = Annotated[Actor, require_any(Perm.SUBSCRIPTIONS_READ, Perm.BILLING_READ)]
PartnerQuery = Annotated[uuid.UUID | None, Query(alias="partnerId")]
AsOfQuery = Annotated[str | None, Query(alias="asOf")]


def _measure(value: str) -> Measure:
    try:
        return Measure(value)
    except ValueError:
        raise InvalidMeasure(measure=value) from None


@router.get(
    "/v1/reporting/revenue/ttm",
    response_model=Collection[TtmRead],
    response_model_exclude_none=True,
)
def list_ttm(
    session: SessionDep, actor: Reader, partner_id: PartnerQuery = None, as_of: AsOfQuery = None
) -> Collection[TtmRead]:
    """TTM revenue in USD: a partner's own; the vendor's choice of partner, or every
    partner (rules.md §2a, §3.4–3.5)."""
    instant = rules.parse_as_of(as_of, clock.now())
    figures = queries.ttm_figures(session, actor, partner_id, instant)
    names = queries.names(session, [f.organization_id for f in figures])
    items = [ttm_read(f, names.get(f.organization_id, "")) for f in figures]
    return Collection[TtmRead](
        total_count=len(items),
        items=items,
        links=Links(self=Link(uri="/reporting/revenue/ttm")),
    )


@router.get(
    "/v1/reporting/revenue/ttm/{measure}/lines",
    response_model=TtmDrillRead,
    response_model_exclude_none=True,
)
def ttm_lines(
    measure: str,
    session: SessionDep,
    actor: Reader,
    partner_id: PartnerQuery = None,
    as_of: AsOfQuery = None,
) -> TtmDrillRead:
    """The charge lines behind one figure (``directBill``, ``resellerFloor``, ``billed``)."""
    instant = rules.parse_as_of(as_of, clock.now())
    return drill_read(queries.ttm_drill(session, actor, partner_id, instant, _measure(measure)))


@router.get("/v1/reporting/revenue/ttm/{measure}/lines.csv", response_class=StreamingResponse)
def ttm_lines_csv(
    measure: str,
    session: SessionDep,
    actor: Reader,
    partner_id: PartnerQuery = None,
    as_of: AsOfQuery = None,
) -> StreamingResponse:
    """The same lines as CSV (``reporting.exports``)."""
    instant = rules.parse_as_of(as_of, clock.now())
    drill = queries.ttm_drill(session, actor, partner_id, instant, _measure(measure))
    name = f"ttm-{drill.measure.value}-{drill.organization_id}-{instant:%Y-%m}.csv"
    return StreamingResponse(
        iter(list(exports.drill_csv(drill))),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/v1/reporting/revenue", response_model=RevenueRead, response_model_exclude_none=True)
def revenue_breakdown(
    session: SessionDep,
    actor: Reader,
    by: str = "month",
    start: Annotated[str | None, Query(alias="from")] = None,
    end: Annotated[str | None, Query(alias="to")] = None,
    partner_id: PartnerQuery = None,
    paid_only: Annotated[bool, Query(alias="paidOnly")] = True,
) -> RevenueRead:
    """Revenue in USD by month, product, market or reseller over ``from``..``to``
    (``YYYY-MM``, both included; default the TTM window)."""
    try:
        breakdown = Breakdown(by)
    except ValueError:
        raise InvalidBreakdown(by=by) from None
    window_start, window_end = rules.window(clock.now())
    first = parse_month(start) if start else window_start
    last_excluded = rules.add_months(parse_month(end), 1) if end else window_end
    rows = queries.revenue_rows(
        session, actor, partner_id, first, last_excluded, breakdown, paid_only=paid_only
    )
    scope = queries.scope(session, actor, partner_id)
    return revenue_read(scope, breakdown.value, first, last_excluded, paid_only, rows)


def _next_link(path: str, params: dict[str, object], top: int, skip: int, total: int) -> str | None:
    if skip + top >= total:
        return None
    query = {k: v for k, v in params.items() if v is not None} | {"top": top, "skip": skip + top}
    return f"{path}?{urlencode(query)}"


@router.get("/partner/v1/analytics/subscriptions", response_model=AnalyticsCollection)
def subscription_analytics(
    session: SessionDep,
    actor: AnalyticsReader,
    top: int | None = None,
    skip: int | None = None,
    filter: str | None = None,
    groupby: Annotated[str | None, Query(alias="groupby")] = None,
    group_by: Annotated[str | None, Query(alias="groupBy")] = None,
    aggregation_level: Annotated[str | None, Query(alias="aggregationLevel")] = None,
) -> AnalyticsCollection:
    """The subscriptions the caller sees, filtered, grouped and paged (the supported
    subset: ``reporting.analytics_query``)."""
    if aggregation_level is not None:
        raise UnsupportedAnalyticsQuery(
            problem="aggregationLevel applies to date groupings, which are not supported"
        )
    size, offset = analytics_query.check_page(top, skip)
    clauses = analytics_query.parse_filter(filter)
    grouped = groupby if groupby is not None else group_by
    fields = analytics_query.parse_groupby(grouped)
    page = analytics.subscriptions(session, actor, clauses, fields, top=size, skip=offset)
    params: dict[str, object] = {"filter": filter, "groupby": grouped}
    link = _next_link("/partner/v1/analytics/subscriptions", params, size, offset, page.total)
    return AnalyticsCollection(value=page.rows, next_link=link, total_count=page.total)


@router.get("/partner/v1/analytics/indirectresellers", response_model=AnalyticsCollection)
def indirect_reseller_analytics(
    session: SessionDep,
    actor: AnalyticsReader,
    top: int | None = None,
    skip: int | None = None,
    filter: str | None = None,
) -> AnalyticsCollection:
    """The caller's indirect resellers with their subscription dates and counts."""
    if filter:
        raise UnsupportedAnalyticsQuery(
            problem="filter is not supported on indirect reseller analytics"
        )
    size, offset = analytics_query.check_page(top, skip)
    page = analytics.indirect_resellers(session, actor, top=size, skip=offset)
    link = _next_link("/partner/v1/analytics/indirectresellers", {}, size, offset, page.total)
    return AnalyticsCollection(value=page.rows, next_link=link, total_count=page.total)
