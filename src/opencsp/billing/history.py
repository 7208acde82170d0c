"""A subscription's charge lines from its ordered history of events (``subscription_events``),
the rules ``charges.period_lines`` applies to a billing period.

**What each event charges** (rules.md §9b–9c, §9e–9f; one seat's money per ``cycles``):

- a term starts (``new``, ``renew``, ``convert`` of a trial or into a partial-upgrade
  copy, or any event that changes the term): the term's first cycle, typed by the event;
- every later cycle start (00:00 UTC of the monthly or annual anniversary of the term
  start): ``cycleCharge`` for the seats and price then in force, if the subscription is
  billed then (active or suspended, ``subscriptions.rules.is_billed``; expired, disabled
  and deleted are not); the first cycle after a billing-plan change is typed
  ``changeBillingPlan``;
- ``addQuantity``: the added seats from the day of the add to the cycle's end, prorated
  by day (the add day is charged); the following cycles include them;
- ``removeQuantity`` / ``cancelImmediate``: a credit of the ``refund`` recorded on the
  event, never recomputed. That refund prorates the seats' *whole-term* price (the
  cancellation day is not charged, ``subscriptions.rules.prorated_refund``); under an
  upfront plan the whole term was billed, so the credit is the refund exactly. Under a
  periodic plan the term's later cycles were never billed and now never will be, so the
  credit is the refund less those seats' unbilled later cycles [inferred: the partner
  then pays exactly the used days]. A credit is never negative and never exceeds what
  the term has billed net so far;
- ``upgrade`` (midterm, same term): the rest of the current cycle is credited at the old
  price for the seats before and charged at the new price for the seats after (a partial
  upgrade keeps its price and credits the seats that moved), both typed ``convert``
  (file-formats.md §8e: "upgrade to a new subscription"); ``moveQuantity`` likewise;
- lifecycle events (suspend, reactivate, expire, disable, delete, auto-renew, rename,
  schedule) charge nothing themselves; they decide whether later cycles are billed.

Every line is ``effective_unit_price × quantity`` with a per-seat price already at the
currency's minor unit, so the file's seat-based subtotal formula (file-formats.md §8c)
reproduces it. A credit that is not a whole number of minor units per seat is written as
two lines (most seats at the lower per-seat amount, the rest one minor unit higher), so
it stays exactly the refund.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import pairwise

from opencsp.billing.cycles import (
    Cycle,
    cycle_of,
    is_periodic,
    seat_between,
    share_at,
    term_cycles,
)
from opencsp.billing.lines import (
    ChargeLine,
    ChargeType,
    EventFacts,
    midnight,
    month_of,
    per_seat_parts,
)
from opencsp.catalog.rules import BillingPlan, TermDuration
from opencsp.core.errors import InvalidInput
from opencsp.core.money import Currency, round_amount
from opencsp.subscriptions.events import EventKind
from opencsp.subscriptions.rules import Status, is_billed


def history_lines(events: Sequence[EventFacts], *, until: datetime) -> list[ChargeLine]:
    """Every charge line of one subscription's history accruing before ``until``, in
    order (module docstring). ``events`` are one subscription's, in ``sequence`` order
    with non-decreasing ``at`` (each event is recorded when it happens)."""
    ordered = sorted(events, key=lambda e: e.sequence)
    if len({e.subscription_id for e in ordered}) > 1:
        raise InvalidInput(description="history_lines takes one subscription's events")
    walk = _Walk(_plan_changes(ordered))
    for event in ordered:
        if event.at >= until:
            break
        walk.cycles(upto=event.at, inclusive=True)
        walk.apply(event)
    walk.cycles(upto=until, inclusive=False)
    return walk.lines


_STARTS: dict[EventKind, ChargeType] = {
    EventKind.NEW: ChargeType.NEW,
    EventKind.RENEW: ChargeType.RENEW,
    EventKind.CONVERT: ChargeType.CONVERT,
    EventKind.CHANGE_BILLING_PLAN: ChargeType.CHANGE_BILLING_PLAN,
}
"""The charge type of a term's first cycle by the event that started the term; any other
event that changes the term (an immediate term change) is a ``convert``."""

_MOVES: dict[EventKind, ChargeType] = {
    EventKind.UPGRADE: ChargeType.CONVERT,
    EventKind.MOVE_QUANTITY: ChargeType.MOVE_QUANTITY,
}


@dataclass
class _Term:
    """The term being walked: its cycles, the net it has billed so far (the cap of a
    credit) and when it last charged, with that line's key."""

    first: EventFacts
    cycles: list[Cycle]
    net: Decimal = Decimal(0)
    last_charge_at: datetime | None = None
    last_charge_key: str | None = None

    @property
    def currency(self) -> Currency:
        return Currency.of(self.first.currency)


