"""The NCE reconciliation row (file-formats.md §8c): the exact header order, the values
of a charge line and the documented seat-based subtotal formula."""

from __future__ import annotations

from datetime import date
from decimal import ROUND_DOWN, Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from opencsp.billing import invoices, recon
from opencsp.billing.charges import one_time_lines
from opencsp.billing.history import history_lines
from opencsp.billing.lines import OneTimeFacts
from tests.billing.histories import SUB, at, event, then

DOCUMENTED = (
    "PartnerId, CustomerId, CustomerName, CustomerDomainName, CustomerCountry, InvoiceNumber, "
    "MPNID, ResellerMPNID, OrderId, OrderDate, ProductId, SkuId, AvailabilityId, SkuName, "
    "ProductName, ChargeType, UnitPrice, Quantity, Subtotal, TaxTotal, Total, Currency, "
    "PriceAdjustmentDescription, PublisherName, PublisherId, SubscriptionDescription, "
    "SubscriptionId, ChargeStartDate, ChargeEndDate, TermAndBillingCycle, EffectiveUnitPrice, "
    "UnitType, AlternateId, BillableQuantity, BillingFrequency, PricingCurrency, "
    "PCToBCExchangeRate, PCToBCExchangeRateDate, MeterDescription, ReservationOrderId, "
    "CreditReasonCode, SubscriptionStartDate, SubscriptionEndDate, ReferenceId, "
    "ProductQualifiers, PromotionId"
)
CTX = recon.ReconContext(
    partner_id="p-1", customer_id="c-1", customer_name="Contoso", customer_country="US",
    invoice_number="G000000007", mpn_id="5357564", order_id="94e858b6d855",
    order_date=date(2026, 1, 15), product_id="CFQ7TTC0LH18", sku_id="0001",
    availability_id="CFQ7TTC0K971", product_qualifiers=("Add-on",),
)  # fmt: skip
NEW = event(1, "new", at(2026, 1, 15, 9), start=date(2026, 1, 15), end=date(2027, 1, 14),
            after=3)  # fmt: skip


def test_the_header_is_the_documented_table_order() -> None:
    assert tuple(DOCUMENTED.split(", ")) == recon.HEADER
    assert len(recon.HEADER) == 46


def test_a_cycle_charge_row() -> None:
    lines = history_lines([NEW], until=at(2026, 3, 1))
    row = recon.as_dict(recon.row(lines[1], CTX))
    assert row["ChargeType"] == "cycleCharge"
    assert (row["UnitPrice"], row["EffectiveUnitPrice"], row["Quantity"]) == (
        "120.00",
        "10.00",
        "3",
    )
    assert (row["Subtotal"], row["TaxTotal"], row["Total"]) == ("30.00", "0.00", "30.00")
    assert (row["ChargeStartDate"], row["ChargeEndDate"]) == ("2/15/2026", "3/14/2026")
    assert (row["SubscriptionStartDate"], row["SubscriptionEndDate"]) == ("1/15/2026", "1/14/2027")
    assert row["TermAndBillingCycle"] == "One-Year commitment for monthly billing"
    assert row["BillingFrequency"] == "Monthly"
    assert (row["PricingCurrency"], row["PCToBCExchangeRate"]) == ("USD", "1")
    assert row["PCToBCExchangeRateDate"] == "2/1/2026"
    assert row["SubscriptionId"] == str(SUB)
    assert (row["OrderDate"], row["AlternateId"]) == ("1/15/2026", "94e858b6d855")
    assert row["ProductQualifiers"] == '["Add-on"]'


def test_a_credit_row_is_negative_and_a_one_time_row_has_no_billing_frequency() -> None:
    cancel = then(NEW, 2, "cancelImmediate", at(2026, 1, 16), status_after="deleted",
                  refund=Decimal("357.04"))  # fmt: skip
    credit = history_lines([NEW, cancel], until=at(2026, 2, 1))[-1]
    row = recon.as_dict(recon.row(credit, CTX))
    assert row["ChargeType"] == "cancelImmediate"
    assert Decimal(row["Subtotal"]) < 0 and row["Total"] == row["Subtotal"]
    software = one_time_lines(OneTimeFacts("o1", 0, at(2026, 1, 3), 2, Decimal("99.5"), "USD"))
    row = recon.as_dict(recon.row(software[0], CTX))
    assert (row["BillingFrequency"], row["TermAndBillingCycle"]) == ("", "")
    assert row["Subtotal"] == "199.00"


def test_tax_is_added_to_the_total() -> None:
    line = history_lines([NEW], until=at(2026, 2, 1))[0]
    ctx = recon.ReconContext(partner_id="p", customer_id="c", tax_total=Decimal("2.7"))
    row = recon.as_dict(recon.row(line, ctx))
    assert (row["Subtotal"], row["TaxTotal"], row["Total"]) == ("30.00", "2.70", "32.70")


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 10**7),
    st.integers(1, 300),
    st.decimals(min_value=Decimal("0.0001"), max_value=Decimal(50), places=6),
    st.sampled_from(["EUR", "KRW", "JPY", "KWD"]),
)
def test_the_subtotal_follows_the_documented_formula_and_equals_the_billed_amount(
    minor: int, seats: int, usd_per_billing: Decimal, billing: str
) -> None:
    price = Decimal(minor).scaleb(-2)
    new = event(1, "new", at(2026, 1, 15), start=date(2026, 1, 15), end=date(2027, 1, 14),
                price=str(price), after=seats)  # fmt: skip
    line = history_lines([new], until=at(2026, 2, 1))[0]
    fx = invoices.conversion("USD", billing, date(2026, 1, 1), usd_per_pricing=Decimal(1),
                             usd_per_billing=usd_per_billing)  # fmt: skip
    row = recon.as_dict(recon.row(line, CTX, fx))
    quantum = Decimal(1).scaleb(-{"EUR": 2, "KRW": 0, "JPY": 0, "KWD": 3}[billing])
    eup, rate = Decimal(row["EffectiveUnitPrice"]), Decimal(row["PCToBCExchangeRate"])
    formula = (eup * rate).quantize(quantum, rounding=ROUND_DOWN) * int(row["BillableQuantity"])
    assert Decimal(row["Subtotal"]) == formula == invoices.billed_amount(line, fx)
    assert row["Currency"] == billing and row["PricingCurrency"] == "USD"
