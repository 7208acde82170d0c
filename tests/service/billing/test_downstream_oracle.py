"""The set-based downstream accrual (``billing.downstream``) equals its per-line oracle
(``billing.downstream_lines.lines_for``) exactly, on random vendor lines: unit prices
with 0, 2 and 4 decimals, USD, EUR, JPY and KRW, credits, negative and zero seats, rules
for every scope, the default markup, ERP rows split in time and in tiers, ties between
rows, rows without ERP, a free unit price and a key too long for SQL. Also the pure
pieces it rests on: the exact half-up rounding, the 64-bit check and the ERP cells."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.billing import downstream, downstream_lines, downstream_sql
from opencsp.billing.downstream_lines import Pricer, lines_for, scaled
from opencsp.billing.downstream_sql import INT64, erp_cells, fits
from opencsp.billing.models import Charge, PriceRule
from opencsp.core.actor import Tier
from opencsp.pricing.models import PriceRow
from opencsp.pricing.rules import OPEN_END
from tests.factories.catalog import price_list
from tests.factories.commerce import MARKET, scene
from tests.factories.parties import partner

PERIOD = date(2027, 2, 1)
NOW = datetime(2027, 3, 1, 2, tzinfo=UTC)
MID = datetime(2027, 2, 14, 23, 59, 59, 999999, tzinfo=UTC)
END = datetime(2027, 2, 20, 12, tzinfo=UTC)  # after it, P1/0001 monthly USD has no row
OPEN = datetime(2020, 1, 1, tzinfo=UTC)
PRODUCTS = [("P1", "0001"), ("P1", "0002"), ("P2", "0001"), ("P3", "0001")]
TERMS = [("P1Y", "monthly"), ("P1Y", "annual"), ("P1M", "monthly")]
UNIT_PRICES = ["120", "99.99", "36.1234", "0", "1500", "12.5", "0.0001", "7"]
CURRENCIES = ["USD", "USD", "EUR", "JPY", "KRW"]
TABLE = Charge.__table__


@pytest.mark.parametrize(
    ("each", "ratio", "expected"),
    [
        (1000, Fraction(11, 10), 1100),
        (3, Fraction(5, 6), 3),  # 2.5: a Decimal quotient 0.8333…3 would give 2
        (-3, Fraction(5, 6), -3),  # a credit mirrors its charge
        (1, Fraction(1, 2), 1),
        (1, Fraction(49999, 100000), 0),
        (-1, Fraction(1, 2), -1),
        (0, Fraction(7, 3), 0),
        (14001, Fraction(1125, 1000), 15751),
        (999, Fraction(-1, 2), -500),  # a negative ratio rounds away from zero too
    ],
)
def test_a_seat_rounds_half_up_away_from_zero_exactly(
    each: int, ratio: Fraction, expected: int
) -> None:
    assert scaled(each, ratio) == expected


@pytest.mark.parametrize(
    ("largest", "seats", "ratio", "ok"),
    [
        (10**9, 10**6, Fraction(11, 10), True),
        ((INT64 - 1) // 2, 1, Fraction(1), True),  # 2·each + 1 = INT64
        ((INT64 - 1) // 2 + 1, 1, Fraction(1), False),
        (10**12, 10**7, Fraction(1), False),  # the amount overflows
        (10**12, 10**6, Fraction(1), True),
        (4 * 10**11, 1, Fraction(11_000_000, 1_000_000), True),
        (10**13, 1, Fraction(11_000_000, 1), False),
    ],
)
def test_the_64_bit_check_is_exact_at_its_edge(
    largest: int, seats: int, ratio: Fraction, ok: bool
) -> None:
    assert fits(largest, seats, [ratio]) is ok


def _row(erp: str | None, start: datetime, end: datetime, low: int | None, high: int | None) -> Any:
    return PriceRow(
        erp_price=Decimal(erp) if erp else None,
        effective_start=start,
        effective_end=end,
        tier_min=low,
        tier_max=high,
    )


def test_erp_cells_bound_pick_row_in_time_and_seats() -> None:
    rows = [
        _row("150", OPEN, MID, None, None),
        _row("160", MID + timedelta(microseconds=1), OPEN_END, 1, 100),
        _row("155", MID + timedelta(microseconds=1), OPEN_END, 101, None),
    ]
    cells = erp_cells(rows, Decimal("120"))
    assert [(c[0], c[1], c[2], c[3], c[5]) for c in cells] == [
        (OPEN, MID + timedelta(microseconds=1), 1, 100, Decimal("150")),
        (OPEN, MID + timedelta(microseconds=1), 101, None, Decimal("150")),
        (MID + timedelta(microseconds=1), OPEN_END + timedelta(microseconds=1), 1, 100, 160),
        (MID + timedelta(microseconds=1), OPEN_END + timedelta(microseconds=1), 101, None, 155),
    ]
    assert cells[0][4] == Fraction(150, 120)
    assert erp_cells(rows, Decimal(0)) == []  # a free unit price bills at cost
    assert erp_cells([_row(None, OPEN, OPEN_END, None, None)], Decimal(1)) == []


def _setting(session: Session) -> dict[str, Any]:
    sc = scene(session)
    provider2 = partner(session, Tier.INDIRECT_PROVIDER).org
    reseller2 = partner(session, Tier.INDIRECT_RESELLER).org
    customers = [uuid.uuid4() for _ in range(6)]
    world = {
        "direct": sc.direct.org.id,
        "providers": [sc.provider.org.id, provider2.id],
        "resellers": [sc.reseller.org.id, reseller2.id],
        "customers": customers,
    }
    rules = [
        (sc.provider.org.id, "*", "*", "*", "12.5"),
        (sc.provider.org.id, str(sc.reseller.org.id), "P1", "*", "-3.3333"),
        (sc.provider.org.id, str(reseller2.id), "P2", "0001", "0.0049"),
        (sc.reseller.org.id, str(customers[0]), "P2", "0001", "7.0001"),
        (sc.reseller.org.id, "*", "P1", "*", "-10"),
        (sc.direct.org.id, "*", "P3", "0001", "0.05"),
        (sc.direct.org.id, str(customers[1]), "*", "*", "33.3333"),
        (sc.direct.org.id, str(customers[2]), "P1", "0002", "1000"),
    ]
    for seller, buyer, product, sku, percent in rules:
        session.add(
            PriceRule(
                id=uuid.uuid4(),
                seller_organization_id=seller,
                buyer_key=buyer,
                product_id=product,
                sku_id=sku,
                percent=Decimal(percent),
                created_at=NOW,
                updated_at=NOW,
            )
        )
    listing = price_list(session, MARKET, PERIOD, [])
    split = MID + timedelta(microseconds=1)
    prices = [  # (product, sku, term, plan, currency, erp, start, end, tier_min, tier_max)
        ("P1", "0001", "P1Y", "monthly", "USD", "150", OPEN, MID, None, None),
        ("P1", "0001", "P1Y", "monthly", "USD", "165.5", split, END, None, None),
        ("P1", "0002", "P1Y", "annual", "USD", "99.995", OPEN, OPEN_END, None, None),
        ("P1", "0002", "P1Y", "annual", "USD", "101", OPEN, OPEN_END, None, None),  # a tie
        ("P2", "0001", "P1Y", "monthly", "USD", "130", OPEN, OPEN_END, None, 1),
        ("P2", "0001", "P1Y", "monthly", "USD", "128", OPEN, OPEN_END, 2, 100),
        ("P2", "0001", "P1Y", "monthly", "USD", "125.4321", OPEN, OPEN_END, 101, None),
        ("P3", "0001", "P1Y", "monthly", "USD", None, OPEN, OPEN_END, None, None),
        ("P1", "0001", "P1Y", "monthly", "JPY", "1501", OPEN, OPEN_END, None, None),
        ("P1", "0001", "P1M", "monthly", "KRW", "14001", OPEN, OPEN_END, None, None),
        ("P2", "0001", "P1Y", "annual", "EUR", "111.11", OPEN, split, 5, 50),
    ]
    for n, (product, sku, term, plan, currency, erp, start, end, low, high) in enumerate(prices):
        session.add(
            PriceRow(
                price_list_id=listing.id,
                line=n + 1,
                product_id=product,
                sku_id=sku,
                term_duration=term,
                billing_plan=plan,
                market_code="US",
                currency=currency,
                unit_price=Decimal("100"),
                tier_min=low,
                tier_max=high,
                effective_start=start,
                effective_end=end,
                erp_price=Decimal(erp) if erp else None,
            )
        )
    session.flush()
    return world


def _vendor_line(rnd: random.Random, world: dict[str, Any], n: int, seed: int) -> Charge:
    long_key = n % 97 == 13  # priced on the Python path, both tiers
    direct = rnd.random() < 0.4 and not long_key
    bill_to = world["direct"] if direct else rnd.choice(world["providers"])
    reseller = None if direct else rnd.choice([None, *world["resellers"]])
    reseller = world["resellers"][0] if long_key else reseller
    product, sku = rnd.choice(PRODUCTS)
    term, plan = rnd.choice(TERMS)
    currency = rnd.choice(CURRENCIES)
    billing = currency if rnd.random() < 0.7 else rnd.choice(["USD", "KRW", "JPY"])
    each = rnd.randint(-60_000, 90_000) if rnd.random() < 0.9 else rnd.randint(-3, 3)
    billed = each if billing == currency else rnd.randint(-9_000_000, 9_000_000)
    quantity = rnd.choice([1, 2, 3, 50, 100, 101, 250, 0, -4])
    at = rnd.choice(
        [
            datetime(2027, 2, 1, tzinfo=UTC),
            MID,
            MID + timedelta(microseconds=1),
            END,
            END + timedelta(microseconds=1),
            datetime(2027, 2, 1, tzinfo=UTC) + timedelta(seconds=rnd.randint(0, 27 * 86400)),
        ]
    )
    key = f"oracle:{seed}:{n}" + ("x" * 200 if long_key else "")
    return Charge(
        tier="vendor",
        key=key[:200],
        period=PERIOD,
        document_type=rnd.choice(["invoice", "invoice", "credit_note"]),
        seller_key="vendor",
        bill_to_key=str(bill_to),
        seller_organization_id=None,
        bill_to_organization_id=bill_to,
        customer_id=None
        if rnd.random() < 0.05 and not long_key
        else rnd.choice(world["customers"]),
        reseller_organization_id=reseller,
        partner_id_on_record=None,
        subscription_id=uuid.uuid4(),
        order_id=f"O{seed}{n}",
        order_line_number=n,
        product_id=product,
        sku_id=sku,
        availability_id="A",
        product_type="OnlineServicesNCE",
        market_id=None if rnd.random() < 0.1 else MARKET,
        charge_type=rnd.choice(["cycleCharge", "removeQuantity", "new"]),
        accrued_at=at,
        charge_start=PERIOD,
        charge_end=date(2027, 2, 28),
        quantity=quantity,
        unit_price=Decimal(rnd.choice(UNIT_PRICES)),
        pricing_currency=currency,
        each_minor=each,
        amount_minor=each * quantity,
        currency=billing,
        fx_rate=Decimal("1") if billing == currency else Decimal("1400.5"),
        fx_date=PERIOD,
        billed_each_minor=billed,
        billed_amount_minor=billed * quantity,
        cost_minor=None,
        term_duration=term,
        billing_plan=plan,
        created_at=NOW,
    )


def _written(session: Session) -> dict[tuple[str, str], dict[str, Any]]:
    rows = session.execute(select(TABLE).where(TABLE.c.tier.in_(("provider", "partner"))))
    return {(r.tier, r.key): {k: v for k, v in r._mapping.items() if k != "id"} for r in rows}


def _oracle(session: Session) -> dict[tuple[str, str], dict[str, Any]]:
    vendor = [
        dict(r._mapping)
        for r in session.execute(select(TABLE).where(TABLE.c.tier == "vendor").order_by(TABLE.c.id))
    ]
    pricer = Pricer(session, PERIOD)
    pricer.load(vendor)
    return {
        (new["tier"], new["key"]): new
        for row in vendor
        for new in lines_for(pricer, {**row, "id": None}, NOW)
    }


def _random_period(session: Session, seed: int, count: int) -> None:
    world = _setting(session)
    rnd = random.Random(seed)
    session.add_all([_vendor_line(rnd, world, n, seed) for n in range(count)])
    session.flush()


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_sql_path_equals_the_oracle_on_random_lines(
    session: Session, configure: Callable[..., None], seed: int
) -> None:
    configure(reseller_default_markup_percent="2.5" if seed != 2 else "0")
    _random_period(session, seed, 200)
    expected = _oracle(session)
    assert downstream.accrue_downstream(session, PERIOD, NOW) == len(expected)
    written = _written(session)
    assert written.keys() == expected.keys()
    for key, row in expected.items():
        assert written[key] == {k: v for k, v in row.items() if k != "id"}, key
    assert downstream.accrue_downstream(session, PERIOD, NOW) == 0  # a re-run adds nothing
    by_kind = {(tier, "sha256" in key) for tier, key in written}
    assert by_kind == {
        ("provider", False),
        ("partner", False),
        ("provider", True),
        ("partner", True),
    }


def test_the_python_path_takes_over_where_integers_could_overflow(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    _random_period(session, 4, 60)
    expected = _oracle(session)
    calls: list[bool] = []

    def never(*args: Any) -> bool:
        calls.append(True)
        return False

    monkeypatch.setattr(downstream_sql, "fits", never)
    monkeypatch.setattr(downstream_lines, "BATCH", 7)
    assert downstream.accrue_downstream(session, PERIOD, NOW) == len(expected)
    assert calls and _written(session).keys() == expected.keys()


def test_an_amount_past_64_bits_is_priced_exactly_in_python(session: Session) -> None:
    world = _setting(session)
    line = _vendor_line(random.Random(5), world, 1, 5)
    line.key, line.customer_id, line.reseller_organization_id = "huge", world["customers"][3], None
    line.bill_to_organization_id, line.bill_to_key = world["direct"], str(world["direct"])
    line.each_minor = line.billed_each_minor = 4 * 10**15 + 1
    line.currency = line.pricing_currency = "USD"
    line.quantity, line.product_id, line.sku_id = 2000, "P3", "0001"
    line.amount_minor = line.billed_amount_minor = line.each_minor * 2000
    line.fx_rate = Decimal(1)
    session.add(line)
    session.flush()
    assert downstream.accrue_downstream(session, PERIOD, NOW) == 1
    (row,) = _written(session).values()
    assert row["each_minor"] == scaled(4 * 10**15 + 1, Fraction(10005, 10000))
    assert row["amount_minor"] == row["each_minor"] * 2000


def test_a_period_whose_lines_have_no_seats_is_still_accrued(session: Session) -> None:
    world = _setting(session)
    line = _vendor_line(random.Random(6), world, 1, 6)
    line.quantity = line.amount_minor = line.billed_amount_minor = 0
    line.customer_id = world["customers"][4]
    session.add(line)
    session.flush()
    expected = _oracle(session)
    assert downstream.accrue_downstream(session, PERIOD, NOW) == len(expected) > 0
    assert _written(session).keys() == expected.keys()
