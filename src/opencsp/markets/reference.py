"""The packaged reference table, ``data/markets.csv`` (a copy of
``reference/csp/markets.csv``; attribution in ``data/README.md``). The database is loaded
from it by the migration ``0002_markets``; tests check that the two agree."""

from __future__ import annotations

from functools import lru_cache
from importlib.resources import files

from opencsp.markets.rules import MarketTable, parse_markets_csv

CSV_RESOURCE = files("opencsp.markets").joinpath("data", "markets.csv")


def reference_csv() -> str:
    return CSV_RESOURCE.read_text(encoding="utf-8")


@lru_cache(maxsize=1)
def reference_table() -> MarketTable:
    return parse_markets_csv(reference_csv())
