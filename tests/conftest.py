"""Test set-up shared by every test.

The suite runs on SQLite (default) or PostgreSQL (``--db=postgresql``, which starts a
throwaway cluster and stops it at the end). The schema is built by running the migrations;
each test runs inside a transaction that is rolled back afterwards, and the app under test
joins that transaction through savepoints. Time is frozen through ``core.clock``."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher, profiles
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.orm import Session

from opencsp.core import clock, crypto, migrate
from opencsp.core.config import settings
from opencsp.core.db import build_engine, new_session
from tests.support import postgres

NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--db",
        default=os.environ.get("OPENCSP_TEST_DB", "sqlite"),
        choices=["sqlite", "postgresql"],
        help="database engine for the suite",
    )


def pytest_report_header(config: pytest.Config) -> str:
    return f"opencsp database: {config.getoption('--db')}"


@pytest.fixture(scope="session")
def db_kind(pytestconfig: pytest.Config) -> str:
    return str(pytestconfig.getoption("--db"))


@pytest.fixture(scope="session")
def database_url(db_kind: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if db_kind == "postgresql":
        with postgres.cluster() as url:
            yield url
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'opencsp.db'}"


@pytest.fixture(scope="session", autouse=True)
def _isolated_env(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """Tests never touch a developer's data directory or real settings."""
    data_dir = tmp_path_factory.mktemp("data")
    saved = dict(os.environ)
    for key in list(os.environ):
        if key.startswith("OPENCSP_") and key not in ("OPENCSP_TEST_DB", "OPENCSP_PG_BIN"):
            del os.environ[key]
    os.environ["OPENCSP_DATA_DIR"] = str(data_dir)
    settings.cache_clear()
    yield
    os.environ.clear()
    os.environ.update(saved)
    settings.cache_clear()


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashing() -> Iterator[None]:
    """Argon2id at the application's cost takes ~0.1 s a hash, and the factories hash one
    for every partner user and customer administrator: that was over half of the suite's
    time. Tests hash at argon2-cffi's ``CHEAPEST`` profile (same algorithm, same format);
    tests/unit/core/test_crypto.py checks the production parameters themselves."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(crypto, "_hasher", PasswordHasher.from_parameters(profiles.CHEAPEST))
        yield


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    eng = build_engine(database_url)
    with eng.connect() as conn:
        migrate.upgrade(conn)
        conn.commit()
    yield eng
    eng.dispose()


@pytest.fixture()
def connection(engine: Engine) -> Iterator[Connection]:
    """One transaction per test, rolled back at the end whatever the test committed."""
    conn = engine.connect()
    trans = conn.begin()
    try:
        yield conn
    finally:
        if trans.is_active:
            trans.rollback()
        conn.close()


@pytest.fixture()
def frozen_now() -> Iterator[datetime]:
    with clock.frozen(NOW) as instant:
        yield instant


@pytest.fixture()
def session(connection: Connection, frozen_now: datetime) -> Iterator[Session]:
    s = new_session(connection)
    try:
        yield s
    finally:
        s.close()


@pytest.fixture()
def configure(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., None]]:
    """Change settings for one test: ``configure(test_clock=True)``."""

    def apply(**values: Any) -> None:
        for key, value in values.items():
            monkeypatch.setenv(f"OPENCSP_{key.upper()}", str(value))
        settings.cache_clear()

    yield apply
    settings.cache_clear()


@pytest.fixture(scope="session")
def shared_app(_isolated_env: None) -> Iterator[FastAPI]:
    """One app per test process, built with the test clock on: building one costs
    ~0.2 s (FastAPI analyses every route), which the suite paid for every API test."""
    from opencsp.web.app import create_app

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("OPENCSP_TEST_CLOCK", "true")
        settings.cache_clear()
        app = create_app()
    settings.cache_clear()
    yield app


@pytest.fixture()
def make_app(
    connection: Connection,
    session: Session,
    configure: Callable[..., None],
    shared_app: FastAPI,
) -> Iterator[Callable[[], FastAPI]]:
    """The app under test runs on the test's transaction and on the test clock, held at
    NOW, so the server's "now" is the test's "now" whatever day the suite runs. A test that
    changes the app itself (adds a route) builds its own with ``create_app``."""
    configure(test_clock=True)
    clock.set_test_clock(session, NOW)
    session.flush()
    shared_app.state.bind = connection
    yield lambda: shared_app
    shared_app.state.bind = None


@pytest.fixture()
def client(make_app: Callable[[], FastAPI]) -> Iterator[TestClient]:
    with TestClient(make_app(), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture()
def live_database(db_kind: str, database_url: str, engine: Engine) -> Iterator[str]:
    """A separate, migrated database that tests may really commit to (concurrency, the
    browser, the CLI); dropped afterwards."""
    if db_kind == "sqlite":
        path = Path(tempfile.mkdtemp(prefix="opencsp-live-")) / "live.db"
        url = f"sqlite:///{path}"
        eng = build_engine(url)
        with eng.connect() as conn:
            migrate.upgrade(conn)
            conn.commit()
        eng.dispose()
        yield url
        return
    name = f"live_{os.getpid()}_{abs(hash(os.urandom(8))) % 10**8}"
    admin = create_engine(database_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE template0'))
    url = database_url.rsplit("/", 1)[0] + f"/{name}"
    eng = build_engine(url)
    with eng.connect() as conn:
        migrate.upgrade(conn)
        conn.commit()
    eng.dispose()
    yield url
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()
