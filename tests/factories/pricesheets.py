"""Price-list files for import tests: rows in the new-commerce layout (file-formats.md §1)
built from test offers, written as the bytes an upload carries."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence

from opencsp.pricing.rules import PRICE_LIST_COLUMNS
from tests.factories.catalog import Offer

START = "2/1/2019 12:00:00 AM"
END = "11/30/9999 23:59"


def sheet_row(offer: Offer, unit_price: str = "120", **fields: str) -> list[str]:
    """One row for ``offer`` (P1Y annual, US, USD, open-ended from 2019); any column can
    be overridden by its header name with spaces removed (``ERPPrice="144"``)."""
    values = {
        "ProductTitle": offer.product.title,
        "ProductId": offer.product.id,
        "SkuId": offer.sku.id,
        "SkuTitle": offer.sku.title,
        "Publisher": offer.product.publisher,
        "SkuDescription": offer.sku.description,
        "UnitOfMeasure": "",
        "TermDuration": "P1Y",
        "BillingPlan": "Annual",
        "Market": "US",
        "Currency": "USD",
        "UnitPrice": unit_price,
        "PricingTierRangeMin": "",
        "PricingTierRangeMax": "",
        "EffectiveStartDate": START,
        "EffectiveEndDate": END,
        "Tags": "License",
        "ERP Price": "",
    }
    for key, value in fields.items():
        name = "ERP Price" if key == "ERPPrice" else key
        if name not in values:
            raise KeyError(name)
        values[name] = value
    return [values[name] for name in PRICE_LIST_COLUMNS]


def sheet(
    rows: Iterable[Sequence[str]],
    *,
    header: Sequence[str] = PRICE_LIST_COLUMNS,
    bom: bool = False,
    quote_all: bool = True,
) -> bytes:
    """The file: the header then ``rows``, every field double-quoted like Partner Center's
    download unless ``quote_all`` is off."""
    buffer = io.StringIO()
    writer = csv.writer(
        buffer, quoting=csv.QUOTE_ALL if quote_all else csv.QUOTE_MINIMAL, lineterminator="\r\n"
    )
    writer.writerow(header)
    writer.writerows(rows)
    return (b"\xef\xbb\xbf" if bom else b"") + buffer.getvalue().encode()
