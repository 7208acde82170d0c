"""Password hashing (Argon2id) and digests of high-entropy secrets."""

from __future__ import annotations

import pytest
from argon2 import PasswordHasher, extract_parameters

from opencsp.core import crypto
from opencsp.core.crypto import digest, hash_password, password_needs_rehash, same, verify_password

PASSWORD = "correct horse battery staple"


@pytest.fixture(scope="module")
def stored_hash() -> str:
    return hash_password(PASSWORD)


def test_a_hash_is_argon2id_and_verifies_the_password(stored_hash: str) -> None:
    assert stored_hash.startswith("$argon2id$")
    assert PASSWORD not in stored_hash
    assert verify_password(stored_hash, PASSWORD) is True
    assert password_needs_rehash(stored_hash) is False


@pytest.mark.parametrize(
    "attempt",
    [
        "correct horse battery stapl",
        "Correct horse battery staple",
        "correct horse battery staple ",
        "",
    ],
)
def test_a_wrong_password_does_not_verify(stored_hash: str, attempt: str) -> None:
    assert verify_password(stored_hash, attempt) is False


@pytest.mark.parametrize("bad_hash", [None, "", "not-a-hash", "$argon2id$v=19$broken"])
def test_no_hash_or_a_broken_hash_never_verifies(bad_hash: str | None) -> None:
    assert verify_password(bad_hash, PASSWORD) is False


def test_production_hashes_at_rfc_9106_low_memory_cost() -> None:
    """The suite hashes cheaply (tests/conftest.py); the application's own parameters are
    RFC 9106's low-memory recommendation, and a hash made with them verifies here."""
    params = crypto.PARAMETERS
    assert (params.time_cost, params.memory_cost, params.parallelism) == (3, 65536, 4)
    assert (params.salt_len, params.hash_len) == (16, 32)
    made = PasswordHasher.from_parameters(params).hash(PASSWORD)
    assert extract_parameters(made) == params
    assert made.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
    assert verify_password(made, PASSWORD) is True
    assert verify_password(made, PASSWORD + "!") is False


def test_each_hash_is_salted() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)

    assert first != second
    assert verify_password(first, PASSWORD)
    assert verify_password(second, PASSWORD)


@pytest.mark.parametrize(
    ("secret", "expected"),
    [
        # SHA-256 test vectors (FIPS 180-2): the digest is plain SHA-256 of the UTF-8 text
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
    ],
)
def test_digest_is_the_hex_sha256_of_the_secret(secret: str, expected: str) -> None:
    assert digest(secret) == expected


def test_digest_is_stable_and_distinguishes_secrets() -> None:
    token = "ocsp_4f1c2b9e8d7a6f5e4d3c2b1a09f8e7d6"

    assert digest(token) == digest(token)
    assert len(digest(token)) == 64
    assert digest(token) != digest(token.upper())


@pytest.mark.parametrize(
    ("a", "b", "equal"), [("x1", "x1", True), ("x1", "x2", False), ("", "", True)]
)
def test_same_compares_secrets(a: str, b: str, equal: bool) -> None:
    assert same(a, b) is equal
