"""Continuation-token paging (``continuationToken`` / ``MS-ContinuationToken`` with
``seekOperation=Next``, PC:developer/get-invoiceline-items.md) and plain size/offset paging.

The token is opaque to clients; it encodes the position after the last item returned. The
visibility filter is part of the statement being paged, so a forged token can only move
within what the actor may see anyway."""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from urllib.parse import urlencode

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from opencsp.core.errors import InvalidInput
from opencsp.core.http import Collection, Link, LinkHeader, Links

T = TypeVar("T")

CONTINUATION_HEADER = "MS-ContinuationToken"
_MAX_OFFSET = 2**63 - 1


class InvalidContinuationToken(InvalidInput):
    code = "InvalidContinuationToken"
    description = "The continuation token is not valid"


class InvalidPageSize(InvalidInput):
    code = "InvalidPageSize"
    description = "Page size must be between 1 and {maximum}"


def encode_token(position: dict[str, Any]) -> str:
    raw = json.dumps(position, separators=(",", ":"), sort_keys=True).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_token(token: str) -> dict[str, Any]:
    try:
        padded = token + "=" * (-len(token) % 4)
        value = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, binascii.Error) as exc:
        raise InvalidContinuationToken() from exc
    if not isinstance(value, dict):
        raise InvalidContinuationToken()
    return value


@dataclass(frozen=True)
class Page(Generic[T]):
    items: list[T]
    total_count: int
    next_token: str | None


def check_size(size: int | None, *, default: int, maximum: int) -> int:
    if size is None:
        return default
    if size < 1 or size > maximum:
        raise InvalidPageSize(maximum=maximum)
    return size


def paginate(session: Session, stmt: Select[Any], *, size: int, token: str | None) -> Page[Any]:
    """Run an ordered statement one page at a time. ``stmt`` must have a total order
    (end its ORDER BY with a unique column) so pages neither skip nor repeat rows."""
    offset = 0
    if token:
        offset = decode_token(token).get("o", -1)
        # a forged token could carry a bool or an offset past what SQL's bigint can hold
        if type(offset) is not int or not 0 <= offset <= _MAX_OFFSET:
            raise InvalidContinuationToken()
    total = session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery())) or 0
    rows = list(session.scalars(stmt.offset(offset).limit(size)))
    following = offset + len(rows)
    next_token = encode_token({"o": following}) if following < total and rows else None
    return Page(items=rows, total_count=total, next_token=next_token)


def collection(
    items: list[T], *, total_count: int, path: str, query: dict[str, Any], next_token: str | None
) -> Collection[T]:
    """The envelope, with ``links.next`` carrying the token both as header and in the body."""
    params = {k: v for k, v in query.items() if v is not None}
    self_uri = f"{path}?{urlencode(params)}" if params else path
    next_link = None
    if next_token:
        next_params = {**params, "seekOperation": "Next"}
        next_link = Link(
            uri=f"{path}?{urlencode(next_params)}",
            headers=[LinkHeader(key=CONTINUATION_HEADER, value=next_token)],
        )
    return Collection[T](
        total_count=total_count,
        items=items,
        links=Links(self=Link(uri=self_uri), next=next_link),
        continuation_token=next_token,
    )
