"""The month-to-month change report of one market's price lists (file-formats.md §1,
"Change detection": a row only in the later list is new; a row in both that differs is
changed, with a new EffectiveStartDate; a later row with an end is delete or end of sale;
a row absent from the later list is removed).

Rows are matched on (product, SKU, term, billing plan, currency, tier minimum). A list
may hold duplicate rows for one key (file-formats.md §1); each side is represented by
its latest-starting row, the newer price, as the price lookup picks. The work is
set-based SQL with left joins both ways (portable to SQLite, which lacks FULL OUTER
JOIN); lists are never loaded whole into Python."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from opencsp.catalog.models import Product, Sku
from opencsp.core import clock
from opencsp.core.actor import Actor
from opencsp.pricing import rules
from opencsp.pricing.errors import InvalidMonthRange, PriceListNotFound
from opencsp.pricing.lifecycle import market_id_of, visible_lists
from opencsp.pricing.models import PriceList, PriceRow

OPEN_ENDED_FROM = datetime(9999, 1, 1, tzinfo=UTC)
"""An effective end in year 9999 is the open-end placeholder (file-formats.md §1:
"Placeholder 9999 = open-ended"), whatever its day and time; anything earlier ends."""


class ChangeKind:
    NEW = "new"
    CHANGED = "changed"
    REMOVED = "removed"
    END_OF_SALE = "endOfSale"


@dataclass(frozen=True, slots=True)
class ChangeRow:
    """One row of the report: ``old_*`` from the earlier list, ``new_*`` from the later
    (None on the side the row is absent from)."""

    kind: str
    product_id: str
    sku_id: str
    product_title: str
    sku_title: str
    term_duration: str
    billing_plan: str
    currency: str
    tier_min: int | None
    old_unit_price: Decimal | None
    new_unit_price: Decimal | None
    old_erp_price: Decimal | None
    new_erp_price: Decimal | None
    old_effective_start: datetime | None
    new_effective_start: datetime | None
    effective_end: datetime | None
    end_of_sale: datetime | None


@dataclass(frozen=True, slots=True)
class ChangeReport:
    market_id: str
    from_month: date
    to_month: date
    new: tuple[ChangeRow, ...]
    changed: tuple[ChangeRow, ...]
    removed: tuple[ChangeRow, ...]
    end_of_sale: tuple[ChangeRow, ...]

    @property
    def is_empty(self) -> bool:
        return not (self.new or self.changed or self.removed or self.end_of_sale)


def default_months(
    from_month: date | None, to_month: date | None, *, today: date
) -> tuple[date, date]:
    """Unless told otherwise, compare this month's list with the next month's preview."""
    start = from_month or rules.month_of(today)
    return start, to_month or rules.next_month(start)


def change_report(
    session: Session,
    actor: Actor,
    *,
    market_id: str,
    from_month: date,
    to_month: date,
) -> ChangeReport:
    """The rows that are new, changed, removed or end of sale between ``from_month``'s
    list and ``to_month``'s list of a market the actor may see. A list that does not
    exist, or is not visible, is 404."""
    market = market_id_of(session, market_id)
    earlier_month, later_month = rules.month_of(from_month), rules.month_of(to_month)
    if earlier_month >= later_month:
        raise InvalidMonthRange(
            from_month=rules.format_month(earlier_month),
            to_month=rules.format_month(later_month),
        )
    earlier = _visible_list(session, actor, market, earlier_month)
    later = _visible_list(session, actor, market, later_month)
    buckets: dict[str, list[ChangeRow]] = {
        ChangeKind.NEW: [],
        ChangeKind.CHANGED: [],
        ChangeKind.REMOVED: [],
        ChangeKind.END_OF_SALE: [],
    }
    for statement in (_forward(earlier.id, later.id), _removed(earlier.id, later.id)):
        for row in session.execute(statement).mappings():
            change = _change_row(row)
            buckets[change.kind].append(change)
    return ChangeReport(
        market_id=market,
        from_month=earlier_month,
        to_month=later_month,
        new=tuple(buckets[ChangeKind.NEW]),
        changed=tuple(buckets[ChangeKind.CHANGED]),
        removed=tuple(buckets[ChangeKind.REMOVED]),
        end_of_sale=tuple(buckets[ChangeKind.END_OF_SALE]),
    )


def report_for_today(
    session: Session,
    actor: Actor,
    *,
    market_id: str,
    from_month: date | None = None,
    to_month: date | None = None,
) -> ChangeReport:
    """The report with the adapters' defaults: from this month to the month after."""
    start, end = default_months(from_month, to_month, today=clock.now().date())
    return change_report(session, actor, market_id=market_id, from_month=start, to_month=end)


def _visible_list(session: Session, actor: Actor, market_id: str, month: date) -> PriceList:
    found = session.scalar(
        visible_lists(session, actor).where(
            PriceList.market_id == market_id, PriceList.month == month
        )
    )
    if found is None:
        raise PriceListNotFound(timeline=rules.format_month(month), market=market_id)
    return found


