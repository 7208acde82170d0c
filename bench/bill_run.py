"""Bill-run benchmark (issue 6): N partners, their customers and subscriptions with a
month of changes, billed by ``billing.run.run_month`` on PostgreSQL and on SQLite.

Prints, per database: the lines written per second, the run's wall time and its steps,
the peak memory of the process that ran it, and next to them the time of a plain
``INSERT … SELECT`` of the same number of rows on the same database in the same run
(the charge rows copied into an unindexed table of the same shape and committed; the
faster of reading them through the period's index or by a table scan), with the ratio.
Target: at most 5× the plain insert and under 3 minutes; TTM for every partner under
10 s when ``opencsp.reporting`` provides it.

The data: partners (direct-bill) with customers each, each customer one order and its
subscriptions, terms starting over the twelve months before the billed month (P1Y billed
monthly, one in ten annually, one in twenty P3Y monthly), the month before closed, and
``--changes`` of the subscriptions adding seats during the month (walked by the rules),
the rest billed by the set-based cycle path. Rows are cloned from one subscription the
real factories wrote, so every column is what the application writes.

Also printed, for scale and not in the ratio: the same copy into a table carrying the
indexes and the unique key of ``charges`` (what any writer of these rows pays).

    .venv/bin/python bench/bill_run.py                      # 10k / 100k / 1M, both DBs
    .venv/bin/python bench/bill_run.py --subscriptions 100000 --db sqlite
    .venv/bin/python bench/bill_run.py --db postgresql --trace   # the slowest statements
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import MetaData, Table, func, insert, select, text
from sqlalchemy.engine import Engine
from tests.factories import commerce
from tests.support import postgres

from opencsp.auth.models import Organization
from opencsp.billing.accrual import charge_row
from opencsp.billing.history import history_lines
from opencsp.billing.lines import EventFacts, next_month
from opencsp.billing.models import BillingPeriod, Charge
from opencsp.core import clock, migrate
from opencsp.core.db import build_engine, new_session
from opencsp.customers.models import Customer
from opencsp.orders.models import Order
from opencsp.subscriptions import terms
from opencsp.subscriptions.models import Subscription, SubscriptionEvent

PERIOD = date(2026, 10, 1)
TARGET_RATIO = 5.0
TARGET_SECONDS = 180.0
TTM_TARGET_SECONDS = 10.0
CHUNK = 20_000
EVENT_FIELDS = (
    "subscription_id", "at", "term_number", "term_start", "term_end", "term_duration",
    "billing_plan", "status_after", "quantity_before", "quantity_after", "unit_price",
    "currency",
)  # fmt: skip
PRICES = [Decimal(p) for p in ("120", "99.99", "240", "36", "12.5", "300", "432.12", "60")]


def months_back(month: date, n: int) -> date:
    index = month.year * 12 + month.month - 1 - n
    return date(index // 12, index % 12 + 1, 1)


def template(engine: Engine) -> dict[str, dict[str, Any]]:
    """One row of each table, written by the real factories."""
    with new_session(engine) as session, clock.frozen(datetime(2026, 9, 1, tzinfo=UTC)):
        s = commerce.scene(session, month=date(2026, 9, 1))
        sub = commerce.subscription(session, s.direct_customer, s.direct, s.offer)
        session.commit()
        rows = {}
        for name, model, key in (
            ("org", Organization, s.direct.org.id),
            ("customer", Customer, s.direct_customer.id),
            ("order", Order, sub.order_id),
            ("sub", Subscription, sub.id),
        ):
            table: Table = model.__table__  # type: ignore[assignment]
            found = session.execute(select(table).where(table.c.id == key)).mappings().one()
            rows[name] = dict(found)
        event_table: Table = SubscriptionEvent.__table__  # type: ignore[assignment]
        rows["event"] = dict(
            session.execute(select(event_table).where(event_table.c.subscription_id == sub.id))
            .mappings()
            .first()  # type: ignore[arg-type]
        )
        return rows


def _insert(engine: Engine, model: Any, rows: Iterator[dict[str, Any]]) -> int:
    table = model.__table__
    count, batch = 0, []
    with engine.begin() as conn:
        for row in rows:
            batch.append(row)
            if len(batch) == CHUNK:
                conn.execute(insert(table), batch)
                count, batch = count + len(batch), []
        if batch:
            conn.execute(insert(table), batch)
            count += len(batch)
    return count


def earlier_lines(billed: list[tuple[dict[str, Any], dict[str, Any]]]) -> Iterator[dict[str, Any]]:
    """The lines the changed subscriptions were billed before the month (by the runs
    that closed those months), so the walked path bills only this month's."""
    opened = datetime.combine(PERIOD, dtime(), tzinfo=UTC)
    for sub, event in billed:
        facts = EventFacts(**{f: event[f] for f in EVENT_FIELDS}, sequence=1, kind="new")
        source = SimpleNamespace(**sub)
        for line in history_lines([facts], until=opened):
            yield charge_row(line, line.period, opened, source)


