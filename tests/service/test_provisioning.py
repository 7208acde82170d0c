"""Provisioning delivery (issue 5): every outbox message of a subscription change is POSTed
to the fulfillment endpoint — here a real HTTP server on 127.0.0.1 that fails a number of
times, then accepts — retried after 30 s doubled per failure on the test clock, failed
after the last attempt; ``provisioningstatus`` follows the delivery."""

from __future__ import annotations

import json
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.core import clock, outbox
from opencsp.core.outbox import OutboxMessage
from opencsp.subscriptions import provisioning
from opencsp.subscriptions.errors import SubscriptionNotFound
from opencsp.subscriptions.events import PROVISIONING_TOPIC
from opencsp.subscriptions.models import Subscription
from opencsp.subscriptions.provisioning import LineState, ProvisioningState
from tests.factories import system
from tests.factories.commerce import Scene, scene, subscription
from tests.factories.jobs import units

T0 = datetime(2026, 11, 21, 9, 30, tzinfo=UTC)


class Endpoint:
    """A fulfillment system that answers 503 ``fail`` times, then 202."""

    def __init__(self, fail: int) -> None:
        self.fail = fail
        self.received: list[tuple[str, dict[str, Any]]] = []
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                endpoint.received.append((self.headers["Idempotency-Key"], body))
                ok = len(endpoint.received) > endpoint.fail
                self.send_response(202 if ok else 503)
                self.end_headers()

            def log_message(self, *_args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/provision"

    @contextmanager
    def running(self) -> Iterator[Endpoint]:
        thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()
            thread.join()


def deliver_at(session: Session, at: datetime) -> str:
    with clock.frozen(at):
        return provisioning.deliver(units(session, system(session)))


def messages(session: Session) -> list[OutboxMessage]:
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.topic == PROVISIONING_TOPIC)
            .order_by(OutboxMessage.id)
        )
    )


@pytest.fixture()
def s(session: Session) -> Scene:
    return scene(session)


@pytest.fixture()
def sub(session: Session, s: Scene) -> Subscription:
    return subscription(session, s.direct_customer, s.direct, s.offer, start=date(2026, 11, 21))


def test_retries_with_backoff_on_the_clock_until_accepted(session, sub, configure):
    with Endpoint(fail=3).running() as endpoint:
        configure(provisioning_url=endpoint.url)
        assert provisioning.status_of(session, sub.id).status is ProvisioningState.PENDING
        # attempt 1 fails: next in 30 s; attempt 2 fails: 60 s; attempt 3 fails: 120 s
        schedule = [
            (T0, "retrying 1", 1),
            (T0 + timedelta(seconds=29), "nothing due", 1),
            (T0 + timedelta(seconds=30), "retrying 1", 2),
            (T0 + timedelta(seconds=89), "nothing due", 2),
            (T0 + timedelta(seconds=90), "retrying 1", 3),
            (T0 + timedelta(seconds=209), "nothing due", 3),
            (T0 + timedelta(seconds=210), "delivered 1", 4),
            (T0 + timedelta(hours=2), "nothing due", 4),
        ]
        for at, outcome, attempts in schedule:
            assert (at, deliver_at(session, at)) == (at, outcome)
            (message,) = messages(session)
            assert message.attempts == attempts
            assert len(endpoint.received) == attempts
    assert message.status == outbox.DELIVERED
    assert message.delivered_at == T0 + timedelta(seconds=210)
    assert message.last_error == ""
    key, body = endpoint.received[-1]
    assert key == f"{sub.id}:1"
    assert body["subscriptionId"] == str(sub.id) and body["event"] == "new"
    assert body["quantity"] == 10
    status = provisioning.status_of(session, sub.id)
    assert status.status is ProvisioningState.SUCCESS
    assert (status.sku_id, status.quantity) == (sub.sku_id, 10)
    assert status.end_date == datetime(2027, 11, 20, tzinfo=UTC)


def test_gives_up_after_the_last_attempt_and_reports_failed(session, sub, configure):
    with Endpoint(fail=100).running() as endpoint:
        configure(provisioning_url=endpoint.url, provisioning_max_attempts=2)
        assert deliver_at(session, T0) == "retrying 1"
        assert deliver_at(session, T0 + timedelta(seconds=30)) == "failed 1"
        assert deliver_at(session, T0 + timedelta(days=1)) == "nothing due"
        assert len(endpoint.received) == 2
    (message,) = messages(session)
    assert (message.status, message.attempts) == (outbox.FAILED, 2)
    assert "503" in message.last_error
    assert provisioning.status_of(session, sub.id).status is ProvisioningState.FAILED
    (line,) = provisioning.order_status(session, sub.order_id)
    assert (line.line_item_number, line.status, line.quantity) == (0, LineState.UNFULFILLED, 10)


def test_an_unreachable_endpoint_is_a_failed_attempt(session, sub, configure):
    closed = Endpoint(fail=0)
    url = closed.url
    closed.server.server_close()  # nothing listens there any more
    configure(provisioning_url=url, provisioning_timeout_seconds=2)
    assert deliver_at(session, T0) == "retrying 1"
    (message,) = messages(session)
    assert message.attempts == 1 and message.last_error
    assert message.available_at == T0 + timedelta(seconds=30)


@pytest.mark.parametrize(("attempts", "wait"), [(1, 30), (2, 60), (5, 480), (7, 1920), (8, 3600)])
def test_the_wait_doubles_up_to_the_ceiling(session, sub, configure, attempts, wait):
    configure(provisioning_url="http://127.0.0.1:9/")
    (message,) = messages(session)
    message.attempts = attempts - 1
    session.flush()
    provisioning.settle(session, {message.id: "boom"}, now=T0)
    assert message.available_at == T0 + timedelta(seconds=wait)


def test_the_in_process_provisioner_accepts_everything(session, s, sub):
    other = subscription(session, s.direct_customer, s.direct, s.offer, start=date(2026, 11, 21))
    (line,) = provisioning.order_status(session, other.order_id)
    assert line.status is LineState.PENDING
    assert deliver_at(session, T0) == "delivered 2"
    assert {m.status for m in messages(session)} == {outbox.DELIVERED}
    assert provisioning.status_of(session, sub.id).status is ProvisioningState.SUCCESS
    (line,) = provisioning.order_status(session, other.order_id)
    assert line.status is LineState.FULFILLED


def test_a_claimed_message_is_not_claimed_again_until_its_lease_ends(session, sub):
    first = provisioning.claim(session, now=T0, after=None, limit=10)
    assert [m.key for m in first] == [f"{sub.id}:1"]
    assert provisioning.claim(session, now=T0, after=None, limit=10) == []
    lease_end = T0 + provisioning.lease(10)
    assert (
        provisioning.claim(session, now=lease_end - timedelta(seconds=1), after=None, limit=10)
        == []
    )
    assert len(provisioning.claim(session, now=lease_end, after=None, limit=10)) == 1


def test_status_of_an_unknown_subscription_is_20003(session):
    with pytest.raises(SubscriptionNotFound) as caught:
        provisioning.status_of(session, uuid.uuid4())
    assert caught.value.code == 20003
