"""Notifications: e-mail delivered from the outbox by the ``notifications.deliver`` job
through the configured sender (file: one .eml per message, idempotent; smtp; none), in
the recipient's language, with retries and backoff; and the inbox API (own organization
only, newest first, paged; marking read)."""

from __future__ import annotations

import email
import email.policy
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.auth.rules import Role
from opencsp.core import clock, outbox
from opencsp.core.actor import Tier
from opencsp.core.outbox import OutboxMessage
from opencsp.jobs.registry import JOBS
from opencsp.notifications import delivery, messages, senders
from opencsp.notifications.senders import DeliveryFailed, Email
from opencsp.notifications.service import EMAIL_TOPIC, notify
from tests.conftest import NOW
from tests.factories import Member, member, system
from tests.factories.jobs import units


@pytest.fixture()
def partner(session: Session) -> Member:
    return member(session, tier=Tier.DIRECT_BILL, roles=(Role.GLOBAL_ADMIN,))


def restricted(session: Session, org: Member, *, key: str = "k1", at: Any = NOW) -> None:
    notify(
        session,
        org.org.id,
        kind="partner_restricted",
        key=key,
        params={"since": "2026-11-21", "reason": "Reassessment not met"},
        now=at,
    )
    session.flush()


def deliver(session: Session, sender: senders.Sender | None = None, *, at: Any = NOW) -> str:
    with clock.frozen(at):
        return delivery.deliver(units(session, system(session)), sender)


def emails(session: Session) -> list[OutboxMessage]:
    return list(
        session.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.topic == EMAIL_TOPIC)
            .order_by(OutboxMessage.id)
        )
    )


# --- rendering ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "day", "usd"),
    [
        ("en", "November 21, 2026", "$999.99"),
        ("en-US", "November 21, 2026", "$999.99"),
        ("ko-KR", "2026년 11월 21일", "US$999.99"),
        ("fr", "November 21, 2026", "$999.99"),  # unsupported: English
    ],
)
def test_values_are_shown_for_the_language(language, day, usd):
    text = messages.render(
        "floor_below",
        {
            "period": "2026-11",
            "ttmUsd": "999.99",
            "floorUsd": "1000.00",
            "deauthorizeOn": "2026-11-21",
        },
        language,
    )
    assert day in text.body and usd in text.body


def test_an_unknown_kind_still_renders():
    text = messages.render("some_future_kind", {"b": "2", "a": "1"}, "en")
    assert text.subject == "Some future kind" and text.body == "a: 1\nb: 2"


def test_a_missing_parameter_is_a_dash():
    text = messages.render("partner_restricted", {"since": "2026-11-21"}, "en")
    assert "Reason: —" in text.body


# --- delivery ------------------------------------------------------------------------------------


def test_file_sender_writes_one_eml_per_message(session, partner, configure, tmp_path):
    configure(email_dir=tmp_path)
    restricted(session, partner)
    assert deliver(session) == "delivered 1"
    [path] = tmp_path.glob("*.eml")
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert msg["To"] == partner.user.email
    assert msg["Subject"] == "Your CSP status is restricted"
    assert msg["Message-ID"] == senders.message_id(emails(session)[0].key)
    body = msg.get_body().get_content()  # type: ignore[union-attr]
    assert "Since November 21, 2026" in body and "Reassessment not met" in body
    assert emails(session)[0].status == outbox.DELIVERED
    assert deliver(session) == "nothing due"


def test_the_file_sender_is_idempotent(tmp_path):
    send = senders.file_sender(tmp_path, sender="a@example.com")
    mail = Email("k:1", "b@example.com", "S", "B", NOW)
    send(mail)
    first = next(tmp_path.glob("*.eml")).read_bytes()
    send(Email("k:1", "b@example.com", "S2", "B2", NOW + timedelta(hours=1)))
    assert [p.read_bytes() for p in tmp_path.glob("*.eml")] == [first]
    assert not list(tmp_path.glob(".sending-*"))


def test_recipients_are_global_admins_in_their_language(session, partner, configure, tmp_path):
    configure(email_dir=tmp_path)
    korean = member(session, partner.org, roles=(Role.GLOBAL_ADMIN,))
    korean.user.locale = "ko-KR"
    member(session, partner.org, roles=(Role.HELPDESK_AGENT,))  # not a recipient
    session.flush()
    restricted(session, partner)
    assert deliver(session) == "delivered 2"
    bodies = {}
    for path in tmp_path.glob("*.eml"):
        msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        bodies[msg["To"]] = (msg["Content-Language"], msg.get_body().get_content())  # type: ignore[union-attr]
    assert bodies[korean.user.email][0] == "ko"
    assert "2026년 11월 21일" in bodies[korean.user.email][1]
    assert bodies[partner.user.email][0] == "en"