def seed(engine: Engine, args: argparse.Namespace) -> dict[str, Any]:
    rnd = random.Random(7)
    t = template(engine)
    partners = [uuid.uuid4() for _ in range(args.partners)]
    per = max(1, args.customers // args.partners)
    customers = [(uuid.uuid4(), partners[i // per % len(partners)]) for i in range(args.customers)]
    orders = {c: f"B{i:012d}" for i, (c, _) in enumerate(customers)}
    started = time.perf_counter()
    _insert(
        engine,
        Organization,
        ({**t["org"], "id": p, "name": f"Partner {i}"} for i, p in enumerate(partners)),
    )
    _insert(
        engine,
        Customer,
        (
            {**t["customer"], "id": c, "partner_id": p, "domain": f"c{i}.bench.example"}
            if "partner_id" in t["customer"]
            else {**t["customer"], "id": c, "organization_id": p, "domain": f"c{i}.bench.example"}
            for i, (c, p) in enumerate(customers)
        ),
    )
    _insert(
        engine,
        Order,
        (
            {**t["order"], "id": orders[c], "customer_id": c, "organization_id": p, "cart_id": None}
            for c, p in customers
        ),
    )
    changed: list[tuple[uuid.UUID, int, int, dict[str, Any]]] = []
    billed: list[tuple[dict[str, Any], dict[str, Any]]] = []

    def subs_and_events() -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
        for n in range(args.subscriptions):
            cust, partner = customers[n % len(customers)]
            pick = rnd.random()
            term, plan = ("P1Y", "monthly")
            if pick < 0.10:
                plan = "annual"
            elif pick < 0.15:
                term = "P3Y"
            start = months_back(PERIOD, rnd.randint(1, 11)) + timedelta(days=rnd.randint(0, 27))
            end = terms.term_end(start, commerce.P1Y if term == "P1Y" else commerce.P3Y)
            price = rnd.choice(PRICES)
            qty = rnd.randint(1, 50)
            sub_id = uuid.uuid4()
            at = datetime.combine(start, dtime(), tzinfo=UTC)
            sub = {
                **t["sub"],
                "id": sub_id,
                "customer_id": cust,
                "organization_id": partner,
                "order_id": orders[cust],
                "order_line_number": n // len(customers),
                "quantity": qty,
                "term_duration": term,
                "billing_plan": plan,
                "unit_price": price,
                "term_start": start,
                "term_end": end,
                "custom_term_end": None,
                "anchor_day": None,
                "created_at": at,
                "updated_at": at,
                "status_changed_at": at,
            }
            event = {
                **t["event"],
                "id": None,
                "subscription_id": sub_id,
                "at": at,
                "term_start": start,
                "term_end": end,
                "term_duration": term,
                "billing_plan": plan,
                "quantity_before": 0,
                "quantity_after": qty,
                "unit_price": price,
                "idempotency_key": None,
            }
            event.pop("id")
            if rnd.random() < args.changes:
                changed.append((sub_id, qty, qty + rnd.randint(1, 5), event))
                billed.append((sub, event))
            yield sub, event

    pairs = list(subs_and_events())
    _insert(engine, Subscription, (s for s, _ in pairs))
    _insert(engine, SubscriptionEvent, (e for _, e in pairs))
    del pairs
    adds = []
    for _sub_id, before, after, first in changed:
        at = datetime.combine(PERIOD + timedelta(days=rnd.randint(0, 27)), dtime(13), tzinfo=UTC)
        adds.append(
            {
                **first,
                "sequence": 2,
                "kind": "addQuantity",
                "at": at,
                "quantity_before": before,
                "quantity_after": after,
            }
        )
    _insert(engine, SubscriptionEvent, iter(adds))
    _insert(engine, Charge, earlier_lines(billed))
    with engine.begin() as conn:
        table: Table = Subscription.__table__  # type: ignore[assignment]
        for sub_id, _, after, _ in changed:
            conn.execute(table.update().where(table.c.id == sub_id).values(quantity=after))
        conn.execute(
            insert(BillingPeriod.__table__),  # type: ignore[arg-type]
            [{"period": months_back(PERIOD, 1), "status": "closed",
              "started_at": datetime.combine(PERIOD, dtime(), tzinfo=UTC),
              "closed_at": datetime.combine(PERIOD, dtime(1), tzinfo=UTC),
              "charges": 0, "invoices": 0}],
        )  # fmt: skip
    return {"seed_seconds": time.perf_counter() - started, "changed": len(changed)}


def trace_statements() -> None:
    """``--trace``: at exit, the statements that took the most time in total (stderr)."""
    import atexit
    from collections import Counter

    from sqlalchemy import event

    spent: Counter[str] = Counter()
    calls: Counter[str] = Counter()

    @event.listens_for(Engine, "before_cursor_execute")
    def _start(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        conn.info.setdefault("bench_started", []).append(time.perf_counter())

    @event.listens_for(Engine, "after_cursor_execute")
    def _stop(conn: Any, cursor: Any, statement: str, *_: Any) -> None:
        name = " ".join(statement.split())[:150]
        spent[name] += time.perf_counter() - conn.info["bench_started"].pop()
        calls[name] += 1

    def report() -> None:
        for name, seconds in spent.most_common(15):
            print(f"  {seconds:7.2f} s {calls[name]:6d}x  {name}", file=sys.stderr)

    atexit.register(report)


def peak_memory_mb() -> float:
    """This process's peak resident memory since it started: ``VmHWM``. Not
    ``ru_maxrss``, which on Linux keeps the high-water mark of the process before its
    ``exec`` — here the parent that seeded the data, so it over-stated the bill run's
    peak (1.7-2.0 GB at 1M subscriptions were the seeding's, not the run's)."""
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def child(url: str) -> None:
    """Run the bill run in this fresh process; print its figures as JSON."""
    os.environ["OPENCSP_DATABASE_URL"] = url
    from opencsp.billing import run
    from opencsp.cli.support import operator

    if os.environ.get("BENCH_TRACE"):
        trace_statements()

    with clock.frozen(datetime.combine(next_month(PERIOD), dtime(2), tzinfo=UTC)):
        started = time.perf_counter()
        result = run.run_month(operator, PERIOD)
        wall = time.perf_counter() - started
    peak_mb = peak_memory_mb()
    print(json.dumps({"wall": wall, "peak_mb": peak_mb, "summary": result.summary(),
                      "steps": result.seconds, "documents": result.documents}))  # fmt: skip


def plain_insert(engine: Engine) -> tuple[int, dict[str, float]]:
    """The same rows copied by one plain ``INSERT … SELECT`` into an unindexed table and
    committed (the bill run's wall time includes its commits), read two ways: through
    the period's index (as the query plans it) and by one pass over the table. The
    faster is the baseline, so the ratio never flatters the run: the index path's speed
    depends on how the run's writes happen to lie in the table."""
    kind = engine.dialect.name
    reads = {
        "index": "period = :p",
        "table scan": "+period = :p" if kind == "sqlite" else "period = :p",
    }
    seconds: dict[str, float] = {}
    rows = 0
    for name, where in reads.items():
        with engine.begin() as conn:
            conn.execute(text("DROP TABLE IF EXISTS bench_plain"))
            conn.execute(text("CREATE TABLE bench_plain AS SELECT * FROM charges WHERE 1 = 0"))
        started = time.perf_counter()
        with engine.begin() as conn:
            if kind == "postgresql" and name == "table scan":
                conn.execute(text("SET LOCAL enable_indexscan = off"))
                conn.execute(text("SET LOCAL enable_bitmapscan = off"))
            conn.execute(
                text(f"INSERT INTO bench_plain SELECT * FROM charges WHERE {where}"), {"p": PERIOD}
            )
        seconds[name] = time.perf_counter() - started
        with engine.connect() as conn:
            rows = int(conn.execute(text("SELECT count(*) FROM bench_plain")).scalar_one())
    return rows, seconds


def indexed_insert(engine: Engine) -> float:
    """Seconds to copy the period's rows into a table with ``charges``' indexes (its
    primary key, unique key and secondary indexes, built from the model) and commit."""
    shape = MetaData()
    copy = Charge.__table__.to_metadata(shape, name="bench_indexed")
    for index in copy.indexes:
        index.name = f"bench_{index.name}"
    for constraint in copy.constraints:
        if constraint.name:
            constraint.name = f"bench_{constraint.name}"
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE IF EXISTS bench_indexed"))
        shape.create_all(conn)
    names = ", ".join(c.name for c in copy.columns)
    started = time.perf_counter()
    with engine.begin() as conn:
        conn.execute(
            text(
                f"INSERT INTO bench_indexed ({names}) SELECT {names} FROM charges WHERE period = :p"
            ),
            {"p": PERIOD},
        )
    return time.perf_counter() - started


def ttm_all(engine: Engine) -> float | None:
    """Seconds to compute every partner's TTM revenue, when ``reporting`` has it."""
    try:
        from opencsp.reporting import ttm
    except ImportError:
        return None
    with engine.begin() as conn:  # the month's invoices paid, so they count
        conn.execute(text("UPDATE invoices SET paid_minor = total_minor"))
    with new_session(engine) as session:
        started = time.perf_counter()
        figures = ttm.ttm_all(session, as_of=datetime(2026, 11, 9, tzinfo=UTC))
        seconds = time.perf_counter() - started
    print(
        f"  TTM: {len(figures)} partners in {seconds:.2f} s (target < {TTM_TARGET_SECONDS:.0f} s)"
    )
    return seconds


@contextmanager
def database(kind: str) -> Iterator[str]:
    if kind == "postgresql":
        with postgres.cluster() as url:
            yield url
    else:
        with tempfile.TemporaryDirectory(prefix="opencsp-bill-") as folder:
            yield f"sqlite:///{folder}/bench.db"


def bench(kind: str, args: argparse.Namespace) -> None:
    with database(kind) as url:
        engine = build_engine(url)
        with engine.connect() as conn:
            migrate.upgrade(conn)
            conn.commit()
        seeded = seed(engine, args)
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
        print(
            f"{kind}: {args.partners} partners, {args.customers} customers, "
            f"{args.subscriptions} subscriptions ({seeded['changed']} changed in the month), "
            f"seeded in {seeded['seed_seconds']:.0f} s"
        )
        out = subprocess.run(
            [sys.executable, __file__, "--child", url],
            check=False,
            capture_output=True,
            text=True,
            env={**os.environ, "BENCH_TRACE": "1"} if args.trace else None,
        )
        if out.returncode:
            sys.exit(f"the bill run failed:\n{out.stderr}")
        if args.trace:
            print("  slowest statements (total time, calls):\n" + out.stderr.rstrip())
        figures = json.loads(out.stdout.strip().splitlines()[-1])
        rows, reads = plain_insert(engine)
        plain = min(reads.values())
        with engine.connect() as conn:
            vendor = conn.execute(
                select(func.count()).where(Charge.period == PERIOD, Charge.tier == "vendor")
            ).scalar_one()
        wall = figures["wall"]
        print(f"  bill run: {rows} lines ({vendor} vendor, {figures['documents']} documents)")
        peak = figures["peak_mb"]
        print(f"  wall {wall:.2f} s, {rows / wall:,.0f} lines/s, peak memory {peak:.0f} MB")
        print("  steps: " + ", ".join(f"{k} {v:.2f} s" for k, v in figures["steps"].items()))
        print(
            f"  plain INSERT ... SELECT of {rows} rows, committed: "
            + ", ".join(f"{k} {v:.2f} s" for k, v in reads.items())
            + f"; baseline {plain:.2f} s"
        )
        indexed = indexed_insert(engine)
        print(
            f"  the same rows into a table with charges' indexes: {indexed:.2f} s "
            f"({indexed / plain:.1f}x the baseline)"
        )
        ratio = wall / plain if plain else float("inf")
        print(
            f"  ratio {ratio:.1f}x (target <= {TARGET_RATIO:.0f}x); "
            f"wall {'under' if wall < TARGET_SECONDS else 'OVER'} {TARGET_SECONDS:.0f} s"
        )
        ttm_all(engine)
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--partners", type=int, default=10_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--subscriptions", type=int, default=1_000_000)
    parser.add_argument("--changes", type=float, default=0.02)
    parser.add_argument("--db", choices=("postgresql", "sqlite", "both"), default="both")
    parser.add_argument("--trace", action="store_true", help="print the slowest statements")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child)
        return
    for kind in ("postgresql", "sqlite") if args.db == "both" else (args.db,):
        bench(kind, args)


if __name__ == "__main__":
    main()
