"""Items priced in USD and billed in the partner's currency (rules.md §11; issue 6:
"priced-in-USD items converted at the month's FX rate, recorded with the rate and its
date"; ``billing.fx``).

A British direct-bill partner buys for a German customer. The Europe list prices the
licence offer in pounds and the marketplace-style offer only in USD: the order and the
subscription keep the USD price, the vendor's invoice is in pounds, each seat converted
with the reconciliation formula ``ROUNDDOWN(each × rate, 2)`` at the month's rate, and a
refund gives back exactly what was billed, at the charge's rate."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from opencsp.billing import recon_stream
from opencsp.billing.models import Charge, Invoice
from opencsp.catalog.rules import BillingPlan, ProductType, TermDuration
from opencsp.core import clock
from opencsp.core.actor import Tier
from opencsp.orders import carts, checkout
from opencsp.orders.errors import CART_INVALID_INPUT, CheckoutRejected, CurrencyNotSupported
from opencsp.orders.models import Order
from opencsp.pricing.errors import FxRateNotFound
from opencsp.pricing.models import FxRate
from opencsp.subscriptions import service
from opencsp.subscriptions.models import Subscription
from tests.factories.billing import bill
from tests.factories.catalog import Row, fx_rate, offer, price_list
from tests.factories.commerce import NCE_PRICES, P1Y, line, nce_rows
from tests.factories.parties import accepted, customer, partner, signed, template

EUROPE = "europe"
NOVEMBER, DECEMBER = date(2026, 11, 1), date(2026, 12, 1)
BOUGHT = datetime(2026, 11, 28, 9, tzinfo=UTC)
GBP_IN_USD = {NOVEMBER: "1.26", DECEMBER: "1.25"}
"""USD per pound: November's rate is 1 / 1.26 = 0.793650793651 pounds per dollar, so a
USD 10.00 seat is GBP 7.93 (7.9365… rounded down, where half-up would give 7.94);
December's is 0.8."""
NOVEMBER_RATE = Decimal("0.793650793651")


@pytest.fixture()
def shop(session):
    """The partner, its customer, a pound-priced licence offer and a USD-only offer on
    November's Europe list, and both months' rates."""
    agreement = template(session, "MicrosoftPartnerAgreement", region=EUROPE)
    uk = partner(session, Tier.DIRECT_BILL, country="GB")
    signed(session, uk.org, EUROPE, agreement)
    german = customer(session, uk.org, country="DE")
    accepted(session, german, template(session))
    licence = offer(session, title="Nimbus 365 Business Standard")
    saas = offer(session, title="Contoso Marketplace SaaS")
    rows = [replace(r, currency="GBP", market_code="DE") for r in nce_rows(licence, NCE_PRICES)]
    rows += [replace(r, currency="USD", market_code="DE") for r in nce_rows(saas, NCE_PRICES)]
    perpetual = offer(session, product_type=ProductType.SOFTWARE_PERPETUAL, title="Contoso Desk")
    one_time = {"term": TermDuration.ONE_TIME, "billing_plan": BillingPlan.ONE_TIME}
    rows.append(Row(perpetual, "250", currency="USD", market_code="DE", **one_time))
    price_list(session, EUROPE, NOVEMBER, rows)
    for month, rate in GBP_IN_USD.items():
        fx_rate(session, "GBP", month, rate)
    session.info["perpetual"] = perpetual
    return uk, german, licence, saas


def buy(session, shop, seats=10):
    uk, german, _, saas = shop
    with clock.frozen(BOUGHT):
        order = checkout.place_order(session, uk.actor, german.id, [line(saas, seats, term=P1Y)])
    return order, session.scalars(
        select(Subscription).where(Subscription.order_id == order.id)
    ).one()


def vendor_lines(session, sub):
    q = select(Charge).where(Charge.subscription_id == sub.id, Charge.tier == "vendor")
    return session.scalars(q.order_by(Charge.period, Charge.id)).all()


def test_the_order_and_subscription_keep_the_usd_price_and_name_the_billing_currency(session, shop):
    order, sub = buy(session, shop)
    assert (order.currency, order.billing_currency) == ("USD", "GBP")
    assert order.total_price == Decimal("100.00")  # 10 seats × USD 120 / 12
    assert (sub.currency, sub.billing_currency, sub.unit_price) == ("USD", "GBP", Decimal("120"))


def test_a_licence_bought_in_pounds_names_no_billing_currency(session, shop):
    uk, german, licence, _ = shop
    with clock.frozen(BOUGHT):
        order = checkout.place_order(session, uk.actor, german.id, [line(licence, 10)])
    assert (order.currency, order.billing_currency) == ("GBP", None)


def test_a_cart_mixing_pricing_currencies_fails_the_usd_line_with_900169(session, shop):
    uk, german, licence, saas = shop
    lines = [line(licence, 10), replace(line(saas, 10), id=1)]
    with clock.frozen(BOUGHT):
        cart = carts.create_cart(session, uk.actor, german.id, lines)
        view = carts.cart_view(session, cart)
        assert view.currency == "GBP"
        [(number, error)] = [(n, e) for n, e in view.errors.items() if e is not None]
        assert (number, error.code) == (1, CART_INVALID_INPUT)  # the cart line's shape
        assert "priced in USD" in error.description
        with pytest.raises(CheckoutRejected):
            checkout.checkout(session, uk.actor, german.id, cart.id)
        with pytest.raises(CurrencyNotSupported) as exc:  # the order API's first error
            checkout.place_order(session, uk.actor, german.id, lines, first_error=True)
    assert exc.value.code == 900169
    assert session.scalar(select(func.count()).select_from(Order)) == 0


