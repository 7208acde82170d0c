"""Properties of charge arithmetic where rounding could drift (issue 6 tests): the cycles
of a term add up to its price exactly, a seat add plus the later cycles is the documented
total, and for any history credits never exceed charges and every line is its per-seat
price times its seats, and every credit names a charge of its term before it (the one the
downstream tiers price it as)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from opencsp.billing.cycles import seat_amount, share_at, term_cycles
from opencsp.billing.history import history_lines
from opencsp.billing.lines import ChargeLine
from opencsp.catalog.rules import BillingPlan, TermDuration
from opencsp.core.money import Currency
from opencsp.subscriptions import rules as sub_rules
from opencsp.subscriptions import terms
from tests.billing.histories import at, event, then

PROPERTY = settings(max_examples=200, deadline=None)
FOREVER = at(2040, 1, 1)
PLANS = [("P1Y", "monthly"), ("P1Y", "annual"), ("P3Y", "monthly"), ("P3Y", "annual"),
         ("P3Y", "triennial"), ("P1M", "monthly")]  # fmt: skip
starts = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))
cents = st.integers(min_value=1, max_value=10_000_000)
currencies = st.sampled_from(["USD", "KRW", "JPY", "KWD"])


def price_of(minor: int, code: str) -> Decimal:
    return Decimal(minor).scaleb(-Currency(code).minor_units)


@PROPERTY
@given(starts, cents, st.integers(1, 300), st.sampled_from(PLANS), currencies)
def test_the_cycles_of_a_term_add_up_to_exactly_its_price(
    start: date, minor: int, seats: int, plan: tuple[str, str], code: str
) -> None:
    term, billing = plan
    end = terms.natural_end(start, TermDuration(term))
    price = price_of(minor, code)
    new = event(1, "new", at(start.year, start.month, start.day, 12), start=start, end=end,
                term=term, plan=billing, price=str(price), after=seats, currency=code)  # fmt: skip
    lines = history_lines([new], until=FOREVER)
    assert sum(line.amount for line in lines) == price * seats
    assert all(line.amount == line.effective_unit_price * line.quantity for line in lines)


@PROPERTY
@given(starts, cents, st.integers(1, 20), st.integers(1, 20), st.integers(0, 364),
       st.sampled_from(["monthly", "annual"]))  # fmt: skip
def test_an_add_plus_the_later_cycles_is_the_documented_total(
    start: date, minor: int, base: int, added: int, offset: int, plan: str
) -> None:
    """Documented total per added seat: ``seat_amount(U, 1) − seat_amount(U, share_at(d))``
    — within one minor unit of the exact ``U × (1 − share)``."""
    end = terms.natural_end(start, TermDuration.P1Y)
    day = min(start + timedelta(days=offset), end)
    price = price_of(minor, "USD")
    new = event(1, "new", at(start.year, start.month, start.day, 1), start=start, end=end,
                plan=plan, price=str(price), after=base)  # fmt: skip
    add = then(new, 2, "addQuantity", at(day.year, day.month, day.day, 23),
               quantity_after=base + added)  # fmt: skip
    without = sum(line.amount for line in history_lines([new], until=FOREVER))
    with_add = sum(line.amount for line in history_lines([new, add], until=FOREVER))
    cycles = term_cycles(start, end, TermDuration.P1Y, BillingPlan(plan))
    share = share_at(cycles, day)
    per_seat = seat_amount(price, cycles[-1].share_end, Currency("USD")) - seat_amount(
        price, share, Currency("USD")
    )
    assert with_add - without == per_seat * added
    exact = price * (1 - Decimal(share.numerator) / Decimal(share.denominator))
    assert abs(per_seat - exact) <= Decimal("0.01")


actions = st.lists(
    st.tuples(st.integers(0, 30), st.sampled_from(["add", "remove", "suspend", "reactivate",
                                                   "cancel"]), st.integers(1, 5)),
    max_size=8,
)  # fmt: skip


@PROPERTY
@given(starts, cents, st.integers(1, 10), st.sampled_from(PLANS[:5]), actions)
def test_for_any_history_credits_never_exceed_charges(
    start: date, minor: int, seats: int, plan: tuple[str, str], steps: list[tuple[int, str, int]]
) -> None:
    term, billing = plan
    end = terms.natural_end(start, TermDuration(term))
    price = price_of(minor, "USD")
    history = [event(1, "new", at(start.year, start.month, start.day, 0), start=start, end=end,
                     term=term, plan=billing, price=str(price), after=seats)]  # fmt: skip
    day = start
    for gap, kind, n in steps:
        day = min(day + timedelta(days=gap), end)
        prev = history[-1]
        when = at(day.year, day.month, day.day, 12)
        if prev.status_after == "deleted" or when < prev.at:
            break
        refund = sub_rules.prorated_refund(
            price, min(n, prev.quantity_after), start, end, day, currency=Currency("USD")
        )
        if kind == "add" and prev.status_after == "active":
            history.append(then(prev, len(history) + 1, "addQuantity", when,
                                quantity_after=prev.quantity_after + n))  # fmt: skip
        elif kind == "remove" and prev.quantity_after > n and prev.status_after == "active":
            history.append(then(prev, len(history) + 1, "removeQuantity", when,
                                quantity_after=prev.quantity_after - n, refund=refund))  # fmt: skip
        elif kind in {"suspend", "reactivate"}:
            status = "suspended" if kind == "suspend" else "active"
            history.append(then(prev, len(history) + 1, kind, when, status_after=status))
        elif kind == "cancel":
            full = sub_rules.prorated_refund(
                price, prev.quantity_after, start, end, day, currency=Currency("USD")
            )
            history.append(then(prev, len(history) + 1, "cancelImmediate", when,
                                status_after="deleted", refund=full))  # fmt: skip
    lines = history_lines(history, until=FOREVER)
    running = Decimal(0)
    for line in lines:  # in accrual order: the net billed never goes below zero
        running += line.amount
        assert running >= 0
        assert line.amount == line.effective_unit_price * line.quantity
        assert line.effective_unit_price == line.effective_unit_price.quantize(Decimal("0.01"))
    assert len({line.key for line in lines}) == len(lines)
    earlier: dict[str, ChargeLine] = {}
    for line in lines:  # a credit names a charge of its term written before it
        if line.amount < 0:
            given_back = earlier.get(line.offsets_key or "")
            assert given_back is not None, line.key
            assert given_back.amount > 0 and given_back.term_number == line.term_number
            assert given_back.accrued_at <= line.accrued_at
        earlier[line.key] = line
