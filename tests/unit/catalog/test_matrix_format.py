"""The offer matrix layout (file-formats.md §2): the header byte for byte, rows parsed
with every problem by column, rows formatted as Partner Center writes them."""

from __future__ import annotations

import csv
import re

import pytest

from opencsp.catalog import rules
from opencsp.catalog.matrix_format import MatrixRow, format_row, is_header, parse_row
from tests.support import reference

COUNTRIES = {"US", "KR", "DE", "AD", "AE"}


def documented_header() -> str:
    section = reference.path("file-formats.md").read_text(encoding="utf-8").split("## 2.", 1)[1]
    block = re.search(r"```\n(.*?)```", section, re.DOTALL)
    assert block is not None
    return block.group(1).splitlines()[0]


def test_header_byte_for_byte_against_file_formats():
    assert documented_header() + "\r\n" == rules.OFFER_MATRIX_HEADER
    assert rules.OFFER_MATRIX_HEADER.encode() == (documented_header() + "\r\n").encode()
    assert is_header(documented_header() + "\n")
    assert is_header("\ufeff" + rules.OFFER_MATRIX_HEADER)
    assert not is_header(documented_header().replace('"', ""))


def values(**changes: str) -> list[str]:
    row = {
        "ProductTitle": "Microsoft 365 Business Basic",
        "ProductId": "CFQ7TTC0LH18",
        "SkuId": "0001",
        "SkuTitle": "Microsoft 365 Business Basic",
        "ProvisioningId": "3b555118-da6a-4418-894f-7df1e2096870",
        "ProvisioningString": "O365_BUSINESS_ESSENTIALS",
        "MinLicenses": "1",
        "MaxLicenses": "300",
        "AssetOwnershipLimit": "2",
        "AssetOwnershipLimitType": "ConcurrentCount",
        "ProductSkuPreRequisites": "",
        "ProductSkuConversion": "CFQ7TTC0LDPB/0001,CFQ7TTC0LF8Q/0001",
        "Description": "Best for businesses",
        "AllowedCountries": "AD;AE;US",
    }
    row.update(changes)
    return list(row.values())


def test_the_documented_sample_row_parses():
    row, problems = parse_row(values(), 2, known_countries=COUNTRIES)
    assert problems == []
    assert row is not None
    assert row.conversions == (("CFQ7TTC0LDPB", "0001"), ("CFQ7TTC0LF8Q", "0001"))
    assert row.countries == ("AD", "AE", "US")
    assert (row.min_quantity, row.max_quantity, row.asset_ownership_limit) == (1, 300, 2)


@pytest.mark.parametrize(
    ("changes", "columns"),
    [
        ({"ProductId": "CFQ7 TTC0"}, ["ProductId"]),
        ({"SkuId": "01"}, ["SkuId"]),
        ({"SkuTitle": " "}, ["SkuTitle"]),
        ({"MinLicenses": "one"}, ["MinLicenses"]),
        ({"MinLicenses": "10", "MaxLicenses": "5"}, ["MaxLicenses"]),
        ({"MinLicenses": "0"}, ["MaxLicenses"]),
        ({"AssetOwnershipLimitType": ""}, ["AssetOwnershipLimit"]),
        ({"AssetOwnershipLimitType": "Forever"}, ["AssetOwnershipLimitType"]),
        ({"ProductSkuPreRequisites": "CFQ7TTC0LH18/0001"}, ["ProductSkuPreRequisites"]),
        ({"ProductSkuConversion": "CFQ7TTC0LDPB:0001"}, ["ProductSkuConversion"]),
        ({"AllowedCountries": ""}, ["AllowedCountries"]),
        ({"AllowedCountries": "US;XX"}, ["AllowedCountries"]),
        (
            {"SkuId": "", "MaxLicenses": "x", "AllowedCountries": "QQ"},
            ["SkuId", "MaxLicenses", "AllowedCountries"],
        ),
    ],
)
def test_bad_rows_list_every_problem_by_column(changes, columns):
    row, problems = parse_row(values(**changes), 7, known_countries=COUNTRIES)
    assert row is None
    assert [p.column for p in problems] == columns
    assert {p.line for p in problems} == {7}


def test_a_short_row_is_one_problem():
    row, problems = parse_row(["a", "b"], 3, known_countries=COUNTRIES)
    assert row is None and len(problems) == 1 and "14 columns" in problems[0].problem


def test_format_row_quotes_every_field_and_round_trips():
    row = MatrixRow(
        product_title='Title with "quotes", commas',
        product_id="CFQ7TTC0LH18",
        sku_id="0001",
        sku_title="Basic",
        provisioning_id=None,
        provisioning_string=None,
        min_quantity=1,
        max_quantity=300,
        asset_ownership_limit=None,
        asset_ownership_limit_type=None,
        prerequisites=(("CFQ7TTC0AAAA", "0001"),),
        conversions=(),
        description="Line one",
        countries=("DE", "US"),
    )
    line = format_row(row)
    assert line.endswith("\r\n")
    assert line.startswith('"Title with ""quotes"", commas","CFQ7TTC0LH18","0001"')
    parsed, problems = parse_row(next(csv.reader([line])), 2, known_countries=COUNTRIES)
    assert problems == [] and parsed == row
