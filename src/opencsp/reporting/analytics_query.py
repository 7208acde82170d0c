"""The query language of the analytics API, parsed without I/O
(PC:developer/get-subscription-analytics-by-search-query.md,
get-subscription-analytics-grouped-by-dates-or-terms.md; api-surface.md §3c).

``filter`` is statements ``field op value`` or ``contains(field,'value')`` joined by
``and``/``or`` (``and`` binds tighter, as in OData; no parentheses); string values are
single-quoted (``''`` is a quote), booleans bare, dates ``YYYY-MM-DD`` quoted or bare.
``groupby`` is comma-separated term fields. ``top`` defaults to and is at most 10,000;
``skip`` is 0 or more. The subset opencsp answers is declared here: any other field,
operator or date grouping (``aggregationLevel``) is refused with a 400 that names it,
never answered approximately."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from opencsp.reporting.errors import UnsupportedAnalyticsQuery

MAX_TOP = 10_000
"""Default and maximum ``top`` (PC:developer/get-subscription-analytics-grouped-by-dates-
or-terms.md)."""

EQUALITY = frozenset({"eq", "ne"})
ORDERING = frozenset({"eq", "ne", "gt", "lt", "ge", "le"})
CONTAINS = frozenset({"contains"})

SUBSCRIPTION_FILTERS: dict[str, frozenset[str]] = {
    "autoRenewEnabled": EQUALITY,
    "customerMarket": EQUALITY,
    "customerName": CONTAINS,
    "customerTenantId": EQUALITY,
    "friendlyName": CONTAINS,
    "id": EQUALITY,
    "partnerId": EQUALITY,
    "productName": CONTAINS | EQUALITY,
    "status": EQUALITY,
    "subscriptionType": EQUALITY,
    "creationDate": ORDERING,
    "commitmentEndDate": ORDERING,
}
"""Filter fields and operators answered (the documented table's, less the fields
opencsp has no data for: usage, trial-conversion and deprovisioned dates)."""

SUBSCRIPTION_GROUPS = frozenset(
    {
        "customerTenantId",
        "customerName",
        "customerMarket",
        "id",
        "status",
        "productName",
        "subscriptionType",
        "autoRenewEnabled",
        "partnerId",
        "friendlyName",
        "partnerName",
        "providerName",
    }
)
"""Term fields answered for ``groupby``; date fields are refused."""

BOOLEAN_FIELDS = frozenset({"autoRenewEnabled"})
DATE_FIELDS = frozenset({"creationDate", "commitmentEndDate"})

Value = str | bool | date


@dataclass(frozen=True, slots=True)
class Condition:
    field: str
    op: str
    value: Value


Clause = tuple[Condition, ...]
"""Conditions that must all hold (``and``); a filter is any of its clauses (``or``)."""

_TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<punct>[(),])|(?P<word>[A-Za-z0-9_.:+-]+))"
)


def _unsupported(problem: str) -> UnsupportedAnalyticsQuery:
    return UnsupportedAnalyticsQuery(problem=problem)


def _tokens(text: str) -> list[tuple[str, str]]:
    found: list[tuple[str, str]] = []
    position = 0
    text = text.rstrip()
    while position < len(text):
        match = _TOKEN.match(text, position)
        if match is None or match.end() == position:
            raise _unsupported(f"cannot read the filter at {text[position:]!r}")
        kind = match.lastgroup or ""
        found.append((kind, match.group(kind)))
        position = match.end()
    return found


def _field(name: str, fields: dict[str, frozenset[str]]) -> str:
    for known in fields:
        if known.lower() == name.lower():
            return known
    raise _unsupported(f"filtering on {name!r} is not supported; fields: {', '.join(fields)}")


def _value(field: str, kind: str, raw: str) -> Value:
    text = raw[1:-1].replace("''", "'") if kind == "string" else raw
    if field in BOOLEAN_FIELDS:
        if kind == "word" and text.lower() in {"true", "false"}:
            return text.lower() == "true"
        raise _unsupported(f"{field} takes true or false, not {raw}")
    if field in DATE_FIELDS:
        try:
            return date.fromisoformat(text[:10])
        except ValueError:
            raise _unsupported(f"{field} takes a date YYYY-MM-DD, not {raw}") from None
    if kind != "string":
        raise _unsupported(f"{field} takes a quoted string, not {raw}")
    return text


def _condition(
    tokens: list[tuple[str, str]], at: int, fields: dict[str, frozenset[str]]
) -> tuple[Condition, int]:
    parts = tokens[at : at + 6]
    if parts and parts[0] == ("word", parts[0][1]) and parts[0][1].lower() == "contains":
        shape = [k if k != "punct" else v for k, v in parts]
        if shape != ["word", "(", "word", ",", "string", ")"]:
            raise _unsupported("contains takes (field,'value')")
        field = _field(parts[2][1], fields)
        if "contains" not in fields[field]:
            raise _unsupported(f"{field} does not support contains")
        return Condition(field, "contains", _value(field, "string", parts[4][1])), at + 6
    if len(parts) < 3 or parts[0][0] != "word" or parts[1][0] != "word":
        raise _unsupported("a statement is: field operator value (parentheses are not supported)")
    field = _field(parts[0][1], fields)
    op = parts[1][1].lower()
    if op not in fields[field]:
        raise _unsupported(f"{field} supports {', '.join(sorted(fields[field]))}, not {op}")
    kind, raw = parts[2]
    if kind == "punct":
        raise _unsupported(f"{field} {op} needs a value")
    return Condition(field, op, _value(field, kind, raw)), at + 3


def parse_filter(
    text: str | None, fields: dict[str, frozenset[str]] = SUBSCRIPTION_FILTERS
) -> list[Clause]:
    """The filter as ``or`` of ``and`` clauses; empty for no filter."""
    if text is None or not text.strip():
        return []
    tokens = _tokens(text)
    clauses: list[Clause] = []
    current: list[Condition] = []
    at = 0
    while True:
        condition, at = _condition(tokens, at, fields)
        current.append(condition)
        if at == len(tokens):
            break
        kind, word = tokens[at]
        if kind != "word" or word.lower() not in {"and", "or"}:
            raise _unsupported(f"expected and/or, found {word!r}")
        if word.lower() == "or":
            clauses.append(tuple(current))
            current = []
        at += 1
        if at == len(tokens):
            raise _unsupported(f"the filter ends after {word!r}")
    clauses.append(tuple(current))
    return clauses


def parse_groupby(text: str | None, groups: frozenset[str] = SUBSCRIPTION_GROUPS) -> list[str]:
    """The group-by fields in the order given (each once)."""
    if text is None or not text.strip():
        return []
    found: list[str] = []
    for part in text.split(","):
        name = part.strip()
        match = next((g for g in sorted(groups) if g.lower() == name.lower()), None)
        if match is None:
            raise _unsupported(
                f"grouping by {name!r} is not supported; fields: {', '.join(sorted(groups))}"
            )
        if match not in found:
            found.append(match)
    return found


def check_page(top: int | None, skip: int | None) -> tuple[int, int]:
    """``top`` 1..10,000 (default 10,000) and ``skip`` ≥ 0 (default 0)."""
    size = MAX_TOP if top is None else top
    offset = 0 if skip is None else skip
    if not 1 <= size <= MAX_TOP:
        raise _unsupported(f"top must be between 1 and {MAX_TOP}")
    if offset < 0:
        raise _unsupported("skip must be 0 or more")
    return size, offset
