"""The ``opencsp`` command line against a real database."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from opencsp.cli.main import app
from opencsp.core import clock
from opencsp.core.config import settings
from opencsp.core.db import build_engine
from opencsp.demo.catalog import end_of_sale
from opencsp.demo.pricing import demo_months
from opencsp.pricing.csvformat import format_date
from opencsp.pricing.rules import OPEN_END, format_month, month_of, next_month
from opencsp.web.app import create_app

runner = CliRunner()


@pytest.fixture()
def cli_env(live_database, monkeypatch):
    monkeypatch.setenv("OPENCSP_DATABASE_URL", live_database)
    settings.cache_clear()
    yield live_database
    settings.cache_clear()


def test_help_lists_every_command_without_loading_the_app():
    code = (
        "import sys; from opencsp.cli.main import run; sys.argv=['opencsp','--help']\n"
        "try:\n    run()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('sqlalchemy', 'fastapi', 'opencsp.web') if m in sys.modules]\n"
        "print('HEAVY', heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    for name in ("db", "serve", "demo", "users", "tokens", "jobs"):
        assert f"  {name} " in out.stdout
    assert "HEAVY []" in out.stdout


def test_users_and_tokens_from_the_cli_work_on_the_api(cli_env):
    r = runner.invoke(
        app,
        [
            "users",
            "create",
            "--email",
            "Ops@Vendor.test",
            "--role",
            "Program admin",
            "--password",
            "a long enough password",
        ],
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(app, ["tokens", "create", "--email", "ops@vendor.test", "--name", "ci"])
    assert r.exit_code == 0, r.output
    token = r.output.strip().splitlines()[-1]
    assert token.startswith("ocsp_")
    engine = build_engine(cli_env)
    with TestClient(create_app(bind=engine)) as c:
        me = c.get("/v1/users/me", headers={"Authorization": f"Bearer {token}"})
    engine.dispose()
    assert me.status_code == 200
    assert me.json()["roles"] == ["program_admin"]


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["users", "create", "--email", "x@y.test", "--role", "nope", "--no-password"], 2),
        (["users", "create", "--email", "bad", "--role", "program_admin", "--no-password"], 2),
        (["users", "create", "--email", "x@y.test", "--role", "global_admin", "--no-password"], 2),
        (["tokens", "create", "--email", "ghost@y.test"], 3),
        (["jobs", "run", "no.such.job"], 2),
    ],
)
def test_errors_exit_non_zero_with_a_message(cli_env, args, code):
    r = runner.invoke(app, args)
    assert r.exit_code == code, r.output
    assert r.output.strip()


def test_db_upgrade_and_current(cli_env):
    assert runner.invoke(app, ["db", "upgrade"]).exit_code == 0
    r = runner.invoke(app, ["db", "current"])
    assert r.exit_code == 0
    assert r.output.strip() not in ("", "(empty)")


def test_jobs_list_and_run(cli_env):
    r = runner.invoke(app, ["jobs", "list"])
    assert "audit.purge" in r.output
    first = runner.invoke(app, ["jobs", "run", "sessions.purge"])
    assert first.exit_code == 0 and "removed" in first.output


def test_demo_loads_once_and_writes_usable_credentials(tmp_path, monkeypatch):
    monkeypatch.delenv("OPENCSP_DATABASE_URL", raising=False)
    monkeypatch.setenv("OPENCSP_DATA_DIR", str(tmp_path))  # restored after the demo moves it
    r = runner.invoke(app, ["demo", "--data-dir", str(tmp_path), "--load-only"])
    assert r.exit_code == 0, r.output
    creds = json.loads((tmp_path / "demo-credentials.json").read_text())
    keys = {
        "organizationId",
        "organizationName",
        "tier",
        "userEmail",
        "role",
        "apiToken",
        "password",
    }
    assert all(set(c) == keys for c in creds)
    tiers = [c["tier"] for c in creds]
    orgs = {(c["organizationId"], c["tier"]) for c in creds}
    assert {t for _, t in orgs} == {
        "vendor",
        "direct_bill",
        "indirect_provider",
        "indirect_reseller",
    }
    assert sum(1 for _, t in orgs if t == "indirect_provider") == 2
    assert sum(1 for _, t in orgs if t == "indirect_reseller") == 5  # 4 active + 1 applicant
    assert sum(1 for _, t in orgs if t == "direct_bill") == 2
    assert len({c["role"] for c in creds}) >= 5 and "vendor" in tiers
    again = runner.invoke(app, ["demo", "--data-dir", str(tmp_path), "--load-only"])
    assert again.exit_code == 0 and "already loaded" in again.output
    assert json.loads((tmp_path / "demo-credentials.json").read_text()) == creds
    engine = build_engine(f"sqlite:///{tmp_path / 'opencsp.db'}")
    with TestClient(create_app(bind=engine)) as c:
        for cred in creds:
            me = c.get("/v1/users/me", headers={"Authorization": f"Bearer {cred['apiToken']}"})
            assert me.status_code == 200
            assert me.json()["organizationId"] == cred["organizationId"]
        _the_demo_tells_the_program_story(c, creds, tmp_path)
        _the_demo_has_a_catalog_and_price_lists(c, creds)
        _the_demo_governs_the_program(c, creds, tmp_path)
    engine.dispose()
    settings.cache_clear()


def _auth(creds: list[dict], email: str) -> dict[str, str]:
    token = next(c["apiToken"] for c in creds if c["userEmail"] == email)
    return {"Authorization": f"Bearer {token}"}


def _the_demo_tells_the_program_story(c: TestClient, creds: list[dict], data_dir) -> None:
    """Partnerships, customers of every kind of partner, agreements accepted or not."""
    customers = json.loads((data_dir / "demo-customers.json").read_text())
    assert {row["customerAgreement"] for row in customers} == {
        "attested",
        "customer",
        "not accepted",
    }
    tailwind = _auth(creds, "admin@tailwind.example")
    resellers = c.get(
        "/v1/relationships?relationship_type=IsIndirectCloudSolutionProviderOf", headers=tailwind
    ).json()
    assert {r["name"] for r in resellers["items"]} == {
        "Fabrikam Solutions",
        "Litware Consulting",
        "Adatum Managed Services",  # stepping back to indirect reseller (demo.governance)
    }
    fabrikam = _auth(creds, "admin@fabrikam.example")
    seen = c.get("/v1/customers?size=50", headers=fabrikam).json()
    assert [i["companyProfile"]["companyName"] for i in seen["items"]] == ["Wingtip Toys"]
    adatum = c.get("/v1/customers?size=50", headers=_auth(creds, "admin@adatum.example")).json()
    assert {i["companyProfile"]["companyName"] for i in adatum["items"]} == {
        "Contoso Pharmaceuticals",
        "Northwind Traders",
    }
    for row in customers:
        seller = next(cr for cr in creds if cr["organizationName"] == row["soldBy"])
        r = c.get(
            f"/v1/customers/{row['customerId']}/agreements",
            headers=_auth(creds, seller["userEmail"]),
        )
        assert r.status_code == 200
        assert (r.json()["totalCount"] > 0) == (row["customerAgreement"] != "not accepted")
    vendor = _auth(creds, "program.admin@nimbus.example")
    queue = c.get("/v1/program/partners?state=submitted", headers=vendor)
    assert queue.status_code == 200, queue.text
    assert "Contoso Startups" in queue.text


def _the_demo_governs_the_program(c: TestClient, creds: list[dict], data_dir) -> None:
    """Issue 7 through the API: the vendor's queues hold Fabrikam's application, Adatum's
    transition and Woodgrove restricted; each partner's inbox has its notices, and the
    e-mail of the file sender is under the data dir."""
    vendor = _auth(creds, "program.admin@nimbus.example")
    queue = c.get("/v1/program/directbill/applications?state=open", headers=vendor).json()
    assert [(i["organizationName"], i["state"]) for i in queue["items"]] == [
        ("Fabrikam Solutions", "assessment")
    ]
    standings = c.get("/v1/program/standings", headers=vendor)
    assert standings.status_code == 200 and "restricted" in standings.text
    transitions = c.get("/v1/program/transitions", headers=vendor)
    assert transitions.status_code == 200 and '"approved"' in transitions.text
    for email in ("admin@woodgrove.example", "admin@fabrikam.example", "admin@adatum.example"):
        inbox = c.get("/v1/notifications", headers=_auth(creds, email))
        assert inbox.status_code == 200 and inbox.json()["items"], email
    mails = sorted((data_dir / "mail").glob("*.eml"))
    assert len(mails) >= 10
    assert any("woodgrove.example" in m.read_text(errors="replace") for m in mails)


def _the_demo_has_a_catalog_and_price_lists(c: TestClient, creds: list[dict]) -> None:
    """At least 40 products of every type; for each of the 15 markets, 13 lists in effect
    (history, then current) and next month's preview; Europe in six currencies; the
    retiring SKU ending in the preview; FX rates for every month that has begun."""
    adatum = _auth(creds, "admin@adatum.example")
    products = []
    for view in ("OnlineServices", "Software"):
        r = c.get(f"/v1/products?country=US&targetView={view}", headers=adatum)
        assert r.status_code == 200, r.text
        products += r.json()["items"]
    assert len(products) >= 40
    assert {p["productType"]["id"] for p in products} == {
        "OnlineServicesNCE",
        "SoftwareSubscriptions",
        "SoftwarePerpetual",
    }
    vendor = _auth(creds, "catalog@nimbus.example")
    lists = c.get("/v1/program/pricelists", headers=vendor).json()["items"]
    by_market: dict[str, list[tuple[str, str]]] = {}
    for item in lists:
        by_market.setdefault(item["market"], []).append((item["month"], item["status"]))
    assert len(by_market) == 15
    current = month_of(clock.now())
    expected = [(format_month(m), "history") for m in demo_months(current)[:12]]
    expected += [(format_month(current), "current"), (format_month(next_month(current)), "preview")]
    for market, seen in by_market.items():
        assert sorted(seen) == expected, market
    woodgrove = _auth(creds, "admin@woodgrove.example")
    sheet = c.get("/v1/program/pricesheets?market=DE", headers=woodgrove)
    assert sheet.status_code == 200, sheet.text
    rows = list(csv.DictReader(io.StringIO(sheet.text)))
    # Europe's six, and USD for the reserved compute priced in USD (rules.md §11)
    assert {r["Currency"] for r in rows} == {"EUR", "GBP", "DKK", "NOK", "SEK", "CHF", "USD"}
    assert {r["ProductTitle"] for r in rows if r["Currency"] == "USD"} == {
        "Nimbus Reserved Compute"
    }
    future = c.get("/v1/program/pricesheets?market=US&timeline=future", headers=adatum)
    assert future.status_code == 200, future.text
    retiring = [
        r for r in csv.DictReader(io.StringIO(future.text)) if r["ProductId"] == "NMB7TTC0ENE3"
    ]
    ends = {r["SkuId"]: r["EffectiveEndDate"] for r in retiring}
    assert ends["0002"] == format_date(end_of_sale(current))
    assert ends["0001"] == format_date(OPEN_END)
    fabrikam = _auth(creds, "admin@fabrikam.example")
    assert c.get("/v1/program/pricesheets?market=US", headers=fabrikam).status_code == 403
    for month in demo_months(current)[:13]:
        fx = c.get(f"/v1/program/fxrates?month={format_month(month)}", headers=adatum)
        assert fx.status_code == 200, (month, fx.text)
        assert len(fx.text.strip().splitlines()) == 1 + 15


def test_markets_from_the_cli(cli_env):
    listed = runner.invoke(app, ["markets", "list"])
    assert listed.exit_code == 0
    assert "europe" in listed.output and "korea-republic-of" in listed.output
    brazil = runner.invoke(app, ["markets", "for", "br"])
    assert brazil.exit_code == 0
    assert "brazil" in brazil.output and "BRL, USD" in brazil.output
    assert runner.invoke(app, ["markets", "for", "zz"]).exit_code == 3
    assert runner.invoke(app, ["markets", "for", "usa"]).exit_code == 2
