"""Load the demo once and write ``demo-credentials.json``.

Loading is idempotent: the demo is recognized by its vendor, so a second run loads
nothing. Tokens and passwords are stored hashed and cannot be read back, so if the
credentials file is missing on a later run, fresh ones are issued for the demo users."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from opencsp.auth import credentials, queries, service
from opencsp.core import clock, migrate
from opencsp.core.actor import Actor
from opencsp.core.ids import new_secret
from opencsp.core.uow import unit_of_work
from opencsp.demo import commerce, governance, program
from opencsp.demo.parties import APPLICANT, PARTNERS, VENDOR, DemoOrganization, served
from opencsp.notifications import delivery, senders

log = logging.getLogger("opencsp.demo.load")

CREDENTIALS_FILE = "demo-credentials.json"
CUSTOMERS_FILE = "demo-customers.json"


@dataclass
class Prepared:
    credentials_file: Path
    loaded: bool
    rows: list[dict[str, Any]] = field(default_factory=list)
    commerce: commerce.Summary | None = None
    governance: str | None = None
    mail: str | None = None

    def summary(self) -> str:
        verb = "loaded" if self.loaded else "already loaded"
        orgs = len({r["organizationId"] for r in self.rows})
        lines = [f"demo {verb}: {orgs} organizations, {len(self.rows)} users"]
        if self.commerce is not None:
            lines.append(self.commerce.describe())
        lines += [text for text in (self.governance, self.mail) if text]
        return "\n".join(lines)


def _password() -> str:
    return "demo-" + new_secret(9)


def _credential(org_id: Any, org: DemoOrganization, email: str, role: str) -> dict[str, Any]:
    return {
        "organizationId": str(org_id),
        "organizationName": org.name,
        "tier": org.tier.value,
        "userEmail": email,
        "role": role,
        "apiToken": "",
        "password": "",
    }


def _load(session: Session, system: Actor) -> program.Loaded:
    """The vendor's users (at the program's opening), then the whole story: the program,
    its 13 months of commerce, then program governance (``demo.governance``)."""
    vendor = service.vendor_organization(session)
    assert vendor is not None
    vendor.name, vendor.country = VENDOR.name, VENDOR.country
    with clock.frozen(program.opening(clock.now())):
        for user in VENDOR.users:
            service.create_user(
                session,
                system,
                organization_id=vendor.id,
                email=user.email,
                display_name=user.name,
                roles=[user.role],
                locale=user.locale,
            )
    loaded = program.load(session, system)
    told = governance.load(session, system)
    return replace(loaded, governance=told.describe())


def _deliver_mail(system: Actor) -> str:
    """Send the e-mail the story queued, as the ``notifications.deliver`` job does, with
    the configured sender (``OPENCSP_EMAIL_SENDER``: by default ``file``, one ``.eml``
    per message under ``<data dir>/mail``, created if missing)."""

    @contextmanager
    def units() -> Iterator[tuple[Session, Actor]]:
        with unit_of_work() as session:
            yield session, system

    return f"mail: {delivery.deliver(units)} ({senders.mail_dir()})"


def _issue(session: Session, system: Actor) -> list[dict[str, Any]]:
    """Give every demo user a new password and API token, for the credentials file."""
    rows = []
    for org in (VENDOR, *PARTNERS, *filter(served, (APPLICANT,))):
        for demo_user in org.users:
            user = queries.user_by_email(session, demo_user.email)
            assert user is not None, demo_user.email
            password = _password()
            service.set_password(session, system, user.id, password)
            token = credentials.create_token(session, system, user.id, "demo").secret
            row = _credential(user.organization_id, org, user.email, demo_user.role.value)
            row.update(apiToken=token, password=password)
            rows.append(row)
    return rows


def _write(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text(json.dumps(rows, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    path.chmod(0o600)


def prepare(data_dir: Path) -> Prepared:
    """Migrate the configured database, load the demo if absent, write the credentials."""
    migrate.upgrade()
    target = data_dir / CREDENTIALS_FILE
    issued: list[dict[str, Any]] | None = None
    loaded: program.Loaded | None = None
    with unit_of_work() as session:
        fresh = service.vendor_organization(session) is None
        # a new vendor organization is dated at the program's opening, like its users
        with clock.frozen(program.opening(clock.now())) if fresh else nullcontext():
            system = service.system_actor(session, vendor_name=VENDOR.name)
        if fresh:
            loaded = _load(session, system)
        if fresh or not target.exists():
            issued = _issue(session, system)
    if issued is not None:  # written only once the credentials are committed
        _write(target, issued)
    mail = None
    if loaded is not None:
        _write(data_dir / CUSTOMERS_FILE, loaded.customers)
        mail = _deliver_mail(system)
        log.info("demo %s", mail)
    rows = issued if issued is not None else json.loads(target.read_text(encoding="utf-8"))
    return Prepared(
        credentials_file=target,
        loaded=fresh,
        rows=rows,
        commerce=loaded.commerce if loaded is not None else None,
        governance=loaded.governance if loaded is not None else None,
        mail=mail,
    )
