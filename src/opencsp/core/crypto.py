"""Password hashing (Argon2id through argon2-cffi) and digests of high-entropy secrets.

Passwords are slow-hashed; API tokens and session ids are 256-bit random secrets, for
which one SHA-256 is enough and lets a lookup use an index."""

from __future__ import annotations

import hashlib
import hmac

from argon2 import Parameters, PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError

PARAMETERS: Parameters = profiles.RFC_9106_LOW_MEMORY
"""Argon2id at RFC 9106's second recommendation (t=3, m=64 MiB, p=4; argon2-cffi's default).
A hash carries its parameters, so raising them later still verifies old hashes and
:func:`password_needs_rehash` tells when to store a new one. (The test suite hashes at
``profiles.CHEAPEST`` instead: tests/conftest.py.)"""

_hasher = PasswordHasher.from_parameters(PARAMETERS)


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    if not password_hash:
        _hasher.hash(password)  # same cost whether or not the user exists
        return False
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def same(a: str, b: str) -> bool:
    return hmac.compare_digest(a.encode(), b.encode())
