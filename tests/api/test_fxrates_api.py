"""``/v1/program/fxrates``: the month's rates as CSV for whoever may read prices (Partner
Center's ``fxrates(Month='YYYYMM')``, file-formats.md §6) and the vendor's upload."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from opencsp.auth.rules import Role
from opencsp.core.actor import Tier
from opencsp.pricing import fx
from tests.factories import catalog, member

DEC, NOV = date(2026, 12, 1), date(2026, 11, 1)
HEADER = b'"CurrencyCode","USDPerUnit","Month"\r\n'


def headers_of(session, tier=Tier.VENDOR, roles=(Role.CATALOG_MANAGER,)):
    m = member(session, tier=tier, roles=roles)
    session.commit()
    return m.headers


def upload(client, headers, body: bytes, month: str | None = None):
    query = f"?month={month}" if month else ""
    return client.put(
        f"/v1/program/fxrates{query}",
        headers=headers,
        files={"file": ("fxrates.csv", body, "text/csv")},
    )


def test_download_a_months_rates(client, session) -> None:
    catalog.fx_rate(session, "EUR", DEC, "1.0823")
    catalog.fx_rate(session, "KRW", DEC, "0.00074")
    headers = headers_of(session, Tier.DIRECT_BILL, (Role.ADMIN_AGENT,))
    for month in ("202612", "2026-12"):
        r = client.get(f"/v1/program/fxrates?month={month}", headers=headers)
        assert r.status_code == 200, r.text
        assert r.headers["content-type"].startswith("text/csv")
        assert "attachment" in r.headers["content-disposition"]
        assert "fxrates-202612.csv" in r.headers["content-disposition"]
        assert r.content == HEADER + b'"EUR","1.0823","202612"\r\n"KRW","0.00074","202612"\r\n'


@pytest.mark.parametrize(
    ("month", "status", "code"),
    [("202701", 404, "FxRatesNotFound"), ("2026-13", 400, "InvalidMonth")],
)
def test_download_errors(client, session, month, status, code) -> None:
    r = client.get(f"/v1/program/fxrates?month={month}", headers=headers_of(session))
    assert r.status_code == status
    assert r.json()["code"] == code


def test_resellers_cannot_download_rates(client, session) -> None:
    catalog.fx_rate(session, "EUR", DEC, "1.0823")
    headers = headers_of(session, Tier.INDIRECT_RESELLER, (Role.GLOBAL_ADMIN,))
    r = client.get("/v1/program/fxrates?month=202612", headers=headers)
    assert r.status_code == 403


def test_the_catalog_manager_uploads_rates(client, session) -> None:
    headers = headers_of(session)
    r = upload(
        client, headers, HEADER + b'"EUR","1.08","2026"\r\n"GBP","1.27","2026"\r\n', "2026-12"
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["month"], body["count"], body["replaced"]) == ("2026-12", 2, 0)
    assert body["attributes"]["objectType"] == "FxRatesImport"
    assert {x.currency: x.usd_per_unit for x in fx.rates_for(session, DEC)} == {
        "EUR": Decimal("1.08"),
        "GBP": Decimal("1.27"),
    }


def test_a_rejected_upload_lists_every_problem_and_writes_nothing(client, session) -> None:
    catalog.fx_rate(session, "EUR", DEC, "1.05")
    session.commit()
    r = upload(
        client, headers_of(session), HEADER + b'"EUR","x","202612"\r\n"QQQ","1","202612"\r\n'
    )
    assert r.status_code == 400
    body = r.json()
    assert body["code"] == "FxRatesRejected"
    assert [(p["line"], p["column"]) for p in body["data"]] == [
        (2, "USDPerUnit"),
        (3, "CurrencyCode"),
    ]
    assert [x.usd_per_unit for x in fx.rates_for(session, DEC)] == [Decimal("1.05")]


def test_a_started_months_rates_cannot_be_replaced(client, session) -> None:
    catalog.fx_rate(session, "EUR", NOV, "1.07")
    session.commit()
    r = upload(client, headers_of(session), HEADER + b'"EUR","1.08","202611"\r\n')
    assert r.status_code == 409
    assert r.json()["code"] == "FxRatesLocked"


@pytest.mark.parametrize(
    ("tier", "roles"),
    [(Tier.VENDOR, (Role.PROGRAM_ADMIN,)), (Tier.DIRECT_BILL, (Role.GLOBAL_ADMIN,))],
)
def test_only_the_catalog_manager_uploads(client, session, tier, roles) -> None:
    r = upload(client, headers_of(session, tier, roles), HEADER + b'"EUR","1.08","202612"\r\n')
    assert r.status_code == 403
    assert fx.rates_for(session, DEC) == []
