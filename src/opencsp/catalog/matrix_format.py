"""The offer matrix as text, pure: one row parsed into values with every problem it has
(by column), one SKU formatted as a row (file-formats.md §2). ``catalog.matrix`` reads and
writes the database around these."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass, field

from opencsp.catalog import rules
from opencsp.catalog.validation import is_product_id, is_sku_id

MATRIX_FILENAME = "updatedoffice.csv"


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an uploaded matrix: the file's line number (the header is
    line 1), the column, and what is wrong."""

    line: int
    column: str
    problem: str

    def as_data(self) -> dict[str, object]:
        return {"line": self.line, "column": self.column, "problem": self.problem}


@dataclass(frozen=True, slots=True)
class MatrixRow:
    product_title: str
    product_id: str
    sku_id: str
    sku_title: str
    provisioning_id: str | None
    provisioning_string: str | None
    min_quantity: int
    max_quantity: int
    asset_ownership_limit: int | None
    asset_ownership_limit_type: str | None
    prerequisites: tuple[tuple[str, str], ...]
    conversions: tuple[tuple[str, str], ...]
    description: str
    countries: tuple[str, ...] = field(default=())


_Bad = Callable[[str, str], None]

_PAIR = re.compile(r"\s*([A-Za-z0-9-]{1,36})/([A-Za-z0-9]{4})\s*")


def is_header(line: str) -> bool:
    """The first line must be the verbatim header (a UTF-8 byte-order mark and either line
    ending are tolerated)."""
    return line.lstrip("\ufeff").rstrip("\r\n") == rules.OFFER_MATRIX_HEADER.rstrip("\r\n")


def parse_row(
    values: list[str], line: int, *, known_countries: Collection[str]
) -> tuple[MatrixRow | None, list[Problem]]:
    """A row's values, or every problem it has: 14 columns; IDs of the catalog's form; a
    title for product and SKU; whole numbers with 1 <= MinLicenses <= MaxLicenses; an
    asset-ownership limit with its type or neither; ``ProductId/SkuId`` lists; at least
    one known country, ``;``-separated (rules.md §9i, file-formats.md §2)."""
    cols = rules.OFFER_MATRIX_COLUMNS
    if len(values) != len(cols):
        return None, [Problem(line, "", f"expected {len(cols)} columns, found {len(values)}")]
    v = dict(zip(cols, (x.strip() for x in values), strict=True))
    problems: list[Problem] = []

    def bad(column: str, problem: str) -> None:
        problems.append(Problem(line, column, problem))

    product_id, sku_id = v["ProductId"].upper(), v["SkuId"].upper()
    if not is_product_id(product_id):
        bad("ProductId", f"not a product ID: {v['ProductId']!r}")
    if not is_sku_id(sku_id):
        bad("SkuId", f"not a SKU ID (4 letters or digits): {v['SkuId']!r}")
    for column in ("ProductTitle", "SkuTitle"):
        if not v[column]:
            bad(column, "empty")
    minimum = _whole(v["MinLicenses"], "MinLicenses", bad)
    maximum = _whole(v["MaxLicenses"], "MaxLicenses", bad)
    if minimum is not None and maximum is not None and not 1 <= minimum <= maximum:
        bad("MaxLicenses", f"need 1 <= MinLicenses <= MaxLicenses, got {minimum} and {maximum}")
    limit = _whole(v["AssetOwnershipLimit"], "AssetOwnershipLimit", bad, optional=True)
    kind = v["AssetOwnershipLimitType"] or None
    if kind is not None and kind not in rules.ASSET_OWNERSHIP_LIMIT_TYPES:
        bad("AssetOwnershipLimitType", f"not ConcurrentCount or Lifetime: {kind!r}")
    elif (limit is None) != (kind is None) or (limit is not None and limit < 1):
        bad("AssetOwnershipLimit", "give a limit of at least 1 and its type, or neither")
    prerequisites = _pairs(v["ProductSkuPreRequisites"], "ProductSkuPreRequisites", bad)
    if (product_id, sku_id) in prerequisites:
        bad("ProductSkuPreRequisites", "a SKU cannot require itself")
    conversions = _pairs(v["ProductSkuConversion"], "ProductSkuConversion", bad)
    countries = tuple(sorted({c.strip().upper() for c in v["AllowedCountries"].split(";")} - {""}))
    if not countries:
        bad("AllowedCountries", "no country")
    unknown = [c for c in countries if c not in known_countries]
    if unknown:
        bad("AllowedCountries", f"not a CSP country: {', '.join(unknown)}")
    if problems or minimum is None or maximum is None:
        return None, problems
    return MatrixRow(
        product_title=v["ProductTitle"],
        product_id=product_id,
        sku_id=sku_id,
        sku_title=v["SkuTitle"],
        provisioning_id=v["ProvisioningId"] or None,
        provisioning_string=v["ProvisioningString"] or None,
        min_quantity=minimum,
        max_quantity=maximum,
        asset_ownership_limit=limit,
        asset_ownership_limit_type=kind,
        prerequisites=prerequisites,
        conversions=conversions,
        description=v["Description"],
        countries=countries,
    ), []


def _whole(text: str, column: str, bad: _Bad, *, optional: bool = False) -> int | None:
    if not text and optional:
        return None
    if not text.isdigit():
        bad(column, f"not a whole number: {text!r}")
        return None
    return int(text)


def _pairs(text: str, column: str, bad: _Bad) -> tuple[tuple[str, str], ...]:
    pairs: list[tuple[str, str]] = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        match = _PAIR.fullmatch(part)
        if match is None:
            bad(column, f"not ProductId/SkuId: {part!r}")
            continue
        pairs.append((match[1].upper(), match[2].upper()))
    return tuple(dict.fromkeys(pairs))


def format_row(row: MatrixRow) -> str:
    """One line of the matrix: every field double-quoted, ``\\r\\n`` line end."""
    buffer = io.StringIO()
    csv.writer(buffer, quoting=csv.QUOTE_ALL, lineterminator="\r\n").writerow(
        [
            row.product_title,
            row.product_id,
            row.sku_id,
            row.sku_title,
            row.provisioning_id or "",
            row.provisioning_string or "",
            row.min_quantity,
            row.max_quantity,
            "" if row.asset_ownership_limit is None else row.asset_ownership_limit,
            row.asset_ownership_limit_type or "",
            ",".join(f"{p}/{s}" for p, s in row.prerequisites),
            ",".join(f"{p}/{s}" for p, s in row.conversions),
            row.description,
            ";".join(row.countries),
        ]
    )
    return buffer.getvalue()
