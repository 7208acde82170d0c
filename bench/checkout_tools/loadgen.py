"""The checkout benchmark's load generator: the second process of ``bench/checkout.py``.

Standard library only (it must cost the machine as little as possible next to the server
and PostgreSQL): one thread per client, each with its own keep-alive
``http.client.HTTPConnection`` to 127.0.0.1, a fresh ``MS-RequestId`` on every request.
Reads one JSON job on stdin, writes one JSON result on stdout.

Jobs (``mode``):

  carts     create ``count`` carts (one line each) with ``clients`` threads; returns them
  closed    saturation: ``clients`` threads each repeat one unit of work back to back for
            ``seconds`` (after ``warmup`` seconds whose results are discarded)
  open      a fixed ``rate`` of units a second for ``seconds``, latency counted from each
            unit's *scheduled* send time, so a stalled server cannot hide its queue
            (no coordinated omission); ``clients`` threads carry the sends; units not
            sent ``max(5, seconds)`` seconds after the phase's end count as dropped, with
            an infinite latency

A unit (``unit``) is ``order`` (cart POST then checkout POST, one order), ``checkout``
(the checkout POST of a cart made beforehand by ``carts``) or ``read`` (GET a customer: the
floor any authenticated request pays).
"""

from __future__ import annotations

import http.client
import json
import math
import resource
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Cart = tuple[str, str]  # (customer id, cart id)


class Failed(Exception):
    """A request that did not answer as a successful purchase does."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


@dataclass
class Tally:
    """One thread's results; merged at the end so the hot path takes no lock."""

    unit: list[float] = field(default_factory=list)  # seconds per unit of work
    cart: list[float] = field(default_factory=list)  # seconds per cart POST
    checkout: list[float] = field(default_factory=list)  # seconds per checkout POST
    errors: Counter[str] = field(default_factory=Counter)
    carts: list[Cart] = field(default_factory=list)
    late: float = 0.0  # worst lag of a send behind its schedule (open loop)
    dropped: int = 0  # units never sent: the server fell too far behind (open loop)

    def merge(self, other: Tally) -> None:
        self.unit += other.unit
        self.cart += other.cart
        self.checkout += other.checkout
        self.errors.update(other.errors)
        self.carts += other.carts
        self.late = max(self.late, other.late)
        self.dropped += other.dropped


class Client:
    """One keep-alive connection and the two calls of a purchase."""

    def __init__(self, job: dict[str, Any]) -> None:
        self.host, self.port = str(job["host"]), int(job["port"])
        self.token = str(job["token"])
        self.line = {
            "id": 0,
            "catalogItemId": job["catalogItemId"],
            "quantity": int(job.get("quantity", 1)),
            "termDuration": job["termDuration"],
            "billingCycle": job["billingCycle"],
        }
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)

    def _send(self, method: str, path: str, body: bytes | None) -> tuple[int, bytes]:
        headers = {
            "Authorization": f"Bearer {self.token}",
            "MS-RequestId": str(uuid.uuid4()),
            "Accept": "application/json",
        }
        if body:
            headers["Content-Type"] = "application/json"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            return response.status, response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.conn.close()  # reconnects on the next request
            raise Failed(type(exc).__name__) from None

    def create_cart(self, customer: str) -> Cart:
        body = json.dumps({"lineItems": [self.line]}).encode()
        status, data = self._send("POST", f"/v1/customers/{customer}/carts", body)
        if status not in (200, 201):
            raise Failed(f"cart {status} {_code(data)}")
        return customer, str(json.loads(data)["id"])

    def checkout(self, cart: Cart) -> None:
        customer, cart_id = cart
        path = f"/v1/customers/{customer}/carts/{cart_id}/checkout"
        status, data = self._send("POST", path, b"")
        if status not in (200, 201):
            raise Failed(f"checkout {status} {_code(data)}")
        result = json.loads(data)
        if result.get("orderErrors") or not result.get("orders", [None]):
            raise Failed(f"checkout orderErrors {_code(data)}")

    def read(self, customer: str) -> None:
        status, data = self._send("GET", f"/v1/customers/{customer}", None)
        if status != 200:
            raise Failed(f"read {status} {_code(data)}")

    def close(self) -> None:
        self.conn.close()


def _code(data: bytes) -> str:
    try:
        return str(json.loads(data).get("code", "?"))
    except (ValueError, AttributeError):
        return "?"


class Source:
    """Hands out the next customer (round robin) or the next pre-made cart, thread-safely."""

    def __init__(self, customers: list[str], carts: list[Cart]) -> None:
        self.customers, self.carts = customers, carts
        self.lock = threading.Lock()
        self.n = self.m = 0

    def next_index(self) -> int:
        """The next unit of work (a schedule slot, a cart to check out)."""
        with self.lock:
            self.n += 1
            return self.n - 1

    def customer(self) -> str:
        with self.lock:
            self.m += 1
            return self.customers[(self.m - 1) % len(self.customers)]

    def cart(self, index: int) -> Cart | None:
        return self.carts[index] if index < len(self.carts) else None


