"""The reference cache's store: values reused only under the tokens they were loaded
under, bounded, errors never kept, many keys loaded in one call (``core.refcache``)."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterator
from typing import Any

import pytest

from opencsp.core import refcache
from opencsp.core.refcache import Generations


@pytest.fixture(autouse=True)
def empty_store() -> Iterator[None]:
    refcache.store.clear()
    yield
    refcache.store.clear()


def counting(value: Any) -> tuple[Callable[[], Any], list[int]]:
    calls: list[int] = []

    def load() -> Any:
        calls.append(1)
        return value

    return load, calls


def gens(**tokens: str | None) -> Generations:
    base = {"partners": "p0", "markets": "m0", "catalog": "c0", "prices": "x0"}
    return Generations(base | tokens)


def test_a_value_is_reused_while_its_scopes_keep_their_tokens():
    load, calls = counting(("facts",))
    first = refcache.cached(gens(), ("partners", "markets"), "t", "k", load)
    again = refcache.cached(gens(catalog="c9"), ("partners", "markets"), "t", "k", load)
    assert first == again == ("facts",)
    assert len(calls) == 1  # another scope's change does not matter


@pytest.mark.parametrize("changed", [{"partners": "p1"}, {"markets": "m1"}])
def test_a_new_token_of_any_of_its_scopes_reloads(changed: dict[str, str]):
    load, calls = counting(1)
    refcache.cached(gens(), ("partners", "markets"), "t", "k", load)
    refcache.cached(gens(**changed), ("partners", "markets"), "t", "k", load)
    assert len(calls) == 2


def test_a_token_that_comes_back_names_the_same_value_again():
    """A rollback restores a token and its data together (module docstring)."""
    refcache.cached(gens(), ("prices",), "t", "k", lambda: "old")
    refcache.cached(gens(prices="x1"), ("prices",), "t", "k", lambda: "new")
    assert refcache.cached(gens(prices="x1"), ("prices",), "t", "k", lambda: "other") == "new"


def test_keys_and_names_are_separate_entries():
    refcache.cached(gens(), ("catalog",), "a", 1, lambda: "a1")
    refcache.cached(gens(), ("catalog",), "b", 1, lambda: "b1")
    refcache.cached(gens(), ("catalog",), "a", 2, lambda: "a2")
    assert refcache.cached(gens(), ("catalog",), "a", 1, lambda: "x") == "a1"
    assert refcache.cached(gens(), ("catalog",), "b", 1, lambda: "x") == "b1"
    assert refcache.cached(gens(), ("catalog",), "a", 2, lambda: "x") == "a2"


def test_without_generations_every_call_loads():
    load, calls = counting(1)
    refcache.cached(None, ("catalog",), "t", "k", load)
    refcache.cached(None, ("catalog",), "t", "k", load)
    assert len(calls) == 2 and len(refcache.store) == 0


def test_a_scope_this_transaction_wrote_is_never_cached():
    """PostgreSQL marks the scopes a transaction renewed; its later writes no longer
    renew the token, so nothing of them may be kept (module docstring)."""
    load, calls = counting("mid-transaction")
    for _ in range(2):
        refcache.cached(gens(partners=None), ("partners", "markets"), "t", "k", load)
        refcache.cached_many(gens(partners=None), ("partners",), "m", [1], lambda k: {1: 1})
    assert len(calls) == 2 and len(refcache.store) == 0


def test_errors_are_not_kept():
    def failing() -> Any:
        raise LookupError("not there")

    with pytest.raises(LookupError):
        refcache.cached(gens(), ("markets",), "t", "k", failing)
    assert refcache.cached(gens(), ("markets",), "t", "k", lambda: "found") == "found"


def test_an_unknown_scope_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown cache scopes"):
        refcache.cached(gens(), ("customers",), "t", "k", lambda: 1)


def test_the_store_keeps_the_most_recently_used_entries(configure):
    configure(reference_cache_entries=3)
    for key in range(3):
        refcache.cached(gens(), ("catalog",), "t", key, lambda key=key: key)
    refcache.cached(gens(), ("catalog",), "t", 0, lambda: "reloaded")  # 0 is used again
    refcache.cached(gens(), ("catalog",), "t", 3, lambda: 3)  # evicts 1, the oldest
    assert len(refcache.store) == 3
    assert refcache.cached(gens(), ("catalog",), "t", 0, lambda: "reloaded") == 0
    assert refcache.cached(gens(), ("catalog",), "t", 1, lambda: "reloaded") == "reloaded"


def test_many_keys_load_only_the_missing_ones_in_one_call():
    batches: list[list[Hashable]] = []

    def load(keys: list[Hashable]) -> dict[Hashable, Any]:
        batches.append(list(keys))
        return {k: f"v{k}" for k in keys}

    assert refcache.cached_many(gens(), ("catalog",), "t", [1, 2], load) == {1: "v1", 2: "v2"}
    assert refcache.cached_many(gens(), ("catalog",), "t", [2, 3, 4], load) == {
        2: "v2",
        3: "v3",
        4: "v4",
    }
    assert batches == [[1, 2], [3, 4]]
    refcache.cached_many(gens(catalog="c1"), ("catalog",), "t", [1], load)
    assert batches[-1] == [1]
