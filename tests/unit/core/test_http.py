"""Partner Center wire shapes: keys and enum values read case-insensitively, camelCase
written, ``attributes.objectType`` on every resource, the collection envelope."""

from __future__ import annotations

import json
from typing import Any

import pytest
from pydantic import ValidationError

from opencsp.core.http import Collection, Resource, WireEnum, WireModel


class BillingCycle(WireEnum):
    MONTHLY = "monthly"
    ANNUAL = "annual"
    ONE_TIME = "OneTime"


class OrderLine(WireModel):
    offer_id: str
    billing_cycle: BillingCycle
    quantity: int


class Widget(Resource):
    OBJECT_TYPE = "Widget"

    widget_id: str
    display_name: str


class VersionedWidget(Widget):
    OBJECT_TYPE = "VersionedWidget"

    version: int

    def resource_etag(self) -> str | None:
        return f'W/"{self.version}"'


EXPECTED_LINE = OrderLine(offer_id="CFQ7TTC0LH18", billing_cycle=BillingCycle.ONE_TIME, quantity=3)


@pytest.mark.parametrize(
    "body",
    [
        {"OfferId": "CFQ7TTC0LH18", "BillingCycle": "OneTime", "Quantity": 3},
        {"offerId": "CFQ7TTC0LH18", "billingCycle": "oneTime", "quantity": 3},
        {"offer_id": "CFQ7TTC0LH18", "billing_cycle": "one_time", "quantity": 3},
        {"OFFERID": "CFQ7TTC0LH18", "BILLING_CYCLE": "ONE_TIME", "QUANTITY": 3},
        {"offer-id": "CFQ7TTC0LH18", "billing-cycle": "one-time", "quantity": 3, "extra": 1},
    ],
)
def test_keys_and_enum_values_are_read_case_insensitively(body: dict[str, Any]) -> None:
    assert OrderLine.model_validate(body) == EXPECTED_LINE
    assert OrderLine.model_validate_json(json.dumps(body)) == EXPECTED_LINE


def test_output_is_camel_case_with_the_canonical_enum_value() -> None:
    assert EXPECTED_LINE.model_dump(mode="json", by_alias=True) == {
        "offerId": "CFQ7TTC0LH18",
        "billingCycle": "OneTime",
        "quantity": 3,
    }
    assert json.loads(EXPECTED_LINE.model_dump_json(by_alias=True))["billingCycle"] == "OneTime"


def test_a_missing_required_key_is_still_a_validation_error() -> None:
    with pytest.raises(ValidationError):
        OrderLine.model_validate({"OfferId": "CFQ7TTC0LH18", "Quantity": 3})


@pytest.mark.parametrize(
    ("text", "member"),
    [
        ("one_time", BillingCycle.ONE_TIME),
        ("OneTime", BillingCycle.ONE_TIME),
        ("onetime", BillingCycle.ONE_TIME),
        ("ONE-TIME", BillingCycle.ONE_TIME),
        ("Monthly", BillingCycle.MONTHLY),
        ("ANNUAL", BillingCycle.ANNUAL),
    ],
)
def test_enum_values_fold_case_and_separators(text: str, member: BillingCycle) -> None:
    assert BillingCycle(text) is member


@pytest.mark.parametrize("text", ["weekly", "one time", "", "OneTimes"])
def test_unknown_enum_values_are_refused(text: str) -> None:
    with pytest.raises(ValueError):
        BillingCycle(text)
    with pytest.raises(ValidationError):
        OrderLine.model_validate({"offerId": "X", "billingCycle": text, "quantity": 1})


def test_a_resource_carries_its_object_type_and_omits_an_absent_etag() -> None:
    widget = Widget(widget_id="w1", display_name="First")

    dumped = widget.model_dump(mode="json", by_alias=True)

    assert dumped == {
        "widgetId": "w1",
        "displayName": "First",
        "attributes": {"objectType": "Widget"},
    }


def test_a_resource_with_an_etag_carries_it_in_attributes() -> None:
    widget = VersionedWidget(widget_id="w2", display_name="Second", version=7)

    dumped = json.loads(widget.model_dump_json(by_alias=True))

    assert dumped["attributes"] == {"objectType": "VersionedWidget", "etag": 'W/"7"'}


def test_a_resource_reads_back_from_its_own_output() -> None:
    widget = Widget(widget_id="w1", display_name="First")

    again = Widget.model_validate(widget.model_dump(mode="json", by_alias=True))

    assert again == widget


def test_the_collection_envelope_has_exactly_the_partner_center_keys() -> None:
    widgets = [Widget(widget_id=f"w{i}", display_name=f"W {i}") for i in range(2)]

    dumped = Collection[Widget](total_count=5, items=widgets).model_dump(mode="json", by_alias=True)

    assert set(dumped) == {"totalCount", "items", "links", "continuationToken", "attributes"}
    assert dumped["totalCount"] == 5
    assert dumped["attributes"] == {"objectType": "Collection"}
    assert dumped["continuationToken"] is None
    assert [item["attributes"]["objectType"] for item in dumped["items"]] == ["Widget"] * 2
    assert dumped["items"][0]["widgetId"] == "w0"
