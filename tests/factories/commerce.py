"""A ready commerce scene for checkout, subscription and lifecycle tests: a direct-bill
partner and an indirect provider with a reseller (in partnership, partner agreement
signed), each with a customer who accepted the customer agreement, an NCE offer, an
add-on needing it, a perpetual offer, and the current month's United States price list
pricing all of them."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.agreements import queries as agreements
from opencsp.catalog.rules import BillingPlan, ProductType, TermDuration
from opencsp.core import clock
from opencsp.core.actor import Tier
from opencsp.core.config import settings
from opencsp.customers.models import Customer
from opencsp.orders import checkout
from opencsp.orders.models import Order, OrderLine
from opencsp.orders.rules import CartLineRequest, order_id
from opencsp.partners.models import PartnerId
from opencsp.pricing.models import PriceList
from opencsp.subscriptions import events, terms
from opencsp.subscriptions.models import SeatBatch, Subscription
from tests.factories import Member
from tests.factories.catalog import Offer, Row, offer, price_list
from tests.factories.parties import accepted, customer, partner, partnership, signed, template

MARKET = "united-states"

P1M, P1Y, P3Y = TermDuration.P1M, TermDuration.P1Y, TermDuration.P3Y
MONTHLY, ANNUAL, TRIENNIAL = BillingPlan.MONTHLY, BillingPlan.ANNUAL, BillingPlan.TRIENNIAL

NCE_PRICES = {  # (term, plan) -> partner price per seat for the whole term, USD
    (P1M, MONTHLY): "12",
    (P1Y, MONTHLY): "120",
    (P1Y, ANNUAL): "120",
    (P3Y, MONTHLY): "324",
    (P3Y, ANNUAL): "324",
    (P3Y, TRIENNIAL): "324",
}


@dataclass(frozen=True)
class Scene:
    direct: Member  # a direct-bill partner
    provider: Member  # an indirect provider
    reseller: Member  # an indirect reseller in partnership with the provider
    direct_customer: Customer  # customer of the direct-bill partner, agreement accepted
    indirect_customer: Customer  # customer of the provider and the reseller, accepted
    offer: Offer  # NCE license offer, 1..300 seats, standard terms
    addon: Offer  # NCE add-on needing ``offer``'s SKU on the customer
    perpetual: Offer  # one-time perpetual software
    prices: PriceList  # this month's list for the United States
    reseller_mpn_id: str  # the reseller's location partner ID (``partnerIdOnRecord``)


def nce_rows(item: Offer, prices: dict[tuple[TermDuration, BillingPlan], str]) -> list[Row]:
    return [Row(item, price, term=t, billing_plan=p) for (t, p), price in prices.items()]


def scene(session: Session, *, month: date | None = None) -> Scene:
    """Everything a purchase needs, priced in ``month`` (default: the clock's month)."""
    month = month or clock.now().date().replace(day=1)
    direct = partner(session, Tier.DIRECT_BILL)
    provider = partner(session, Tier.INDIRECT_PROVIDER)
    reseller = partner(session, Tier.INDIRECT_RESELLER)
    partnership(session, provider.org, reseller.org)
    agreement = template(session, "MicrosoftPartnerAgreement", region=MARKET)
    for member in (direct, provider, reseller):  # no purchase without it (900124)
        signed(session, member.org, MARKET, agreement)
    mca = template(session)
    direct_customer = customer(session, direct.org)
    indirect_customer = customer(session, provider.org, reseller=reseller.org)
    accepted(session, direct_customer, mca)
    accepted(session, indirect_customer, mca)
    base = offer(session, title="Nimbus 365 Business Standard")
    addon = offer(
        session,
        title="Nimbus Audio Conferencing",
        prerequisites=[(base.product.id, base.sku.id)],
    )
    perpetual = offer(
        session, product_type=ProductType.SOFTWARE_PERPETUAL, title="Nimbus Office 2024"
    )
    rows = nce_rows(base, NCE_PRICES) + nce_rows(addon, {k: "2" for k in NCE_PRICES})
    rows.append(
        Row(perpetual, "250", term=TermDuration.ONE_TIME, billing_plan=BillingPlan.ONE_TIME)
    )
    prices = price_list(session, MARKET, month, rows)
    return Scene(
        direct=direct,
        provider=provider,
        reseller=reseller,
        direct_customer=direct_customer,
        indirect_customer=indirect_customer,
        offer=base,
        addon=addon,
        perpetual=perpetual,
        prices=prices,
        reseller_mpn_id=str(
            session.scalar(
                select(PartnerId.mpn_id).where(
                    PartnerId.organization_id == reseller.org.id, PartnerId.kind == "location"
                )
            )
        ),
    )


def subscription(
    session: Session,
    customer_row: Customer,
    seller: Member,
    item: Offer,
    *,
    quantity: int = 10,
    term: TermDuration = P1Y,
    plan: BillingPlan = MONTHLY,
    start: date | None = None,
    status: str = "active",
    auto_renew: bool = True,
    unit_price: str = "120",
    reseller: Member | None = None,
    reseller_mpn_id: str | None = None,
    is_trial: bool = False,
) -> Subscription:
    """A subscription written straight to the tables (with its order, one seat batch and
    its ``new`` event) in any state, starting ``start`` (default today) — for the states
    and dates a purchase today cannot reach. Tests of buying use the checkout service."""
    now = clock.now()
    start = start or now.date()
    started = datetime.combine(start, time(), tzinfo=UTC)
    end = terms.term_end(start, term)
    sub_id = uuid.uuid4()
    oid = order_id(uuid.uuid4())
    price = Decimal(unit_price)
    session.add(
        Order(
            id=oid,
            customer_id=customer_row.id,
            organization_id=seller.org.id,
            cart_id=None,
            market_id=MARKET,
            currency="USD",
            billing_cycle=plan.value,
            status="completed",
            total_price=price * quantity,
            created_at=started,
            completed_at=started,
            created_by=seller.user.id,
        )
    )
    session.flush()
    session.add(
        OrderLine(
            order_id=oid,
            line_number=0,
            catalog_item_id=item.catalog_item_id,
            product_id=item.product.id,
            sku_id=item.sku.id,
            availability_id=item.availability.id,
            product_type=item.product.product_type,
            friendly_name=item.sku.title,
            quantity=quantity,
            term_duration=term.value,
            billing_plan=plan.value,
            partner_id_on_record=reseller_mpn_id,
            reseller_organization_id=reseller.org.id if reseller else None,
            subscription_id=sub_id,
            price_list_id=None,
            unit_price=price,
            list_price=price,
            extended_price=price * quantity,
            charge=price * quantity,
            currency="USD",
        )
    )
    sub = Subscription(
        id=sub_id,
        customer_id=customer_row.id,
        organization_id=seller.org.id,
        reseller_organization_id=reseller.org.id if reseller else None,
        partner_id_on_record=reseller_mpn_id,
        order_id=oid,
        order_line_number=0,
        product_id=item.product.id,
        sku_id=item.sku.id,
        availability_id=item.availability.id,
        product_type=item.product.product_type,
        friendly_name=item.sku.title,
        quantity=quantity,
        status=status,
        auto_renew=auto_renew,
        is_trial=is_trial,
        term_duration=term.value,
        billing_plan=plan.value,
        market_id=MARKET,
        currency="USD",
        unit_price=price,
        price_list_id=None,
        term_number=1,
        term_start=start,
        term_end=end,
        custom_term_end=None,
        cancellable_until=started + timedelta(days=settings().cancellation_window_days),
        status_changed_at=started,
        scheduled_next_term=None,
        source_subscription_id=None,
        update_count=0,
        created_at=started,
        updated_at=started,
    )
    session.add(sub)
    session.flush()
    session.add(
        SeatBatch(
            subscription_id=sub_id,
            term_number=1,
            added=quantity,
            removed=0,
            added_at=started,
            allowed_until=started + timedelta(days=settings().cancellation_window_days),
        )
    )
    events.record(session, sub, events.EventKind.NEW, at=started, actor_id=None, quantity_before=0)
    session.flush()
    return sub


# --- buying through the checkout service (added with orders.checkout) -------------------


def sign_partner_agreement(session: Session, buyer: Member, region: str = MARKET) -> None:
    """The buyer's own partner agreement for ``region`` (rules.md §1.6: no purchase
    without it, 900124), for partners made outside ``scene`` (which signs it for all)."""
    if not agreements.has_signed_partner_agreement(session, buyer.org.id, region):
        signed(
            session,
            buyer.org,
            region,
            template(session, "MicrosoftPartnerAgreement", region=region),
        )


def line(
    item: Offer,
    quantity: int = 10,
    *,
    id: int = 0,
    term: TermDuration | None = P1Y,
    plan: BillingPlan = MONTHLY,
    partner_id_on_record: str | None = None,
    attestation_accepted: bool = False,
) -> CartLineRequest:
    """A cart line for ``item`` as a client would send it."""
    return CartLineRequest(
        id=id,
        catalog_item_id=item.catalog_item_id,
        quantity=quantity,
        term_duration=term.value if term else None,
        billing_cycle=plan.value,
        partner_id_on_record=partner_id_on_record,
        attestation_accepted=attestation_accepted,
    )


def buy(
    session: Session,
    buyer: Member,
    customer_row: Customer,
    item: Offer,
    quantity: int = 10,
    *,
    term: TermDuration = P1Y,
    plan: BillingPlan = MONTHLY,
    partner_id_on_record: str | None = None,
    custom_term_end: date | None = None,
) -> Subscription:
    """Buy one subscription through the real checkout (``orders.checkout.place_order``)
    at the clock's now and answer it."""
    order = checkout.place_order(
        session,
        buyer.actor,
        customer_row.id,
        [line(item, quantity, term=term, plan=plan, partner_id_on_record=partner_id_on_record)],
        custom_term_ends={0: custom_term_end},
    )
    session.flush()
    return session.scalars(select(Subscription).where(Subscription.order_id == order.id)).one()