def _plan_changes(ordered: Sequence[EventFacts]) -> dict[int, list[tuple[date, BillingPlan]]]:
    """Each term's billing-plan changes, (date, new plan), from the events whose plan
    differs from the one before in the same term. Known before the walk, so a cycle
    starting at the very instant of its plan change (the ``changeBillingPlan`` event is
    recorded at 00:00 UTC of the new cycle, ``subscriptions.billing_cycles``) is billed on
    the new plan."""
    changes: dict[int, list[tuple[date, BillingPlan]]] = {}
    for prev, e in pairwise(ordered):
        if not _starts_term(prev, e) and e.billing_plan != prev.billing_plan:
            changes.setdefault(e.term_number, []).append((e.at.date(), BillingPlan(e.billing_plan)))
    return changes


def _cycles_of(e: EventFacts, changes: Sequence[tuple[date, BillingPlan]] = ()) -> list[Cycle]:
    plan = BillingPlan(e.billing_plan)
    if not is_periodic(plan) or TermDuration(e.term_duration) is TermDuration.ONE_TIME:
        return []
    return term_cycles(
        e.term_start,
        e.term_end,
        TermDuration(e.term_duration),
        plan,
        anchor_day=e.anchor_day,
        plan_changes=changes,
    )


def _starts_term(prev: EventFacts, e: EventFacts) -> bool:
    return (e.term_number, e.term_start) != (prev.term_number, prev.term_start)


