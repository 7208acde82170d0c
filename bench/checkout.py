"""How fast partners can buy (issue 5 target: at least 300 checkouts/s, p99 under 100 ms at
100 checkouts/s), next to what PostgreSQL itself does on this machine (pgbench TPC-B).

Starts a throwaway PostgreSQL cluster (the tests' own: tests/support/postgres.py, whose
settings are printed), migrates it, seeds a direct-bill partner with an API token and
``--customers`` customers who accepted the customer agreement, an NCE offer and this
month's price list, then serves the app with ``opencsp serve --workers W`` on 127.0.0.1
and drives it from a second process (checkout_tools/loadgen.py: keep-alive connections,
one thread per client, a fresh MS-RequestId on every request). An *order* is a cart POST
(one line, one seat, P1Y monthly) followed by its checkout POST; the checkout call is also
measured alone, on carts made beforehand. Phases, each ``--seconds`` long; the figures are
medians over ``--repeats`` runs:

  saturation  ``--clients`` closed-loop clients: orders/s, and checkouts/s alone
  latency     open loop at ``--rate`` a second: p50/p99 from each scheduled send time
              (no coordinated omission), for orders and for checkouts alone
  floor       the same clients reading a customer (GET, authenticated): the requests/s
              any API call can reach here, for scale
  pgbench     TPC-B (``pgbench -i -s 10``; ``-c 8 -j 2``) on the same cluster: tps

Each ``--workers`` count is tried in a saturation run first and the best one is kept.
``--profile`` instead serves one instrumented worker (checkout_tools/profiled_server.py)
and prints where a cart and a checkout spend their time: SQL statements, commits, thread
hops, cProfile.

    .venv/bin/python bench/checkout.py                  # the full run, about 8 minutes
    .venv/bin/python bench/checkout.py --quick          # a smoke run, under a minute
    .venv/bin/python bench/checkout.py --profile --seconds 10
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sqlalchemy import select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from tests.factories import commerce, parties  # noqa: E402
from tests.support import postgres  # noqa: E402

from opencsp.agreements import queries as agreements  # noqa: E402
from opencsp.agreements.models import AgreementTemplate, CustomerAgreement  # noqa: E402
from opencsp.core import migrate  # noqa: E402
from opencsp.core.config import settings  # noqa: E402
from opencsp.core.db import build_engine, new_session  # noqa: E402

TOOLS = Path(__file__).resolve().parent / "checkout_tools"
TARGET_RATE = 300.0  # checkouts/s at saturation
TARGET_P99_MS = 100.0  # at --rate (100 a second)
SERVER_ENV = {"OPENCSP_THROTTLE_PER_MINUTE": "100000000"}
"""The per-tenant throttle (500 a minute by default) would cap the one partner at 8/s."""
PG_SETTINGS = (
    "server_version",
    "fsync",
    "synchronous_commit",
    "full_page_writes",
    "shared_buffers",
    "max_connections",
)


def pg_settings(url: str) -> str:
    engine = build_engine(url)
    try:
        with engine.connect() as conn:
            return ", ".join(
                f"{name}={conn.execute(text(f'SHOW {name}')).scalar()}" for name in PG_SETTINGS
            )
    finally:
        engine.dispose()


def seed(url: str, customers: int) -> dict[str, Any]:
    """Migrate and write the buyer, its customers and the offer; what the load needs."""
    engine = build_engine(url)
    try:
        with engine.connect() as conn:
            migrate.upgrade(conn)
            conn.commit()
        # one admin password hash for every customer: the KDF costs ~0.1 s a call
        parties.hash_password = functools.cache(parties.hash_password)  # type: ignore[attr-defined]
        with new_session(engine) as session:
            scene = commerce.scene(session)
            # the buyer's own partner agreement (900124 without it), unless the scene signs it
            if not agreements.has_signed_partner_agreement(
                session, scene.direct.org.id, commerce.MARKET
            ):
                mpa = parties.template(session, "MicrosoftPartnerAgreement", region=commerce.MARKET)
                parties.signed(session, scene.direct.org, commerce.MARKET, mpa)
            mca = session.get(  # the template the scene's customers accepted
                AgreementTemplate,
                session.scalars(
                    select(CustomerAgreement.template_id).where(
                        CustomerAgreement.customer_id == scene.direct_customer.id
                    )
                ).first(),
            )
            assert mca is not None
            ids = [str(scene.direct_customer.id)]
            for _ in range(customers - 1):
                row = parties.customer(session, scene.direct.org)
                parties.accepted(session, row, mca)
                ids.append(str(row.id))
            session.commit()
            return {
                "token": scene.direct.token,
                "customers": ids,
                "catalogItemId": scene.offer.catalog_item_id,
                "termDuration": "P1Y",
                "billingCycle": "Monthly",
            }
    finally:
        engine.dispose()


def _opencsp() -> str:
    beside = Path(sys.executable).parent / "opencsp"
    return str(beside) if beside.exists() else shutil.which("opencsp") or "opencsp"


def _wait_ready(port: int, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the server exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/", timeout=2):
                return
        except urllib.error.HTTPError:
            return  # it answers (404 and 401 are answers)
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"the server did not answer in 90 s:\n{log.read_text()[-3000:]}")


@contextmanager
def server(
    url: str, workers: int, folder: Path, *, profile: Path | None = None, cprofile: bool = False
) -> Iterator[int]:
    """``opencsp serve`` (or the profiling server) on a free loopback port."""
    port = postgres.free_port()
    env = os.environ | SERVER_ENV | {"OPENCSP_DATABASE_URL": url, "OPENCSP_DATA_DIR": str(folder)}
    if profile is None:
        cmd = [_opencsp(), "serve", "--host", "127.0.0.1", "--port", str(port)]
        cmd += ["--workers", str(workers), "--no-access-log"]
    else:
        cmd = [sys.executable, str(TOOLS / "profiled_server.py"), str(port), str(profile)]
        cmd += ["--cprofile"] if cprofile else []
    log = folder / f"server-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    try:
        _wait_ready(port, process, log)
        yield port
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def load(port: int, shop: dict[str, Any], **job: Any) -> dict[str, Any]:
    """Run one job of bench/checkout_tools/loadgen.py in a second process; its JSON result."""
    job = shop | {"host": "127.0.0.1", "port": port} | job
    done = subprocess.run(
        [sys.executable, str(TOOLS / "loadgen.py")],
        input=json.dumps(job).encode(),
        capture_output=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"load generator failed:\n{done.stderr.decode()[-3000:]}")
    result: dict[str, Any] = json.loads(done.stdout)
    if result["error_count"]:
        print(f"    errors ({job['mode']} {job.get('unit', 'carts')}): {result['errors']}")
    return result


def carts(port: int, shop: dict[str, Any], count: int, clients: int) -> list[list[str]]:
    made: list[list[str]] = load(port, shop, mode="carts", count=count, clients=clients)["carts"]
    return made


def _pg(url: str, program: str) -> list[str]:
    port = make_url(url).port
    return [
        str(postgres._bin_dir() / program),
        "-h",
        "127.0.0.1",
        "-p",
        str(port),
        "-U",
        "postgres",
    ]


def pgbench_init(url: str, scale: int) -> None:
    """A ``pgbench`` database beside ``opencsp``, filled at ``scale`` (100,000 rows each)."""
    subprocess.run([*_pg(url, "createdb"), "pgbench"], check=True)
    init = [*_pg(url, "pgbench"), "-i", "-q", "-s", str(scale), "pgbench"]
    subprocess.run(init, check=True, capture_output=True)


def pgbench(url: str, seconds: float) -> float:
    """TPC-B transactions/s on the cluster: 8 clients, 2 threads."""
    cmd = [*_pg(url, "pgbench"), "-c", "8", "-j", "2", "-T", str(max(1, round(seconds)))]
    done = subprocess.run([*cmd, "pgbench"], check=True, capture_output=True, text=True)
    found = re.search(r"tps = ([\d.]+) \(without initial", done.stdout)
    if found is None:
        raise RuntimeError(f"no tps in pgbench output:\n{done.stdout}")
    return float(found.group(1))


def choose_workers(url: str, shop: dict[str, Any], args: argparse.Namespace, folder: Path) -> int:
    if len(args.workers) == 1:
        return int(args.workers[0])
    rates: dict[int, float] = {}
    for workers in args.workers:
        with server(url, workers, folder) as port:
            run = load(
                port,
                shop,
                mode="closed",
                unit="order",
                clients=args.clients,
                seconds=args.seconds,
                warmup=args.warmup,
            )
        rates[workers] = float(run["per_second"])
        print(
            f"  workers {workers}: {rates[workers]:7.1f} orders/s "
            f"(closed loop, {args.clients} clients)"
        )
    best = max(rates, key=lambda w: rates[w])
    print(f"  -> {best} workers")
    return best


def _ms(value: float | None) -> float:
    return math.nan if value is None else float(value)


def one_run(
    url: str, port: int, shop: dict[str, Any], args: argparse.Namespace
) -> dict[str, float]:
    """One repeat of every phase; its figures by name."""
    seconds, clients, rate = args.seconds, args.clients, args.rate
    got: dict[str, float] = {}
    got["pgbench tps"] = pgbench(url, args.pg_seconds)
    run = load(
        port,
        shop,
        mode="closed",
        unit="order",
        clients=clients,
        seconds=seconds,
        warmup=args.warmup,
    )
    got["orders/s"] = run["per_second"]
    got["order p50 ms (saturated)"] = _ms(run["unit"]["p50"])
    got["cart POST p50 ms (saturated)"] = _ms(run["cart"]["p50"])
    got["checkout POST p50 ms (saturated)"] = _ms(run["checkout"]["p50"])
    got["load generator CPU % (saturated)"] = 100 * run["cpu_s"] / (seconds + args.warmup)
    run = load(port, shop, mode="closed", unit="read", clients=clients, seconds=seconds / 2)
    got["floor: GET customer/s"] = run["per_second"]
    # enough carts for the checkout-alone phase not to run dry (it stops early if it does)
    want = min(200_000, math.ceil(run["per_second"] * 3 * seconds) + 100)
    made = carts(port, shop, want, clients)
    run = load(
        port, shop, mode="closed", unit="checkout", clients=clients, seconds=seconds, carts=made
    )
    got["checkouts/s (checkout alone)"] = run["per_second"]
    made = carts(port, shop, math.ceil(rate * seconds) + 10, clients)
    open_clients = max(clients, 32)
    run = load(
        port,
        shop,
        mode="open",
        unit="checkout",
        clients=open_clients,
        rate=rate,
        seconds=seconds,
        carts=made,
    )
    got[f"checkout p50 ms @{rate:g}/s"] = _ms(run["unit"]["p50"])
    got[f"checkout p99 ms @{rate:g}/s"] = _ms(run["unit"]["p99"])
    run = load(
        port, shop, mode="open", unit="order", clients=open_clients, rate=rate, seconds=seconds
    )
    got[f"order p50 ms @{rate:g}/s"] = _ms(run["unit"]["p50"])
    got[f"order p99 ms @{rate:g}/s"] = _ms(run["unit"]["p99"])
    got[f"order: send lag max ms @{rate:g}/s"] = run["late_ms"]
    got[f"order: dropped (never sent) @{rate:g}/s"] = run["dropped"]
    return got


def report(runs: list[dict[str, float]], workers: int, args: argparse.Namespace) -> int:
    medians = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    print(f"\nmedians of {len(runs)} run(s), {workers} uvicorn workers, {args.clients} clients:")
    for name, value in medians.items():
        print(f"  {name:<36} {value:10.1f}")
    orders, tps = medians["orders/s"], medians["pgbench tps"]
    alone = medians["checkouts/s (checkout alone)"]
    p99 = medians[f"order p99 ms @{args.rate:g}/s"]
    print(f"  {'orders/s ÷ pgbench tps':<36} {orders / tps:10.3f}")
    print(f"  {'checkouts/s alone ÷ pgbench tps':<36} {alone / tps:10.3f}")
    rate_met, p99_met = orders >= TARGET_RATE, p99 < TARGET_P99_MS
    alone_p99 = medians[f"checkout p99 ms @{args.rate:g}/s"]
    print(
        f"target ≥ {TARGET_RATE:.0f} orders/s: {'met' if rate_met else 'MISSED'} ({orders:.1f}; "
        f"checkout call alone {alone:.1f}/s); p99 < {TARGET_P99_MS:.0f} ms at {args.rate:g} "
        f"orders/s: {'met' if p99_met else 'MISSED'} ({p99:.1f} ms; checkout call alone "
        f"{alone_p99:.1f} ms)"
    )
    return 0 if rate_met and p99_met else 1


def profile(url: str, shop: dict[str, Any], args: argparse.Namespace, folder: Path) -> int:
    sys.path.insert(0, str(TOOLS))
    import profiled_server

    out = folder / "checkout-profile"
    for cprofile in (False, True):  # counters and true times first, then cProfile's view
        with server(url, 1, folder, profile=out, cprofile=cprofile) as port:
            load(port, shop, mode="closed", unit="read", clients=1, seconds=args.seconds)
            load(port, shop, mode="closed", unit="order", clients=1, seconds=args.seconds)
    kept = Path(tempfile.gettempdir()) / "opencsp-checkout.prof"
    shutil.copy(out.with_suffix(".prof"), kept)
    profiled_server.report(out)
    print(f"profile kept in {kept} (python -m pstats {kept})")
    return 0


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=15, help="length of each phase")
    parser.add_argument("--clients", type=int, default=16, help="closed-loop clients")
    parser.add_argument("--rate", type=float, default=100, help="open-loop orders a second")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 4])
    parser.add_argument("--customers", type=int, default=500)
    parser.add_argument("--warmup", type=float, default=2, help="seconds before measuring")
    parser.add_argument("--pg-seconds", type=float, default=None, help="default: --seconds")
    parser.add_argument("--pg-scale", type=int, default=10)
    parser.add_argument("--quick", action="store_true", help="a few seconds a phase, one run")
    parser.add_argument("--profile", action="store_true", help="where a checkout's time goes")
    if "--quick" in sys.argv[1:]:  # smaller defaults; options given explicitly still win
        parser.set_defaults(seconds=3, repeats=1, warmup=0.5, workers=[2], customers=50, pg_scale=1)
    args = parser.parse_args()
    args.pg_seconds = args.pg_seconds or args.seconds
    if args.profile:
        args.clients = 1  # the profiled server runs one request at a time anyway
    return args


def main() -> int:
    args = arguments()
    with tempfile.TemporaryDirectory(prefix="bench-checkout-") as name, postgres.cluster() as url:
        folder = Path(name)
        os.environ["OPENCSP_DATA_DIR"] = str(folder)
        settings.cache_clear()
        print(f"PostgreSQL (the tests' throwaway cluster): {pg_settings(url)}")
        print(f"cores {os.cpu_count()}; server env {SERVER_ENV}")
        began = time.perf_counter()
        shop = seed(url, args.customers)
        print(f"seeded {len(shop['customers'])} customers in {time.perf_counter() - began:.1f} s")
        if args.profile:
            return profile(url, shop, args, folder)
        workers = choose_workers(url, shop, args, folder)
        pgbench_init(url, args.pg_scale)
        runs = []
        with server(url, workers, folder) as port:
            for n in range(args.repeats):
                runs.append(one_run(url, port, shop, args))
                print(f"  run {n + 1}: " + ", ".join(f"{k} {v:.1f}" for k, v in runs[-1].items()))
        return report(runs, workers, args)


if __name__ == "__main__":
    raise SystemExit(main())