_KEY = ("product_id", "sku_id", "term_duration", "billing_plan", "currency", "tier_key")


def _representatives(list_id: Any) -> Any:
    """One row per key of a list: the latest-starting (ties: the last written)."""
    tier_key = func.coalesce(PriceRow.tier_min, 0)
    rank = (
        func.row_number()
        .over(
            partition_by=(
                PriceRow.product_id,
                PriceRow.sku_id,
                PriceRow.term_duration,
                PriceRow.billing_plan,
                PriceRow.currency,
                tier_key,
            ),
            order_by=(PriceRow.effective_start.desc(), PriceRow.id.desc()),
        )
        .label("rank")
    )
    ranked = (
        select(
            PriceRow.product_id,
            PriceRow.sku_id,
            PriceRow.term_duration,
            PriceRow.billing_plan,
            PriceRow.currency,
            tier_key.label("tier_key"),
            PriceRow.tier_min,
            PriceRow.unit_price,
            PriceRow.erp_price,
            PriceRow.effective_start,
            PriceRow.effective_end,
            PriceRow.end_of_sale,
            rank,
        )
        .where(PriceRow.price_list_id == list_id)
        .subquery()
    )
    return select(ranked).where(ranked.c.rank == 1).subquery()


def _same_key(a: Any, b: Any) -> ColumnElement[bool]:
    return and_(*(a.c[name] == b.c[name] for name in _KEY))


def _titled(query: Select[Any], side: Any) -> Select[Any]:
    return query.outerjoin(Product, Product.id == side.c.product_id).outerjoin(
        Sku, and_(Sku.product_id == side.c.product_id, Sku.id == side.c.sku_id)
    )


def _columns(kind: Any, key_side: Any, old: Any, new: Any) -> list[Any]:
    return [
        kind.label("kind"),
        key_side.c.product_id,
        key_side.c.sku_id,
        func.coalesce(Product.title, "").label("product_title"),
        func.coalesce(Sku.title, "").label("sku_title"),
        key_side.c.term_duration,
        key_side.c.billing_plan,
        key_side.c.currency,
        key_side.c.tier_min,
        old.c.unit_price.label("old_unit_price"),
        new.c.unit_price.label("new_unit_price"),
        old.c.erp_price.label("old_erp_price"),
        new.c.erp_price.label("new_erp_price"),
        old.c.effective_start.label("old_effective_start"),
        new.c.effective_start.label("new_effective_start"),
        new.c.effective_end.label("effective_end"),
        new.c.end_of_sale.label("end_of_sale"),
    ]


def _order(side: Any) -> tuple[Any, ...]:
    return tuple(side.c[name] for name in _KEY)


def _forward(earlier_id: Any, later_id: Any) -> Select[Any]:
    """Later rows left-joined to earlier ones: new, end of sale, changed."""
    old, new = _representatives(earlier_id), _representatives(later_id)
    ending = or_(new.c.end_of_sale.is_not(None), new.c.effective_end < OPEN_ENDED_FROM)
    differs = or_(
        new.c.unit_price != old.c.unit_price,
        new.c.erp_price.is_distinct_from(old.c.erp_price),
        new.c.effective_start != old.c.effective_start,
    )
    kind = case(
        (old.c.product_id.is_(None), literal(ChangeKind.NEW)),
        (ending, literal(ChangeKind.END_OF_SALE)),
        (differs, literal(ChangeKind.CHANGED)),
        else_=literal(""),
    )
    query = select(*_columns(kind, new, old, new)).select_from(
        new.outerjoin(old, _same_key(new, old))
    )
    query = _titled(query, new).where(or_(old.c.product_id.is_(None), ending, differs))
    return query.order_by(*_order(new))


def _removed(earlier_id: Any, later_id: Any) -> Select[Any]:
    """Earlier rows with no later row of the same key."""
    old, new = _representatives(earlier_id), _representatives(later_id)
    query = select(*_columns(literal(ChangeKind.REMOVED), old, old, new)).select_from(
        old.outerjoin(new, _same_key(old, new))
    )
    return _titled(query, old).where(new.c.product_id.is_(None)).order_by(*_order(old))


def _change_row(row: Any) -> ChangeRow:
    return ChangeRow(
        kind=str(row["kind"]),
        product_id=row["product_id"],
        sku_id=row["sku_id"],
        product_title=row["product_title"],
        sku_title=row["sku_title"],
        term_duration=row["term_duration"],
        billing_plan=row["billing_plan"],
        currency=row["currency"],
        tier_min=row["tier_min"],
        old_unit_price=row["old_unit_price"],
        new_unit_price=row["new_unit_price"],
        old_erp_price=row["old_erp_price"],
        new_erp_price=row["new_erp_price"],
        old_effective_start=row["old_effective_start"],
        new_effective_start=row["new_effective_start"],
        effective_end=row["effective_end"],
        end_of_sale=row["end_of_sale"],
    )