class _Walk:
    """The history walked event by event; ``state`` is the latest event (the subscription
    as it then stood) and ``mark`` the instant up to which cycle starts are done."""

    def __init__(self, plan_changes: dict[int, list[tuple[date, BillingPlan]]]) -> None:
        self.plan_changes = plan_changes
        self.lines: list[ChargeLine] = []
        self.state: EventFacts | None = None
        self.term: _Term | None = None
        self.mark: datetime | None = None

    def cycles(self, *, upto: datetime, inclusive: bool) -> None:
        """Charge the cycles starting after ``mark`` and by ``upto`` with the seats and
        price then in force, while the subscription is billed (rules.md §9e)."""
        state, term, mark = self.state, self.term, self.mark
        if state is None or term is None or mark is None:
            return
        billed = is_billed(Status(state.status_after)) and state.quantity_after > 0
        for previous, cycle in zip(term.cycles, term.cycles[1:], strict=False):
            starts = midnight(cycle.start)
            if not mark < starts or starts > upto or (starts == upto and not inclusive):
                continue
            if not billed:
                continue
            kind = ChargeType.CYCLE_CHARGE
            if cycle.plan is not previous.plan:
                kind = ChargeType.CHANGE_BILLING_PLAN
            each = seat_between(state.unit_price, cycle.share_start, cycle.share_end, term.currency)
            self._line(
                f"{state.subscription_id}:{state.term_number}.{cycle.number}:{kind.value}",
                kind,
                starts,
                cycle.start,
                cycle.end,
                state.quantity_after,
                each,
                cycle=cycle.number,
            )
        self.mark = max(mark, upto)

    def apply(self, e: EventFacts) -> None:
        prev, term = self.state, self.term
        if prev is None or term is None or _starts_term(prev, e):
            if prev is not None and term is not None and e.refund:
                typed = _STARTS.get(EventKind(e.kind), ChargeType.CONVERT)
                self._credit(prev, term, e, e.refund, prev.quantity_after, typed)
            self._start(e)
            return
        kind = EventKind(e.kind)
        self.state = e
        if not term.cycles:
            return
        if kind is EventKind.ADD_QUANTITY and e.quantity_after > e.quantity_before:
            self._rest(
                e, e.unit_price, e.quantity_after - e.quantity_before, ChargeType.ADD_QUANTITY, 1
            )
        elif kind is EventKind.REMOVE_QUANTITY and e.refund:
            removed = e.quantity_before - e.quantity_after
            self._credit(prev, term, e, e.refund, removed, ChargeType.REMOVE_QUANTITY)
        elif kind is EventKind.CANCEL and e.refund:
            self._credit(prev, term, e, e.refund, e.quantity_before, ChargeType.CANCEL_IMMEDIATE)
        elif kind is EventKind.UPGRADE and e.refund:  # seats moved into an existing one
            moved = e.quantity_before - e.quantity_after
            self._credit(prev, term, e, e.refund, moved, ChargeType.MOVE_QUANTITY)
        elif kind in _MOVES:
            self._move(prev, e, _MOVES[kind])
        elif kind is EventKind.CHANGE_BILLING_PLAN and e.refund:  # the old term of a term change
            self._credit(
                prev, term, e, e.refund, prev.quantity_after, ChargeType.CHANGE_BILLING_PLAN
            )

    def _start(self, e: EventFacts) -> None:
        """A term starts: its first cycle is charged now, typed by the event."""
        term = _Term(first=e, cycles=_cycles_of(e, self.plan_changes.get(e.term_number, ())))
        self.state, self.term, self.mark = e, term, e.at
        if not term.cycles or not is_billed(Status(e.status_after)) or e.quantity_after < 1:
            return
        kind = _STARTS.get(EventKind(e.kind), ChargeType.CONVERT)
        first = term.cycles[0]
        each = seat_between(e.unit_price, first.share_start, first.share_end, term.currency)
        self._line(
            f"{e.subscription_id}:{e.sequence}:{kind.value}:0",
            kind,
            e.at,
            first.start,
            first.end,
            e.quantity_after,
            each,
            sequence=e.sequence,
            cycle=0,
        )

    def _rest(self, e: EventFacts, price: Decimal, seats: int, kind: ChargeType, sign: int) -> None:
        """``seats`` × the rest of the current cycle from the event's day at ``price``: a
        charge (``sign`` 1, the day is charged) or a credit (-1)."""
        term = self.term
        assert term is not None
        day = e.at.date()
        cycle = cycle_of(term.cycles, day)
        each = seat_between(price, share_at(term.cycles, day), cycle.share_end, term.currency)
        if each == 0 or seats < 1:
            return
        part = 0 if sign > 0 else 1
        self._line(
            f"{e.subscription_id}:{e.sequence}:{kind.value}:{part}",
            kind,
            e.at,
            day,
            cycle.end,
            seats,
            sign * each,
            sequence=e.sequence,
            cycle=cycle.number,
        )

    def _move(self, prev: EventFacts, e: EventFacts, kind: ChargeType) -> None:
        """An upgrade or seat move within the term (module docstring)."""
        if e.unit_price != prev.unit_price:
            self._rest(e, prev.unit_price, e.quantity_before, kind, -1)
            self._rest(e, e.unit_price, e.quantity_after, kind, 1)
        elif e.quantity_after < e.quantity_before:
            self._rest(e, prev.unit_price, e.quantity_before - e.quantity_after, kind, -1)
        elif e.quantity_after > e.quantity_before:
            self._rest(e, e.unit_price, e.quantity_after - e.quantity_before, kind, 1)

    def _credit(
        self,
        prev: EventFacts,
        term: _Term,
        e: EventFacts,
        refund: Decimal,
        seats: int,
        kind: ChargeType,
    ) -> None:
        """Credit the recorded ``refund`` for ``seats``, less their later cycles the term
        never billed, capped to 0..what the term billed net (module docstring)."""
        if seats < 1 or not term.cycles:
            return
        currency = term.currency
        day = e.at.date()
        cycle = cycle_of(term.cycles, day)
        unbilled = seat_between(
            prev.unit_price, cycle.share_end, term.cycles[-1].share_end, currency
        )
        credit = round_amount(refund, currency) - unbilled * seats
        credit = max(Decimal(0), min(credit, term.net))
        if credit == 0:
            return
        offsets = month_of(term.last_charge_at) if term.last_charge_at else None
        for part, (count, each) in enumerate(per_seat_parts(credit, seats, currency)):
            self._line(
                f"{e.subscription_id}:{e.sequence}:{kind.value}:{part}",
                kind,
                e.at,
                day,
                cycle.end,
                count,
                -each,
                sequence=e.sequence,
                cycle=cycle.number,
                offsets=offsets,
                facts=prev,
            )

    def _line(
        self,
        key: str,
        kind: ChargeType,
        accrued_at: datetime,
        start: date,
        end: date,
        seats: int,
        each: Decimal,
        *,
        sequence: int | None = None,
        cycle: int | None = None,
        offsets: date | None = None,
        facts: EventFacts | None = None,
    ) -> None:
        term, state = self.term, facts or self.state
        assert term is not None and state is not None
        amount = each * seats
        term.net += amount
        gives_back = term.last_charge_key if amount < 0 else None
        if amount > 0:
            term.last_charge_at, term.last_charge_key = accrued_at, key
        self.lines.append(
            ChargeLine(
                key=key,
                charge_type=kind,
                accrued_at=accrued_at,
                period=month_of(accrued_at),
                charge_start=start,
                charge_end=end,
                quantity=seats,
                unit_price=state.unit_price,
                effective_unit_price=each,
                amount=amount,
                currency=state.currency,
                subscription_id=state.subscription_id,
                event_sequence=sequence,
                term_number=state.term_number,
                cycle_number=cycle,
                term_start=state.term_start,
                term_end=state.term_end,
                term_duration=state.term_duration,
                billing_plan=state.billing_plan,
                offsets_period=offsets,
                offsets_key=gives_back,
            )
        )
