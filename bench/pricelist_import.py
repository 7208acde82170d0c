"""How fast a price list imports (issue 4 target: at least one third of the raw bulk-insert
rate of the same rows, with flat memory).

Builds a catalog (products and SKUs bulk-inserted directly) and a valid price-list file of
``--rows`` rows in the new-commerce layout (file-formats.md §1), then on SQLite and on a
throwaway PostgreSQL cluster (started here on 127.0.0.1 and removed afterwards, like the
tests' own) measures:

  raw     the same rows, already converted, into ``price_rows`` with ``core.db.bulk_insert``
          (executemany on SQLite, COPY on PostgreSQL) — only the inserts and the commit
          are timed, not building the tuples;
  import  ``pricing.imports.import_price_list`` end to end from the file: parsing, every
          check, the inserts, the overlap check in SQL, the commit.

Each measurement runs in a forked child so its peak RSS growth is its own; a second, smaller
file (``--small-rows``) shows whether memory grows with the rows or stays flat.

    .venv/bin/python bench/pricelist_import.py               # 1,000,000 rows, both databases
    .venv/bin/python bench/pricelist_import.py --rows 100000 --db sqlite
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import os
import resource
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import delete  # noqa: E402
from tests.support import postgres  # noqa: E402

from opencsp.auth.service import system_actor  # noqa: E402
from opencsp.catalog.models import Product, Sku  # noqa: E402
from opencsp.core import migrate  # noqa: E402
from opencsp.core.db import (  # noqa: E402
    bind_converter,
    build_engine,
    bulk_insert,
    new_session,
    utc_datetime_converter,
)
from opencsp.pricing.errors import PriceListRejected  # noqa: E402
from opencsp.pricing.imports import import_price_list  # noqa: E402
from opencsp.pricing.models import PriceList, PriceRow  # noqa: E402
from opencsp.pricing.pricelist_rows import PRICE_ROWS, ROW_COLUMNS  # noqa: E402
from opencsp.pricing.rules import PRICE_LIST_COLUMNS  # noqa: E402

MONTH = date(2099, 1, 1)  # always in the future: the import writes a preview
TARGET = 1 / 3
PLACES = (
    ("US", "USD"),
    ("CA", "CAD"),
    ("DE", "EUR"),
    ("SG", "USD"),
    ("GB", "GBP"),
    ("DK", "DKK"),
    ("SE", "SEK"),
    ("NO", "NOK"),
    ("CH", "CHF"),
    ("KR", "KRW"),
    ("JP", "JPY"),
    ("AU", "AUD"),
    ("BR", "BRL"),
    ("IN", "INR"),
    ("MX", "USD"),
    ("NZ", "NZD"),
    ("TW", "TWD"),
    ("CN", "CNY"),
    ("AO", "USD"),
    ("AE", "USD"),
)
"""One country per market and currency: the countries of a market share its prices, so
two of them with the same SKU, term, plan and currency would overlap (and be rejected)."""
TERMS = (
    ("P1M", "Monthly", "monthly"),
    ("P1Y", "Monthly", "monthly"),
    ("P1Y", "Annual", "annual"),
    ("P3Y", "Annual", "annual"),
    ("P3Y", "Triennial", "triennial"),
)
SKUS_PER_PRODUCT = 4
ROWS_PER_SKU = len(PLACES) * len(TERMS)
START, END = "1/1/2099 12:00:00 AM", "11/30/9999 23:59"
START_AT = datetime(2099, 1, 1, tzinfo=UTC)
END_AT = datetime(9999, 11, 30, 23, 59, tzinfo=UTC)


def _sku_count(rows: int) -> int:
    return -(-rows // ROWS_PER_SKU)


def _offers(rows: int) -> Iterator[tuple[int, str, str]]:
    for n in range(_sku_count(rows)):
        yield n, f"BENCH{n // SKUS_PER_PRODUCT:07d}", f"{n % SKUS_PER_PRODUCT + 1:04d}"


def _rows(rows: int) -> Iterator[tuple[str, str, str, str, str, str, str, str, str]]:
    """(product, sku, term, plan spelling, stored plan, country, currency, price, erp)."""
    count = 0
    for n, product, sku in _offers(rows):
        for country, currency in PLACES:
            for term, plan, stored in TERMS:
                if count == rows:
                    return
                price = f"{(n % 400) + 1}.{n % 100:02d}"
                yield product, sku, term, plan, stored, country, currency, price, str(n % 500 + 2)
                count += 1


def write_file(path: Path, rows: int) -> None:
    with path.open("w", encoding="utf-8", newline="") as target:
        writer = csv.writer(target, quoting=csv.QUOTE_ALL, lineterminator="\r\n")
        writer.writerow(PRICE_LIST_COLUMNS)
        for product, sku, term, plan, _, country, currency, price, erp in _rows(rows):
            writer.writerow(
                (
                    f"Bench product {product}",
                    product,
                    sku,
                    f"Bench SKU {sku}",
                    "Nimbus Corporation",
                    "A product for the benchmark.",
                    "",
                    term,
                    plan,
                    country,
                    currency,
                    price,
                    "",
                    "",
                    START,
                    END,
                    "License",
                    erp,
                )
            )


def seed_catalog(url: str, rows: int) -> None:
    """Migrate and bulk-insert the products and SKUs the file prices."""
    engine = build_engine(url)
    try:
        with engine.connect() as conn:
            migrate.upgrade(conn)
            conn.commit()
        with engine.begin() as conn:  # a transaction SQLAlchemy knows of, so it commits
            at = utc_datetime_converter(conn.dialect)(datetime.now(UTC))
            products = sorted({product for _, product, _ in _offers(rows)})
            bulk_insert(
                conn,
                Product.__table__,  # type: ignore[arg-type]
                (
                    "id",
                    "title",
                    "description",
                    "publisher",
                    "product_type",
                    "created_at",
                    "updated_at",
                ),
                (
                    (p, f"Bench product {p}", "", "Nimbus", "OnlineServicesNCE", at, at)
                    for p in products
                ),
            )
            bulk_insert(
                conn,
                Sku.__table__,  # type: ignore[arg-type]
                (
                    "product_id",
                    "id",
                    "title",
                    "description",
                    "min_quantity",
                    "max_quantity",
                    "is_trial",
                    "attestation_required",
                ),
                ((p, s, f"Bench SKU {s}", "", 1, 300, False, False) for _, p, s in _offers(rows)),
            )
    finally:
        engine.dispose()


def _clear(url: str) -> None:
    engine = build_engine(url)
    try:
        with new_session(engine) as session:
            session.execute(delete(PriceRow))
            session.execute(delete(PriceList))
            session.commit()
    finally:
        engine.dispose()


def _rss_kib() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def _raw(url: str, rows: int) -> tuple[float, int]:
    """The same rows, converted beforehand batch by batch, into price_rows; only the
    inserts and the commit are timed."""
    engine = build_engine(url)
    try:
        with engine.connect() as conn:
            list_id = uuid.uuid4()
            at = utc_datetime_converter(conn.dialect)
            conn.execute(
                PriceList.__table__.insert().values(  # type: ignore[attr-defined]
                    id=list_id,
                    market_id="united-states",
                    month=MONTH,
                    status="preview",
                    row_count=0,
                    source_name="raw",
                    imported_at=datetime.now(UTC),
                )
            )
            db_id = bind_converter(conn.dialect, PRICE_ROWS.c.price_list_id.type)(list_id)
            start_at, end_at = at(START_AT), at(END_AT)
            source = _rows(rows)
            elapsed, line = 0.0, 1
            while True:
                batch = []
                for product, sku, term, _, stored, country, currency, price, erp in source:
                    line += 1
                    batch.append(
                        (
                            db_id,
                            line,
                            product,
                            sku,
                            term,
                            stored,
                            country,
                            currency,
                            price,
                            None,
                            None,
                            start_at,
                            end_at,
                            None,
                            "License",
                            "",
                            erp,
                        )
                    )
                    if len(batch) == 10_000:
                        break
                if not batch:
                    break
                began = time.perf_counter()
                bulk_insert(conn, PRICE_ROWS, ROW_COLUMNS, batch)
                elapsed += time.perf_counter() - began
            began = time.perf_counter()
            conn.commit()
            elapsed += time.perf_counter() - began
        return elapsed, line - 1
    finally:
        engine.dispose()


def _import(url: str, path: str) -> tuple[float, int]:
    engine = build_engine(url)
    try:
        session = new_session(engine)
        actor = system_actor(session)
        session.commit()
        began = time.perf_counter()
        with open(path, "rb") as stream:
            try:
                summary = import_price_list(
                    session, actor, stream, month=MONTH, source_name="bench.csv"
                )
            except PriceListRejected as exc:  # not picklable across the pool: say why here
                raise RuntimeError(f"{exc.message}: {exc.problems[:5]}") from None
        session.commit()
        elapsed = time.perf_counter() - began
        session.close()
        return elapsed, summary.rows
    finally:
        engine.dispose()


def _measured(work: Callable[..., tuple[float, int]], *args: Any) -> tuple[float, int, int]:
    baseline = _rss_kib()
    elapsed, rows = work(*args)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return elapsed, rows, max(0, peak - baseline)


def in_child(work: Callable[..., tuple[float, int]], *args: Any) -> tuple[float, int, int]:
    """(seconds, rows, peak RSS growth in KiB) of ``work`` run in a forked child."""
    with multiprocessing.get_context("fork").Pool(1) as pool:
        return pool.apply(_measured, (work, *args))


def bench(name: str, url: str, files: dict[int, Path], repeats: int) -> None:
    big = max(files)
    seed_catalog(url, big)
    raw_runs, import_runs, memory = [], [], {}
    for _ in range(repeats):
        seconds, rows, _ = in_child(_raw, url, big)
        raw_runs.append(rows / seconds)
        _clear(url)
        seconds, rows, grown = in_child(_import, url, str(files[big]))
        assert rows == big, rows
        import_runs.append(rows / seconds)
        memory[big] = grown
        _clear(url)
    for size in sorted(files):
        if size != big:
            _, rows, memory[size] = in_child(_import, url, str(files[size]))
            _clear(url)
    raw, imported = statistics.median(raw_runs), statistics.median(import_runs)
    ratio = imported / raw
    print(
        f"{name:<10} rows {big:>9,}  raw bulk insert {raw:>10,.0f} rows/s   "
        f"import {imported:>9,.0f} rows/s   ratio {ratio:.2f} "
        f"(target ≥ {TARGET:.2f}: {'met' if ratio >= TARGET else 'MISSED'}; median of {repeats})"
    )
    for size in sorted(memory):
        print(f"{'':<10} import peak RSS growth at {size:>9,} rows: {memory[size] / 1024:7.1f} MiB")


@contextmanager
def databases(which: str) -> Iterator[list[tuple[str, str]]]:
    with ExitStack() as stack:
        found = []
        if which in ("sqlite", "both"):
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="bench-")))
            found.append(("sqlite", f"sqlite:///{folder / 'bench.db'}"))
        if which in ("postgresql", "both"):
            found.append(("postgresql", stack.enter_context(postgres.cluster())))
        yield found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--small-rows", type=int, default=250_000)
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--db", choices=("sqlite", "postgresql", "both"), default="both")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-files-") as folder:
        files = {}
        for size in {args.rows, min(args.small_rows, args.rows)}:
            files[size] = Path(folder) / f"prices-{size}.csv"
            began = time.perf_counter()
            write_file(files[size], size)
            print(
                f"generated {size:,} rows ({files[size].stat().st_size / 2**20:,.0f} MiB) "
                f"in {time.perf_counter() - began:.1f} s"
            )
        with databases(args.db) as found:
            for name, url in found:
                bench(name, url, files, args.repeats)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
