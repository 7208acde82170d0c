"""The keeping-and-losing pages without a browser: the inbox with its unread count and
marking read, the vendor's reassessments and restricted partners (lifting with a
reason), and the partner's home banner when restricted or under notice — in English and
Korean, through the real app on the test's transaction."""

from __future__ import annotations

import re
from datetime import date, timedelta

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from opencsp.auth.rules import Role
from opencsp.core.actor import Tier
from opencsp.core.ids import new_id
from opencsp.notifications.models import Notification
from opencsp.notifications.service import notify
from opencsp.partners import standing
from opencsp.program.models import Reassessment
from tests.conftest import NOW
from tests.factories import PASSWORD, Member, member, system
from tests.factories.parties import partner

HTML = {"Accept": "text/html"}


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def sign_in(client: TestClient, who: Member) -> str:
    page = client.get("/login", headers=HTML)
    data = {"csrf_token": csrf_of(page.text), "email": who.user.email, "password": PASSWORD}
    assert client.post("/login", data=data, headers=HTML, follow_redirects=False).status_code == 303
    return csrf_of(client.get("/", headers=HTML).text)


def restricted_note(session: Session, who: Member, key: str = "k") -> None:
    notify(
        session,
        who.org.id,
        kind="partner_restricted",
        key=key,
        params={"since": "2026-11-21", "reason": "Reassessment not met"},
        now=NOW,
    )


def test_inbox_unread_count_and_marking_read(client, session):
    who = partner(session, Tier.DIRECT_BILL)
    restricted_note(session, who, "a")
    restricted_note(session, who, "b")
    session.commit()
    csrf = sign_in(client, who)
    home = client.get("/", headers=HTML).text
    assert 'id="unread-count"' in home and ">2</span>" in home
    page = client.get("/inbox", headers=HTML)
    assert page.status_code == 200
    assert page.text.count('class="inbox-item unread"') == 2
    assert "Your CSP status is restricted" in page.text
    note = session.query(Notification).filter_by(key="a").one()
    r = client.post(
        f"/inbox/{note.id}/read", data={"csrf_token": csrf}, headers=HTML, follow_redirects=False
    )
    assert r.status_code == 303
    assert client.get("/inbox", headers=HTML).text.count('class="inbox-item unread"') == 1
    # another organization's message is not found
    other = partner(session, Tier.DIRECT_BILL)
    restricted_note(session, other, "c")
    session.commit()
    foreign = session.query(Notification).filter_by(key="c").one()
    refused = client.post(f"/inbox/{foreign.id}/read", data={"csrf_token": csrf}, headers=HTML)
    assert refused.status_code == 404


def test_inbox_in_korean_formats_dates(client, session):
    who = partner(session, Tier.DIRECT_BILL)
    restricted_note(session, who)
    session.commit()
    sign_in(client, who)
    client.cookies.set("lang", "ko")
    page = client.get("/inbox", headers=HTML)
    assert '<html lang="ko">' in page.text
    assert "2026년 11월 21일" in page.text


def test_home_banner_when_restricted_or_under_notice(client, session):
    who = partner(session, Tier.DIRECT_BILL)
    session.commit()
    sign_in(client, who)
    assert 'id="standing-banner"' not in client.get("/", headers=HTML).text
    session.add(
        Reassessment(
            id=new_id(),
            organization_id=who.org.id,
            cycle=1,
            due_on=NOW.date(),
            evaluated_at=NOW,
            outcome="notMet",
            checklist={"requirements": []},
            ttm_minor=0,
            previous_ttm_minor=None,
            notice_until=NOW.date() + timedelta(days=90),
        )
    )
    session.commit()
    home = client.get("/", headers=HTML).text
    assert 'data-status="notice"' in home and "February 19, 2027" in home
    standing.restrict(session, system(session), who.org.id, reason="Not met", now=NOW)
    session.commit()
    home = client.get("/", headers=HTML).text
    assert 'data-status="restricted"' in home and "Your CSP status is restricted" in home


def test_vendor_pages_and_lifting(client, session):
    vendor = member(session, tier=Tier.VENDOR, roles=(Role.PROGRAM_ADMIN,))
    direct = partner(session, Tier.DIRECT_BILL, name="Tailspin Direct")
    session.add(
        Reassessment(
            id=new_id(),
            organization_id=direct.org.id,
            cycle=1,
            due_on=date(2026, 11, 1),
            evaluated_at=NOW,
            outcome="notMet",
            checklist={
                "requirements": [
                    {"key": "supportPlan", "status": "notMet", "required": True, "evidence": {}},
                    {"key": "revenue", "status": "notMet", "required": False, "evidence": {}},
                ],
                "growth": {"percent": "12.5"},
            },
            ttm_minor=112_500,
            previous_ttm_minor=100_000,
            notice_until=date(2027, 1, 30),
        )
    )
    standing.restrict(session, system(session), direct.org.id, reason="Not met", now=NOW)
    session.commit()
    csrf = sign_in(client, vendor)
    page = client.get("/program/reassessments", headers=HTML).text
    assert "Tailspin Direct" in page and "12.5%" in page and "$1,125.00" in page
    assert "January 30, 2027" in page
    assert 'data-area="program-reassessments"' in page
    standings = client.get("/program/standings", headers=HTML).text
    assert f'data-partner="{direct.org.id}"' in standings
    empty = client.post(
        f"/program/standings/{direct.org.id}/lift",
        data={"csrf_token": csrf, "reason": " "},
        headers=HTML,
    )
    assert empty.status_code == 400 and standing.standing_of(session, direct.org.id) is not None
    r = client.post(
        f"/program/standings/{direct.org.id}/lift",
        data={"csrf_token": csrf, "reason": "Support plan bought"},
        headers=HTML,
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"].endswith("done=lifted")
    session.expire_all()
    assert standing.standing_of(session, direct.org.id) is None
    assert (
        "Every partner is in good standing." in client.get("/program/standings", headers=HTML).text
    )


def test_partners_do_not_see_the_vendor_pages(client, session):
    who = partner(session, Tier.DIRECT_BILL)
    session.commit()
    sign_in(client, who)
    assert client.get("/program/reassessments", headers=HTML).status_code == 403
    assert client.get("/program/standings", headers=HTML).status_code == 403
