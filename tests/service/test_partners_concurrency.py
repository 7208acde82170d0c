"""Concurrent enrollments and acceptances on a committed database: partner IDs stay unique
and a partnership link is used once, whichever transaction gets there first."""

from __future__ import annotations

import threading
from collections.abc import Callable

from sqlalchemy import func, select

from opencsp.auth import service as auth_service
from opencsp.core.actor import Tier
from opencsp.core.db import build_engine, new_session
from opencsp.core.errors import DomainError
from opencsp.core.uow import unit_of_work
from opencsp.partners import enrollment, partnerships, queries
from opencsp.partners.models import PartnerId, Partnership
from tests.factories.parties import partner
from tests.factories.partners import application

WORKERS = 4


def at_once(work: Callable[[int], object]) -> list[object]:
    """Run ``work(i)`` in WORKERS threads released together; returns results or errors."""
    barrier = threading.Barrier(WORKERS)
    results: list[object] = [None] * WORKERS

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except DomainError as exc:
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(WORKERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    return results


def test_concurrent_enrollments_get_distinct_partner_ids(live_database):
    engine = build_engine(live_database)
    with unit_of_work(bind=engine) as session:
        auth_service.system_actor(session)  # the vendor exists before the rush
    applications = [application() for _ in range(WORKERS)]

    def enroll(i: int) -> str:
        with unit_of_work(bind=engine) as session:
            return str(enrollment.enroll(session, applications[i]).organization.id)

    results = at_once(enroll)
    assert all(isinstance(r, str) for r in results), results
    with new_session(engine) as session:
        numbers = session.scalars(select(PartnerId.mpn_id)).all()
        assert len(numbers) == len(set(numbers)) == 2 * WORKERS
        assert sorted(numbers) == list(range(min(numbers), min(numbers) + 2 * WORKERS))
    engine.dispose()


def test_a_link_accepted_by_several_resellers_at_once_is_used_once(live_database):
    engine = build_engine(live_database)
    with unit_of_work(bind=engine) as session:
        provider = partner(session, Tier.INDIRECT_PROVIDER)
        resellers = [partner(session, Tier.INDIRECT_RESELLER) for _ in range(WORKERS)]
        token = partnerships.request_partnership(session, provider.actor).token
        actors = [r.actor for r in resellers]

    def accept(i: int) -> str:
        with unit_of_work(bind=engine) as session:
            return str(partnerships.accept_partnership(session, actors[i], token).partnership.id)

    results = at_once(accept)
    assert sum(isinstance(r, str) for r in results) == 1, results
    assert all(
        isinstance(r, str) or type(r).__name__ == "PartnershipRequestNotFound" for r in results
    ), results
    with new_session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Partnership)) == 1
        assert len(queries.resellers_of(session, provider.org.id)) == 1
    engine.dispose()
