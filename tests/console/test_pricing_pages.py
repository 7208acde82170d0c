"""The price-list, change-report and FX pages without a browser: who sees them, an
upload rejected with its validation report (line numbers, nothing written), an accepted
upload in the list, the CSV download, a changed price in the change report."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opencsp.pricing.models import FxRate, PriceList, PriceRow
from opencsp.pricing.rules import PRICE_LIST_HEADER
from tests.factories.catalog import Row, fx_rate, offer, price_list
from tests.factories.console_pricing import (
    HTML,
    catalog_manager,
    direct_partner,
    price_csv,
    reseller,
    sign_in,
)

NOVEMBER = date(2026, 11, 1)
DECEMBER = date(2026, 12, 1)
OCTOBER = date(2026, 10, 1)


def count(session: Session, model: type) -> int:
    session.expire_all()
    return session.scalar(select(func.count()).select_from(model)) or 0


def price_cell(html: str, section: str, sku: str, field: str) -> str:
    block = re.search(rf'id="changes-{section}"(.*?)</section>', html, re.S)
    assert block, f"no {section} section"
    row = re.search(rf'data-sku="{re.escape(sku)}"[^>]*>(.*?)</tr>', block.group(1), re.S)
    assert row, f"no row for {sku} in {section}"
    found = re.search(rf'data-field="{field}">([^<]*)<', row.group(1))
    assert found
    return found.group(1).strip()


@pytest.fixture
def korean_lists(session: Session):
    """Korea's October (history), November (current) and December (preview) lists."""
    kept = offer(session, title="Nimbus 365 Business Basic", countries=("KR",))
    dropped = offer(session, title="Nimbus Legacy Mail", countries=("KR",))
    added = offer(session, title="Nimbus Copilot", countries=("KR",))
    krw = {"currency": "KRW", "market_code": "KR"}
    price_list(session, "korea-republic-of", OCTOBER, [Row(kept, "84000", **krw)])
    price_list(
        session,
        "korea-republic-of",
        NOVEMBER,
        [Row(kept, "86400", **krw), Row(dropped, "30000", **krw)],
    )
    price_list(
        session,
        "korea-republic-of",
        DECEMBER,
        [Row(kept, "90000", **krw), Row(added, "360000", **krw)],
    )
    price_list(session, "united-states", NOVEMBER, [Row(kept, "72")])
    return kept, dropped, added


# --- price lists ------------------------------------------------------------------------


def test_a_partner_sees_its_markets_lists_with_their_status(client, session, korean_lists):
    sign_in(client, direct_partner(session, "KR"))
    page = client.get("/pricing/lists", headers=HTML)
    assert page.status_code == 200
    assert 'data-list="korea-republic-of/2026-12" data-status="preview"' in page.text
    assert 'data-list="korea-republic-of/2026-11" data-status="current"' in page.text
    assert 'data-list="korea-republic-of/2026-10" data-status="history"' in page.text
    assert "united-states" not in page.text  # another market's list
    assert 'id="upload-price-list"' not in page.text  # only the Catalog manager uploads
    assert 'href="/pricing/lists/korea-republic-of/2026-11/download"' in page.text


def test_the_price_list_page_in_korean(client, session, korean_lists):
    sign_in(client, direct_partner(session, "KR"), language="ko")
    page = client.get("/pricing/lists", headers=HTML)
    assert "가격표" in page.text
    assert "미리 보기" in page.text
    assert "2026년 12월" in page.text


def test_the_vendor_sees_every_market_and_the_upload_form(client, session, korean_lists):
    sign_in(client, catalog_manager(session))
    page = client.get("/pricing/lists", headers=HTML)
    assert 'data-list="united-states/2026-11"' in page.text
    assert 'data-list="korea-republic-of/2026-12"' in page.text
    assert 'id="upload-price-list"' in page.text
    assert 'value="2026-12"' in page.text  # next month is offered by default
    only_us = client.get("/pricing/lists?market=united-states", headers=HTML)
    assert "korea-republic-of/2026" not in only_us.text


@pytest.mark.parametrize("path", ["/pricing/lists", "/pricing/changes"])
def test_a_reseller_has_no_price_pages(client, session, korean_lists, path):
    sign_in(client, reseller(session, "KR"))
    assert client.get(path, headers=HTML).status_code == 403
    home = client.get("/", headers=HTML).text
    assert 'data-area="price-lists"' not in home
    assert 'data-area="price-changes"' not in home
    assert 'data-area="catalog"' in home


# --- change report ----------------------------------------------------------------------


