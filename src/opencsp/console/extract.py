"""Babel extractors for text the console shows but does not write itself.

The console shows a domain error's description as its message, in the reader's language.
Domain modules cannot mark those strings with ``_()`` (they know nothing of languages), so
``domain_errors`` finds them where they are written: ``description = "..."`` in a class
body and ``description="..."`` given when an error is raised. ``market_names`` reads the
market names of the packaged markets data. ``console/babel.cfg`` applies both."""

from __future__ import annotations

import ast
import csv
import io
from collections.abc import Collection, Iterator, Mapping
from typing import IO, Any

# Pydantic's Field(description=...) documents a wire field; it is never shown as a message.
NOT_MESSAGES = frozenset({"Field"})


def _callee(node: ast.Call) -> str:
    func = node.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else ""


def _string(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def descriptions(tree: ast.AST) -> Iterator[tuple[int, str]]:
    """(line, text) of every error description written in a module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.ClassDef):
            for stmt in node.body:
                target, value = None, None
                if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1:
                    target, value = stmt.targets[0], stmt.value
                elif isinstance(stmt, ast.AnnAssign):
                    target, value = stmt.target, stmt.value
                text = _string(value)
                if isinstance(target, ast.Name) and target.id == "description" and text:
                    yield stmt.lineno, text
        elif isinstance(node, ast.Call) and _callee(node)[:1].isupper():
            if _callee(node) in NOT_MESSAGES:
                continue
            for keyword in node.keywords:
                text = _string(keyword.value)
                if keyword.arg == "description" and text:
                    yield keyword.value.lineno, text


def domain_errors(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str, str, list[str]]]:
    """Babel's extractor interface: (line, function name, message, comments)."""
    del keywords, comment_tags, options
    tree = ast.parse(fileobj.read())
    for lineno, text in sorted(set(descriptions(tree))):
        yield lineno, "", text, ["domain error description"]


def market_names(
    fileobj: IO[bytes],
    keywords: Mapping[str, Any],
    comment_tags: Collection[str],
    options: Mapping[str, Any],
) -> Iterator[tuple[int, str, str, list[str]]]:
    """The market names of ``markets/data/markets.csv``: reference data the console shows
    in the reader's language, so each new market asks for its translation."""
    del keywords, comment_tags, options
    seen: set[str] = set()
    rows = csv.DictReader(io.StringIO(fileobj.read().decode("utf-8")))
    for lineno, row in enumerate(rows, start=2):
        name = (row.get("csp_region_market") or "").strip()
        if name and name not in seen:
            seen.add(name)
            yield lineno, "", name, ["market name"]