def test_a_failing_sender_is_retried_with_backoff_then_failed(session, partner, configure):
    configure(provisioning_max_attempts=3, provisioning_backoff_base_seconds=30)
    restricted(session, partner)
    calls: list[str] = []

    def down(mail: Email) -> None:
        calls.append(mail.key)
        raise DeliveryFailed("connection refused")

    assert deliver(session, down) == "retrying 1"
    [row] = emails(session)
    assert (row.attempts, row.available_at, row.last_error) == (
        1,
        NOW + timedelta(seconds=30),
        "connection refused",
    )
    assert deliver(session, down, at=NOW + timedelta(seconds=29)) == "nothing due"
    assert deliver(session, down, at=NOW + timedelta(seconds=30)) == "retrying 1"
    assert deliver(session, down, at=NOW + timedelta(seconds=90)) == "failed 1"
    assert deliver(session, down, at=NOW + timedelta(days=1)) == "nothing due"
    assert len(calls) == 3


def test_the_none_sender_drops(session, partner, configure, tmp_path):
    configure(email_sender="none", email_dir=tmp_path)
    restricted(session, partner)
    assert deliver(session) == "delivered 1"
    assert not list(tmp_path.glob("*.eml"))


def test_the_smtp_sender(session, partner, configure, monkeypatch):
    sent: list[Any] = []

    class FakeSMTP:
        def __init__(self, host: str, port: int, timeout: float) -> None:
            sent.append(("connect", host, port))

        def __enter__(self) -> FakeSMTP:
            return self

        def __exit__(self, *exc: object) -> None:
            pass

        def starttls(self) -> None:
            sent.append(("starttls",))

        def login(self, user: str, password: str) -> None:
            sent.append(("login", user, password))

        def send_message(self, msg: Any) -> None:
            sent.append(("send", msg["To"], msg["Subject"]))

    monkeypatch.setattr(senders.smtplib, "SMTP", FakeSMTP)
    configure(
        email_sender="smtp",
        smtp_host="mail.example",
        smtp_port=587,
        smtp_user="u",
        smtp_password="p",
        smtp_starttls=True,
    )
    restricted(session, partner)
    assert deliver(session) == "delivered 1"
    assert sent == [
        ("connect", "mail.example", 587),
        ("starttls",),
        ("login", "u", "p"),
        ("send", partner.user.email, "Your CSP status is restricted"),
    ]


def test_the_default_directory_is_under_the_data_dir(configure, tmp_path):
    configure(data_dir=tmp_path)
    assert senders.mail_dir() == tmp_path / "mail"


def test_the_job_is_registered():
    assert JOBS["notifications.deliver"].batched is delivery.deliver


# --- the inbox ------------------------------------------------------------------------------------


def test_inbox_is_own_newest_first_and_paged(client, session, partner):
    other = member(session, tier=Tier.DIRECT_BILL)
    for n in range(3):
        restricted(session, partner, key=f"k{n}", at=NOW + timedelta(minutes=n))
    restricted(session, other, key="other")
    r = client.get("/v1/notifications?size=2", headers=partner.headers)
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["totalCount"] == 3 and len(page["items"]) == 2
    first = page["items"][0]
    assert first["attributes"] == {"objectType": "Notification"}
    assert first["subject"] == "Your CSP status is restricted" and first["isRead"] is False
    assert [i["createdAt"] for i in page["items"]] == sorted(
        (i["createdAt"] for i in page["items"]), reverse=True
    )
    token = page["continuationToken"]
    rest = client.get(
        "/v1/notifications?size=2&seekOperation=Next",
        headers=partner.headers | {"MS-ContinuationToken": token},
    ).json()
    assert len(rest["items"]) == 1
    ids = {i["id"] for i in page["items"] + rest["items"]}
    assert len(ids) == 3
    korean = client.get("/v1/notifications", headers=partner.headers | {"X-Locale": "ko-KR"})
    assert "2026년 11월 21일" in korean.json()["items"][0]["body"]


def test_reading_marks_once_and_others_are_404(client, session, partner):
    other = member(session, tier=Tier.DIRECT_BILL)
    restricted(session, partner)
    [item] = client.get("/v1/notifications", headers=partner.headers).json()["items"]
    url = f"/v1/notifications/{item['id']}/read"
    r = client.post(url, headers=partner.headers)
    assert r.status_code == 200 and r.json()["isRead"] is True
    again = client.post(url, headers=partner.headers).json()
    assert again["readAt"] == r.json()["readAt"]
    unread = client.get("/v1/notifications?unreadOnly=true", headers=partner.headers).json()
    assert unread["totalCount"] == 0
    foreign = client.post(url, headers=other.headers)
    assert (foreign.status_code, foreign.json()["code"]) == (404, 1000)
    missing = client.post(f"/v1/notifications/{uuid.uuid4()}/read", headers=partner.headers)
    assert missing.status_code == 404


def test_notify_once_per_key(session, partner):
    restricted(session, partner)
    restricted(session, partner)
    assert len(emails(session)) == 1
