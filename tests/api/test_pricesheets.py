"""``GET /v1/program/pricesheets`` (PC:developer/get-a-price-sheet.md) and the vendor's
``PUT`` upload: the file in the §1 layout, who sees which market, and an upload that is
written whole, rejected whole or refused."""

from __future__ import annotations

import csv
import io
import re
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import func, select

from opencsp.auth.rules import Role
from opencsp.core.actor import Tier
from opencsp.pricing.models import PriceList, PriceRow
from opencsp.pricing.rules import PRICE_LIST_COLUMNS, PRICE_LIST_HEADER, ListStatus
from tests.factories import catalog, member
from tests.factories.parties import partner
from tests.factories.pricesheets import sheet, sheet_row

NOV, DEC, OCT = date(2026, 11, 1), date(2026, 12, 1), date(2026, 10, 1)
SHEETS = "/v1/program/pricesheets"


@pytest.fixture()
def priced(session):
    """One offer priced in the United States (current and history) and in Europe (DE),
    with a preview for December in the United States only."""
    offer = catalog.offer(session, title="Advanced Communications")
    catalog.price_list(
        session,
        "united-states",
        NOV,
        [
            catalog.Row(offer, "115.2", erp_price="144", start=datetime(2019, 2, 1, tzinfo=UTC)),
            catalog.Row(
                offer, "9.6", billing_plan=catalog.BillingPlan.MONTHLY, tier_min=1, tier_max=None
            ),
        ],
    )
    catalog.price_list(session, "united-states", OCT, [catalog.Row(offer, "100")])
    catalog.price_list(
        session, "united-states", DEC, [catalog.Row(offer, "132")], status=ListStatus.PREVIEW
    )
    catalog.price_list(
        session,
        "europe",
        NOV,
        [
            catalog.Row(offer, "106", currency="EUR", market_code="DE"),
            catalog.Row(offer, "93", currency="GBP", market_code="FR"),
        ],
    )
    return offer


def _vendor(session, role: Role = Role.CATALOG_MANAGER):
    return member(session, tier=Tier.VENDOR, roles=(role,))


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_the_current_sheet_in_the_documented_layout(client, session, priced):
    vendor = _vendor(session)
    response = client.get(SHEETS, params={"market": "US"}, headers=vendor.headers)
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/octet-stream"
    assert response.headers["content-disposition"] == "attachment; filename=sheets.csv"
    body = response.content.decode()
    assert body.startswith(PRICE_LIST_HEADER)
    first = body.split("\r\n")[1]
    assert re.fullmatch(r'("[^"]*",){17}"[^"]*"', first), "every field double-quoted"
    rows = _rows(body)
    assert rows[0] == list(PRICE_LIST_COLUMNS)
    assert rows[1] == [
        "Advanced Communications",
        priced.product.id,
        "0001",
        "Advanced Communications",
        "Nimbus Corporation",
        priced.sku.description,
        "",
        "P1Y",
        "Annual",
        "US",
        "USD",
        "115.2",
        "",
        "",
        "2/1/2019 12:00:00 AM",
        "11/30/9999 11:59:59 PM",
        "License",
        "144",
    ]
    assert rows[2][8] == "Monthly" and rows[2][12:14] == ["1", ""]
    assert len(rows) == 3


@pytest.mark.parametrize(
    ("params", "prices"),
    [
        ({"market": "US", "timeline": "history", "month": "202610"}, ["100"]),
        ({"market": "united-states", "timeline": "future"}, ["132"]),
        ({"market": "DE"}, ["106", "93"]),
        ({"market": "europe", "timeline": "Current"}, ["106", "93"]),
    ],
)
def test_timelines_and_markets(client, session, priced, params, prices):
    response = client.get(SHEETS, params=params, headers=_vendor(session).headers)
    assert response.status_code == 200, response.text
    assert [row[11] for row in _rows(response.text)[1:]] == prices


@pytest.mark.parametrize(
    ("market", "labels"), [("FR", ["FR", "FR"]), ("ch", ["CH", "CH"]), ("europe", ["DE", "FR"])]
)
def test_a_country_gets_its_markets_prices_under_its_own_code(
    client, session, priced, market, labels
):
    """Prices are per market: France's sheet is Europe's list, labelled FR."""
    response = client.get(SHEETS, params={"market": market}, headers=_vendor(session).headers)
    assert response.status_code == 200, response.text
    rows = _rows(response.text)[1:]
    assert [row[9] for row in rows] == labels
    assert [row[11] for row in rows] == ["106", "93"]


@pytest.mark.parametrize(
    ("params", "status", "code"),
    [
        ({"market": "DE", "timeline": "future"}, 404, "PriceListNotFound"),
        ({"market": "US", "timeline": "history", "month": "2026-11"}, 404, "PriceListNotFound"),
        ({"market": "US", "timeline": "history"}, 400, "HistoryMonthRequired"),
        ({"market": "US", "timeline": "someday"}, 400, "InvalidTimeline"),
        ({"market": "US", "view": "azure_consumption"}, 400, "UnsupportedPriceSheetView"),
        ({"market": "KR"}, 404, "PriceListNotFound"),
    ],
)
def test_what_there_is_not(client, session, priced, params, status, code):
    response = client.get(SHEETS, params=params, headers=_vendor(session).headers)
    assert response.status_code == status, response.text
    assert response.json()["code"] == code


