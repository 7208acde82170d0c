"""The demo in a national cloud (rules.md §13): with ``OPENCSP_MARKETS=united-states`` and
``OPENCSP_CLOUD_NAME=us-government``, ``opencsp demo`` loads a story of the served market
only — its partners, customers, price lists, purchases and invoices — and nothing is
refused. One load (about as long as the global demo's)."""

from __future__ import annotations

import json
import re

from sqlalchemy import func, select
from typer.testing import CliRunner

from opencsp.auth.models import Organization
from opencsp.billing.models import Invoice
from opencsp.cli.main import app
from opencsp.core.config import settings
from opencsp.core.db import build_engine, new_session
from opencsp.customers.models import Customer
from opencsp.orders.models import Order
from opencsp.pricing.models import PriceList
from opencsp.program.models import TierTransition

runner = CliRunner()


def test_the_demo_loads_a_us_only_story_in_a_us_government_cloud(tmp_path, monkeypatch):
    monkeypatch.delenv("OPENCSP_DATABASE_URL", raising=False)
    monkeypatch.setenv("OPENCSP_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("OPENCSP_MARKETS", "united-states")
    monkeypatch.setenv("OPENCSP_CLOUD_NAME", "us-government")
    settings.cache_clear()
    try:
        r = runner.invoke(app, ["demo", "--data-dir", str(tmp_path), "--load-only"])
    finally:
        settings.cache_clear()
    assert r.exit_code == 0, r.output
    assert re.search(r"\b0 steps refused", r.output), r.output
    creds = json.loads((tmp_path / "demo-credentials.json").read_text())
    assert {c["organizationName"] for c in creds} == {
        "Nimbus Cloud",
        "Tailwind Distribution",
        "Fabrikam Solutions",
        "Litware Consulting",
        "Adatum Managed Services",
        "Contoso Startups",
    }
    engine = build_engine(f"sqlite:///{tmp_path / 'opencsp.db'}")
    with new_session(engine) as s:
        assert set(s.scalars(select(Organization.country))) == {"US"}
        assert set(s.scalars(select(Customer.country))) == {"US"}
        assert set(s.scalars(select(PriceList.market_id))) == {"united-states"}
        assert set(s.scalars(select(Invoice.currency))) == {"USD"}
        assert (s.scalar(select(func.count()).select_from(Order)) or 0) >= 40
        assert s.scalar(select(func.count()).select_from(TierTransition)) == 1
    engine.dispose()
