"""Price-list import (file-formats.md §1): a good file becomes one list per market with
its rows, status and audit record; a bad file is rejected whole, every problem named by
line and column, and nothing of it is written."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from opencsp.audit.models import AuditRecord
from opencsp.catalog.rules import BillingPlan, ProductType, TermDuration
from opencsp.pricing import queries
from opencsp.pricing.errors import PriceListLocked, PriceListRejected
from opencsp.pricing.imports import HEADER_WITH_END_OF_SALE, import_price_list
from opencsp.pricing.models import PriceList, PriceRow
from opencsp.pricing.rules import PRICE_LIST_COLUMNS, ListStatus
from tests.factories import catalog, system
from tests.factories.pricesheets import sheet, sheet_row

NOV = date(2026, 11, 1)  # the test clock's month: current
DEC = date(2026, 12, 1)  # next month: preview
OCT = date(2026, 10, 1)  # last month: history


def _import(session, data: bytes, month: date = DEC, **options):
    return import_price_list(
        session, system(session), io.BytesIO(data), month=month, source_name="test.csv", **options
    )


def _rows(session) -> int:
    return session.scalar(select(func.count()).select_from(PriceRow)) or 0


def _lists(session) -> int:
    return session.scalar(select(func.count()).select_from(PriceList)) or 0


def test_a_good_file_makes_one_list_per_market_with_rows_status_and_audit(session):
    offer = catalog.offer(session)
    seen: list[int] = []
    data = sheet(
        [
            sheet_row(offer, "115.20", ERPPrice="144"),
            sheet_row(offer, "9.6", TermDuration="P1Y", BillingPlan="monthly"),
            sheet_row(offer, "10", TermDuration="P1M", BillingPlan="Monthly"),
            sheet_row(offer, "106", Market="DE", Currency="EUR"),
            sheet_row(offer, "93", Market="FR", Currency="GBP"),
            sheet_row(offer, "170000", Market="KR", Currency="KRW"),
        ],
        bom=True,
    )
    summary = _import(session, data, progress=seen.append)

    assert [(s.market_id, s.rows, s.status) for s in summary.lists] == [
        ("europe", 2, ListStatus.PREVIEW),
        ("korea-republic-of", 1, ListStatus.PREVIEW),
        ("united-states", 3, ListStatus.PREVIEW),
    ]
    assert summary.rows == 6 and _rows(session) == 6
    assert seen and seen[-1] == len(data)
    row = session.scalars(select(PriceRow).where(PriceRow.line == 2)).one()
    assert (row.unit_price, row.erp_price, row.currency, row.market_code) == (
        Decimal("115.2"),
        Decimal("144"),
        "USD",
        "US",
    )
    assert (row.term_duration, row.billing_plan) == ("P1Y", "annual")
    assert row.effective_start == datetime(2019, 2, 1, tzinfo=UTC)
    assert row.effective_end == datetime(9999, 11, 30, 23, 59, tzinfo=UTC)
    listing = session.get(PriceList, summary.lists[2].price_list_id)
    assert listing is not None and listing.row_count == 3 and listing.source_name == "test.csv"
    audits = session.scalars(
        select(AuditRecord).where(AuditRecord.operation_type == "import_price_list")
    ).all()
    assert sorted(a.resource_id for a in audits) == sorted(
        str(s.price_list_id) for s in summary.lists
    )
    price = queries.unit_price(
        session,
        offer.item,
        "united-states",
        "USD",
        TermDuration.P1Y,
        BillingPlan.MONTHLY,
        at=datetime(2026, 12, 5, tzinfo=UTC),
    )
    assert price.unit_price == Decimal("9.6")


@pytest.mark.parametrize(
    ("month", "status"),
    [(DEC, ListStatus.PREVIEW), (NOV, ListStatus.CURRENT), (OCT, ListStatus.HISTORY)],
)
def test_the_status_is_what_the_month_is_today(session, month, status):
    offer = catalog.offer(session)
    summary = _import(session, sheet([sheet_row(offer)]), month=month)
    assert summary.lists[0].status is status


def test_quoting_is_optional_and_the_preview_header_with_end_of_sale_is_read(session):
    offer = catalog.offer(session)
    row = sheet_row(offer, "48", EffectiveStartDate="2021-10-01T00:00:00.0000000Z")
    with_eos = [*row[:16], "12/31/2026 23:59", *row[16:]]
    _import(session, sheet([with_eos], header=HEADER_WITH_END_OF_SALE, quote_all=False))
    stored = session.scalars(select(PriceRow)).one()
    assert stored.end_of_sale == datetime(2026, 12, 31, 23, 59, tzinfo=UTC)
    assert stored.effective_start == datetime(2021, 10, 1, tzinfo=UTC)


def test_tiers_are_read_and_an_unbounded_maximum_is_stored_as_none(session):
    offer = catalog.offer(session)
    rows = [
        sheet_row(offer, "1", PricingTierRangeMin="1", PricingTierRangeMax="100"),
        sheet_row(offer, "0.8", PricingTierRangeMin="101", PricingTierRangeMax="100000"),
        sheet_row(
            offer, "0.5", PricingTierRangeMin="100001", PricingTierRangeMax="9223372036854780000"
        ),
    ]
    _import(session, sheet(rows))
    tiers = session.execute(select(PriceRow.tier_min, PriceRow.tier_max).order_by(PriceRow.line))
    assert list(tiers) == [(1, 100), (101, 100000), (100001, None)]


def test_a_trial_sku_may_be_billed_none_and_perpetual_software_one_time(session):
    trial = catalog.offer(session, is_trial=True)
    perpetual = catalog.offer(session, product_type=ProductType.SOFTWARE_PERPETUAL)
    rows = [
        sheet_row(trial, "0", TermDuration="P1M", BillingPlan="None", Tags="License;Trial"),
        sheet_row(perpetual, "300", TermDuration="OneTime", BillingPlan="OneTime"),
    ]
    assert _import(session, sheet(rows)).rows == 2


def test_an_existing_preview_is_replaced_whole(session):
    offer = catalog.offer(session)
    old = catalog.price_list(
        session, "united-states", DEC, [catalog.Row(offer, "1")] * 3, status=ListStatus.PREVIEW
    )
    old_id = old.id
    summary = _import(session, sheet([sheet_row(offer, "132")]))
    assert summary.lists[0].replaced and summary.lists[0].price_list_id != old_id
    session.expire_all()
    assert session.get(PriceList, old_id) is None
    assert session.scalars(select(PriceRow.unit_price)).all() == [Decimal("132")]


@pytest.mark.parametrize("status", [ListStatus.CURRENT, ListStatus.HISTORY])
def test_a_current_or_past_list_is_never_replaced(session, status):
    offer = catalog.offer(session)
    month = NOV if status is ListStatus.CURRENT else OCT
    catalog.price_list(session, "united-states", month, [catalog.Row(offer, "1")], status=status)
    with pytest.raises(PriceListLocked):
        _import(session, sheet([sheet_row(offer, "132")]), month=month)
    assert _rows(session) == 1 and _lists(session) == 1


def test_a_preview_whose_month_has_begun_is_locked_too(session):
    offer = catalog.offer(session)
    catalog.price_list(
        session, "united-states", NOV, [catalog.Row(offer, "1")], status=ListStatus.PREVIEW
    )
    with pytest.raises(PriceListLocked):
        _import(session, sheet([sheet_row(offer, "132")]), month=NOV)


def _rejected(session, data: bytes) -> PriceListRejected:
    lists_before, rows_before = _lists(session), _rows(session)
    with pytest.raises(PriceListRejected) as caught:
        _import(session, data)
    assert (_lists(session), _rows(session)) == (lists_before, rows_before), "nothing written"
    return caught.value


REJECTIONS = [
    ("bad number", {"UnitPrice": "12,50"}, "UnitPrice"),
    ("negative", {"UnitPrice": "-1"}, "UnitPrice"),
    ("exponent", {"UnitPrice": "1E3"}, "UnitPrice"),
    ("not a number", {"UnitPrice": "NaN"}, "UnitPrice"),
    ("bad ERP", {"ERPPrice": "inf"}, "ERP Price"),
    ("unknown currency for the market", {"Currency": "EUR"}, "Currency"),
    ("not a market", {"Market": "XX"}, "Market"),
    ("unknown SKU", {"SkuId": "9999"}, "SkuId"),
    ("unknown term", {"TermDuration": "P2Y"}, "TermDuration"),
    ("bad plan for term", {"TermDuration": "P1M", "BillingPlan": "Annual"}, "BillingPlan"),
    ("none only for trials", {"BillingPlan": "None"}, "BillingPlan"),
    ("unknown plan", {"BillingPlan": "Weekly"}, "BillingPlan"),
    ("bad date", {"EffectiveStartDate": "2019-02-30"}, "EffectiveStartDate"),
    ("date form", {"EffectiveEndDate": "30.11.9999"}, "EffectiveEndDate"),
    ("end before start", {"EffectiveEndDate": "1/1/2019 0:00"}, "EffectiveEndDate"),
    (
        "tiers reversed",
        {"PricingTierRangeMin": "10", "PricingTierRangeMax": "5"},
        "PricingTierRangeMax",
    ),
    ("tier not whole", {"PricingTierRangeMin": "1.5"}, "PricingTierRangeMin"),
]


@pytest.mark.parametrize(("case", "fields", "column"), REJECTIONS, ids=[r[0] for r in REJECTIONS])
def test_a_bad_row_rejects_the_file_naming_its_line_and_column(session, case, fields, column):
    offer = catalog.offer(session)
    good = sheet_row(offer, "120")
    bad = sheet_row(offer, "120", TermDuration="P1M", BillingPlan="Monthly")
    for key, value in fields.items():
        bad[PRICE_LIST_COLUMNS.index("ERP Price" if key == "ERPPrice" else key)] = value
    error = _rejected(session, sheet([good, bad]))
    assert error.total == 1
    assert error.problems[0][:2] == (3, column), error.problems
    assert error.data == [{"line": 3, "column": column, "message": error.problems[0][2]}]


def test_overlapping_ranges_name_both_lines_and_are_counted(session):
    offer = catalog.offer(session)
    other = catalog.offer(session)
    rows = [
        sheet_row(offer, "120", EffectiveEndDate="12/31/2026 23:59"),
        sheet_row(other, "1"),
        # same group, starts the instant line 2 ends: inclusive ranges overlap
        sheet_row(offer, "130", EffectiveStartDate="12/31/2026 23:59"),
        # another tier or currency or market is another group: no overlap
        sheet_row(offer, "1", PricingTierRangeMin="1", PricingTierRangeMax="5"),
        sheet_row(offer, "1", Market="CA", Currency="CAD"),
        sheet_row(offer, "140", EffectiveStartDate="1/1/2027 0:00"),
        # two countries of one market share its prices: the same key overlaps
        sheet_row(offer, "106", Market="DE", Currency="EUR"),
        sheet_row(offer, "107", Market="FR", Currency="EUR"),
    ]
    error = _rejected(session, sheet(rows))
    assert [(line, column) for line, column, _ in error.problems] == [
        (4, "EffectiveStartDate"),
        (7, "EffectiveStartDate"),
        (9, "EffectiveStartDate"),
    ]
    assert "line 2" in error.problems[0][2] and "line 4" in error.problems[1][2]
    assert "line 8" in error.problems[2][2]
    assert error.total == 3


def test_every_problem_is_listed_up_to_the_limit_and_all_are_counted(session, configure):
    configure(pricelist_problem_limit=3)
    offer = catalog.offer(session)
    rows = [sheet_row(offer, "x") for _ in range(5)] + [sheet_row(offer, "1", SkuId="0009")]
    error = _rejected(session, sheet(rows))
    assert error.total == 6
    assert [p[0] for p in error.problems] == [2, 3, 4]


@pytest.mark.parametrize(
    ("data", "needle"),
    [
        (sheet([], header=[*PRICE_LIST_COLUMNS[:-1], "ERP Price\u201c"]), "column 18"),
        (sheet([], header=PRICE_LIST_COLUMNS[:-1]), "column 18"),
        (sheet([], header=[c.lower() for c in PRICE_LIST_COLUMNS]), "column 1"),
        (b"", "empty"),
        (sheet([]), "no price rows"),
        ("\ufeff".encode() + sheet([])[:40] + b"\xff\xfe", "UTF-8"),
    ],
    ids=["doc typo", "short", "case", "empty", "no rows", "not utf-8"],
)
def test_a_file_that_is_not_a_price_list_is_rejected(session, data, needle):
    error = _rejected(session, data)
    assert needle in error.problems[0][2], error.problems


def test_a_row_of_the_wrong_width_is_a_problem_of_its_line(session):
    offer = catalog.offer(session)
    error = _rejected(session, sheet([sheet_row(offer), sheet_row(offer)[:-1]]))
    assert error.problems == [(3, "", "17 fields; expected 18")]


def test_a_rejected_file_leaves_an_existing_preview_untouched(session):
    offer = catalog.offer(session)
    old = catalog.price_list(
        session, "united-states", DEC, [catalog.Row(offer, "1")], status=ListStatus.PREVIEW
    )
    _rejected(session, sheet([sheet_row(offer, "2"), sheet_row(offer, "oops")]))
    session.expire_all()
    assert session.get(PriceList, old.id) is not None
    assert session.scalars(select(PriceRow.unit_price)).all() == [Decimal("1")]


def test_every_market_may_price_an_item_in_usd_and_no_other_foreign_currency(session):
    """Azure, reservations and marketplace items are priced in USD in every market and
    billed in the partner's currency (rules.md §11; ``billing.fx``); any other currency
    must be one of the market's own."""
    offer = catalog.offer(session)
    data = sheet(
        [
            sheet_row(offer, "10", Market="DE", Currency="USD"),
            sheet_row(offer, "12", Market="KR", Currency="USD"),
        ]
    )
    summary = _import(session, data)
    assert sorted((s.market_id, s.rows) for s in summary.lists) == [
        ("europe", 1),
        ("korea-republic-of", 1),
    ]
    assert set(session.scalars(select(PriceRow.currency))) == {"USD"}
    rejected = _rejected(session, sheet([sheet_row(offer, "10", Market="KR", Currency="JPY")]))
    assert [p[1] for p in rejected.problems] == ["Currency"]