def test_the_change_report_shows_new_changed_and_removed_rows(client, session, korean_lists):
    kept, dropped, added = korean_lists
    sign_in(client, direct_partner(session, "KR"))
    page = client.get("/pricing/changes", headers=HTML)  # November → December by default
    assert page.status_code == 200
    assert 'name="from" value="2026-11"' in page.text
    assert 'name="to" value="2026-12"' in page.text
    sku = f"{kept.product.id}:{kept.sku.id}"
    assert price_cell(page.text, "changed", sku, "old-price") == "₩86,400"
    assert price_cell(page.text, "changed", sku, "new-price") == "₩90,000"
    added_sku = f"{added.product.id}:{added.sku.id}"
    assert price_cell(page.text, "new", added_sku, "new-price") == "₩360,000"
    dropped_sku = f"{dropped.product.id}:{dropped.sku.id}"
    assert price_cell(page.text, "removed", dropped_sku, "old-price") == "₩30,000"


def test_the_change_report_between_chosen_months_in_korean(client, session, korean_lists):
    kept, _, _ = korean_lists
    sign_in(client, direct_partner(session, "KR"), language="ko")
    page = client.get("/pricing/changes?from=2026-10&to=2026-11", headers=HTML)
    assert page.status_code == 200
    assert "변경" in page.text
    sku = f"{kept.product.id}:{kept.sku.id}"
    assert price_cell(page.text, "changed", sku, "old-price") == "₩84,000"
    assert price_cell(page.text, "changed", sku, "new-price") == "₩86,400"


def test_a_partner_cannot_open_another_markets_changes(client, session, korean_lists):
    sign_in(client, direct_partner(session, "KR"))
    assert client.get("/pricing/changes?market=united-states", headers=HTML).status_code == 404


@pytest.mark.parametrize(
    ("query", "status"),
    [("from=2026-12&to=2026-11", 400), ("from=2026-13", 400), ("from=2025-01&to=2025-02", 404)],
)
def test_bad_change_report_months(client, session, korean_lists, query, status):
    sign_in(client, direct_partner(session, "KR"))
    assert client.get(f"/pricing/changes?{query}", headers=HTML).status_code == status


def test_nothing_is_written_by_reading(session, client, korean_lists):
    before = (count(session, PriceList), count(session, PriceRow))
    sign_in(client, catalog_manager(session))
    client.get("/pricing/lists", headers=HTML)
    client.get("/pricing/changes?market=korea-republic-of", headers=HTML)
    assert (count(session, PriceList), count(session, PriceRow)) == before


# --- uploads ----------------------------------------------------------------------------


def upload(client, csrf: str, content: bytes, *, month: str = "2026-12", name: str = "kr.csv"):
    return client.post(
        "/pricing/lists",
        data={"csrf_token": csrf, "month": month},
        files={"file": (name, content, "text/csv")},
        headers=HTML,
    )


def test_an_accepted_upload_appears_in_the_list(client, session):
    item = offer(session, countries=("KR",))
    csrf = sign_in(client, catalog_manager(session))
    content = price_csv(
        [
            {"ProductId": item.product.id, "SkuId": item.sku.id, "UnitPrice": "90000"},
            {
                "ProductId": item.product.id,
                "SkuId": item.sku.id,
                "TermDuration": "P1M",
                "BillingPlan": "Monthly",
                "UnitPrice": "7500",
            },
        ]
    )
    r = upload(client, csrf, content, name="korea-december.csv")
    assert r.status_code == 200, r.text  # followed the redirect
    assert "The price list was imported." in r.text
    assert 'data-list="korea-republic-of/2026-12" data-status="preview"' in r.text
    assert "korea-december.csv" in r.text
    assert count(session, PriceRow) == 2


def test_a_rejected_upload_lists_its_problems_by_line_and_writes_nothing(client, session):
    item = offer(session, countries=("KR",))
    csrf = sign_in(client, catalog_manager(session))
    before = (count(session, PriceList), count(session, PriceRow))
    content = price_csv(
        [
            {"ProductId": item.product.id, "SkuId": item.sku.id},  # line 2 is fine
            {"ProductId": item.product.id, "SkuId": item.sku.id, "UnitPrice": "abc"},
            {
                "ProductId": "CFQ7TTC0ZZZZ",
                "SkuId": "0001",
                "TermDuration": "P1M",
                "BillingPlan": "Monthly",
            },
            {
                "ProductId": item.product.id,
                "SkuId": item.sku.id,
                "Currency": "JPY",
                "TermDuration": "P1M",
                "BillingPlan": "Monthly",
            },
        ]
    )
    r = upload(client, csrf, content)
    assert r.status_code == 400
    assert 'id="validation-report"' in r.text
    assert 'data-total="3"' in r.text
    for line in (3, 4, 5):
        assert f'<tr data-line="{line}">' in r.text
    assert '<tr data-line="2">' not in r.text
    assert "UnitPrice" in r.text
    assert "nothing was imported" in r.text
    assert (count(session, PriceList), count(session, PriceRow)) == before


def test_a_wrong_header_is_rejected_in_korean(client, session):
    csrf = sign_in(client, catalog_manager(session), language="ko")
    r = upload(client, csrf, b'"ProductTitle","ProductId"\r\n"a","b"\r\n')
    assert r.status_code == 400
    assert 'id="validation-report"' in r.text
    assert "검증 보고서" in r.text
    assert count(session, PriceList) == 0


