"""Cart lines as tables: what ``validate_line`` accepts and the line error it answers
otherwise (PC:developer/create-a-cart.md; rules.md §6.4, §6.6, §9b)."""

from __future__ import annotations

import pytest

from opencsp.catalog.rules import BillingPlan, CatalogItemId, TermDuration
from opencsp.orders import rules
from opencsp.orders.rules import CartLineRequest, LineError, Participant, ValidLine

ITEM = "CFQ7TTC0LH18:0001:CFQ7TTC0K971"


def line(**overrides: object) -> CartLineRequest:
    values: dict[str, object] = {
        "id": 0,
        "catalog_item_id": ITEM,
        "quantity": 5,
        "term_duration": "P1Y",
        "billing_cycle": "monthly",
    }
    values.update(overrides)
    return CartLineRequest(**values)  # type: ignore[arg-type]


def valid(**overrides: object) -> ValidLine:
    result = rules.validate_line(line(**overrides))
    assert isinstance(result, ValidLine), result
    return result


def error(**overrides: object) -> LineError:
    result = rules.validate_line(line(**overrides))
    assert isinstance(result, LineError), result
    return result


def test_a_valid_line_is_parsed() -> None:
    result = valid(catalog_item_id=" cfq7ttc0lh18:0001:cfq7ttc0k971 ", attestation_accepted=True)
    assert result.catalog_item == CatalogItemId("CFQ7TTC0LH18", "0001", "CFQ7TTC0K971")
    assert (result.quantity, result.term, result.plan) == (5, TermDuration.P1Y, BillingPlan.MONTHLY)
    assert result.attestation_accepted is True
    assert result.partner_id_on_record is None and result.additional_resellers == ()


@pytest.mark.parametrize(
    ("catalog_item_id", "code"),
    [(None, 10001), ("", 10001), ("   ", 10001), ("ABC:0001", 10001), ("A::B", 10001)],
)
def test_catalog_item_id_syntax(catalog_item_id: str | None, code: int) -> None:
    assert error(catalog_item_id=catalog_item_id).code == code


@pytest.mark.parametrize(
    ("quantity", "ok"),
    [
        (0, False),
        (-1, False),
        (1, True),
        (2_147_483_647, True),
        (2_147_483_648, False),
        (True, False),
        (None, False),
        ("3", False),
        (2.0, False),
    ],
)
def test_quantity_is_a_positive_whole_number(quantity: object, ok: bool) -> None:
    result = rules.validate_line(line(quantity=quantity))
    assert isinstance(result, ValidLine) is ok
    if not ok:
        assert isinstance(result, LineError) and result.code == 10010


@pytest.mark.parametrize(
    ("term", "cycle", "expected"),
    [
        ("P1M", "monthly", (TermDuration.P1M, BillingPlan.MONTHLY)),
        ("p1m", "Monthly", (TermDuration.P1M, BillingPlan.MONTHLY)),
        ("P1M", "none", (TermDuration.P1M, BillingPlan.NONE)),
        ("P1Y", "MONTHLY", (TermDuration.P1Y, BillingPlan.MONTHLY)),
        ("P1Y", "annual", (TermDuration.P1Y, BillingPlan.ANNUAL)),
        ("P3Y", "monthly", (TermDuration.P3Y, BillingPlan.MONTHLY)),
        ("P3Y", "Annual", (TermDuration.P3Y, BillingPlan.ANNUAL)),
        ("P3Y", "triennial", (TermDuration.P3Y, BillingPlan.TRIENNIAL)),
        (None, "one_time", (TermDuration.ONE_TIME, BillingPlan.ONE_TIME)),
        ("", "OneTime", (TermDuration.ONE_TIME, BillingPlan.ONE_TIME)),
        ("OneTime", "one_time", (TermDuration.ONE_TIME, BillingPlan.ONE_TIME)),
    ],
)
def test_term_and_billing_cycle_accepted(
    term: str | None, cycle: str, expected: tuple[TermDuration, BillingPlan]
) -> None:
    result = valid(term_duration=term, billing_cycle=cycle)
    assert (result.term, result.plan) == expected


@pytest.mark.parametrize(
    ("term", "cycle"),
    [
        ("P1M", "annual"),  # a plan longer than the term (900270)
        ("P1M", "triennial"),
        ("P1Y", "triennial"),
        ("P1Y", "none"),  # trials are one month
        ("P3Y", "none"),
        ("P1Y", "one_time"),
        ("OneTime", "monthly"),
        (None, "monthly"),  # the term is required but for one-time purchases
        ("P2Y", "monthly"),
        ("P1Y", None),
        ("P1Y", ""),
        ("P1Y", "unknown"),
        ("P1Y", "quarterly"),
    ],
)
def test_term_and_billing_cycle_refused(term: str | None, cycle: str | None) -> None:
    assert error(term_duration=term, billing_cycle=cycle).code == 10010


def resellers(*pairs: tuple[str, str]) -> list[Participant]:
    return [Participant(key, value) for key, value in pairs]


ADD = "additional_transaction_reseller"
TX = "transaction_reseller"


@pytest.mark.parametrize(
    ("on_record", "participants", "expected"),
    [
        (None, [], (None, ())),
        ("", [], (None, ())),
        (" 1000123 ", [], (1000123, ())),
        (None, resellers((TX, "1000123")), (1000123, ())),
        ("1000123", resellers(("Transaction_Reseller", "1000123")), (1000123, ())),
        ("1000123", resellers(*[(ADD, str(1000200 + i)) for i in range(5)]),
         (1000123, tuple(1000200 + i for i in range(5)))),
        (None, resellers((TX, "1000123"), (ADD, "1000200")), (1000123, (1000200,))),
    ],
)  # fmt: skip
def test_resellers_accepted(
    on_record: str | None,
    participants: list[Participant],
    expected: tuple[int | None, tuple[int, ...]],
) -> None:
    result = valid(partner_id_on_record=on_record, participants=participants)
    assert (result.partner_id_on_record, result.additional_resellers) == expected


@pytest.mark.parametrize(
    ("on_record", "participants"),
    [
        ("abc", []),
        ("-5", []),
        ("0", []),
        ("12345678901", []),
        ("1000123", resellers(*[(ADD, str(1000200 + i)) for i in range(6)])),  # 6 > 5
        (None, resellers((ADD, "1000200"))),  # additional before the reseller of record
        ("1000123", resellers((TX, "1000124"))),  # two different resellers of record
        ("1000123", resellers((ADD, "1000200"), (ADD, "1000200"))),
        ("1000123", resellers((ADD, "1000123"))),
        ("1000123", resellers(("reseller", "1000200"))),
        ("1000123", resellers((ADD, "x"))),
    ],
)
def test_resellers_refused(on_record: str | None, participants: list[Participant]) -> None:
    assert error(partner_id_on_record=on_record, participants=participants).code == 10010


def test_first_problem_wins_in_order() -> None:
    """A bad catalog item is reported before a bad quantity."""
    assert error(catalog_item_id="x", quantity=0).code == 10001
