"""Where a checkout's time goes: ``bench/checkout.py --profile`` serves the app through this
script instead of ``opencsp serve`` (one worker, no access log) and drives it with a few
clients, then prints this script's findings.

Per request (cart POST, checkout POST) it counts the SQL statements, their time in the
driver, the commits, and the hops to a worker thread (``anyio.to_thread.run_sync``: the
unit-of-work middleware and every sync route or dependency make one each). To let cProfile
see the whole request, the hops run inline on the event loop thread in this mode, so the
server handles one request at a time: its throughput here is not the benchmark's figure;
the split of one request's time is.

    python bench/checkout_tools/profiled_server.py PORT OUT [--cprofile]
    # serves until SIGINT/SIGTERM, then writes OUT.json (counters; without --cprofile,
    # so that the times are not the profiler's) or OUT.prof (with it)
"""

from __future__ import annotations

import cProfile
import json
import pstats
import re
import sys
import time
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, MutableMapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio.to_thread

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


@dataclass
class Stats:
    sql: int = 0
    sql_s: float = 0.0
    commits: int = 0
    hops: int = 0
    statements: Counter[str] = field(default_factory=Counter)


current: ContextVar[Stats | None] = ContextVar("bench_request_stats", default=None)
ROUTES: dict[str, list[tuple[float, int, Stats]]] = defaultdict(list)
_LITERALS = re.compile(r"\s+")


def _route(method: str, path: str) -> str:
    if method == "GET" and path.count("/") == 3 and path.startswith("/v1/customers/"):
        return "customer GET"
    if path.endswith("/checkout"):
        return "checkout POST"
    if path.endswith("/carts"):
        return "cart POST"
    return "other"


def _statement(sql: str) -> str:
    text = _LITERALS.sub(" ", sql).strip()
    return text if len(text) <= 150 else text[:147] + "..."


def instrument() -> None:
    """SQL, commit and thread-hop counters on every engine; hops made inline."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    @event.listens_for(Engine, "before_cursor_execute")
    def _before(conn: Any, _cursor: Any, _sql: str, _params: Any, _ctx: Any, _many: bool) -> None:
        conn.info.setdefault("bench_t0", []).append(time.perf_counter())

    @event.listens_for(Engine, "after_cursor_execute")
    def _after(conn: Any, _cursor: Any, sql: str, _params: Any, _ctx: Any, _many: bool) -> None:
        took = time.perf_counter() - conn.info["bench_t0"].pop()
        stats = current.get()
        if stats is not None:
            stats.sql += 1
            stats.sql_s += took
            stats.statements[_statement(sql)] += 1

    @event.listens_for(Engine, "commit")
    def _commit(_conn: Any) -> None:
        stats = current.get()
        if stats is not None:
            stats.commits += 1

    async def inline(func: Callable[..., Any], *args: Any, **_options: Any) -> Any:
        stats = current.get()
        if stats is not None:
            stats.hops += 1
        return func(*args)

    anyio.to_thread.run_sync = inline  # type: ignore[assignment]


class Measure:
    """Outermost ASGI layer: one ``Stats`` per request, kept by route."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        stats, status = Stats(), [0]
        token = current.set(stats)
        began = time.perf_counter()

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status[0] = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, watch)
        finally:
            current.reset(token)
            ROUTES[_route(scope["method"], scope["path"])].append(
                (time.perf_counter() - began, status[0], stats)
            )


def _findings() -> dict[str, Any]:
    found: dict[str, Any] = {}
    for route, rows in ROUTES.items():
        ok = [r for r in rows if r[1] < 400] or rows
        n = len(ok)
        statements: Counter[str] = Counter()
        for _, _, stats in ok:
            statements.update(stats.statements)
        found[route] = {
            "requests": len(rows),
            "failed": len(rows) - len([r for r in rows if r[1] < 400]),
            "wall_ms": sum(r[0] for r in ok) * 1000 / n,
            "sql": sum(r[2].sql for r in ok) / n,
            "sql_ms": sum(r[2].sql_s for r in ok) * 1000 / n,
            "commits": sum(r[2].commits for r in ok) / n,
            "hops": sum(r[2].hops for r in ok) / n,
            "statements": [(s, c / n) for s, c in statements.most_common(40)],
        }
    return found


def serve(port: int, out: Path, *, with_cprofile: bool) -> None:
    import uvicorn

    from opencsp.web.app import create_app

    instrument()
    config = uvicorn.Config(
        Measure(create_app()), host="127.0.0.1", port=port, access_log=False, log_level="warning"
    )
    profiler = cProfile.Profile()
    if with_cprofile:
        profiler.enable()
    try:
        uvicorn.Server(config).run()
    except KeyboardInterrupt:  # uvicorn re-raises the signal after its graceful shutdown
        pass
    finally:
        profiler.disable()
    if with_cprofile:
        profiler.dump_stats(out.with_suffix(".prof"))
    else:
        out.with_suffix(".json").write_text(json.dumps(_findings()))


def report(out: Path, *, top: int = 25) -> None:
    """Print what the profiled server found."""
    found = json.loads(out.with_suffix(".json").read_text())
    print("per request (successful ones; one worker, thread hops inline, no profiler):")
    for route in ("customer GET", "cart POST", "checkout POST", "other"):
        if route not in found:
            continue
        f = found[route]
        print(
            f"  {route:<14} n={f['requests']:<5} failed={f['failed']:<4} "
            f"wall {f['wall_ms']:6.2f} ms   SQL {f['sql']:5.1f} statements "
            f"{f['sql_ms']:6.2f} ms   commits {f['commits']:.1f}   thread hops {f['hops']:.1f}   "
            f"Python (wall - SQL) {f['wall_ms'] - f['sql_ms']:6.2f} ms"
        )
    for route in ("cart POST", "checkout POST"):
        if route in found:
            print(f"\nSQL statements per {route} (count per request, most frequent first):")
            for statement, count in found[route]["statements"]:
                print(f"  {count:5.2f}  {statement}")
    stats = pstats.Stats(str(out.with_suffix(".prof")))
    print(f"\ncProfile, top {top} by own time (profile in {out.with_suffix('.prof')}):")
    stats.sort_stats("tottime").print_stats(top)
    print(f"cProfile, top {top} opencsp functions by cumulative time:")
    stats.sort_stats("cumulative").print_stats(r"opencsp", top)


if __name__ == "__main__":
    serve(int(sys.argv[1]), Path(sys.argv[2]), with_cprofile="--cprofile" in sys.argv[3:])
