"""Reference data the checkout gates read on every request (the buyer's enrollment and
agreements, markets, the catalog, price rows), kept in process between requests and
never trusted longer than the database says.

Every table of a *scope* carries a trigger (migration 0012) that gives the scope's row of
``cache_generations`` a fresh random token whenever a statement writes the table, in the
writer's own transaction. A reader reads the tokens (one statement), and a cached value is
used only while the tokens it was loaded under are still the current ones:

- a committed change is seen by the next statement of any transaction;
- a transaction sees its own uncommitted changes (its token is new to it alone), and a
  rolled-back change brings back the token and the data together;
- tokens are random, never counters, so one that comes back after a rollback, or from
  another database, always names the same data.

On PostgreSQL the trigger renews a scope's token once per transaction (a second update
of the same row in one transaction walks every version before it, so a transaction of
many small writes would slow down quadratically) and marks the scope as written in a
transaction-local setting, ``opencsp.renewed_<scope>``; rolling back to a savepoint undoes
both. The writer's own transaction then sees its token as ``None``: it caches nothing of
that scope, since its later writes no longer renew the token. SQLite renews the token
on every row written (in place, no versions), so no marker is needed there.

A value is read under tokens read *before* it, so it is never older than its tokens.
``OPENCSP_REFERENCE_CACHE_ENTRIES=0`` turns the cache off (every look-up reads)."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import String, func, literal, select, true
from sqlalchemy.orm import Mapped, Session, mapped_column

from opencsp.core.config import settings
from opencsp.core.db import Base

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)

SCOPES: Mapping[str, tuple[str, ...]] = {
    "partners": (
        "organizations",
        "partner_profiles",
        "enrollments",
        "partner_agreement_signatures",
        "partner_standings",
        "partner_qualifications",
    ),
    "markets": ("markets", "countries", "country_currencies"),
    "catalog": (
        "catalog_products",
        "catalog_skus",
        "catalog_sku_prerequisites",
        "catalog_availabilities",
        "catalog_availability_terms",
        "catalog_availability_countries",
    ),
    "prices": ("price_lists", "price_rows"),
}
"""Each scope and the tables whose writes renew its token."""


class CacheGeneration(Base):
    """A scope's current token (see the module docstring)."""

    __tablename__ = "cache_generations"

    scope: Mapped[str] = mapped_column(String(32), primary_key=True)
    token: Mapped[str] = mapped_column(String(36))


@dataclass(frozen=True, slots=True)
class Generations:
    """The tokens of every scope as one transaction read them."""

    tokens: Mapping[str, str | None]
    """A scope's token, or None for a scope this transaction has written (PostgreSQL)."""

    def stamp(self, scopes: tuple[str, ...]) -> tuple[str, ...] | None:
        """The tokens of ``scopes``, or None when one is written here: no caching."""
        found = tuple(self.tokens.get(scope, "") for scope in scopes)
        return None if None in found else found  # type: ignore[return-value]


RENEWED = "opencsp.renewed_"
"""The transaction-local setting the PostgreSQL trigger sets per scope it renewed."""

_READ = select(CacheGeneration.scope, CacheGeneration.token, literal("").label("mine"))
_READ_POSTGRES = select(
    CacheGeneration.scope,
    CacheGeneration.token,
    func.coalesce(func.current_setting(literal(RENEWED) + CacheGeneration.scope, true()), ""),
)


def read(session: Session) -> Generations | None:
    """The current tokens, in one statement; None when the cache is off."""
    if settings().reference_cache_entries <= 0:
        return None
    postgres = session.get_bind().dialect.name == "postgresql"
    rows = session.execute(_READ_POSTGRES if postgres else _READ)
    return Generations({scope: None if mine else token for scope, token, mine in rows})


class _Store:
    """A bounded LRU of (name, key) → (stamp, value), shared by a process's threads."""

    def __init__(self) -> None:
        self._entries: OrderedDict[tuple[str, Hashable], tuple[tuple[str, ...], object]]
        self._entries = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, name: str, key: Hashable, stamp: tuple[str, ...]) -> tuple[bool, object]:
        with self._lock:
            entry = self._entries.get((name, key))
            if entry is None or entry[0] != stamp:
                self.misses += 1
                return False, None
            self._entries.move_to_end((name, key))
            self.hits += 1
            return True, entry[1]

    def put(self, name: str, key: Hashable, stamp: tuple[str, ...], value: object) -> None:
        limit = settings().reference_cache_entries
        with self._lock:
            self._entries[(name, key)] = (stamp, value)
            self._entries.move_to_end((name, key))
            while len(self._entries) > limit:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)


store = _Store()


def _stamp(generations: Generations, scopes: tuple[str, ...]) -> tuple[str, ...] | None:
    unknown = [scope for scope in scopes if scope not in SCOPES]
    if unknown:
        raise ValueError(f"unknown cache scopes {unknown}")
    return generations.stamp(scopes)


def cached(
    generations: Generations | None,
    scopes: tuple[str, ...],
    name: str,
    key: Hashable,
    load: Callable[[], T],
) -> T:
    """``load()``'s value for ``key``, reused while the tokens of ``scopes`` in
    ``generations`` are those it was loaded under. The value must be immutable (frozen
    dataclasses, tuples, frozensets): every request shares it. Errors are not kept."""
    stamp = _stamp(generations, scopes) if generations is not None else None
    if stamp is None:
        return load()
    found, value = store.get(name, key, stamp)
    if found:
        return value  # type: ignore[return-value]
    fresh = load()
    store.put(name, key, stamp, fresh)
    return fresh


def cached_many(
    generations: Generations | None,
    scopes: tuple[str, ...],
    name: str,
    keys: list[K],
    load: Callable[[list[K]], Mapping[K, T]],
) -> dict[K, T]:
    """``cached`` for many keys at once: ``load`` gets the keys not cached (in one call,
    so one statement serves them all) and answers a value for each of them."""
    result: dict[K, T] = {}
    missing: list[K] = []
    stamp = _stamp(generations, scopes) if generations is not None else None
    for key in keys:
        found, value = store.get(name, key, stamp) if stamp is not None else (False, None)
        if found:
            result[key] = value  # type: ignore[assignment]
        else:
            missing.append(key)
    if missing:
        loaded = load(missing)
        for key in missing:
            result[key] = loaded[key]
            if stamp is not None:
                store.put(name, key, stamp, loaded[key])
    return result
