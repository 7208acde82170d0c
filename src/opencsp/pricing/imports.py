"""Import of a monthly price list in Partner Center's new-commerce license-based layout
(file-formats.md §1), streamed: the file is read once with the csv module, each row is
checked and converted with cached look-ups (``pricelist_rows``: few distinct dates, codes
and SKUs), and rows go into ``price_rows`` in batches through ``core.db.bulk_insert`` — no
ORM object and no query per row, so memory stays flat for a million rows. Overlapping
effective ranges are found afterwards in SQL over the rows just written (``overlaps``).

A file with any problem is rejected whole (``PriceListRejected``) and nothing of it stays:
the rows are written inside a savepoint of the caller's transaction, rolled back on
rejection, and the caller (request, CLI command) rolls its transaction back as well."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import IO, Any

from sqlalchemy.orm import Session

from opencsp.audit import service as audit
from opencsp.core.actor import Actor
from opencsp.pricing import rules
from opencsp.pricing.errors import PriceListRejected
from opencsp.pricing.overlaps import overlapping_rows
from opencsp.pricing.pricelist_rows import RowConverter

HEADER_WITH_END_OF_SALE: tuple[str, ...] = (
    *rules.PRICE_LIST_COLUMNS[:16],
    "EndofSaleDate",
    *rules.PRICE_LIST_COLUMNS[16:],
)
"""The preview download's layout: ``EndofSaleDate`` between ``EffectiveEndDate`` and
``Tags`` (PC:pricing-and-offers.md)."""

READ_BUFFER = 1 << 20


@dataclass(frozen=True, slots=True)
class ListImported:
    """One market's list as written: its id, row count and status, and whether it
    replaced an earlier preview."""

    market_id: str
    price_list_id: uuid.UUID
    rows: int
    status: rules.ListStatus
    replaced: bool


@dataclass(frozen=True, slots=True)
class ImportSummary:
    month: date
    source_name: str
    lists: tuple[ListImported, ...]

    @property
    def rows(self) -> int:
        return sum(item.rows for item in self.lists)


class _CountingReader(io.RawIOBase):
    """The upload as a raw stream that reports how many bytes have been read so far."""

    def __init__(self, stream: IO[bytes], progress: Callable[[int], None] | None) -> None:
        self._stream = stream
        self._progress = progress
        self.bytes_read = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        data = self._stream.read(len(buffer))
        size = len(data)
        buffer[:size] = data
        self.bytes_read += size
        if self._progress is not None and size:
            self._progress(self.bytes_read)
        return size


def import_price_list(
    session: Session,
    actor: Actor,
    stream: IO[bytes],
    *,
    month: date,
    source_name: str,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import one month's price list for every market present in the file (UTF-8, an
    optional BOM, the verbatim header of file-formats.md §1, optionally with the preview's
    ``EndofSaleDate``). Each market gets one list for ``month`` with the status the month
    has today (``rules.status_for``: a past month back-fills as history); an existing
    preview is replaced whole, a current or past list raises ``PriceListLocked``.

    Every row is checked: exact decimal prices, the dates of the doc's forms (UTC), a
    known term and a billing plan allowed for it (rules.md §9b), a country of some market
    and a currency of that market's price lists (rules.md §4), a SKU of the catalog, tier
    minimum ≤ maximum, start ≤ end, and no two rows of one SKU × term × plan × currency ×
    tier minimum in a country with overlapping effective ranges (so that ``pick_row``
    has one answer). Any problem rejects the whole file with ``PriceListRejected``.
    ``progress`` is called with the number of bytes read so far. One audit record per
    list written."""
    importer = RowConverter(session, rules.month_of(month), source_name, actor.user_id)
    raw = _CountingReader(stream, progress)
    text = io.TextIOWrapper(
        io.BufferedReader(raw, buffer_size=READ_BUFFER), encoding="utf-8-sig", newline=""
    )
    with session.begin_nested():
        reader = csv.reader(text)
        try:
            _read(importer, reader)
        except UnicodeDecodeError as exc:
            importer.problem(reader.line_num + 1, "", f"the file is not UTF-8 text ({exc.reason})")
        except csv.Error as exc:
            importer.problem(reader.line_num, "", f"not readable as CSV ({exc})")
        importer.flush()
        if importer.lists:
            ids = [opened.listing.id for opened in importer.lists.values()]
            found, count = overlapping_rows(session, ids, limit=importer.limit)
            for line, other in found:
                importer.problem(
                    line,
                    "EffectiveStartDate",
                    f"the effective range overlaps that of line {other} for the same SKU, "
                    "term, billing plan, currency and tier of this market",
                )
            importer.total += count - len(found)
        if importer.total:
            raise PriceListRejected(
                source=source_name, problems=sorted(importer.problems), total=importer.total
            )
        return _finish(session, actor, importer)


def _finish(session: Session, actor: Actor, importer: RowConverter) -> ImportSummary:
    written = []
    for opened in sorted(importer.lists.values(), key=lambda item: item.market_id):
        opened.listing.row_count = opened.rows
        audit.record(
            session,
            actor,
            "import_price_list",
            "PriceList",
            resource_id=opened.listing.id,
            new={
                "marketId": opened.market_id,
                "month": rules.format_month(importer.month),
                "status": opened.listing.status,
                "rows": opened.rows,
                "sourceName": importer.source_name,
                "replacedPreview": opened.replaced,
            },
        )
        written.append(
            ListImported(
                market_id=opened.market_id,
                price_list_id=opened.listing.id,
                rows=opened.rows,
                status=rules.ListStatus(opened.listing.status),
                replaced=opened.replaced,
            )
        )
    session.flush()
    return ImportSummary(importer.month, importer.source_name, tuple(written))


def _read(importer: RowConverter, reader: Any) -> None:  # a csv.reader
    header = next(reader, None)
    if header is None:
        importer.problem(1, "", "the file is empty; expected the price-list header")
        return
    if tuple(header) == rules.PRICE_LIST_COLUMNS:
        with_end_of_sale = False
    elif tuple(header) == HEADER_WITH_END_OF_SALE:
        with_end_of_sale = True
    else:
        importer.problem(1, "", _header_problem(header))
        return
    width = len(header)
    for record in reader:
        line = reader.line_num
        if len(record) != width:
            if record:  # a blank line is no row
                importer.problem(line, "", f"{len(record)} fields; expected {width}")
            continue
        row = importer.convert(line, record, with_end_of_sale)
        if row is not None:
            importer.add(row)
    if not importer.lists and not importer.total:
        importer.problem(1, "", "the file has no price rows")


def _header_problem(header: list[str]) -> str:
    expected = rules.PRICE_LIST_COLUMNS
    for index, name in enumerate(expected):
        if index >= len(header) or header[index] != name:
            found = header[index] if index < len(header) else "nothing"
            return (
                f"column {index + 1} is {found!r}; expected {name!r} — the header must be "
                "exactly that of the new-commerce license-based price list "
                "(optionally with EndofSaleDate before Tags)"
            )
    return f"{len(header)} columns; expected {len(expected)}"
