"""``opencsp pricing import`` and ``export`` against a real database: a progress bar and a
per-market summary, every problem and a non-zero exit on rejection with nothing written,
and the export of what was imported."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from opencsp.cli import support
from opencsp.cli.main import app
from opencsp.core import clock
from opencsp.core.config import settings
from opencsp.core.db import build_engine, new_session
from opencsp.pricing.models import PriceList, PriceRow
from opencsp.pricing.rules import PRICE_LIST_HEADER
from tests.conftest import NOW
from tests.factories import catalog
from tests.factories.pricesheets import sheet, sheet_row

runner = CliRunner()


@pytest.fixture()
def cli_env(live_database, monkeypatch):
    monkeypatch.setenv("OPENCSP_DATABASE_URL", live_database)
    monkeypatch.setattr(support.out, "width", 250)
    monkeypatch.setattr(support.err, "width", 250)
    settings.cache_clear()
    engine = build_engine(live_database)
    try:
        with clock.frozen(NOW), new_session(engine) as session:
            offer = catalog.offer(session)
            session.commit()
            rows = [
                sheet_row(offer, "115.2", ERPPrice="144"),
                sheet_row(offer, "106", Market="DE", Currency="EUR"),
            ]
    finally:
        engine.dispose()
    yield live_database, offer, rows
    settings.cache_clear()


def _counts(url: str) -> tuple[int, int]:
    engine = build_engine(url)
    try:
        with new_session(engine) as session:
            lists = session.scalar(select(func.count()).select_from(PriceList)) or 0
            rows = session.scalar(select(func.count()).select_from(PriceRow)) or 0
            return lists, rows
    finally:
        engine.dispose()


def test_import_shows_progress_and_a_summary_per_market_then_exports(cli_env, tmp_path):
    url, _offer, rows = cli_env
    source = tmp_path / "prices-2099-01.csv"
    source.write_bytes(sheet(rows))
    result = runner.invoke(app, ["pricing", "import", str(source), "--month", "2099-01"])
    assert result.exit_code == 0, result.output
    assert "Importing prices-2099-01.csv" in result.output  # the progress bar's label
    assert "europe" in result.output and "united-states" in result.output
    assert "preview" in result.output and "2 rows imported" in result.output
    assert _counts(url) == (2, 2)

    target = tmp_path / "us.csv"
    exported = runner.invoke(
        app, ["pricing", "export", "--market", "US", "--timeline", "future", "-o", str(target)]
    )
    assert exported.exit_code == 0, exported.output
    text = target.read_bytes().decode("utf-8")
    assert text.startswith(PRICE_LIST_HEADER)
    assert '"US","USD","115.2"' in text and '"DE"' not in text
    stdout = runner.invoke(app, ["pricing", "export", "--market", "US", "--timeline", "future"])
    assert stdout.exit_code == 0 and '"144"' in stdout.output


def test_a_rejected_file_lists_every_problem_exits_non_zero_and_writes_nothing(cli_env, tmp_path):
    url, offer, rows = cli_env
    bad = [*rows, sheet_row(offer, "1,5"), sheet_row(offer, "2", Currency="JPY")]
    source = tmp_path / "bad.csv"
    source.write_bytes(sheet(bad))
    result = runner.invoke(app, ["pricing", "import", str(source), "--month", "2099-01"])
    assert result.exit_code == 2, result.output
    assert "line 4, UnitPrice:" in result.output
    assert "line 5, Currency:" in result.output
    assert "2 problem(s)" in result.output
    assert "PriceListRejected" in result.output
    assert _counts(url) == (0, 0)


def test_importing_over_a_current_list_is_a_conflict(cli_env, tmp_path):
    url, _offer, rows = cli_env
    source = tmp_path / "prices.csv"
    source.write_bytes(sheet(rows))
    first = runner.invoke(app, ["pricing", "import", str(source), "--month", "2026-11"])
    assert first.exit_code == 0, first.output
    again = runner.invoke(app, ["pricing", "import", str(source), "--month", "2026-11"])
    assert again.exit_code == 5 and "PriceListLocked" in again.output
    assert _counts(url) == (2, 2)


def test_export_of_a_missing_future_list_is_not_found(cli_env):
    result = runner.invoke(app, ["pricing", "export", "--market", "US", "--timeline", "future"])
    assert result.exit_code == 3 and "PriceListNotFound" in result.output
