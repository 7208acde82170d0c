"""``opencsp catalog`` against a real database: publish, browse, end of sale, and the
offer matrix out and back in."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from opencsp.catalog import rules
from opencsp.cli import support
from opencsp.cli.main import app
from opencsp.core.config import settings

runner = CliRunner()

PRODUCT = {
    "id": "CFQ7TTC0CLI1",
    "title": "Nimbus CLI Suite",
    "publisherName": "opencsp Vendor",
    "productType": "OnlineServicesNCE",
    "skus": [
        {
            "id": "0001",
            "title": "CLI Suite Basic",
            "minimumQuantity": 1,
            "maximumQuantity": 300,
            "availabilities": [
                {
                    "id": "AVCLI0000001",
                    "terms": [{"duration": "P1Y", "billingPlan": "annual"}],
                    "countries": ["US", "KR"],
                }
            ],
        }
    ],
}


@pytest.fixture()
def cli_env(live_database, monkeypatch):
    monkeypatch.setenv("OPENCSP_DATABASE_URL", live_database)
    monkeypatch.setattr(support.out, "width", 250)
    settings.cache_clear()
    yield live_database
    settings.cache_clear()


def test_publish_browse_end_of_sale_and_matrix(cli_env, tmp_path):
    spec = tmp_path / "product.json"
    spec.write_text(json.dumps(PRODUCT), encoding="utf-8")
    published = runner.invoke(app, ["catalog", "publish", str(spec)])
    assert published.exit_code == 0, published.output
    assert "published CFQ7TTC0CLI1" in published.output

    listed = runner.invoke(app, ["catalog", "products", "--country", "KR"])
    assert listed.exit_code == 0, listed.output
    assert "Nimbus CLI Suite" in listed.output
    shown = runner.invoke(app, ["catalog", "show", "CFQ7TTC0CLI1", "--country", "US"])
    assert "CFQ7TTC0CLI1:0001:AVCLI0000001" in shown.output and "P1Y/annual" in shown.output
    elsewhere = runner.invoke(app, ["catalog", "show", "CFQ7TTC0CLI1", "--country", "FR"])
    assert elsewhere.exit_code == 3

    out = tmp_path / "matrix.csv"
    exported = runner.invoke(app, ["catalog", "matrix-export", "-o", str(out)])
    assert exported.exit_code == 0, exported.output
    text = out.read_bytes().decode()
    assert text.startswith(rules.OFFER_MATRIX_HEADER) and '"CFQ7TTC0CLI1","0001"' in text
    imported = runner.invoke(app, ["catalog", "matrix-import", str(out)])
    assert imported.exit_code == 0, imported.output
    assert "1 SKUs updated" in imported.output
    broken = tmp_path / "broken.csv"
    broken.write_text(text.replace('"300"', '"x"'), encoding="utf-8", newline="")
    rejected = runner.invoke(app, ["catalog", "matrix-import", str(broken)])
    assert rejected.exit_code == 2
    assert "line 2" in rejected.output and "MaxLicenses" in rejected.output

    ended = runner.invoke(app, ["catalog", "end-of-sale", "CFQ7TTC0CLI1", "0001", "2020-01-01"])
    assert ended.exit_code == 0, ended.output
    gone = runner.invoke(app, ["catalog", "products", "--country", "KR"])
    assert "Nimbus CLI Suite" not in gone.output
    cleared = runner.invoke(app, ["catalog", "end-of-sale", "CFQ7TTC0CLI1", "0001", "--clear"])
    assert cleared.exit_code == 0 and "on sale" in cleared.output
    both = runner.invoke(app, ["catalog", "end-of-sale", "CFQ7TTC0CLI1", "0001"])
    assert both.exit_code == 2
