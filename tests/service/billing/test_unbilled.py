"""The open period's lines before its run (``billing.unbilled.preview``) are the lines
the run then writes."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from opencsp.billing import run, unbilled
from opencsp.billing.lines import midnight, next_month
from opencsp.billing.models import Charge
from opencsp.core import clock
from tests.factories import system
from tests.factories.commerce import MONTHLY, P1Y, scene, subscription
from tests.factories.jobs import units

MAY = date(2026, 5, 1)


def test_the_preview_is_what_the_run_writes(session: Session) -> None:
    s = scene(session, month=MAY)
    subscription(session, s.direct_customer, s.direct, s.offer, quantity=4, term=P1Y,
                 plan=MONTHLY, start=date(2026, 5, 12), unit_price="120")  # fmt: skip
    subscription(session, s.indirect_customer, s.provider, s.offer, quantity=2,
                 start=date(2026, 5, 3))  # fmt: skip
    with clock.frozen(datetime(2026, 5, 20, tzinfo=UTC)):
        shown = unbilled.preview(session, bill_to_key=str(s.direct.org.id), period=MAY)
    assert [(c.charge_type, c.quantity, c.billed_amount_minor) for c in shown] == [("new", 4, 4000)]
    with clock.frozen(midnight(next_month(MAY)) + timedelta(hours=1)):
        run.run_month(units(session, system(session)), MAY)
    written = session.scalars(
        select(Charge).where(Charge.tier == "vendor", Charge.bill_to_key == str(s.direct.org.id))
    ).all()
    assert [(c.key, c.billed_amount_minor) for c in written] == [
        (c.key, c.billed_amount_minor) for c in shown
    ]
    with clock.frozen(datetime(2026, 6, 2, tzinfo=UTC)):  # billed: the written lines, once
        again = unbilled.preview(session, bill_to_key=str(s.direct.org.id), period=MAY)
    assert sorted(c.key for c in again) == sorted(c.key for c in written)
