"""Charges priced in one currency and billed in another (rules.md §11: Azure, reservations
and marketplace items are priced in USD and billed in the partner's currency; issue 6:
"priced-in-USD items converted at the month's FX rate, recorded with the rate and its
date").

A vendor line keeps its price in the pricing currency (``unit_price``, ``each_minor``,
``amount_minor``, ``pricing_currency``) and is billed in ``currency``: each seat's amount
is converted with the reconciliation file's seat-based formula,
``ROUNDDOWN(EffectiveUnitPrice × PCToBCExchangeRate, minor)`` (file-formats.md §8c;
``invoices.convert_unit_price``), and the line's amount is that times its seats, so the
file a partner downloads checks against our invoice to the minor unit. The rate is the
billing period's (``pricing`` ``fx_rates``, set before the month and used for all of it),
recorded on the line with its date (``invoices.conversion``). A credit that gives back a
written charge is converted at that charge's rate, not the month's it is written in, so a
refund gives back exactly what was billed. A month without the rate of a currency it
needs stops the bill run with ``FxRateNotFound`` before anything is written."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.orm import Session

from opencsp.billing.invoices import Conversion, conversion, convert_unit_price, identity
from opencsp.core.money import Currency, Money
from opencsp.pricing.queries import usd_per_unit


def billed_each(each_minor: int, fx: Conversion) -> int:
    """One seat's amount (minor units of the pricing currency) in the billing currency's
    minor units: rounded toward zero, so a credit mirrors its charge exactly."""
    if fx.is_identity:
        return each_minor
    each = Money.from_minor(each_minor, Currency.of(fx.pricing)).amount
    return Money(convert_unit_price(each, fx), Currency.of(fx.billing)).to_minor()


class Rates:
    """The month's conversions, read from ``fx_rates`` once per currency pair and month."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.known: dict[tuple[str, str, date], Conversion] = {}

    def of(self, pricing: str, billing: str, month: date) -> Conversion:
        key = (pricing, billing, month)
        found = self.known.get(key)
        if found is None and pricing == billing:
            found = identity(pricing, month)
        elif found is None:
            found = conversion(
                pricing,
                billing,
                month,
                usd_per_pricing=usd_per_unit(self.session, pricing, month),
                usd_per_billing=usd_per_unit(self.session, billing, month),
            )
            self.known[key] = found
        return found


def bill_in(row: dict[str, Any], fx: Conversion) -> dict[str, Any]:
    """A charge row billed through ``fx`` (its pricing columns unchanged)."""
    each = billed_each(row["each_minor"], fx)
    row.update(
        currency=fx.billing,
        fx_rate=fx.rate,
        fx_date=fx.rate_date,
        billed_each_minor=each,
        billed_amount_minor=each * row["quantity"],
    )
    return row


def billed(row: dict[str, Any], billing: str | None, rates: Rates) -> dict[str, Any]:
    """A vendor charge row of its period billed in ``billing`` (None, or the pricing
    currency: as it is)."""
    pricing = row["pricing_currency"]
    if billing is None or billing == pricing:
        return row
    return bill_in(row, rates.of(pricing, billing, row["period"]))


def recorded(row: Mapping[str, Any]) -> Conversion:
    """The conversion a charge row carries (its pricing and billing currencies, the rate
    and its date)."""
    if row["currency"] == row["pricing_currency"]:
        return identity(row["currency"], row["fx_date"])
    return Conversion(
        row["pricing_currency"], row["currency"], Decimal(row["fx_rate"]), row["fx_date"]
    )


def as_its_charge(row: dict[str, Any], charge: Any) -> dict[str, Any]:
    """A credit billed as the charge it gives back was: same currency, rate and date."""
    if charge.currency == row["currency"] == row["pricing_currency"]:
        return row
    rate = Decimal(charge.fx_rate)
    return bill_in(row, Conversion(row["pricing_currency"], charge.currency, rate, charge.fx_date))
