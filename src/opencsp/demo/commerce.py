"""Thirteen months of commerce, made by the real services on the clock (issue 5 "Demo
data"): the purchases of ``demo.commerce_plan`` placed month by month by the direct-bill
partners and the providers (with their resellers of record), then what partners do with
their subscriptions — seats added, some removed within the window, a few cancelled
within 7 days for a refund, suspended and reactivated, auto-renew turned off (expired,
then disabled) — while the renewals, lifecycle and provisioning jobs run as the days go
by, so monthly subscriptions renew at each month's price list (rules.md §9c–9g). Two
resellers leave order requests open for their providers. The featured purchases of
``demo.commerce_featured`` — trials, upgrades, a term change, scheduled next-term changes,
perpetual software (one cancelled) — are placed among them with their planned changes.

Every step runs at its instant under ``clock.frozen``; the jobs run once per day that has
an action, before it, so a term ending in between is renewed (or expired) at its renewal
instant, at that instant's price, before anyone touches the subscription. A step a rule
refuses is rolled back to its savepoint, logged and counted (``skipped``): the plan is
built not to hit any, and the demo test holds it to none."""

from __future__ import annotations

import heapq
import itertools
import logging
import random
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.auth import queries as auth_queries
from opencsp.auth import service as auth_service
from opencsp.catalog.rules import BillingPlan, ProductType
from opencsp.core import clock
from opencsp.core.actor import Actor
from opencsp.core.errors import DomainError
from opencsp.customers.models import Customer
from opencsp.demo import billing
from opencsp.demo.commerce_featured import FEATURED, TOP_UP, featured
from opencsp.demo.commerce_plan import (
    P1M,
    SEED,
    Buyer,
    FollowUp,
    Line,
    Purchase,
    Summary,
    base_sku,
    buyers,
    plan,
)
from opencsp.demo.parties import CUSTOMERS, PARTNERS
from opencsp.orders import cancellation, checkout, requests
from opencsp.orders.models import OrderLine
from opencsp.orders.rules import CartLineRequest
from opencsp.partners import queries as partners
from opencsp.pricing.rules import month_of
from opencsp.subscriptions import lifecycle, provisioning, renewals, service, upgrades
from opencsp.subscriptions.changes import ScheduledInstructions
from opencsp.subscriptions.events import EventKind
from opencsp.subscriptions.models import Subscription, SubscriptionEvent
from opencsp.subscriptions.rules import Status

log = logging.getLogger("opencsp.demo.commerce")

DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class Change:
    """A change to a subscription at ``at``: ``kind`` is increase, reduce, cancel,
    suspend, reactivate, auto_renew_off, or (as ``plan`` says) upgrade, term_change or
    schedule; ``term`` the term it was planned in (a seat reduction belongs to its
    batch's term). ``cancel_purchase`` cancels the perpetual software of ``order_id``."""

    at: datetime
    buyer: Buyer
    subscription_id: uuid.UUID | None
    kind: str
    by: int = 0
    term: int | None = None
    plan: FollowUp | None = None
    order_id: str | None = None
    """For ``cancel_purchase``: the order of perpetual software to cancel."""


Step = Purchase | Change | billing.Pay


class Story:
    """The load in progress: the session, the actors, the customers and the queue of
    steps in time order."""

    def __init__(self, session: Session, system: Actor, now: datetime) -> None:
        self.session, self.system, self.now = session, system, now
        self.rng = random.Random(SEED)  # noqa: S311 - a reproducible story, not a secret
        self.summary = Summary()
        self.queue: list[tuple[datetime, int, Step]] = []
        self.counter = itertools.count()
        self.actors: dict[str, Actor] = {}
        names = [c.name for c in CUSTOMERS]
        rows = session.execute(
            select(Customer.company_name, Customer.id).where(Customer.company_name.in_(names))
        )
        self.customers: dict[str, uuid.UUID] = {name: id_ for name, id_ in rows}
        self.jobs_day: date | None = None
        self.collections = billing.Collections(session, self.actor, now=now, seed=SEED)
        self.scheduled: dict[uuid.UUID, int] = {}
        """Subscriptions given next-term instructions, with the term they were set in."""

    def actor(self, email: str) -> Actor:
        if email not in self.actors:
            user = auth_queries.user_by_email(self.session, email)
            assert user is not None, email
            self.actors[email] = auth_service.actor_for(self.session, user)
        return self.actors[email]

    def push(self, step: Step) -> None:
        if step.at < self.now:
            heapq.heappush(self.queue, (step.at, next(self.counter), step))

    @contextmanager
    def attempt(self, what: str) -> Iterator[None]:
        try:
            with self.session.begin_nested():
                yield
        except DomainError as exc:
            log.warning("demo step refused: %s: %s %s", what, exc.code, exc.message)
            self.summary.skipped.append(f"{what}: {exc.code} {exc.message}")


