"""The subscription family of Partner Center's API (PC:developer/subscription-resources.md):
a customer's subscriptions (by order, by reseller partner ID), one subscription, its
update (PATCH with the whole resource and its ETag), provisioning status, custom term end
dates, and upgrades (transition eligibilities, transitions). A customer or subscription
the caller may not see is 404; the reseller of record reads but does not change (403)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, status

from opencsp.catalog.rules import BillingPlan, TermDuration
from opencsp.core import clock
from opencsp.core.actor import Actor, Perm
from opencsp.core.http import Collection, Link, Links
from opencsp.subscriptions import provisioning, queries, scheduling, service, upgrades
from opencsp.subscriptions.schemas import (
    CustomTermEndDateRead,
    Eligibility,
    ProvisioningStatusRead,
    SubscriptionEligibility,
    SubscriptionPatch,
    SubscriptionRead,
    TransitionCreate,
    TransitionEligibilityRead,
    TransitionError,
    TransitionList,
    TransitionRead,
    day_start,
    parse_etag,
    subscription_read,
    transition_read,
)
from opencsp.web.deps import SessionDep, require

router = APIRouter(tags=["subscriptions"])

Reader = Annotated[Actor, require(Perm.SUBSCRIPTIONS_READ)]
Manager = Annotated[Actor, require(Perm.SUBSCRIPTIONS_MANAGE)]

BASE = "/customers/{customer_id}/subscriptions"
ONE = BASE + "/{subscription_id}"


@router.get(BASE, response_model=Collection[SubscriptionRead], response_model_exclude_none=True)
def list_subscriptions(
    customer_id: uuid.UUID,
    session: SessionDep,
    actor: Reader,
    order_id: Annotated[str | None, Query()] = None,
    mpn_id: Annotated[str | None, Query()] = None,
) -> Collection[SubscriptionRead]:
    views = queries.list_views(
        session, actor, customer_id, now=clock.now(), order_id=order_id, mpn_id=mpn_id
    )
    items = [subscription_read(v) for v in views]
    return Collection[SubscriptionRead](
        total_count=len(items),
        items=items,
        links=Links(self=Link(uri=f"/customers/{customer_id}/subscriptions")),
    )


# before /{subscription_id}, so the word is never read as an id
@router.get(
    BASE + "/customTermEndDates",
    response_model=Collection[CustomTermEndDateRead],
    response_model_exclude_none=True,
)
def custom_term_end_dates(
    customer_id: uuid.UUID,
    session: SessionDep,
    actor: Reader,
    term_duration: Annotated[TermDuration, Query(alias="termDuration")],
    billing_cycle: Annotated[BillingPlan | None, Query(alias="billingCycle")] = None,
) -> Collection[CustomTermEndDateRead]:
    """``billingCycle`` is accepted as documented; the dates depend on the term only."""
    options = scheduling.custom_term_end_dates(
        session, actor, customer_id, term_duration, today=clock.now().date()
    )
    items = [
        CustomTermEndDateRead(
            allowed_custom_term_end_date_type=o.kind.value,
            coterm_subscription_ids=list(o.subscription_ids) or None,
            allowed_custom_term_end_date=day_start(o.end),
        )
        for o in options
    ]
    uri = f"/customers/{customer_id}/subscriptions/customTermEndDates?term_duration={term_duration}"
    return Collection[CustomTermEndDateRead](
        total_count=len(items), items=items, links=Links(self=Link(uri=uri))
    )


@router.get(ONE, response_model=SubscriptionRead, response_model_exclude_none=True)
def get_subscription(
    customer_id: uuid.UUID, subscription_id: uuid.UUID, session: SessionDep, actor: Reader
) -> SubscriptionRead:
    return subscription_read(
        queries.view(session, actor, customer_id, subscription_id, now=clock.now())
    )


@router.patch(ONE, response_model=SubscriptionRead, response_model_exclude_none=True)
def update_subscription(
    customer_id: uuid.UUID,
    subscription_id: uuid.UUID,
    body: SubscriptionPatch,
    session: SessionDep,
    actor: Manager,
    if_match: Annotated[str | None, Header(alias="If-Match")] = None,
) -> SubscriptionRead:
    """The ETag comes in ``If-Match`` or, as in the documented request, in
    ``attributes.etag``."""
    etag = if_match or (body.attributes.etag if body.attributes else None)
    service.update(
        session,
        actor,
        customer_id,
        subscription_id,
        body.change(),
        if_match=parse_etag(etag),
    )
    return subscription_read(
        queries.view(session, actor, customer_id, subscription_id, now=clock.now())
    )


@router.get(
    ONE + "/provisioningstatus",
    response_model=ProvisioningStatusRead,
    response_model_exclude_none=True,
)
def provisioning_status(
    customer_id: uuid.UUID, subscription_id: uuid.UUID, session: SessionDep, actor: Reader
) -> ProvisioningStatusRead:
    sub = queries.get(session, actor, customer_id, subscription_id)
    found = provisioning.status_of(session, sub.id)
    return ProvisioningStatusRead(
        sku_id=found.sku_id,
        status=found.status.value,
        quantity=found.quantity,
        end_date=found.end_date,
    )


@router.get(
    ONE + "/transitionEligibilities",
    response_model=Collection[TransitionEligibilityRead],
    response_model_exclude_none=True,
)
def transition_eligibilities(
    customer_id: uuid.UUID,
    subscription_id: uuid.UUID,
    session: SessionDep,
    actor: Reader,
    eligibility_type: Annotated[str, Query(alias="eligibilityType")] = "immediate",
) -> Collection[TransitionEligibilityRead]:
    """``eligibilityType`` immediate or scheduled: the same higher SKUs either way, each
    with the customer's subscriptions on it the seats could move into
    (``subscriptionEligibilities``)."""
    options = upgrades.eligibilities(session, actor, customer_id, subscription_id)
    items = [
        TransitionEligibilityRead(
            catalog_item_id=o.catalog_item_id,
            title=o.title,
            description=o.description,
            quantity=o.quantity,
            subscription_eligibilities=[
                SubscriptionEligibility(
                    is_eligible=t.is_eligible,
                    subscription_id=t.subscription_id,
                    subscription_friendly_name=t.friendly_name,
                    subscription_term_duration=t.term_duration,
                    subscription_billing_cycle=t.billing_cycle,
                    errors=[TransitionError(code=e.code, description=e.message) for e in t.errors],
                )
                for t in o.targets
            ]
            or None,
            eligibilities=[
                Eligibility(
                    is_eligible=o.is_eligible,
                    transition_type=o.transition_type,
                    errors=[TransitionError(code=e.code, description=e.message) for e in o.errors],
                )
            ],
        )
        for o in options
    ]
    return Collection[TransitionEligibilityRead](total_count=len(items), items=items)


@router.post(
    ONE + "/transitions",
    response_model=TransitionRead,
    response_model_exclude_none=True,
    status_code=status.HTTP_201_CREATED,
)
def create_transition(
    customer_id: uuid.UUID,
    subscription_id: uuid.UUID,
    body: TransitionCreate,
    session: SessionDep,
    actor: Manager,
) -> TransitionRead:
    row = upgrades.transition(session, actor, customer_id, subscription_id, body.request())
    return transition_read(row)


@router.get(ONE + "/transitions", response_model=TransitionList, response_model_exclude_none=True)
def list_transitions(
    customer_id: uuid.UUID, subscription_id: uuid.UUID, session: SessionDep, actor: Reader
) -> TransitionList:
    rows = upgrades.history(session, actor, customer_id, subscription_id)
    return TransitionList(transition=[transition_read(r) for r in rows])
