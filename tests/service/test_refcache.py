"""The reference cache against a real database (``core.refcache``, migration 0012): every
table of a scope renews the scope's token when written, a rolled-back write brings the
old token back, and the checkout gates see a change made after they cached what they
read — a partner's standing and agreement, the catalog, a price."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal

import pytest
from sqlalchemy import Engine, select, text, update
from sqlalchemy.orm import Session

from opencsp.agreements.models import PartnerAgreementSignature
from opencsp.auth.models import Organization
from opencsp.catalog.models import Availability, AvailabilityCountry
from opencsp.core import clock, refcache
from opencsp.core.db import build_engine, new_session
from opencsp.core.uow import unit_of_work
from opencsp.markets.models import Country
from opencsp.orders import carts
from opencsp.orders.gates import BuyerFacts
from opencsp.partners import standing
from opencsp.partners.models import PartnerStanding
from opencsp.pricing.models import PriceRow
from tests.factories import system
from tests.factories.commerce import Scene, line, scene


@pytest.fixture(autouse=True)
def empty_store() -> Iterator[None]:
    refcache.store.clear()
    yield
    refcache.store.clear()


@pytest.fixture()
def world(session: Session) -> Scene:
    return scene(session)


RAW_TOKENS = text("SELECT scope, token FROM cache_generations")


def tokens(session: Session) -> dict[str, str]:
    """The stored tokens as they are now (``refcache.read`` hides a scope written in this
    transaction on PostgreSQL)."""
    return {scope: token for scope, token in session.execute(RAW_TOKENS)}


def triggers_on(session: Session, table: str) -> int:
    if session.get_bind().dialect.name == "postgresql":
        sql = (
            "SELECT count(*) FROM pg_trigger "
            "WHERE tgrelid = CAST(:t AS regclass) AND NOT tgisinternal"
        )
    else:
        sql = "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"
    return int(session.execute(text(sql), {"t": table}).scalar_one())


SCOPED = [(scope, table) for scope, tables in refcache.SCOPES.items() for table in tables]


@pytest.mark.parametrize(("scope", "table"), SCOPED)
def test_every_scoped_table_carries_the_token_trigger(session, scope, table):
    expected = 1 if session.get_bind().dialect.name == "postgresql" else 3  # statement | row
    assert triggers_on(session, table) == expected


def test_every_scope_has_its_token_row(session):
    assert set(tokens(session)) == set(refcache.SCOPES)


WRITES = {
    "partners": update(Organization).values(name=Organization.name + " "),
    "markets": update(Country).where(Country.code == "US").values(name=Country.name),
    "catalog": update(Availability).values(is_purchasable=Availability.is_purchasable),
    "prices": update(PriceRow).values(unit_price=PriceRow.unit_price),
}


@pytest.fixture()
def live(live_database: str) -> Iterator[tuple[Engine, Scene]]:
    """A committed database with a committed scene: each test transaction below starts
    with no scope written yet."""
    engine = build_engine(live_database)
    with unit_of_work(bind=engine) as setup:
        world = scene(setup)
    yield engine, world
    engine.dispose()


@pytest.mark.parametrize("scope", list(WRITES))
def test_a_write_renews_its_scope_token_only(live, scope):
    engine, _ = live
    with new_session(engine) as session:
        before = tokens(session)
        session.execute(WRITES[scope])
        after = tokens(session)
        assert after[scope] != before[scope]
        assert {s: t for s, t in after.items() if s != scope} == {
            s: t for s, t in before.items() if s != scope
        }
        session.rollback()


def test_postgresql_renews_once_per_transaction_and_marks_the_scope(live):
    engine, _ = live
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite renews the token on every row written, without a marker")
    with new_session(engine) as session:
        outer = tokens(session)
        session.execute(WRITES["markets"])
        found = refcache.read(session)
        assert found is not None and found.tokens["markets"] is None  # written here
        assert {s: t for s, t in found.tokens.items() if s != "markets"} == {
            s: t for s, t in outer.items() if s != "markets"
        }
        first = tokens(session)["markets"]
        session.execute(WRITES["markets"])
        assert tokens(session)["markets"] == first != outer["markets"]
        session.commit()
        after = refcache.read(session)  # a new transaction: nothing written in it yet
        assert after is not None and after.tokens["markets"] == first


def test_a_rolled_back_write_brings_the_old_token_back(live):
    engine, _ = live
    with new_session(engine) as session:
        before = tokens(session)
        nested = session.begin_nested()
        session.execute(WRITES["prices"])
        assert tokens(session)["prices"] != before["prices"]
        nested.rollback()
        assert tokens(session) == before
        found = refcache.read(session)
        assert found is not None and found.tokens == before  # the marker went too
        session.rollback()


@pytest.mark.parametrize("kind", ["insert", "delete"])
def test_inserts_and_deletes_renew_the_token(live, kind):
    engine, world = live
    offered = world.offer.availability.id
    with new_session(engine) as session:
        before = tokens(session)["catalog"]
        if kind == "insert":
            sold = select(AvailabilityCountry.country).where(
                AvailabilityCountry.availability_id == offered
            )
            elsewhere = session.scalars(
                select(Country.code).where(Country.code.not_in(sold))
            ).first()
            assert elsewhere is not None
            session.add(AvailabilityCountry(availability_id=offered, country=elsewhere))
            session.flush()
        else:
            session.execute(
                AvailabilityCountry.__table__.delete().where(
                    AvailabilityCountry.availability_id == offered
                )
            )
        assert tokens(session)["catalog"] != before
        session.rollback()


def test_committed_changes_reach_the_next_transaction_through_the_cache(live):
    """Across transactions every scope is cached (nothing was written in them), and a
    committed price change is charged by the next one."""
    engine, world = live
    with new_session(engine) as first:
        judged = judge(first, world)
        assert not judged.failures
        price = judged.priced[0].pricing.unit_price.amount
        first.rollback()
    hits = refcache.store.hits
    with new_session(engine) as second:
        assert judge(second, world).priced[0].pricing.unit_price.amount == price
        assert refcache.store.hits >= hits + 4  # buyer, market, offer, list and rows
        second.execute(
            update(PriceRow)
            .where(PriceRow.price_list_id == world.prices.id)
            .values(unit_price=price + Decimal("2.50"))
        )
        second.commit()
    with new_session(engine) as third:
        assert judge(third, world).priced[0].pricing.unit_price.amount == price + Decimal("2.50")
        third.rollback()


# --- the gates see every change after caching ---------------------------------------------------


def judge(session: Session, world: Scene, quantity: int = 10) -> carts.Evaluation:
    customer = world.direct_customer
    return carts.evaluate(
        session,
        world.direct.org.id,
        customer,
        [line(world.offer, quantity)],
        {},
        at=clock.now(),
        generations=refcache.read(session),
    )


def codes(evaluation: carts.Evaluation) -> list[int]:
    return [f.error.code for f in evaluation.failures]


def buyer(session: Session, world: Scene) -> BuyerFacts:
    return carts.cart_facts.buyer_facts(
        session, world.direct.org.id, generations=refcache.read(session)
    )


def test_the_cache_serves_the_second_evaluation(session, world):
    first = judge(session, world)
    hits = refcache.store.hits
    second = judge(session, world)
    assert not first.failures and not second.failures
    assert refcache.store.hits > hits
    assert second.priced[0].pricing == first.priced[0].pricing


def test_a_restriction_after_caching_is_seen(session, world):
    assert not buyer(session, world).restricted
    standing.restrict(session, system(session), world.direct.org.id, reason="test", now=clock.now())
    session.flush()
    assert buyer(session, world).restricted


def test_a_withdrawn_partner_agreement_after_caching_is_seen(session, world):
    assert buyer(session, world).partner_agreement_signed
    session.execute(
        PartnerAgreementSignature.__table__.delete().where(
            PartnerAgreementSignature.organization_id == world.direct.org.id
        )
    )
    assert not buyer(session, world).partner_agreement_signed


def test_a_transaction_sees_every_write_of_its_own(session, world):
    """Restricted, then lifted, then restricted again in one transaction: each read
    answers what is written now, though PostgreSQL renews the token only at the first
    write (module docstring of ``core.refcache``)."""
    org = world.direct.org.id
    assert not buyer(session, world).restricted
    standing.restrict(session, system(session), org, reason="test", now=clock.now())
    session.flush()
    assert buyer(session, world).restricted
    session.execute(PartnerStanding.__table__.delete())
    assert not buyer(session, world).restricted
    standing.restrict(session, system(session), org, reason="again", now=clock.now())
    session.flush()
    assert buyer(session, world).restricted


def test_an_offer_withdrawn_after_caching_is_refused(session, world):
    assert not judge(session, world).failures
    session.execute(
        update(Availability)
        .where(Availability.id == world.offer.availability.id)
        .values(is_purchasable=False)
    )
    cached = codes(judge(session, world))
    refcache.store.clear()
    assert cached and cached == codes(judge(session, world))  # as a fresh read answers


def test_a_price_changed_after_caching_is_charged(session, world):
    before = judge(session, world).priced[0].pricing.unit_price.amount
    changed = before + Decimal("1.25")
    session.execute(
        update(PriceRow).where(PriceRow.price_list_id == world.prices.id).values(unit_price=changed)
    )
    assert judge(session, world).priced[0].pricing.unit_price.amount == changed


def test_with_the_cache_off_nothing_is_kept(session, world, configure):
    configure(reference_cache_entries=0)
    assert refcache.read(session) is None
    assert not judge(session, world).failures
    assert len(refcache.store) == 0
    assert session.scalar(select(Organization.id).where(Organization.id == world.direct.org.id))