@pytest.mark.parametrize(
    ("who", "market", "status"),
    [
        ("vendor program admin", "DE", 200),
        ("direct-bill, own market", "US", 200),
        ("direct-bill, other market", "DE", 404),
        ("indirect provider, own market", "DE", 200),
        ("indirect provider, other market", "US", 404),
        ("indirect reseller", "US", 403),
        ("helpdesk agent", "US", 403),
        ("sales agent", "US", 200),
    ],
)
def test_who_sees_which_market(client, session, priced, who, market, status):
    if who.startswith("vendor"):
        headers = _vendor(session, Role.PROGRAM_ADMIN).headers
    elif who.startswith("direct-bill"):
        headers = partner(session, Tier.DIRECT_BILL, country="US").headers
    elif who.startswith("indirect provider"):
        headers = partner(session, Tier.INDIRECT_PROVIDER, country="DE").headers
    elif who == "indirect reseller":
        headers = partner(session, Tier.INDIRECT_RESELLER, country="US").headers
    elif who == "helpdesk agent":
        headers = partner(session, Tier.DIRECT_BILL, roles=(Role.HELPDESK_AGENT,)).headers
    else:
        headers = partner(session, Tier.DIRECT_BILL, roles=(Role.SALES_AGENT,)).headers
    response = client.get(SHEETS, params={"market": market}, headers=headers)
    assert response.status_code == status, response.text
    if status == 403:
        assert response.json()["code"] == 900150


def _upload(client, headers, data: bytes, month: str = "2026-12"):
    return client.put(
        SHEETS,
        params={"month": month},
        files={"file": ("prices.csv", data, "text/csv")},
        headers=headers,
    )


def test_upload_then_download_round_trips(client, session, configure):
    offer = catalog.offer(session)
    vendor = _vendor(session)
    rows = [
        sheet_row(offer, "115.2", ERPPrice="144"),
        sheet_row(
            offer, "9.6", BillingPlan="Monthly", PricingTierRangeMin="1", PricingTierRangeMax="300"
        ),
        sheet_row(
            offer,
            "106",
            Market="DE",
            Currency="EUR",
            EffectiveStartDate="2026-12-01T00:00:00.0000000Z",
        ),
    ]
    created = _upload(client, vendor.headers, sheet(rows))
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["rows"] == 3 and body["month"] == "2026-12"
    assert [(i["marketId"], i["status"], i["rows"]) for i in body["lists"]] == [
        ("europe", "preview", 1),
        ("united-states", "preview", 2),
    ]
    assert body["attributes"]["objectType"] == "PriceSheetImport"
    sheet_us = client.get(
        SHEETS, params={"market": "US", "timeline": "future"}, headers=vendor.headers
    )
    assert sheet_us.status_code == 200
    again = _rows(sheet_us.text)[1:]
    for original, exported in zip(rows[:2], again, strict=True):
        same = [i for i, name in enumerate(PRICE_LIST_COLUMNS) if "Date" not in name]
        assert [exported[i] for i in same] == [original[i] for i in same]
    assert again[0][14:16] == ["2/1/2019 12:00:00 AM", "11/30/9999 11:59:00 PM"]
    # the export is itself importable: a preview is replaced by its own download
    replaced = _upload(client, vendor.headers, sheet_us.content)
    assert replaced.status_code == 201, replaced.text
    assert replaced.json()["lists"][0]["replacedPreview"] is True


def test_a_rejected_upload_lists_every_problem_and_writes_nothing(client, session):
    offer = catalog.offer(session)
    vendor = _vendor(session)
    lists_before = session.scalar(select(func.count()).select_from(PriceList))
    data = sheet([sheet_row(offer), sheet_row(offer, "1,5"), sheet_row(offer, Currency="JPY")])
    response = _upload(client, vendor.headers, data)
    assert response.status_code == 400
    error = response.json()
    assert error["code"] == "PriceListRejected"
    assert [(p["line"], p["column"]) for p in error["data"]] == [(3, "UnitPrice"), (4, "Currency")]
    assert "2 problem(s)" in error["description"]
    assert session.scalar(select(func.count()).select_from(PriceList)) == lists_before
    assert session.scalar(select(func.count()).select_from(PriceRow)) == 0


def test_an_upload_over_a_current_list_is_refused(client, session, priced):
    response = _upload(client, _vendor(session).headers, sheet([sheet_row(priced)]), "2026-11")
    assert response.status_code == 409
    assert response.json()["code"] == "PriceListLocked"


@pytest.mark.parametrize("role", [Role.PROGRAM_ADMIN, Role.BILLING_OPERATOR])
def test_only_the_catalog_manager_uploads(client, session, role):
    offer = catalog.offer(session)
    response = _upload(client, _vendor(session, role).headers, sheet([sheet_row(offer)]))
    assert response.status_code == 403
