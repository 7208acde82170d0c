"""Continuation tokens, page sizes and the collection envelope's links, without a database.
Paging a real table is ``tests/service/test_pagination.py``."""

from __future__ import annotations

import base64
import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opencsp.core.pagination import (
    CONTINUATION_HEADER,
    InvalidContinuationToken,
    InvalidPageSize,
    check_size,
    collection,
    decode_token,
    encode_token,
)

PROPERTY = settings(max_examples=200, deadline=None)

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(), children, max_size=4)
    ),
    max_leaves=10,
)
positions = st.dictionaries(st.text(), json_values, max_size=5)


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@PROPERTY
@given(position=positions)
def test_a_token_decodes_to_the_position_it_encodes(position: dict[str, Any]) -> None:
    token = encode_token(position)

    assert decode_token(token) == position
    # opaque and safe in a URL query or a header without escaping
    assert re.fullmatch(r"[A-Za-z0-9_-]*", token)


def test_equal_positions_give_equal_tokens() -> None:
    assert encode_token({"o": 5, "k": "x"}) == encode_token({"k": "x", "o": 5})


@pytest.mark.parametrize(
    "token",
    [
        "",
        "a",
        "not a token!",
        "%%%%",
        b64(b"[1, 2]"),
        b64(b"null"),
        b64(b'"o"'),
        b64(b"42"),
        b64(b'{"o": '),
        b64(b"\xff\xfe\x00garbage"),
    ],
)
def test_garbage_tokens_are_refused(token: str) -> None:
    with pytest.raises(InvalidContinuationToken) as raised:
        decode_token(token)

    assert raised.value.status == 400


@PROPERTY
@given(token=st.text(max_size=60))
def test_any_string_either_decodes_to_a_position_or_is_refused(token: str) -> None:
    try:
        position = decode_token(token)
    except InvalidContinuationToken:
        return
    assert isinstance(position, dict)


@pytest.mark.parametrize(
    ("size", "expected"),
    [(None, 100), (1, 1), (57, 57), (500, 500)],
)
def test_page_size_within_bounds_or_the_default(size: int | None, expected: int) -> None:
    assert check_size(size, default=100, maximum=500) == expected


@pytest.mark.parametrize("size", [0, -1, 501, 10**9])
def test_page_size_out_of_bounds_is_refused(size: int) -> None:
    with pytest.raises(InvalidPageSize) as raised:
        check_size(size, default=100, maximum=500)

    assert raised.value.message == "Page size must be between 1 and 500"
    assert raised.value.status == 400


def test_the_envelope_links_the_next_page_by_header_and_by_query() -> None:
    # given a page with more to come
    token = encode_token({"o": 20})

    # when
    env = collection(
        ["a", "b"],
        total_count=42,
        path="/v1/audit",
        query={"size": 20, "startDate": "2026-01-01", "filter": None},
        next_token=token,
    )

    # then
    body = env.model_dump(mode="json", by_alias=True)
    assert body["totalCount"] == 42
    assert body["items"] == ["a", "b"]
    assert body["continuationToken"] == token
    assert body["links"]["self"]["uri"] == "/v1/audit?size=20&startDate=2026-01-01"
    next_link = body["links"]["next"]
    assert next_link["method"] == "GET"
    assert parse_qs(urlsplit(next_link["uri"]).query) == {
        "size": ["20"],
        "startDate": ["2026-01-01"],
        "seekOperation": ["Next"],
    }
    assert next_link["headers"] == [{"key": CONTINUATION_HEADER, "value": token}]


def test_the_last_page_has_no_next_link_and_no_token() -> None:
    env = collection([], total_count=0, path="/v1/audit", query={}, next_token=None)

    body = env.model_dump(mode="json", by_alias=True)

    assert body["links"]["self"]["uri"] == "/v1/audit"
    assert body["links"]["next"] is None
    assert body["continuationToken"] is None
