"""The currency a partner buys in (rules.md §4 "EU/EFTA multi-currency"): its own, from
the customer market's price sheet, when that sheet is in it; else the customer's. The
order, its lines, the subscription and the vendor's invoice all follow it."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest
from sqlalchemy import select

from opencsp.billing.models import Invoice
from opencsp.core import clock
from opencsp.core.actor import Tier
from opencsp.markets import queries as markets
from opencsp.markets.rules import sale_currency
from opencsp.orders import carts, checkout
from opencsp.orders.models import OrderLine
from opencsp.subscriptions.models import Subscription
from tests.factories.billing import bill
from tests.factories.catalog import offer, price_list
from tests.factories.commerce import NCE_PRICES, P1Y, line, nce_rows
from tests.factories.parties import accepted, customer, partner, signed, template

EUROPE = "europe"
EUROPEAN = {"EUR": "1", "GBP": "0.9", "CHF": "0.95", "SEK": "11", "DKK": "7.5", "NOK": "11.5"}
"""Price per seat of each European currency's rows, as a factor of the USD table."""


@pytest.mark.parametrize(
    ("own", "customer_currency", "listed", "expected"),
    [
        ("GBP", "EUR", ("CHF", "DKK", "EUR", "GBP", "NOK", "SEK"), "GBP"),
        ("EUR", "GBP", ("CHF", "DKK", "EUR", "GBP", "NOK", "SEK"), "EUR"),
        ("EUR", "EUR", ("CHF", "DKK", "EUR", "GBP", "NOK", "SEK"), "EUR"),
        ("USD", "EUR", ("CHF", "DKK", "EUR", "GBP", "NOK", "SEK"), "EUR"),  # not on the sheet
        ("USD", "USD", ("USD",), "USD"),
        ("KRW", "KRW", ("KRW",), "KRW"),
        ("BRL", "BRL", ("BRL",), "BRL"),
        (None, "EUR", ("EUR", "GBP"), "EUR"),  # the partner's location unknown
        ("GBP", "EUR", (), "EUR"),  # a market with no new-commerce currency listed
    ],
)
def test_sale_currency_table(own, customer_currency, listed, expected):
    assert sale_currency(own, customer_currency, listed) == expected


def test_sale_currency_reads_the_markets_table(session):
    assert markets.sale_currency(session, "GB", "DE") == "GBP"
    assert markets.sale_currency(session, "DE", "CH") == "EUR"
    assert markets.sale_currency(session, "SE", "SE") == "SEK"
    assert markets.sale_currency(session, "US", "US") == "USD"
    assert markets.sale_currency(session, None, "DE") == "EUR"
    assert markets.sale_currency(session, "US", "DE") == "EUR"  # USD is not on Europe's sheet


@pytest.fixture()
def europe(session):
    """A direct-bill partner in the United Kingdom and one in Germany, each with a
    customer in the other's country, and this month's Europe list in all six currencies."""
    month = clock.now().date().replace(day=1)
    agreement = template(session, "MicrosoftPartnerAgreement", region=EUROPE)
    mca = template(session)
    uk = partner(session, Tier.DIRECT_BILL, country="GB")
    de = partner(session, Tier.DIRECT_BILL, country="DE")
    for member in (uk, de):
        signed(session, member.org, EUROPE, agreement)
    german = customer(session, uk.org, country="DE")
    british = customer(session, de.org, country="GB")
    for row in (german, british):
        accepted(session, row, mca)
    item = offer(session, title="Nimbus 365 Business Standard")
    rows = []
    for currency, factor in EUROPEAN.items():
        prices = {k: str(Decimal(v) * Decimal(factor)) for k, v in NCE_PRICES.items()}
        rows += [replace(r, currency=currency, market_code="DE") for r in nce_rows(item, prices)]
    price_list(session, EUROPE, month, rows)
    return uk, de, german, british, item


def test_a_british_partner_buys_for_a_german_customer_in_pounds(session, europe):
    uk, _, german, _, item = europe
    cart = carts.create_cart(session, uk.actor, german.id, [line(item, 10)])
    assert carts.cart_view(session, cart).currency == "GBP"
    order = checkout.place_order(session, uk.actor, german.id, [line(item, 10)])
    assert (order.currency, order.market_id) == ("GBP", EUROPE)
    [ol] = session.scalars(select(OrderLine).where(OrderLine.order_id == order.id)).all()
    assert (ol.currency, ol.unit_price) == ("GBP", Decimal("108.0"))  # 120 × 0.9
    sub = session.get(Subscription, ol.subscription_id)
    assert sub is not None and (sub.currency, sub.unit_price) == ("GBP", Decimal("108.0"))


def test_a_german_partner_buys_for_a_british_customer_in_euros(session, europe):
    _, de, _, british, item = europe
    order = checkout.place_order(session, de.actor, british.id, [line(item, 10, term=P1Y)])
    assert order.currency == "EUR"
    assert order.total_price == Decimal("100.00")  # 10 seats × 120 / 12


def test_the_vendor_invoices_the_partner_in_its_own_currency(session, europe):
    uk, _, german, _, item = europe
    checkout.place_order(session, uk.actor, german.id, [line(item, 10)])
    period = clock.now().date().replace(day=1)
    bill(session, period)
    invoices = session.scalars(
        select(Invoice).where(Invoice.bill_to_organization_id == uk.org.id)
    ).all()
    assert [(i.currency, i.period) for i in invoices] == [("GBP", period)]
    assert invoices[0].total_minor == 9000  # 10 × 108 / 12 = GBP 90.00


def test_a_stored_cart_is_answered_in_the_sale_currency(session, europe):
    uk, _, german, _, item = europe
    cart = carts.create_cart(session, uk.actor, german.id, [line(item, 10)])
    session.info.clear()  # forget what this unit of work judged: read it back
    assert carts.cart_view(session, cart).currency == "GBP"
