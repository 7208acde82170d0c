"""The ``notifications.deliver`` job: the ``core.outbox`` messages of topic ``email``
(queued by ``notifications.service.notify``, one per recipient) rendered in the
recipient's language (``messages.render``) and handed to the configured sender
(``senders.configured_sender``), with retries and backoff — as provisioning delivery does.

A batch of due messages is **claimed** in one unit of work (``FOR UPDATE SKIP LOCKED`` on
PostgreSQL, so two deliverers never take the same message) by moving their
``available_at`` past a lease; the messages are sent outside any transaction; their
outcomes are **settled** in a second unit of work: delivered, or attempts + 1 and the next
attempt after ``outbox.backoff`` (the outbox's retry settings:
``OPENCSP_PROVISIONING_BACKOFF_BASE_SECONDS`` doubled per failure up to
``..._CEILING_SECONDS``), ``failed`` after ``OPENCSP_PROVISIONING_MAX_ATTEMPTS``. A
deliverer that dies mid-batch leaves its messages to be sent again when the lease ends;
the file sender and the ``Message-ID`` make a second delivery harmless.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Sequence
from contextlib import AbstractContextManager
from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from opencsp.core import clock, outbox
from opencsp.core.actor import Actor
from opencsp.core.config import settings
from opencsp.notifications.messages import email_text, language_of, render
from opencsp.notifications.senders import DeliveryFailed, Email, Sender, configured_sender
from opencsp.notifications.service import EMAIL_TOPIC

log = logging.getLogger("opencsp.notifications.delivery")

Units = Callable[[], AbstractContextManager[tuple[Session, Actor]]]
"""Opens one unit of work that commits when its block ends (``jobs.registry.Units``)."""

LEASE_SECONDS_PER_MESSAGE = 30


Claimed = outbox.Claimed


def claim(session: Session, *, now: datetime, after: int | None, limit: int) -> list[Claimed]:
    """Take up to ``limit`` due e-mail messages after id ``after``, oldest first, for the
    lease."""
    lease = timedelta(seconds=LEASE_SECONDS_PER_MESSAGE * limit + 60)
    return outbox.claim(session, EMAIL_TOPIC, now=now, after=after, limit=limit, lease=lease)


def email_of(message: Claimed, *, now: datetime) -> Email:
    """The e-mail of a queued message, in its recipient's language."""
    payload = message.payload
    language = language_of(payload.get("locale"))
    rendered = render(str(payload.get("kind", "")), dict(payload.get("params") or {}), language)
    return Email(
        key=message.key,
        to=str(payload["to"]),
        subject=rendered.subject,
        body=email_text(rendered, language),
        sent_at=now,
        language=language,
    )


def send_all(
    messages: Sequence[Claimed], sender: Sender, *, now: datetime
) -> dict[int, str | None]:
    """Send each message; its error text, or None when it left."""
    outcomes: dict[int, str | None] = {}
    for message in messages:
        try:
            sender(email_of(message, now=now))
        except (DeliveryFailed, OSError, KeyError) as exc:
            log.warning("e-mail %s not delivered: %s", message.key, exc)
            outcomes[message.id] = str(exc) or type(exc).__name__
        else:
            outcomes[message.id] = None
    return outcomes


settle = outbox.settle


def deliver(units: Units, sender: Sender | None = None) -> str:
    """Every due e-mail once, batch by batch (module docstring)."""
    send = sender or configured_sender()
    limit = settings().job_batch_size
    total: Counter[str] = Counter()
    after: int | None = None
    while True:
        with units() as (session, _actor):
            claimed = claim(session, now=clock.now(), after=after, limit=limit)
        if not claimed:
            return ", ".join(f"{k} {n}" for k, n in sorted(total.items())) or "nothing due"
        outcomes = send_all(claimed, send, now=clock.now())
        with units() as (session, _actor):
            total.update(settle(session, outcomes, now=clock.now()))
        after = claimed[-1].id