def test_an_upload_needs_a_file_and_a_month(client, session):
    csrf = sign_in(client, catalog_manager(session))
    no_file = client.post(
        "/pricing/lists", data={"csrf_token": csrf, "month": "2026-12"}, headers=HTML
    )
    assert no_file.status_code == 400
    assert "Choose a CSV file to upload." in no_file.text
    bad_month = upload(client, csrf, price_csv([]), month="December")
    assert bad_month.status_code == 400
    assert count(session, PriceList) == 0


@pytest.mark.parametrize("who", [direct_partner, reseller])
def test_only_the_catalog_manager_uploads(client, session, who):
    item = offer(session, countries=("KR",))
    csrf = sign_in(client, who(session))
    content = price_csv([{"ProductId": item.product.id, "SkuId": item.sku.id}])
    assert upload(client, csrf, content).status_code == 403
    assert count(session, PriceList) == 0


def test_an_upload_needs_the_csrf_token(client, session):
    item = offer(session, countries=("KR",))
    sign_in(client, catalog_manager(session))
    content = price_csv([{"ProductId": item.product.id, "SkuId": item.sku.id}])
    assert upload(client, "forged", content).status_code == 403
    assert count(session, PriceList) == 0


# --- FX rates ---------------------------------------------------------------------------

FX_HEADER = b'"CurrencyCode","USDPerUnit","Month"\r\n'


def fx_upload(client, csrf: str, content: bytes, *, month: str = "2026-12"):
    return client.post(
        "/pricing/fx",
        data={"csrf_token": csrf, "month": month},
        files={"file": ("fx.csv", content, "text/csv")},
        headers=HTML,
    )


def test_a_partner_reads_the_months_fx_rates(client, session):
    fx_rate(session, "KRW", NOVEMBER, "0.00072")
    fx_rate(session, "EUR", NOVEMBER, "1.0825")
    sign_in(client, direct_partner(session, "KR"), language="ko")
    page = client.get("/pricing/fx", headers=HTML)
    assert page.status_code == 200
    assert "환율" in page.text
    assert 'data-month="2026-11"' in page.text
    assert '<tr data-currency="KRW">' in page.text
    assert "0.00072" in page.text
    assert 'id="upload-fx-rates"' not in page.text
    empty = client.get("/pricing/fx?month=2026-12", headers=HTML)
    assert 'id="fx-rates"' not in empty.text


def test_the_catalog_manager_uploads_fx_rates(client, session):
    csrf = sign_in(client, catalog_manager(session))
    content = FX_HEADER + b'"KRW","0.00071","202612"\r\n"EUR","1.08","202612"\r\n'
    r = fx_upload(client, csrf, content)
    assert r.status_code == 200, r.text
    assert "The FX rates were imported." in r.text
    assert 'data-month="2026-12"' in r.text
    assert '<tr data-currency="KRW">' in r.text
    assert count(session, FxRate) == 2


def test_a_rejected_fx_file_lists_its_problems_and_writes_nothing(client, session):
    csrf = sign_in(client, catalog_manager(session))
    content = (
        FX_HEADER + b'"KRW","abc","202612"\r\n"XYZ","1.0","202612"\r\n"EUR","1.08","202612"\r\n'
    )
    r = fx_upload(client, csrf, content)
    assert r.status_code == 400
    assert 'id="validation-report"' in r.text
    assert '<tr data-line="2">' in r.text
    assert '<tr data-line="3">' in r.text
    assert '<tr data-line="4">' not in r.text
    assert count(session, FxRate) == 0


def test_a_reseller_has_no_fx_page(client, session):
    sign_in(client, reseller(session, "KR"))
    assert client.get("/pricing/fx", headers=HTML).status_code == 403


# --- CSV download -----------------------------------------------------------------------


def test_a_partner_downloads_its_markets_lists_as_csv(client, session, korean_lists):
    kept, _, _ = korean_lists
    sign_in(client, direct_partner(session, "KR"))
    current = client.get("/pricing/lists/korea-republic-of/2026-11/download", headers=HTML)
    assert current.status_code == 200
    assert current.headers["content-type"].startswith("text/csv")
    assert 'filename="korea-republic-of-2026-11.csv"' in current.headers["content-disposition"]
    assert current.content.startswith(PRICE_LIST_HEADER.encode())
    assert f'"{kept.product.id}"' in current.text and '"86400"' in current.text
    preview = client.get("/pricing/lists/korea-republic-of/2026-12/download", headers=HTML)
    assert '"90000"' in preview.text
    history = client.get("/pricing/lists/korea-republic-of/2026-10/download", headers=HTML)
    assert '"84000"' in history.text
    other = client.get("/pricing/lists/united-states/2026-11/download", headers=HTML)
    assert other.status_code == 404


def test_a_reseller_cannot_download_a_list(client, session, korean_lists):
    sign_in(client, reseller(session, "KR"))
    r = client.get("/pricing/lists/korea-republic-of/2026-11/download", headers=HTML)
    assert r.status_code == 403
