"""Subscription and indirect-reseller analytics in Partner Center's shapes
(PC:developer/partner-center-analytics-resources.md; samples
``analytics-subscriptions``, ``analytics-indirectresellers``), read through the
subscriptions' visibility: a partner sees the subscriptions billed to it or resold by it,
the vendor all of them.

Status is the analytics vocabulary: ``ACTIVE``; ``SUSPENDED`` (also ``disabled``, still
held but not usable **[inferred]**); ``DEPROVISIONED`` (``deleted``, ``expired``); a
``pending`` line not yet provisioned is not a subscription yet and is left out.
``subscriptionType`` is the product type (``OnlineServicesNCE``, ...): the documented
values name Microsoft product families, which an open catalog does not have
**[inferred]**. ``partnerId`` is the tenant of the reseller of record when there is one,
else of the partner billed, as the sample's GUID; ``providerName`` is the provider's
name on an indirect subscription. Filters, groupings and paging are translated to SQL
(``analytics_query`` declares the subset)."""

from __future__ import annotations

import operator
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, func, or_, select, true
from sqlalchemy.orm import Session, aliased

from opencsp.auth.models import Organization
from opencsp.catalog.models import Product
from opencsp.core.actor import Actor
from opencsp.customers.models import Customer
from opencsp.partners.models import PartnerId, Partnership
from opencsp.reporting.analytics_query import Clause, Condition, Value
from opencsp.reporting.errors import UnsupportedAnalyticsQuery
from opencsp.subscriptions.models import Subscription
from opencsp.subscriptions.queries import visible

NO_DATE = "0001-01-01T00:00:00"
"""How the indirect-reseller sample writes a date that never happened."""

_OPERATORS = {
    "eq": operator.eq,
    "ne": operator.ne,
    "gt": operator.gt,
    "ge": operator.ge,
    "lt": operator.lt,
    "le": operator.le,
}

_SHOWN = ("active", "suspended", "disabled", "deleted", "expired")


@dataclass(frozen=True, slots=True)
class Page:
    rows: list[dict[str, Any]]
    total: int


def stamp(value: datetime | None) -> str | None:
    """A UTC instant as the analytics samples write it (no offset)."""
    return None if value is None else value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S")


def _columns() -> tuple[dict[str, Any], Any]:
    s = Subscription
    seller = aliased(Organization, name="seller")
    reseller = aliased(Organization, name="reseller")
    status = case(
        (s.status == "active", "ACTIVE"),
        (s.status.in_(("suspended", "disabled")), "SUSPENDED"),
        else_="DEPROVISIONED",
    )
    columns: dict[str, Any] = {
        "customerTenantId": s.customer_id,
        "customerName": Customer.company_name,
        "customerMarket": Customer.country,
        "id": s.id,
        "status": status,
        "productName": Product.title,
        "subscriptionType": s.product_type,
        "autoRenewEnabled": s.auto_renew,
        "partnerId": func.coalesce(s.reseller_organization_id, s.organization_id),
        "friendlyName": s.friendly_name,
        "partnerName": func.coalesce(reseller.name, seller.name),
        "providerName": case((s.reseller_organization_id.is_not(None), seller.name), else_=None),
        "creationDate": s.created_at,
        "commitmentEndDate": s.term_end,
    }

    def joined(stmt: Any) -> Any:
        return (
            stmt.join(Customer, Customer.id == s.customer_id)
            .join(seller, seller.id == s.organization_id)
            .outerjoin(reseller, reseller.id == s.reseller_organization_id)
            .outerjoin(Product, Product.id == s.product_id)
            .where(s.status.in_(_SHOWN))
        )

    return columns, joined


def _guid(field: str, value: Value) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise UnsupportedAnalyticsQuery(problem=f"{field} takes a GUID, not {value!r}") from None


def _day_bounds(value: Value) -> tuple[datetime, datetime]:
    start = datetime.combine(value, time(), tzinfo=UTC)  # type: ignore[arg-type]
    return start, start + timedelta(days=1)


