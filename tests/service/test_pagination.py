"""Paging a real table: every row exactly once across pages, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from opencsp.auth.models import Organization
from opencsp.core.actor import Tier
from opencsp.core.pagination import InvalidContinuationToken, Page, encode_token, paginate
from tests.factories import organization

# two organizations share each name, so the order needs its unique tie-breaker
NAMES = ["Contoso", "Fabrikam", "Contoso", "Northwind", "Fabrikam", "Adatum", "Northwind"]


@pytest.fixture()
def org_ids(session: Session) -> list[uuid.UUID]:
    return [organization(session, Tier.DIRECT_BILL, name=name).id for name in NAMES]


def statement(ids: list[uuid.UUID]) -> Select[Any]:
    return (
        select(Organization)
        .where(Organization.id.in_(ids))
        .order_by(Organization.name, Organization.id)
    )


def walk(session: Session, ids: list[uuid.UUID], size: int) -> list[Page[Any]]:
    pages = [paginate(session, statement(ids), size=size, token=None)]
    while pages[-1].next_token is not None:
        assert len(pages) <= len(ids) + 1, "paging does not end"
        pages.append(paginate(session, statement(ids), size=size, token=pages[-1].next_token))
    return pages


@pytest.mark.parametrize(("size", "page_count"), [(1, 7), (2, 4), (3, 3), (7, 1), (50, 1)])
def test_paging_walks_every_row_exactly_once(
    session: Session, org_ids: list[uuid.UUID], size: int, page_count: int
) -> None:
    # when walking the pages by their continuation tokens
    pages = walk(session, org_ids, size)

    # then every organization appears once, in the statement's order
    seen = [org.id for page in pages for org in page.items]
    assert sorted(seen) == sorted(org_ids)
    assert len(seen) == len(set(seen))
    assert seen == list(session.scalars(statement(org_ids).with_only_columns(Organization.id)))
    # and every page is full but the last, reports the total, and only the last has no token
    assert len(pages) == page_count
    assert all(len(page.items) == size for page in pages[:-1])
    assert all(page.total_count == len(NAMES) for page in pages)
    assert [page.next_token is None for page in pages] == [False] * (page_count - 1) + [True]


def test_an_empty_result_is_one_empty_page(session: Session) -> None:
    page = paginate(session, statement([]), size=10, token=None)

    assert (page.items, page.total_count, page.next_token) == ([], 0, None)


@pytest.mark.parametrize("offset", [7, 100, 2**63 - 1])
def test_a_token_past_the_end_gives_an_empty_last_page(
    session: Session, org_ids: list[uuid.UUID], offset: int
) -> None:
    page = paginate(session, statement(org_ids), size=3, token=encode_token({"o": offset}))

    assert page.items == []
    assert page.total_count == len(NAMES)
    assert page.next_token is None


@pytest.mark.parametrize(
    "position",
    [{}, {"o": -1}, {"o": "3"}, {"o": 1.5}, {"o": None}, {"o": True}, {"o": 2**63}, {"o": 10**30}],
)
def test_a_forged_position_is_an_invalid_token(
    session: Session, org_ids: list[uuid.UUID], position: dict[str, Any]
) -> None:
    with pytest.raises(InvalidContinuationToken):
        paginate(session, statement(org_ids), size=3, token=encode_token(position))


def test_a_garbage_token_is_an_invalid_token(session: Session, org_ids: list[uuid.UUID]) -> None:
    with pytest.raises(InvalidContinuationToken):
        paginate(session, statement(org_ids), size=3, token="definitely-not-a-token")
