"""The whole demo, loaded once for the package's tests into a fresh database on the test
clock (2026-11-21), in a transaction rolled back after the last of them."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from opencsp.auth import service as auth_service
from opencsp.core import clock
from opencsp.core.actor import Actor
from opencsp.core.db import new_session
from opencsp.demo import commerce, load, program

NOW = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@dataclass
class Demo:
    """The loaded demo: its session and connection, the system actor, what ``load``
    returned and every warning the demo's commerce and the jobs logged while loading."""

    session: Session
    connection: Connection
    system: Actor
    loaded: program.Loaded
    warnings: list[str] = field(default_factory=list)


WATCHED = (commerce.log.name, "opencsp.subscriptions")


@pytest.fixture(scope="package")
def demo(engine: Engine) -> Iterator[Demo]:
    conn = engine.connect()
    trans = conn.begin()
    collect = Collect()
    loggers = [logging.getLogger(name) for name in WATCHED]
    for logger in loggers:
        logger.addHandler(collect)
    session = new_session(conn)
    try:
        with clock.frozen(program.opening(NOW)):  # as ``load.prepare`` dates the vendor
            system = auth_service.system_actor(session)
        with clock.frozen(NOW):
            loaded = load._load(session, system)
            session.flush()
        yield Demo(session, conn, system, loaded, collect.messages)
    finally:
        for logger in loggers:
            logger.removeHandler(collect)
        session.close()
        trans.rollback()
        conn.close()