def run_jobs(session: Session, system: Actor, *, deliver: bool) -> None:
    """The renewals and lifecycle jobs (and provisioning delivery to the demo's in-process
    provisioner) at the current instant, in the caller's session."""

    @contextmanager
    def units() -> Iterator[tuple[Session, Actor]]:
        yield session, system

    renewals.run_renewals(units)
    lifecycle.run_lifecycle(units)
    if deliver:
        provisioning.deliver(units, provisioning.accept_all)


def _partner_id(session: Session, buyer: Buyer) -> str | None:
    if buyer.reseller is None:
        return None
    org = auth_queries.user_by_email(session, buyer.reseller.users[0].email)
    assert org is not None
    found = partners.location_partner_id(session, org.organization_id)
    assert found is not None, buyer.reseller.key
    return str(found.mpn_id)


def _bill(story: Story) -> None:
    """Bill the months that ended (``demo.billing``) and plan the payments of the
    invoices issued."""
    billing.bill_ended_months(story.session, story.system)
    for pay in story.collections.issued():
        story.push(pay)


def _request(story: Story, purchase: Purchase) -> CartLineRequest:
    line = purchase.line
    return CartLineRequest(
        id=0,
        catalog_item_id=line.catalog_item_id,
        quantity=line.quantity,
        term_duration=line.term.value if line.term else None,
        billing_cycle=line.plan.value,
        partner_id_on_record=_partner_id(story.session, purchase.buyer),
    )


def _buy(story: Story, purchase: Purchase) -> None:
    buyer = purchase.buyer
    customer_id = story.customers[buyer.customer.name]
    request = _request(story, purchase)
    order = checkout.place_order(
        story.session, story.actor(buyer.seller.users[0].email), customer_id, [request]
    )
    story.summary.orders += 1
    story.summary.purchases[purchase.kind] += 1
    sub_id = story.session.scalar(
        select(OrderLine.subscription_id).where(OrderLine.order_id == order.id)
    )
    if sub_id is not None:
        _follow_ups(story, purchase, sub_id)
    for then in purchase.follow if sub_id is None else ():  # perpetual software
        story.push(Change(purchase.at + then.after, buyer, None, then.kind, order_id=order.id))


def _sized(story: Story, purchase: Purchase) -> Purchase | None:
    """The ``top_up`` deal with the seats that bring its reseller of record just above the
    direct-bill threshold (``demo.billing.top_up_seats``); None when it is there already."""
    buyer = purchase.buyer
    assert buyer.reseller is not None
    one = replace(purchase, line=replace(purchase.line, quantity=1))
    seats = billing.top_up_seats(
        story.session,
        story.actor(buyer.seller.users[0].email),
        story.customers[buyer.customer.name],
        _request(story, one),
        reseller_id=story.actor(buyer.reseller.users[0].email).organization_id,
        month=month_of(purchase.at),
    )
    return replace(purchase, line=replace(purchase.line, quantity=seats)) if seats else None