def test_the_vendor_bills_pounds_at_the_months_rate_rounded_down_per_seat(session, shop):
    uk, *_ = shop
    _, sub = buy(session, shop)
    bill(session, NOVEMBER)
    [charge] = vendor_lines(session, sub)
    assert (charge.pricing_currency, charge.each_minor, charge.amount_minor) == ("USD", 1000, 10000)
    assert (charge.currency, charge.fx_rate, charge.fx_date) == ("GBP", NOVEMBER_RATE, NOVEMBER)
    assert (charge.billed_each_minor, charge.billed_amount_minor) == (793, 7930)
    [invoice] = session.scalars(select(Invoice).where(Invoice.bill_to_organization_id == uk.org.id))
    assert (invoice.currency, invoice.total_minor) == ("GBP", 7930)


def test_the_next_cycle_is_billed_at_its_own_months_rate_on_the_set_based_path(session, shop):
    _, sub = buy(session, shop)
    bill(session, NOVEMBER)
    assert bill(session, DECEMBER).cycles == 1  # the cycles path wrote it
    first, second = vendor_lines(session, sub)
    assert first.fx_rate == NOVEMBER_RATE
    assert (second.charge_type, second.period) == ("cycleCharge", DECEMBER)
    assert (second.each_minor, second.currency, second.fx_rate) == (1000, "GBP", Decimal("0.8"))
    assert (second.billed_each_minor, second.billed_amount_minor) == (800, 8000)
    assert second.fx_date == DECEMBER


def test_a_refund_in_the_next_month_gives_back_what_was_billed_at_the_charges_rate(session, shop):
    _, sub = buy(session, shop)
    bill(session, NOVEMBER)
    with clock.frozen(BOUGHT + timedelta(days=4)):  # December 2: in the 7-day window
        service.cancel(session, shop[0].actor, sub.customer_id, sub.id)
    bill(session, DECEMBER)
    lines = vendor_lines(session, sub)
    credits = [c for c in lines if c.billed_amount_minor < 0]
    assert credits, "the cancellation writes a credit"
    assert all(c.fx_rate == NOVEMBER_RATE and c.currency == "GBP" for c in credits)
    charged = sum(c.billed_amount_minor for c in lines if c.billed_amount_minor > 0)
    refunded = -sum(c.billed_amount_minor for c in credits)
    assert 0 < refunded <= charged
    priced_refund = -sum(c.amount_minor for c in credits)
    assert refunded == sum(
        -(c.quantity * int(Decimal(c.each_minor) * NOVEMBER_RATE)) for c in credits
    )
    assert priced_refund > 0


def test_a_month_without_the_rate_stops_the_bill_run_until_the_rate_is_set(session, shop):
    uk, *_ = shop
    buy(session, shop)
    session.execute(FxRate.__table__.delete().where(FxRate.month == NOVEMBER))
    with pytest.raises(FxRateNotFound) as exc:
        bill(session, NOVEMBER)
    assert "GBP" in exc.value.message
    assert session.scalar(select(func.count()).select_from(Charge)) == 0
    fx_rate(session, "GBP", NOVEMBER, GBP_IN_USD[NOVEMBER])
    bill(session, NOVEMBER)  # the re-run completes the month
    [invoice] = session.scalars(select(Invoice).where(Invoice.bill_to_organization_id == uk.org.id))
    assert (invoice.currency, invoice.total_minor) == ("GBP", 7930)


def test_the_reconciliation_file_shows_the_rate_and_adds_up_to_the_invoice(session, shop):
    uk, *_ = shop
    buy(session, shop)
    bill(session, NOVEMBER)
    [invoice] = session.scalars(select(Invoice).where(Invoice.bill_to_organization_id == uk.org.id))
    header, *rows = csv.reader(io.StringIO("".join(recon_stream.invoice_file(session, invoice))))
    [line] = [dict(zip(header, r, strict=True)) for r in rows]
    assert (line["PricingCurrency"], line["Currency"]) == ("USD", "GBP")
    assert Decimal(line["PCToBCExchangeRate"]) == NOVEMBER_RATE
    assert line["PCToBCExchangeRateDate"].startswith("11/1/2026")
    assert Decimal(line["Subtotal"]) == Decimal("79.30") == Decimal(invoice.total_minor) / 100


def test_a_one_time_purchase_is_billed_at_its_months_rate_when_it_is_ordered(session, shop):
    uk, german, *_ = shop
    item = session.info["perpetual"]
    bought = line(item, 2, term=TermDuration.ONE_TIME, plan=BillingPlan.ONE_TIME)
    with clock.frozen(BOUGHT):
        order = checkout.place_order(session, uk.actor, german.id, [bought])
    assert (order.currency, order.billing_currency) == ("USD", "GBP")
    [charge] = session.scalars(select(Charge).where(Charge.order_id == order.id)).all()
    assert (charge.amount_minor, charge.currency, charge.fx_rate) == (50000, "GBP", NOVEMBER_RATE)
    assert (charge.billed_each_minor, charge.billed_amount_minor) == (19841, 39682)  # 198.4126…
