"""Scheduled next-term instructions of a subscription (``scheduledNextTermInstructions``,
PC:developer/create-scheduled-changes.md; rules.md §9f): checking them against the
catalog and the subscription, and their stored form in ``Subscription.scheduled_next_term``
— which the renewal job reads back with :func:`from_json` and lays over the current term
with ``changes.apply_at_renewal``."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from opencsp.catalog import queries as catalog
from opencsp.catalog.rules import BillingPlan, ProductType, TermDuration, parse_catalog_item_id
from opencsp.core.actor import Actor
from opencsp.subscriptions import changes, terms
from opencsp.subscriptions import queries as subscription_queries
from opencsp.subscriptions.changes import ScheduledInstructions
from opencsp.subscriptions.errors import QuantityOutsideRange, UpgradeNotSupported
from opencsp.subscriptions.models import Subscription
from opencsp.subscriptions.rules import Status


def catalog_item_of(sub: Subscription) -> str:
    return f"{sub.product_id}:{sub.sku_id}:{sub.availability_id}"


def to_json(ins: ScheduledInstructions) -> dict[str, Any]:
    """The stored form: the wire field names, absent fields left out."""
    out: dict[str, Any] = {
        "catalogItemId": ins.catalog_item_id,
        "termDuration": ins.term.value if ins.term else None,
        "billingCycle": ins.plan.value if ins.plan else None,
        "quantity": ins.quantity,
        "customTermEndDate": ins.custom_end.isoformat() if ins.custom_end else None,
        "promotionId": ins.promotion_id,
    }
    return {k: v for k, v in out.items() if v is not None}


def from_json(data: dict[str, Any] | None) -> ScheduledInstructions | None:
    if not data:
        return None
    term, plan, end = (
        data.get("termDuration"),
        data.get("billingCycle"),
        data.get("customTermEndDate"),
    )
    return ScheduledInstructions(
        catalog_item_id=data.get("catalogItemId"),
        term=TermDuration(term) if term else None,
        plan=BillingPlan(plan) if plan else None,
        quantity=data.get("quantity"),
        custom_end=date.fromisoformat(end) if end else None,
        promotion_id=data.get("promotionId"),
    )


def check(session: Session, sub: Subscription, ins: ScheduledInstructions) -> ScheduledInstructions:
    """Accept instructions for ``sub``'s next term, normalized, or raise (rules.md §9f):
    only on an active subscription with auto-renew on; another SKU only if the catalog
    lists it as an upgrade of this one (no downgrades); any standard term and plan, the
    plan no longer than the term (``changes.check_term_change`` at renewal, 900270);
    seats within the SKU's range (2002); a custom end date valid for a term starting on
    the renewal date, against the partner's other subscriptions (900244–900246)."""
    changes.ensure_can_schedule(Status(sub.status), auto_renew=sub.auto_renew)
    current = catalog_item_of(sub)
    item_id = (ins.catalog_item_id or current).strip()
    item = parse_catalog_item_id(item_id)
    if item_id.upper() != current.upper():
        targets = catalog.upgrade_targets_of(session, sub.product_id, sub.sku_id)
        if (item.product_id, item.sku_id) not in set(targets):
            raise UpgradeNotSupported(target=item_id, source=current)
        catalog.get_availability(session, item)
    term = ins.term or TermDuration(sub.term_duration)
    plan = ins.plan or BillingPlan(sub.billing_plan)
    changes.check_term_change(
        TermDuration(sub.term_duration),
        BillingPlan(sub.billing_plan),
        term,
        plan,
        immediate=False,
        trial=sub.is_trial,
    )
    if ins.quantity is not None:
        sku = catalog.get_sku(session, item.product_id, item.sku_id)
        if not sku.min_quantity <= ins.quantity <= sku.max_quantity:
            raise QuantityOutsideRange(minimum=sku.min_quantity, maximum=sku.max_quantity)
    if ins.custom_end is not None:
        others = subscription_queries.coterm_candidates(
            session, sub.customer_id, sub.organization_id, exclude=sub.id
        )
        terms.check_custom_end(
            ins.custom_end,
            terms.renewal_date(sub.term_end),
            term,
            [(o.term_end, TermDuration(o.term_duration)) for o in others],
            product_type=ProductType(sub.product_type),
            trial=sub.is_trial,
            context=terms.CustomEndContext.RENEWAL,
        )
    return ScheduledInstructions(
        catalog_item_id=str(item),
        term=ins.term,
        plan=ins.plan,
        quantity=ins.quantity,
        custom_end=ins.custom_end,
        promotion_id=ins.promotion_id,
    )


# --- custom term end dates (coterminosity) --------------------------------------------------


@dataclass(frozen=True, slots=True)
class CustomEndOption:
    """One item of ``customTermEndDates``: a date a new term may end on, and why."""

    end: date
    kind: terms.CustomEndType
    subscription_ids: tuple[uuid.UUID, ...] = ()


def custom_term_end_dates(
    session: Session, actor: Actor, customer_id: uuid.UUID, term: TermDuration, *, today: date
) -> list[CustomEndOption]:
    """The end dates a term of ``term`` bought ``today`` for the customer may take
    (PC:developer/custom-term-end-dates.md; rules.md §9f): the calendar-month aligned end,
    and each end of the caller's own active non-trial OnlineServicesNCE subscriptions of
    the customer that ``terms.valid_custom_end_dates`` accepts, with those subscriptions."""
    subscription_queries.customer_of(session, actor, customer_id)
    others = subscription_queries.coterm_candidates(session, customer_id, actor.organization_id)
    ends = [(o.term_end, TermDuration(o.term_duration)) for o in others]
    calendar = terms.calendar_month_aligned_end(today, term)
    options: list[CustomEndOption] = []
    for end in terms.valid_custom_end_dates(today, term, ends, trial=False):
        if end == calendar:
            options.append(CustomEndOption(end, terms.CustomEndType.CALENDAR_MONTH_ALIGNED))
        aligned = tuple(
            o.id
            for o, pair in zip(others, ends, strict=True)
            if o.term_end == end
            and end in terms.valid_custom_end_dates(today, term, [pair], trial=False)
        )
        if aligned:
            options.append(CustomEndOption(end, terms.CustomEndType.SUBSCRIPTION_ALIGNED, aligned))
    return options
