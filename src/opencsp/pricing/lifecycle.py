"""The life of a month's price list: who sees which lists, and the activation job that
makes next month's preview current on the 1st and the list it replaces history
(PC:pricing-and-offers.md: license-based lists update on the 1st of each month with a
30-day preview; rules.md §11)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Select, select, update
from sqlalchemy.orm import Session

from opencsp.audit import service as audit
from opencsp.core import clock
from opencsp.core.actor import Actor, Perm
from opencsp.markets import queries as markets
from opencsp.partners import queries as partners
from opencsp.pricing import rules
from opencsp.pricing.models import PriceList


def market_id_of(session: Session, market: str) -> str:
    """A market named by its id (``europe``) or, as Partner Center names price-sheet
    markets, by a two-letter country of it (``DE`` → ``europe``). Unknown → 404."""
    value = market.strip()
    if len(value) == 2:
        return markets.market_for(session, value).id
    return markets.get_market(session, value).id


def visible_markets(session: Session, actor: Actor) -> frozenset[str] | None:
    """The markets whose price lists the actor may read; None means every market. The
    vendor sees all; a partner holding ``Perm.PRICING_READ`` sees its own region's lists
    only (a partner sells in the markets of its location, rules.md §4); indirect
    resellers, who never hold it, see none (DESIGN.md §1)."""
    if actor.is_vendor:
        return None
    if not actor.can(Perm.PRICING_READ):
        return frozenset()
    region = partners.region_of(session, actor.organization_id)
    return frozenset() if region is None else frozenset({region})


def visible_lists(session: Session, actor: Actor) -> Select[PriceList]:
    """Every read of price lists for an actor starts here."""
    query = select(PriceList)
    allowed = visible_markets(session, actor)
    if allowed is not None:
        query = query.where(PriceList.market_id.in_(sorted(allowed)))
    return query


def list_price_lists(
    session: Session, actor: Actor, *, market: str | None = None
) -> Sequence[PriceList]:
    """The price lists the actor may see, newest month first, by market; ``market`` (an
    id or a country code) narrows to one market, and a market the actor may not see
    simply has no lists for it."""
    query = visible_lists(session, actor)
    if market is not None and market.strip():
        query = query.where(PriceList.market_id == market_id_of(session, market))
    return session.scalars(query.order_by(PriceList.month.desc(), PriceList.market_id)).all()


@dataclass(frozen=True, slots=True)
class ActivationChange:
    market_id: str
    month: date
    old_status: rules.ListStatus
    new_status: rules.ListStatus

    def __str__(self) -> str:
        return (
            f"{self.market_id} {rules.format_month(self.month)}: "
            f"{self.old_status.value} -> {self.new_status.value}"
        )


@dataclass(frozen=True, slots=True)
class ActivationSummary:
    """What one run of the activation job changed (nothing on a second run)."""

    at: datetime
    changes: tuple[ActivationChange, ...]

    @property
    def activated(self) -> int:
        return sum(c.new_status is rules.ListStatus.CURRENT for c in self.changes)

    @property
    def retired(self) -> int:
        return sum(c.new_status is rules.ListStatus.HISTORY for c in self.changes)

    def __str__(self) -> str:
        if not self.changes:
            return "every price list already has its status"
        return f"{len(self.changes)} changed: " + "; ".join(str(c) for c in self.changes)


def activate_lists(session: Session, actor: Actor) -> ActivationSummary:
    """Converge every list to its status today (``rules.converged_statuses``): on the 1st
    the month's preview becomes current (``activated_at`` set) and the list it replaces
    becomes history. Each change is a compare-and-set on the status it was read with, so
    a second run, a run after a crash or a concurrent worker changes nothing twice; each
    change is audited."""
    now = clock.now()
    today = now.date()
    by_market: dict[str, list[PriceList]] = defaultdict(list)
    for price_list in session.scalars(select(PriceList).order_by(PriceList.month)):
        by_market[price_list.market_id].append(price_list)
    changes: list[ActivationChange] = []
    for market_id in sorted(by_market):
        lists = by_market[market_id]
        targets = rules.converged_statuses((pl.month for pl in lists), today)
        for price_list in lists:
            change = _converge(session, actor, price_list, targets[price_list.month], now)
            if change is not None:
                changes.append(change)
    return ActivationSummary(at=now, changes=tuple(changes))


def _converge(
    session: Session,
    actor: Actor,
    price_list: PriceList,
    target: rules.ListStatus,
    now: datetime,
) -> ActivationChange | None:
    old = rules.ListStatus(price_list.status)
    if old is target:
        return None
    values: dict[str, object] = {"status": target.value}
    if target is rules.ListStatus.CURRENT and price_list.activated_at is None:
        values["activated_at"] = now
    claimed = session.execute(
        update(PriceList)
        .where(PriceList.id == price_list.id, PriceList.status == old.value)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if getattr(claimed, "rowcount", 0) != 1:
        return None  # another run got there first
    session.refresh(price_list)
    audit.record(
        session,
        actor,
        "pricelist.status_changed",
        "PriceList",
        resource_id=price_list.id,
        old={"status": old.value},
        new={"status": target.value},
        data={"market": price_list.market_id, "month": rules.format_month(price_list.month)},
    )
    return ActivationChange(price_list.market_id, price_list.month, old, target)
