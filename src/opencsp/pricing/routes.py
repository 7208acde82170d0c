"""Pricing under ``/v1/program/...``: price sheets (download in the new-commerce layout,
vendor upload), price lists and their statuses, the month-to-month change report, and FX
rates. Downloading prices needs ``Perm.PRICING_READ``, which indirect resellers never hold
(DESIGN.md §2: resellers cannot see price lists)."""

from __future__ import annotations

from typing import Annotated, ClassVar

from fastapi import APIRouter, File, Query, UploadFile
from fastapi.responses import StreamingResponse

from opencsp.core.actor import Actor, Perm
from opencsp.core.http import Collection, Resource
from opencsp.pricing import changes, exports, fx, imports, lifecycle, rules
from opencsp.pricing.schemas import (
    ActivationRead,
    ChangeReportRead,
    FxImportRead,
    PriceListRead,
)
from opencsp.web.deps import SessionDep, require, require_any

router = APIRouter(tags=["pricing"])

# --- price sheets: download and upload (pricing/exports.py, pricing/imports.py) ---------

SheetReader = Annotated[Actor, require(Perm.PRICING_READ)]
SheetUploader = Annotated[Actor, require(Perm.CATALOG_MANAGE)]


class PriceListImportedRead(Resource):
    """One market's list written by an upload."""

    OBJECT_TYPE: ClassVar[str] = "PriceListImport"

    market_id: str
    price_list_id: str
    status: str
    rows: int
    replaced_preview: bool


class PriceSheetImportRead(Resource):
    OBJECT_TYPE: ClassVar[str] = "PriceSheetImport"

    month: str
    source_name: str
    rows: int
    lists: list[PriceListImportedRead]

    @classmethod
    def of(cls, summary: imports.ImportSummary) -> PriceSheetImportRead:
        return cls(
            month=rules.format_month(summary.month),
            source_name=summary.source_name,
            rows=summary.rows,
            lists=[
                PriceListImportedRead(
                    market_id=item.market_id,
                    price_list_id=str(item.price_list_id),
                    status=item.status.value,
                    rows=item.rows,
                    replaced_preview=item.replaced,
                )
                for item in summary.lists
            ],
        )


@router.get("/program/pricesheets", response_class=StreamingResponse)
def download_price_sheet(
    session: SessionDep,
    actor: SheetReader,
    market: str,
    view: str = exports.VIEW,
    timeline: str | None = None,
    month: str | None = None,
) -> StreamingResponse:
    """A market's price list as CSV in the new-commerce layout (file-formats.md §1;
    PC:developer/get-a-price-sheet.md): ``timeline`` current (default), history with
    ``month``, or future — 404 when there is no preview. A partner sees only its own
    market (another answers 404); resellers are refused (403)."""
    lines = exports.price_sheet(
        session,
        actor,
        market=market,
        view=view,
        timeline=rules.parse_timeline(timeline),
        month=rules.parse_month(month) if month else None,
    )
    return StreamingResponse(
        lines,
        media_type="application/octet-stream",
        headers={"Content-Disposition": "attachment; filename=sheets.csv"},
    )


@router.put("/program/pricesheets", status_code=201, response_model=PriceSheetImportRead)
def upload_price_sheet(
    session: SessionDep,
    actor: SheetUploader,
    file: Annotated[UploadFile, File()],
    month: str,
) -> PriceSheetImportRead:
    """Import a month's price list (multipart ``file``): one list per market in the file,
    a preview replaced whole; 400 with every problem by line when the file is bad
    (nothing written), 409 when the month's list is current or past."""
    summary = imports.import_price_list(
        session,
        actor,
        file.file,
        month=rules.parse_month(month),
        source_name=file.filename or "upload.csv",
    )
    return PriceSheetImportRead.of(summary)


# --- price lists, activation, change report (pricing/lifecycle.py, pricing/changes.py) --

PricingReader = Annotated[Actor, require(Perm.PRICING_READ)]
CatalogManager = Annotated[Actor, require(Perm.CATALOG_MANAGE)]
ListActivator = Annotated[Actor, require_any(Perm.CATALOG_MANAGE, Perm.PROGRAM_ADMIN)]


@router.get("/program/pricelists", response_model=Collection[PriceListRead])
def list_price_lists(
    session: SessionDep, actor: PricingReader, market: str | None = None
) -> Collection[PriceListRead]:
    """The price lists the caller may see (the vendor: all; a partner: its region's),
    newest month first; ``market`` is a market id or one of its country codes."""
    items = [
        PriceListRead.of(pl) for pl in lifecycle.list_price_lists(session, actor, market=market)
    ]
    return Collection[PriceListRead](total_count=len(items), items=items)


@router.get("/program/pricelists/changes", response_model=ChangeReportRead)
def price_list_changes(
    session: SessionDep,
    actor: PricingReader,
    market: str,
    from_month: Annotated[str | None, Query(alias="from")] = None,
    to_month: Annotated[str | None, Query(alias="to")] = None,
) -> ChangeReportRead:
    """New, changed, removed and end-of-sale rows from one month's list to a later one;
    by default this month's against next month's preview (file-formats.md §1)."""
    report = changes.report_for_today(
        session,
        actor,
        market_id=market,
        from_month=rules.parse_month(from_month) if from_month else None,
        to_month=rules.parse_month(to_month) if to_month else None,
    )
    return ChangeReportRead.of(report)


@router.post("/program/pricelists/activate", response_model=ActivationRead)
def activate_price_lists(session: SessionDep, actor: ListActivator) -> ActivationRead:
    """Run the activation job now (it also runs on the clock as ``pricing.activate``)."""
    return ActivationRead.of(lifecycle.activate_lists(session, actor))


# --- FX rates (pricing/fx.py) ------------------------------------------------------------


@router.get("/program/fxrates", response_class=StreamingResponse)
def download_fx_rates(session: SessionDep, _actor: PricingReader, month: str) -> StreamingResponse:
    """A month's FX rates as CSV (Partner Center's ``fxrates(Month='YYYYMM')``,
    file-formats.md §6); 404 when the month has none."""
    first = rules.parse_month(month)
    lines = fx.export_fx_rates(session, first)
    name = f"fxrates-{first.year:04d}{first.month:02d}.csv"
    return StreamingResponse(
        lines,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f"attachment; filename={name}"},
    )


@router.put("/program/fxrates", response_model=FxImportRead)
def upload_fx_rates(
    session: SessionDep,
    actor: CatalogManager,
    file: Annotated[UploadFile, File()],
    month: str | None = None,
) -> FxImportRead:
    """Set a month's FX rates from a file in the download layout; rejected whole with
    every problem by line, and 409 once the month has begun and has rates."""
    wanted = rules.parse_month(month) if month else None
    return FxImportRead.of(fx.import_fx_rates(session, actor, file.file, month=wanted))