def _follow_ups(story: Story, purchase: Purchase, sub_id: uuid.UUID) -> None:
    """What the partner later does with a new subscription (drawn from the seeded rng)."""
    rng, at, buyer = story.rng, purchase.at, purchase.buyer
    quantity, low = purchase.line.quantity, base_sku(purchase.line.code).min_quantity
    if purchase.kind in FEATURED:  # planned, not drawn
        for then in purchase.follow:
            story.push(Change(at + then.after, buyer, sub_id, then.kind, plan=then))
        return
    if purchase.kind == "lapse":
        story.push(Change(at + 3 * DAY, buyer, sub_id, "auto_renew_off"))
        return
    online = purchase.kind in ("online", "addon")
    draw = rng.random()
    if online and draw < 0.10:
        story.push(Change(at + 2 * DAY, buyer, sub_id, "cancel"))
        return
    if online and draw < 0.22 and quantity > low:
        by = rng.randint(1, min(3, quantity - low))
        story.push(Change(at + 3 * DAY, buyer, sub_id, "reduce", by, term=1))
    if rng.random() < (0.6 if purchase.kind == "anchor" else 0.35):
        when = at + rng.randint(15, 150) * DAY
        story.push(Change(when, buyer, sub_id, "increase", rng.randint(1, 10)))
    if purchase.kind == "anchor" or not online:
        return
    draw = rng.random()
    if draw < 0.12:
        when = at + rng.randint(20, 90) * DAY
        story.push(Change(when, buyer, sub_id, "suspend"))
        if rng.random() < 0.6:
            story.push(Change(when + rng.randint(7, 25) * DAY, buyer, sub_id, "reactivate"))
    elif draw < 0.30 or (purchase.line.term is P1M and draw < 0.45):
        # a monthly subscription left to lapse at the end of its first or second month
        days = rng.randint(5, 45) if purchase.line.term is P1M else rng.randint(5, 200)
        story.push(Change(at + days * DAY, buyer, sub_id, "auto_renew_off"))


def _change(story: Story, change: Change) -> None:
    """Apply one change through ``subscriptions.service``; a change that no longer makes
    sense (the subscription expired, or renewed since the seats were added) is dropped."""
    session = story.session
    if change.order_id is not None:
        _cancel_purchase(story, change, change.order_id)
        return
    sub = session.get(Subscription, change.subscription_id)
    assert sub is not None
    wanted = Status.SUSPENDED if change.kind == "reactivate" else Status.ACTIVE
    if Status(sub.status) is not wanted or (
        change.term is not None and sub.term_number != change.term
    ):
        return
    actor = story.actor(change.buyer.seller.users[0].email)
    customer_id = sub.customer_id
    if change.kind == "increase":
        service.change_quantity(session, actor, customer_id, sub.id, sub.quantity + change.by)
        online = ProductType(sub.product_type) is ProductType.ONLINE_SERVICES
        if online and story.rng.random() < 0.3:  # software seats are never reduced (800090)
            back = story.rng.randint(1, change.by)
            story.push(
                Change(change.at + 2 * DAY, change.buyer, sub.id, "reduce", back, sub.term_number)
            )
    elif change.kind == "reduce":
        service.change_quantity(session, actor, customer_id, sub.id, sub.quantity - change.by)
    elif change.kind == "cancel":
        service.cancel(session, actor, customer_id, sub.id)
    elif change.kind == "suspend":
        service.suspend(session, actor, customer_id, sub.id)
    elif change.kind == "reactivate":
        service.reactivate(session, actor, customer_id, sub.id)
    elif change.kind == "auto_renew_off":
        if not sub.auto_renew:
            return
        service.set_auto_renew(session, actor, customer_id, sub.id, False)
    elif change.plan is not None:
        _planned(story, actor, sub, change.plan)
        return
    story.summary.changes[change.kind] += 1


def _cancel_purchase(story: Story, change: Change, order_id: str) -> None:
    """Perpetual software cancelled within its 30 days for a full refund
    (``orders.cancellation``, rules.md §9c)."""
    actor = story.actor(change.buyer.seller.users[0].email)
    customer_id = story.customers[change.buyer.customer.name]
    cancellation.cancel_purchases(story.session, actor, customer_id, order_id, status="cancelled")
    story.summary.changes[change.kind] += 1


def _planned(story: Story, actor: Actor, sub: Subscription, then: FollowUp) -> None:
    """A featured upgrade (``upgrades.transition``, full or partial), immediate term
    change or scheduled next-term change (``service.update``), counted by kind."""
    to = None if then.to is None else Line(then.to, base_sku(then.to).id, None, BillingPlan.NONE, 0)
    if then.kind == "upgrade":
        assert to is not None
        seats = then.seats or sub.quantity
        request = upgrades.UpgradeRequest(to.catalog_item_id, seats)
        upgrades.transition(story.session, actor, sub.customer_id, sub.id, request)
        kind = "upgrade_full" if seats == sub.quantity else "upgrade_partial"
        story.summary.changes[kind] += 1
        return
    if then.kind == "term_change":  # now, midterm (rules.md §9f matrix)
        term = service.SubscriptionChange(term_duration=then.term, billing_cycle=then.plan)
        service.update(story.session, actor, sub.customer_id, sub.id, term, if_match=sub.version)
        story.summary.changes[then.kind] += 1
        return
    instructions = ScheduledInstructions(
        catalog_item_id=None if to is None else to.catalog_item_id,
        term=then.term,
        plan=then.plan,
        quantity=then.seats or None,
    )
    change = service.SubscriptionChange(scheduled_next_term=instructions)
    service.update(story.session, actor, sub.customer_id, sub.id, change, if_match=sub.version)
    story.scheduled[sub.id] = sub.term_number
    story.summary.changes[then.kind] += 1