def _sql(condition: Condition, columns: dict[str, Any]) -> ColumnElement[bool]:
    field, op = condition.field, condition.op
    value: Any = condition.value
    column = columns[field]
    if op == "contains":
        found: ColumnElement[bool] = func.lower(column).contains(
            str(value).lower(), autoescape=True
        )
        return found
    if field in ("id", "customerTenantId", "partnerId"):
        value = _guid(field, value)
    elif field in ("status", "customerMarket"):
        value = str(value).upper()
    if field == "creationDate":
        start, following = _day_bounds(value)
        bounds: dict[str, ColumnElement[bool]] = {
            "eq": and_(column >= start, column < following),
            "ne": or_(column < start, column >= following),
            "gt": column >= following,
            "ge": column >= start,
            "lt": column < start,
            "le": column < following,
        }
        return bounds[op]
    compare: ColumnElement[bool] = _OPERATORS[op](column, value)
    return compare


def _where(clauses: list[Clause], columns: dict[str, Any]) -> ColumnElement[bool]:
    if not clauses:
        return true()
    return or_(false(), *(and_(true(), *(_sql(c, columns) for c in clause)) for clause in clauses))


def _text(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return stamp(value)
    return value


def subscriptions(
    session: Session,
    actor: Actor,
    clauses: list[Clause],
    groupby: list[str],
    *,
    top: int,
    skip: int,
) -> Page:
    """The subscriptions the actor sees, filtered, paged; or their counts by ``groupby``
    (``subscriptionCount``, ``licenseCount`` = seats)."""
    columns, joined = _columns()
    s = Subscription
    base = joined(visible(actor).with_only_columns(s.id).select_from(s))
    base = base.where(_where(clauses, columns))
    if groupby:
        keys = [columns[g].label(g) for g in groupby]
        stmt = base.with_only_columns(
            *keys,
            func.count().label("subscriptionCount"),
            func.sum(s.quantity).label("licenseCount"),
        ).group_by(*(columns[g] for g in groupby))
        total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        ordered = stmt.order_by(*(columns[g] for g in groupby)).offset(skip).limit(top)
        rows = [
            {
                **{g: _text(getattr(r, g)) for g in groupby},
                "subscriptionCount": int(r.subscriptionCount),
                "licenseCount": int(r.licenseCount or 0),
            }
            for r in session.execute(ordered)
        ]
        return Page(rows=rows, total=total)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    stmt = base.with_only_columns(s, *(c.label(k) for k, c in columns.items())).order_by(
        s.created_at, s.id
    )
    rows = [_subscription_row(r) for r in session.execute(stmt.offset(skip).limit(top))]
    return Page(rows=rows, total=total)


def _subscription_row(r: Any) -> dict[str, Any]:
    sub: Subscription = r[0]
    renewed = sub.term_number > 1
    return {
        "customerTenantId": str(r.customerTenantId),
        "customerName": r.customerName,
        "customerMarket": r.customerMarket,
        "id": str(sub.id),
        "status": r.status,
        "productName": r.productName or sub.friendly_name,
        "subscriptionType": r.subscriptionType,
        "autoRenewEnabled": bool(r.autoRenewEnabled),
        "partnerId": str(r.partnerId),
        "friendlyName": r.friendlyName,
        "partnerName": r.partnerName,
        "providerName": r.providerName,
        "creationDate": stamp(sub.created_at),
        "effectiveStartDate": stamp(datetime.combine(sub.created_at.date(), time(), tzinfo=UTC)),
        "commitmentEndDate": stamp(datetime.combine(sub.term_end, time(), tzinfo=UTC)),
        "currentStateEndDate": stamp(datetime.combine(sub.term_end, time(), tzinfo=UTC))
        if r.status == "ACTIVE"
        else None,
        "trialToPaidConversionDate": None,
        "trialStartDate": stamp(datetime.combine(sub.term_start, time(), tzinfo=UTC))
        if sub.is_trial
        else None,
        "trialEndDate": stamp(datetime.combine(sub.term_end, time(), tzinfo=UTC))
        if sub.is_trial
        else None,
        "lastUsageDate": None,
        "deprovisionedDate": stamp(sub.status_changed_at) if r.status == "DEPROVISIONED" else None,
        "lastRenewalDate": stamp(datetime.combine(sub.term_start, time(), tzinfo=UTC))
        if renewed
        else None,
        "licenseCount": sub.quantity,
        "billingCycleName": sub.billing_plan.upper(),
    }


def _when(condition: ColumnElement[bool], column: Any) -> Any:
    return case((condition, column), else_=None)


def indirect_resellers(session: Session, actor: Actor, *, top: int, skip: int) -> Page:
    """The resellers in partnership with the actor (a provider; the vendor: every
    reseller in any partnership) with their subscriptions through it: first and latest
    creation, end (term end), suspension and deprovisioning dates, the number of
    subscriptions and the seats of the active ones."""
    p, s = Partnership, Subscription
    pairs = select(p.reseller_id.label("reseller_id")).distinct()
    subs = select(s).where(s.reseller_organization_id.is_not(None))
    if not actor.is_vendor:
        pairs = pairs.where(p.provider_id == actor.organization_id)
        subs = subs.where(s.organization_id == actor.organization_id)
    pair_q = pairs.subquery()
    sq = subs.subquery()
    suspended = sq.c.status.in_(("suspended", "disabled"))
    gone = sq.c.status.in_(("deleted", "expired"))
    agg = (
        select(
            sq.c.reseller_organization_id.label("rid"),
            func.min(sq.c.created_at).label("first_created"),
            func.max(sq.c.created_at).label("latest_created"),
            func.min(sq.c.term_end).label("first_end"),
            func.max(sq.c.term_end).label("latest_end"),
            func.min(_when(suspended, sq.c.status_changed_at)).label("first_suspended"),
            func.max(_when(suspended, sq.c.status_changed_at)).label("latest_suspended"),
            func.min(_when(gone, sq.c.status_changed_at)).label("first_gone"),
            func.max(_when(gone, sq.c.status_changed_at)).label("latest_gone"),
            func.count().label("subs"),
            func.sum(_when(sq.c.status == "active", sq.c.quantity)).label("seats"),
        )
        .where(sq.c.status != "pending")
        .group_by(sq.c.reseller_organization_id)
        .subquery()
    )
    mpn = (
        select(PartnerId.organization_id.label("oid"), func.min(PartnerId.mpn_id).label("mpn"))
        .where(PartnerId.kind == "location")
        .group_by(PartnerId.organization_id)
        .subquery()
    )
    stmt = (
        select(Organization, agg, mpn.c.mpn)
        .join(pair_q, pair_q.c.reseller_id == Organization.id)
        .outerjoin(agg, agg.c.rid == Organization.id)
        .outerjoin(mpn, mpn.c.oid == Organization.id)
        .order_by(Organization.name, Organization.id)
    )
    total = session.scalar(select(func.count()).select_from(pair_q)) or 0
    rows = [_reseller_row(r) for r in session.execute(stmt.offset(skip).limit(top))]
    return Page(rows=rows, total=total)


def _day(value: Any) -> str:
    if value is None:
        return NO_DATE
    if isinstance(value, datetime):
        return stamp(value) or NO_DATE
    return f"{value.isoformat()}T00:00:00"


def _reseller_row(r: Any) -> dict[str, Any]:
    org: Organization = r[0]
    return {
        "partnerTenantId": str(org.id),
        "id": str(r.mpn) if r.mpn is not None else "",
        "name": org.name,
        "market": org.country or "",
        "firstSubscriptionCreationDate": _day(r.first_created),
        "latestSubscriptionCreationDate": _day(r.latest_created),
        "firstSubscriptionEndDate": _day(r.first_end),
        "latestSubscriptionEndDate": _day(r.latest_end),
        "firstSubscriptionSuspendedDate": _day(r.first_suspended),
        "latestSubscriptionSuspendedDate": _day(r.latest_suspended),
        "firstSubscriptionDeprovisionedDate": _day(r.first_gone),
        "latestSubscriptionDeprovisionedEndDate": _day(r.latest_gone),
        "subscriptionCount": int(r.subs or 0),
        "licenseCount": int(r.seats or 0),
    }
