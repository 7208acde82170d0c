"""The audit query window (PC:developer/get-a-record-of-partner-center-activity-by-user.md):
without dates the last 30 days; records are kept 90 days and an older start is refused."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from opencsp.audit.errors import InvalidAuditWindow


@dataclass(frozen=True)
class Window:
    start: datetime  # inclusive
    end: datetime  # exclusive


def query_window(
    start_date: date | None,
    end_date: date | None,
    *,
    now: datetime,
    default_days: int,
    retention_days: int,
) -> Window:
    """Dates are whole UTC days; ``endDate`` is inclusive of its day."""
    today = now.astimezone(UTC).date()
    start = start_date or today - timedelta(days=default_days)
    end = end_date or today
    if start < today - timedelta(days=retention_days):
        raise InvalidAuditWindow(
            description=f"startDate must be within the last {retention_days} days"
        )
    if end < start:
        raise InvalidAuditWindow(description="endDate must not be before startDate")
    return Window(
        start=datetime.combine(start, time.min, tzinfo=UTC),
        end=datetime.combine(end + timedelta(days=1), time.min, tzinfo=UTC),
    )