def _outcomes(story: Story) -> None:
    """What the renewals job made of the featured steps: trials converted to paid (a
    ``convert`` event not from an upgrade nor a term change), and scheduled changes applied (the
    subscription renewed since, its instructions consumed) — two queries."""
    converts = story.session.scalars(
        select(SubscriptionEvent.details).where(SubscriptionEvent.kind == EventKind.CONVERT.value)
    )
    story.summary.trials_converted = sum(
        1 for d in converts if not {"transitionId", "change"} & set(d or {})
    )
    if story.scheduled:
        rows = story.session.execute(
            select(Subscription.id, Subscription.term_number).where(
                Subscription.id.in_(story.scheduled)
            )
        )
        story.summary.scheduled_applied = sum(
            1 for id_, term in rows if term > story.scheduled[id_]
        )


def _order_requests(story: Story) -> None:
    """Two resellers ask their provider for more, a week ago: the requests stay open (one
    customer has not accepted the customer agreement yet, so its provider can't buy)."""
    asks = (
        ("reseller-us-2", "Alpine Ski House", "BSTD", 25),
        ("reseller-kr-1", "Jeju Green Energy", "CRMP", 8),
    )
    with clock.frozen(story.now - 7 * DAY):
        for reseller_key, customer_name, code, quantity in asks:
            if customer_name not in story.customers:  # not in a market this cloud serves
                continue
            reseller = next(p for p in PARTNERS if p.key == reseller_key)
            sku = base_sku(code)
            line = CartLineRequest(
                id=0,
                catalog_item_id=Line(code, sku.id, None, BillingPlan.MONTHLY, 1).catalog_item_id,
                quantity=quantity,
                term_duration="P1Y",
                billing_cycle="monthly",
            )
            with story.attempt(f"order request {reseller_key}"):
                requests.submit_request(
                    story.session,
                    story.actor(reseller.users[0].email),
                    story.customers[customer_name],
                    [line],
                    note=f"{customer_name} asks for {quantity} seats of {sku.title}.",
                )
                story.summary.order_requests += 1


def _take(story: Story, step: Step) -> None:
    if isinstance(step, billing.Pay):
        story.collections.record(step)
    elif isinstance(step, Purchase) and step.kind == TOP_UP:
        sized = _sized(story, step)
        if sized is not None:
            _buy(story, sized)
    elif isinstance(step, Purchase):
        _buy(story, step)
    else:
        _change(story, step)


def load(session: Session, system: Actor) -> Summary:
    """Play the 13 months up to now (module docstring); returns what was done."""
    now = clock.now()
    story = Story(session, system, now)
    for purchase in [*plan(now, story.rng), *featured(now)]:
        story.push(purchase)
    while story.queue:
        at, _, step = heapq.heappop(story.queue)
        with clock.frozen(at):
            # a payment needs no jobs before it (nothing it relies on moves with them)
            if story.jobs_day != at.date() and not isinstance(step, billing.Pay):
                new_month = story.jobs_day is None or story.jobs_day.month != at.month
                run_jobs(session, system, deliver=new_month)
                if new_month and story.jobs_day is not None:  # after the renewals
                    _bill(story)
                story.jobs_day = at.date()
            with story.attempt(f"{type(step).__name__} at {at.isoformat()}"):
                _take(story, step)
    _order_requests(story)
    run_jobs(session, system, deliver=True)
    _bill(story)
    log.info("demo billing: %d payments", story.collections.recorded)
    _outcomes(story)
    log.info("demo %s", story.summary.describe())
    return story.summary


__all__ = ["Summary", "buyers", "load"]
