"""Tables of subscriptions: the subscription as it stands, its seat batches, its history
of events, and its transitions (upgrades).

The **event history is the record of money**: every purchase, renewal, seat change,
cancellation, suspension, conversion and upgrade is one ``SubscriptionEvent`` carrying
the quantity before and after, the locked unit price, the term and the effective instant,
so the bill run (issue 6) derives every charge from it and the console draws the
subscription's timeline from it. Events are written once and never edited. An event with
an ``idempotency_key`` (for example ``renew:{subscription}:{term}``) can exist once only,
so a lifecycle job killed and re-run cannot renew or expire a subscription twice.

``version`` is the optimistic-concurrency counter behind the ``etag``: an update names the
version it read (``If-Match``) and a stale one answers 2055 (PC:developer/headers.md).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from opencsp.core.db import Base
from opencsp.core.types import ROW_ID, DecimalText, UTCDateTime

REPLANNED = "kind = 'changeBillingPlan'"


class Subscription(Base):
    """A new-commerce subscription (``Subscription``) of one customer, billed to
    ``organization_id`` (the direct-bill partner or the indirect provider), with the
    indirect reseller of record when there is one. ``term_start``..``term_end`` is the
    current term, both inclusive whole UTC days (``effectiveStartDate``,
    ``commitmentEndDate``); ``term_number`` counts terms from 1. ``unit_price`` is the
    partner price for the whole current term, locked at purchase or renewal in
    ``currency`` (PC:billing-basics.md); ``billing_currency`` is the partner's currency
    when it differs (an item priced in USD, converted at each month's FX rate when it is
    billed, rules.md §11), else NULL. ``scheduled_next_term`` holds the
    ``scheduledNextTermInstructions`` applied at renewal. ``cancellable_until`` is the end
    of the cancellation window of the current term (none after an upgrade). ``anchor_day``
    is the day of month the current term's months step on when it differs from its start
    day (a renewal of a term that started on the 31st, ``terms.Term.anchor_day``)."""

    __tablename__ = "subscriptions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers.id", ondelete="RESTRICT"), index=True
    )
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    reseller_organization_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organizations.id", ondelete="RESTRICT"), index=True
    )
    partner_id_on_record: Mapped[str | None] = mapped_column(String(16))
    order_id: Mapped[str] = mapped_column(ForeignKey("orders.id", ondelete="RESTRICT"))
    order_line_number: Mapped[int] = mapped_column(Integer)
    product_id: Mapped[str] = mapped_column(String(36))
    sku_id: Mapped[str] = mapped_column(String(8))
    availability_id: Mapped[str] = mapped_column(String(16))
    product_type: Mapped[str] = mapped_column(String(32))
    friendly_name: Mapped[str] = mapped_column(String(256))
    quantity: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(16))
    auto_renew: Mapped[bool] = mapped_column(Boolean, default=True)
    is_trial: Mapped[bool] = mapped_column(Boolean, default=False)
    term_duration: Mapped[str] = mapped_column(String(8))
    billing_plan: Mapped[str] = mapped_column(String(16))
    market_id: Mapped[str] = mapped_column(String(64))
    currency: Mapped[str] = mapped_column(String(3))
    billing_currency: Mapped[str | None] = mapped_column(String(3), default=None)
    unit_price: Mapped[Decimal] = mapped_column(DecimalText())
    price_list_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    term_number: Mapped[int] = mapped_column(Integer, default=1)
    term_start: Mapped[date] = mapped_column(Date)
    term_end: Mapped[date] = mapped_column(Date)
    custom_term_end: Mapped[date | None] = mapped_column(Date)
    anchor_day: Mapped[int | None] = mapped_column(Integer)
    cancellable_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    status_changed_at: Mapped[datetime] = mapped_column(UTCDateTime())
    scheduled_next_term: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    next_billing_plan: Mapped[str | None] = mapped_column(String(16))
    next_billing_plan_from: Mapped[date | None] = mapped_column(Date)
    source_subscription_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    update_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012 - SQLAlchemy's mapping
    __table_args__ = (
        Index("ix_subscriptions_due", "status", "term_end"),
        Index("ix_subscriptions_status_since", "status", "status_changed_at"),
    )


class SeatBatch(Base):
    """Seats added together (purchase, renewal or a mid-term increase): ``added`` seats
    at ``added_at``, of which ``removed`` were later reduced; the rest may be reduced
    until ``allowed_until`` (``refundableQuantity.details``, PC:create-a-new-subscription
    .md: reductions only within 7 days of those seats being added, per batch)."""

    __tablename__ = "subscription_seat_batches"

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True, autoincrement=True)
    subscription_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="CASCADE"), index=True
    )
    term_number: Mapped[int] = mapped_column(Integer)
    added: Mapped[int] = mapped_column(Integer)
    removed: Mapped[int] = mapped_column(Integer, default=0)
    added_at: Mapped[datetime] = mapped_column(UTCDateTime())
    allowed_until: Mapped[datetime] = mapped_column(UTCDateTime())


class SubscriptionEvent(Base):
    """One thing that happened to a subscription, in order (``sequence`` from 1): its
    ``kind`` (``subscriptions.rules``), the effective instant, the term it belongs to
    (number, start, end, duration, plan), the quantity before and after, and the locked
    ``unit_price`` in ``currency`` — everything the bill run needs to price it.
    ``refund`` is the prorated amount credited by a cancellation or seat reduction,
    rounded once to the currency's minor unit (``rules.prorated_refund``); ``actor_id``
    who did it (none for jobs)."""

    __tablename__ = "subscription_events"

    id: Mapped[int] = mapped_column(ROW_ID, primary_key=True, autoincrement=True)
    subscription_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="CASCADE")
    )
    sequence: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(32))
    at: Mapped[datetime] = mapped_column(UTCDateTime())
    term_number: Mapped[int] = mapped_column(Integer)
    term_start: Mapped[date] = mapped_column(Date)
    term_end: Mapped[date] = mapped_column(Date)
    term_duration: Mapped[str] = mapped_column(String(8))
    billing_plan: Mapped[str] = mapped_column(String(16))
    status_after: Mapped[str] = mapped_column(String(16))
    quantity_before: Mapped[int] = mapped_column(Integer)
    quantity_after: Mapped[int] = mapped_column(Integer)
    unit_price: Mapped[Decimal] = mapped_column(DecimalText())
    currency: Mapped[str] = mapped_column(String(3))
    refund: Mapped[Decimal | None] = mapped_column(DecimalText())
    idempotency_key: Mapped[str | None] = mapped_column(String(160), unique=True)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    __table_args__ = (
        UniqueConstraint("subscription_id", "sequence"),
        Index("ix_subscription_events_at", "at"),
        # the few billing-plan changes (``events.EventKind.CHANGE_BILLING_PLAN``), which
        # the bill run looks up for every subscription it prices
        Index(
            "ix_subscription_events_replanned",
            "subscription_id",
            "term_number",
            sqlite_where=text(REPLANNED),
            postgresql_where=text(REPLANNED),
        ),
    )


class Transition(Base):
    """An upgrade of a subscription to a higher offer (``transitions``,
    PC:developer/transition-a-new-commerce-subscription.md): full (the subscription keeps
    its id and moves) or partial (``quantity`` seats move to ``to_subscription_id``, a new
    subscription coterminous with the source)."""

    __tablename__ = "subscription_transitions"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    customer_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("customers.id", ondelete="CASCADE"), index=True
    )
    from_subscription_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("subscriptions.id", ondelete="CASCADE"), index=True
    )
    to_subscription_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    from_catalog_item_id: Mapped[str] = mapped_column(String(120))
    to_catalog_item_id: Mapped[str] = mapped_column(String(120))
    quantity: Mapped[int] = mapped_column(Integer)
    transition_type: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
