"""The credit limit (``billing.credit``; rules.md §11, PC:credit-limit-enforcement.md):
available = limit − (incoming + outstanding + unbilled − overpayment) in USD at the
month's rate; a new purchase beyond it is refused with 900121 and writes nothing, one
exactly equal to it passes; renewals are never checked; no limit row, no limit."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from opencsp.audit.models import AuditRecord
from opencsp.auth.errors import OrganizationNotFound
from opencsp.auth.rules import Role
from opencsp.billing import credit, payments
from opencsp.billing.errors import (
    CreditLimitNotApplicable,
    CreditLimitNotFound,
    InsufficientCreditLimit,
    InvalidCreditLimit,
)
from opencsp.billing.models import BillingPeriod, CreditLimit
from opencsp.core import clock
from opencsp.core.actor import Tier
from opencsp.core.errors import PermissionDenied
from opencsp.core.money import Money
from opencsp.orders import checkout
from opencsp.orders.models import Order
from opencsp.pricing.errors import FxRateNotFound
from opencsp.subscriptions import renewals
from opencsp.subscriptions.models import Subscription
from tests.conftest import NOW
from tests.factories import Member, member, system
from tests.factories import billing as bf
from tests.factories.catalog import fx_rate
from tests.factories.commerce import P1M, Scene, line, sign_partner_agreement, subscription

MAY = date(2026, 5, 1)
NOVEMBER = date(2026, 11, 1)


@pytest.fixture()
def s(session: Session) -> Scene:
    return bf.buying_scene(session)


@pytest.fixture()
def operator(session: Session) -> Member:
    return member(session, tier=Tier.VENDOR, roles=(Role.BILLING_OPERATOR,))


def limit(session: Session, s: Scene, amount: str) -> None:
    bf.set_credit_limit(session, s.direct, amount)


def invoiced(session: Session, s: Scene, each: str, *, currency: str = "USD", doc: str = "invoice"):
    sub = subscription(session, s.direct_customer, s.direct, s.offer, quantity=1, start=MAY)
    bf.charge(session, sub, MAY, each=each, billing_currency=currency, document_type=doc)
    return {d.document_type: d for d in bf.issue(session, MAY)}


def buy(session: Session, s: Scene, seats: int = 10) -> Order:
    """10 seats of P1Y billed monthly: 10 × 120 / 12 = USD 100.00 now."""
    return checkout.place_order(
        session, s.direct.actor, s.direct_customer.id, [line(s.offer, seats)]
    )


# --- the rules ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lim", "incoming", "outstanding", "unbilled", "overpayment", "expected"),
    [
        ("1000", "0", "0", "0", "0", "1000"),
        ("1000", "100", "0", "0", "0", "900"),
        ("1000", "100", "300", "0", "0", "600"),
        ("1000", "100", "300", "50", "0", "550"),
        ("1000", "100", "300", "50", "25", "575"),
        ("1000", "0", "-40", "0", "0", "1040"),  # credit notes exceed what is unpaid
        ("0", "0.01", "0", "0", "0", "-0.01"),
    ],
)
def test_the_documented_formula(lim, incoming, outstanding, unbilled, overpayment, expected):
    found = credit.available(
        Decimal(lim),
        incoming=Decimal(incoming),
        outstanding=Decimal(outstanding),
        unbilled=Decimal(unbilled),
        overpayment=Decimal(overpayment),
    )
    assert found == Decimal(expected)


@pytest.mark.parametrize(("after", "refused"), [("0.01", False), ("0", False), ("-0.01", True)])
def test_a_purchase_leaving_exactly_zero_passes(after, refused):
    if refused:
        with pytest.raises(InsufficientCreditLimit) as exc:
            credit.ensure_within_limit(Decimal(after))
        assert (exc.value.status, exc.value.code) == (403, 900121)
        assert exc.value.message.startswith(
            "Unable to process order due to insufficient credit limit, please contact "
        )
    else:
        credit.ensure_within_limit(Decimal(after))


@pytest.mark.parametrize(
    ("amount", "ok"),
    [("0", True), ("0.01", True), ("50000", True), ("10.005", False), ("-1", False)],
)
def test_a_limit_is_zero_or_more_whole_cents(amount, ok):
    if ok:
        assert credit.limit_usd(Decimal(amount)) == Decimal(amount)
    else:
        with pytest.raises(InvalidCreditLimit):
            credit.limit_usd(Decimal(amount))


# --- the figures -------------------------------------------------------------------------


def test_no_limit_row_means_no_limit(session, s):
    assert credit.available_credit(session, s.direct.org.id, NOW) is None
    assert (
        credit.ensure_credit_for(session, s.direct.org.id, Money.of("1e9", "USD"), now=NOW) is None
    )
    buy(session, s, 300)  # anything goes


def _pay(session: Session, doc, amount: str) -> None:
    payments.record_payment(
        session, system(session), doc.id, Decimal(amount), doc.currency, date(2026, 7, 1), "w"
    )


@pytest.mark.parametrize(
    ("setup", "available"),
    [
        ("nothing", "1000.00"),
        ("invoice 300 unpaid", "700.00"),
        ("invoice 300 paid 100", "800.00"),
        ("invoice 300 paid 350", "1050.00"),  # the overpayment raises the available credit
        ("invoice 300 and credit note 50", "750.00"),
        ("credit note 50", "1050.00"),
        ("order 100 this period", "900.00"),
        ("order 100 before the first open period", "1000.00"),
        ("invoice 100 EUR at 1.10", "890.00"),
        ("invoice 100000 KRW at 0.00075", "925.00"),
    ],
)
def test_available_credit(session, s, setup, available):
    limit(session, s, "1000")
    if setup.startswith("invoice 300"):
        docs = invoiced(session, s, "300.00")
        if " paid " in setup:
            _pay(session, docs["invoice"], setup.rsplit(" ", 1)[1])
        if "credit note" in setup:
            invoiced(session, s, "-50.00", doc="credit_note")
    elif setup == "credit note 50":
        invoiced(session, s, "-50.00", doc="credit_note")
    elif setup.startswith("order"):
        buy(session, s)
        if "before" in setup:  # November closed: the first open period starts in December
            session.add(BillingPeriod(period=NOVEMBER, status="closed", started_at=NOW))
            session.flush()
    elif "EUR" in setup:
        fx_rate(session, "EUR", NOVEMBER, "1.10")
        invoiced(session, s, "100.00", currency="EUR")
    elif "KRW" in setup:
        fx_rate(session, "KRW", NOVEMBER, "0.00075")
        invoiced(session, s, "100000", currency="KRW")
    assert credit.available_credit(session, s.direct.org.id, NOW) == Decimal(available)


def test_cancelled_orders_and_other_partners_orders_are_not_unbilled(session, s):
    limit(session, s, "1000")
    order = buy(session, s)
    sign_partner_agreement(session, s.provider)
    provider_limit = credit.set_credit_limit(
        session, system(session), s.provider.org.id, Decimal("5"), now=NOW
    )
    assert provider_limit.limit_usd == Decimal("5.00")
    assert credit.available_credit(session, s.provider.org.id, NOW) == Decimal("5.00")
    order.status = "cancelled"
    session.flush()
    assert credit.available_credit(session, s.direct.org.id, NOW) == Decimal("1000.00")


@pytest.mark.parametrize(
    ("closed", "start"),
    [
        (None, NOVEMBER),
        (date(2026, 9, 1), date(2026, 10, 1)),
        (date(2026, 12, 1), date(2027, 1, 1)),
    ],
)
def test_unbilled_counts_from_the_first_open_period(session, closed, start):
    if closed:
        session.add(BillingPeriod(period=closed, status="closed", started_at=NOW))
        session.add(BillingPeriod(period=date(2026, 1, 1), status="closed", started_at=NOW))
        session.add(BillingPeriod(period=NOVEMBER, status="closing", started_at=NOW))
        session.flush()
    assert credit.first_open_start(session, NOW) == start


def test_a_currency_without_a_rate_this_month_can_not_be_judged(session, s):
    limit(session, s, "1000")
    invoiced(session, s, "100.00", currency="EUR")
    with pytest.raises(FxRateNotFound):
        credit.available_credit(session, s.direct.org.id, NOW)


# --- checkout ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("lim", "owed", "passes"),
    [
        ("100.00", None, True),  # the purchase equals the available credit
        ("99.99", None, False),  # one cent more than available
        ("100.01", None, True),
        ("130.00", "30.00", True),
        ("129.99", "30.00", False),
        ("0", None, False),
    ],
)
def test_checkout_within_the_limit(session, s, lim, owed, passes):
    limit(session, s, lim)
    if owed:
        invoiced(session, s, owed)
    orders, subs = (
        session.scalar(select(func.count()).select_from(m)) for m in (Order, Subscription)
    )
    if passes:
        order = buy(session, s)
        assert order.total_price == Decimal("100.00")
        return
    with pytest.raises(InsufficientCreditLimit) as exc:
        buy(session, s)
    assert (exc.value.status, exc.value.code) == (403, 900121)
    assert session.scalar(select(func.count()).select_from(Order)) == orders
    assert session.scalar(select(func.count()).select_from(Subscription)) == subs
    assert not session.scalars(
        select(AuditRecord).where(AuditRecord.operation_type == "create_order")
    ).all()


def test_each_purchase_counts_against_the_next(session, s):
    limit(session, s, "200.00")
    buy(session, s)
    buy(session, s)  # 100 + 100 = the limit
    with pytest.raises(InsufficientCreditLimit):
        buy(session, s, 1)
    assert credit.available_credit(session, s.direct.org.id, NOW) == Decimal("0.00")


def test_renewals_are_never_checked(session, s):
    limit(session, s, "0")
    sub = subscription(
        session, s.direct_customer, s.direct, s.offer, term=P1M, start=date(2026, 10, 21)
    )
    invoiced(session, s, "500.00")  # far over its limit
    with pytest.raises(InsufficientCreditLimit):
        buy(session, s, 1)

    @contextmanager
    def unit():
        with session.begin_nested():
            yield session, system(session)

    with clock.frozen(datetime(2026, 11, 21, 0, 7, tzinfo=UTC)):
        assert renewals.run_renewals(unit) == "renewed 1"
    session.refresh(sub)
    assert sub.term_number == 2


# --- setting the limit -------------------------------------------------------------------


def test_setting_a_limit_is_the_operators_and_audited(session, s, operator):
    row = credit.set_credit_limit(session, operator.actor, s.direct.org.id, Decimal("10"), now=NOW)
    assert (row.limit_usd, row.updated_by) == (Decimal("10.00"), operator.user.id)
    credit.set_credit_limit(session, operator.actor, s.direct.org.id, Decimal("20"), now=NOW)
    assert session.get(CreditLimit, s.direct.org.id).limit_usd == Decimal("20.00")
    records = session.scalars(
        select(AuditRecord).where(AuditRecord.operation_type == "update_credit_limit")
    ).all()
    assert len(records) == 2 and records[-1].partner_id == s.direct.org.id
    for who in (s.direct, member(session, tier=Tier.VENDOR, roles=(Role.PROGRAM_ADMIN,))):
        with pytest.raises(PermissionDenied):
            credit.set_credit_limit(session, who.actor, s.direct.org.id, Decimal("1"), now=NOW)
    # a partner reads its own figures, not another's
    assert credit.get_credit_position(session, s.direct.actor, s.direct.org.id, NOW).limit == 20
    with pytest.raises(CreditLimitNotFound):
        credit.get_credit_position(session, s.provider.actor, s.direct.org.id, NOW)
    credit.remove_credit_limit(session, operator.actor, s.direct.org.id)
    assert credit.available_credit(session, s.direct.org.id, NOW) is None
    with pytest.raises(CreditLimitNotFound):
        credit.remove_credit_limit(session, operator.actor, s.direct.org.id)


def test_only_buyers_have_a_limit(session, s, operator):
    with pytest.raises(CreditLimitNotApplicable) as exc:
        credit.set_credit_limit(session, operator.actor, s.reseller.org.id, Decimal("1"), now=NOW)
    assert exc.value.code == "CreditLimitNotApplicable"
    with pytest.raises(OrganizationNotFound):
        credit.set_credit_limit(session, operator.actor, operator.org.id, Decimal("1"), now=NOW)


def test_accounts_list_partners_with_their_figures(session, s, operator):
    limit(session, s, "500")
    invoiced(session, s, "50.00")
    found, total = credit.accounts(session, operator.actor, NOW)
    assert total == 2  # the direct-bill partner and the provider
    by_id = {a.organization_id: a for a in found}
    assert by_id[s.direct.org.id].position.available == Decimal("450.00")
    assert by_id[s.provider.org.id].position is None
    assert [b.balance_minor for b in by_id[s.direct.org.id].balances] == [5000]
    own, one = credit.accounts(session, s.direct.actor, NOW)
    assert one == 1 and own[0].organization_id == s.direct.org.id
