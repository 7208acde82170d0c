"""A cart as answered (``lineItems`` with their errors, the currency they are priced in):
as written and judged in this unit of work (kept by ``remember``, so the answer to a
``POST``/``PUT .../carts`` reads nothing back), or as stored."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.customers.models import Customer
from opencsp.markets import queries as markets
from opencsp.orders.models import Cart, CartLine
from opencsp.orders.rules import LineError
from opencsp.partners import queries as partners

_ERRORS_KEY = "opencsp.orders.line_errors"
_JUDGED_KEY = "opencsp.orders.judged_carts"


@dataclass(frozen=True, slots=True)
class _Judged:
    """A cart's lines as written in this unit of work, their errors and currency: what
    ``cart_view`` answers with, without reading them back."""

    lines: list[CartLine]
    errors: dict[int, LineError]
    currency: str


def remember(
    session: Session,
    cart: Cart,
    rows: Sequence[CartLine],
    errors: dict[int, LineError],
    currency: str,
) -> None:
    """Keep a cart's lines as just written and judged, for this unit of work's answer."""
    session.info.setdefault(_ERRORS_KEY, {})[cart.id] = errors
    session.info.setdefault(_JUDGED_KEY, {})[cart.id] = _Judged(
        sorted(rows, key=lambda line: line.id), errors, currency
    )


def line_errors(session: Session, cart: Cart, lines: Sequence[CartLine]) -> dict[int, LineError]:
    """The lines' errors: as judged in this unit of work, or as stored on the lines (with
    ``availableQuantity`` either way)."""
    judged: dict[int, LineError] | None = session.info.get(_ERRORS_KEY, {}).get(cart.id)
    if judged is not None:
        return judged
    return {
        line.id: LineError(
            line.error_code,
            line.error_description or "",
            available_quantity=line.error_available_quantity,
        )
        for line in lines
        if line.error_code is not None
    }


def cart_lines(session: Session, cart_id: uuid.UUID) -> list[CartLine]:
    stmt = select(CartLine).where(CartLine.cart_id == cart_id).order_by(CartLine.id)
    return list(session.scalars(stmt))


@dataclass(frozen=True, slots=True)
class CartView:
    """A cart with its lines, their errors, and the currency its lines are priced in."""

    cart: Cart
    lines: list[CartLine]
    errors: dict[int, LineError]
    currency: str


def cart_view(session: Session, cart: Cart) -> CartView:
    """The cart as answered: as just written and judged in this unit of work, or read."""
    judged: _Judged | None = session.info.get(_JUDGED_KEY, {}).get(cart.id)
    if judged is not None:
        return CartView(cart, judged.lines, judged.errors, judged.currency)
    customer = session.get(Customer, cart.customer_id)
    currency = (
        markets.sale_currency(
            session, partners.country_of(session, cart.organization_id), customer.country
        )
        if customer
        else "USD"
    )
    lines = cart_lines(session, cart.id)
    return CartView(cart, lines, line_errors(session, cart, lines), currency)
