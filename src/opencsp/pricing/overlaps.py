"""Which rows of freshly imported price lists overlap: two rows of one list for the same
SKU, term, billing plan, currency and tier minimum whose effective ranges share
an instant would give a transaction two prices (file-formats.md §1: the row whose range
contains the transaction date prices it). Found set-based in SQL — a window over each
group ordered by start, carrying the furthest end so far — so a million rows never pass
through Python. The countries of a market share its prices (the lookup reads the
market's list), so rows uploaded under two countries of one market still overlap."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, aliased

from opencsp.pricing.models import PriceRow

_GROUP = (
    PriceRow.price_list_id,
    PriceRow.product_id,
    PriceRow.sku_id,
    PriceRow.term_duration,
    PriceRow.billing_plan,
    PriceRow.currency,
    PriceRow.tier_min,
)


def overlapping_rows(
    session: Session, list_ids: Sequence[uuid.UUID], *, limit: int
) -> tuple[list[tuple[int, int]], int]:
    """``(line, earlier line it overlaps)`` for the first ``limit`` overlapping rows by
    line, and how many rows overlap an earlier one in all. Ranges are inclusive at both
    ends, so a row starting at the instant the previous one ends overlaps it."""
    reach = (
        func.max(PriceRow.effective_end)
        .over(
            partition_by=_GROUP,
            order_by=(PriceRow.effective_start, PriceRow.line),
            rows=(None, -1),
        )
        .label("reach")
    )
    ordered = (
        select(PriceRow.id, PriceRow.line, PriceRow.effective_start, reach)
        .where(PriceRow.price_list_id.in_(list_ids))
        .subquery("ordered")
    )
    overlapping = select(ordered.c.id, ordered.c.line).where(
        ordered.c.reach >= ordered.c.effective_start
    )
    total = session.scalar(select(func.count()).select_from(overlapping.subquery())) or 0
    if not total:
        return [], 0
    first = overlapping.order_by(ordered.c.line).limit(limit).subquery("first")
    row, other = aliased(PriceRow), aliased(PriceRow)
    same_group = [
        getattr(other, column.key) == getattr(row, column.key)
        for column in _GROUP
        if column.key != "tier_min"
    ]
    pairs = session.execute(
        select(row.line, func.min(other.line))
        .join(first, first.c.id == row.id)
        .join(
            other,
            and_(
                *same_group,
                or_(
                    other.tier_min == row.tier_min,
                    and_(other.tier_min.is_(None), row.tier_min.is_(None)),
                ),
                other.id != row.id,
                other.effective_start <= row.effective_start,
                other.effective_end >= row.effective_start,
            ),
        )
        .group_by(row.line)
        .order_by(row.line)
    ).all()
    return [(int(line), int(earlier)) for line, earlier in pairs], int(total)