def _unit(client: Client, tally: Tally, kind: str, cart: Cart | None, source: Source) -> float:
    """Run one unit of work, recording its calls; the seconds it took."""
    began = time.perf_counter()
    if kind == "read":
        client.read(source.customer())
        return time.perf_counter() - began
    if kind == "order":
        cart = client.create_cart(source.customer())
        tally.cart.append(time.perf_counter() - began)
    assert cart is not None
    sent = time.perf_counter()
    client.checkout(cart)
    done = time.perf_counter()
    tally.checkout.append(done - sent)
    return done - began


def _closed(job: dict[str, Any], source: Source) -> tuple[Tally, float]:
    kind, seconds, warmup = job["unit"], float(job["seconds"]), float(job.get("warmup", 0))
    start = time.perf_counter() + 0.05
    measure_from, deadline = start + warmup, start + warmup + seconds
    ended = [deadline]

    def work(tally: Tally) -> None:
        client = Client(job)
        time.sleep(max(0.0, start - time.perf_counter()))
        while (now := time.perf_counter()) < deadline:
            cart = None
            if kind == "checkout":
                cart = source.cart(source.next_index())
                if cart is None:  # the carts ran out: the phase ends here
                    ended[0] = min(ended[0], now)
                    break
            keep = now >= measure_from
            try:
                took = _unit(client, tally if keep else Tally(), kind, cart, source)
            except Failed as exc:
                tally.errors[exc.what] += 1
                continue
            if keep:
                tally.unit.append(took)
        client.close()

    tally = _threads(int(job["clients"]), work)
    return tally, max(1e-9, min(ended[0], deadline) - measure_from)


def _open(job: dict[str, Any], source: Source) -> tuple[Tally, float]:
    kind, seconds, rate = job["unit"], float(job["seconds"]), float(job["rate"])
    total = int(seconds * rate)
    start = time.perf_counter() + 0.2
    give_up = start + seconds + max(5.0, seconds)  # time for a backlog to drain, no more

    def work(tally: Tally) -> None:
        client = Client(job)
        while (i := source.next_index()) < total:
            scheduled = start + i / rate
            if time.perf_counter() > give_up:
                tally.dropped += 1  # counted as an infinite latency
                continue
            wait = scheduled - time.perf_counter()
            if wait > 0:
                time.sleep(wait)
            else:
                tally.late = max(tally.late, -wait)
            cart = source.cart(i) if kind == "checkout" else None
            if kind == "checkout" and cart is None:
                tally.errors["no cart left"] += 1
                continue
            try:
                _unit(client, tally, kind, cart, source)
            except Failed as exc:
                tally.errors[exc.what] += 1
                continue
            tally.unit.append(time.perf_counter() - scheduled)
        client.close()

    tally = _threads(int(job["clients"]), work)
    return tally, seconds


def _carts(job: dict[str, Any], source: Source) -> tuple[Tally, float]:
    count = int(job["count"])
    began = time.perf_counter()

    def work(tally: Tally) -> None:
        client = Client(job)
        while source.next_index() < count:
            try:
                tally.carts.append(client.create_cart(source.customer()))
            except Failed as exc:
                tally.errors[exc.what] += 1
        client.close()

    tally = _threads(int(job["clients"]), work)
    return tally, time.perf_counter() - began


def _threads(count: int, work: Callable[[Tally], None]) -> Tally:
    tallies = [Tally() for _ in range(count)]
    threads = [threading.Thread(target=work, args=(t,), daemon=True) for t in tallies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    merged = Tally()
    for tally in tallies:
        merged.merge(tally)
    return merged


def percentile(samples: list[float], p: float) -> float | None:
    """Nearest-rank percentile in milliseconds; None without samples."""
    if not samples:
        return None
    ordered = sorted(samples)
    rank = max(1, min(len(ordered), -(-len(ordered) * p // 100)))
    return ordered[int(rank) - 1] * 1000


def _summary(samples: list[float]) -> dict[str, Any]:
    return {
        "n": len(samples),
        "p50": percentile(samples, 50),
        "p99": percentile(samples, 99),
        "max": max(samples) * 1000 if samples else None,
    }


MODES = {"closed": _closed, "open": _open, "carts": _carts}


def run(job: dict[str, Any]) -> dict[str, Any]:
    carts = [(str(c), str(k)) for c, k in job.get("carts", [])]
    source = Source([str(c) for c in job["customers"]], carts)
    tally, elapsed = MODES[job["mode"]](job, source)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    tally.unit += [math.inf] * tally.dropped
    return {
        "cpu_s": usage.ru_utime + usage.ru_stime,
        "elapsed": elapsed,
        "done": len(tally.unit) - tally.dropped,
        "dropped": tally.dropped,
        "per_second": (len(tally.unit) - tally.dropped) / elapsed,
        "unit": _summary(tally.unit),
        "cart": _summary(tally.cart),
        "checkout": _summary(tally.checkout),
        "errors": dict(tally.errors.most_common(10)),
        "error_count": sum(tally.errors.values()),
        "late_ms": tally.late * 1000,
        "carts": tally.carts,
    }


def main() -> int:
    json.dump(run(json.load(sys.stdin)), sys.stdout)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
