"""What each kind of notification says, in the reader's language.

``MESSAGES`` maps a ``kind`` to its subject and body, English message ids marked with
``N_`` and filled from the notification's ``params`` (``str.format`` fields). They are
translated with the console's catalogs — read from the console's locale directory by
path, since the console sits above this layer and cannot be imported — so the inbox (at
display) and the e-mail (at delivery) say the same thing in English or Korean.
``console/babel.cfg`` extracts this module with the Python extractor.

Values are shown for the language: ISO dates (``2026-11-21``) as long dates, fields
ending in ``Usd`` as US dollars. A kind missing from the table (another domain's new
message) still renders: its name as subject and its parameters as body.
"""

from __future__ import annotations

import gettext as gettext_module
import io
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from pathlib import Path
from typing import Any

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency

from opencsp.notifications.program_messages import PROGRAM_MESSAGES

LOCALE_DIR = Path(__file__).resolve().parent.parent / "console" / "locale"
LANGUAGES = ("en", "ko")


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    return message


MESSAGES: dict[str, tuple[str, str]] = {
    # keeping a tier: the annual reassessment (program.reassessment)
    "reassessment_met": (
        N_("Annual reassessment: requirements met"),
        N_(
            "Your direct-bill annual reassessment (year {cycle}, due {dueOn}) found every "
            "requirement met. Revenue billed in the last twelve months: {billedUsd} "
            "(growth {percent}%)."
        ),
    ),
    "reassessment_not_met": (
        N_("Annual reassessment: requirements not met"),
        N_(
            "Your direct-bill annual reassessment (year {cycle}, due {dueOn}) found these "
            "requirements not met: {unmet}. Unless they are met by {noticeUntil}, your CSP "
            "status will be restricted: no new purchases, add-ons, customers or reseller "
            "invitations; existing subscriptions keep renewing."
        ),
    ),
    "reassessment_cleared": (
        N_("Annual reassessment: notice cleared"),
        N_(
            "Your organization meets the direct-bill requirements again: the notice of "
            "your annual reassessment (year {cycle}, until {noticeUntil}) is cleared."
        ),
    ),
    # standing (partners.standing)
    "partner_restricted": (
        N_("Your CSP status is restricted"),
        N_(
            "Since {since} your CSP status is restricted: new purchases, add-ons, one-time "
            "purchases, new customers and reseller invitations are blocked. Existing "
            "subscriptions keep renewing and their seats can still change. Reason: {reason}"
        ),
    ),
    "restriction_lifted": (
        N_("Your CSP restriction is lifted"),
        N_(
            "The restriction of your CSP status (since {since}) is lifted: you can "
            "purchase, add customers and invite again. Reason: {reason}"
        ),
    ),
    "partner_deauthorized": (
        N_("Your CSP authorization has ended"),
        N_(
            "Since {since} your organization is deauthorized as an indirect reseller: it "
            "can't transact, and its partnerships with indirect providers have ended. It "
            "can enroll again on or after {reenrollAfter}."
        ),
    ),
    "partner_reinstated": (
        N_("Your CSP enrollment is active again"),
        N_("Your enrollment was approved on {since}: your organization can transact again."),
    ),
    # the reseller revenue floor (program.floor)
    "floor_below": (
        N_("Revenue under the reseller minimum"),
        N_(
            "In your anniversary month {period} your trailing-twelve-month revenue is "
            "{ttmUsd}, under the minimum of {floorUsd} for indirect resellers. Your "
            "organization will be deauthorized on {deauthorizeOn}, and may enroll again "
            "after one year."
        ),
    ),
    "floor_below_reseller": (
        N_("A reseller of yours is under the revenue minimum"),
        N_(
            "{reseller}'s trailing-twelve-month revenue in its anniversary month {period} "
            "is {ttmUsd}, under the minimum of {floorUsd}: it will be deauthorized on "
            "{deauthorizeOn}."
        ),
    ),
    "reseller_deauthorized": (
        N_("A reseller of yours was deauthorized"),
        N_(
            "{reseller} was deauthorized for revenue under the minimum in its anniversary "
            "month {period}: your partnership with it has ended (its customers are kept). "
            "It may enroll again on or after {reenrollAfter}."
        ),
    ),
}
MESSAGES.update(PROGRAM_MESSAGES)

FOOTER = N_("You can also read this message in your inbox in the opencsp console.")

_ISO_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True, slots=True)
class Rendered:
    subject: str
    body: str


def language_of(value: str | None) -> str:
    """``ko``, ``ko-KR`` and ``ko_KR`` are Korean; anything else English."""
    primary = (value or "").strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in LANGUAGES else "en"


@cache
def translations(language: str) -> gettext_module.NullTranslations:
    """The console's catalog of a language, compiled in memory (as ``console.i18n``)."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language not in LANGUAGES or not path.exists():
        return gettext_module.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext_module.GNUTranslations(buffer)


def _locale(language: str) -> Locale:
    return Locale.parse("ko_KR" if language == "ko" else "en_US")


def show(key: str, value: Any, language: str) -> str:
    """One parameter as the reader reads it (module docstring)."""
    if value is None or value == "":
        return "—"
    text = str(value)
    if key.endswith("Usd"):
        try:
            return format_currency(Decimal(text), "USD", locale=_locale(language))
        except InvalidOperation:
            return text
    if _ISO_DAY.match(text):
        try:
            return format_date(date.fromisoformat(text), format="long", locale=_locale(language))
        except ValueError:
            return text
    return text


class _Fields(dict[str, str]):
    def __missing__(self, key: str) -> str:
        return "—"


def render(kind: str, params: dict[str, Any], language: str | None) -> Rendered:
    """The subject and body of a ``kind`` for ``params`` in ``language`` (English when
    unsupported)."""
    lang = language_of(language)
    gettext = translations(lang).gettext
    fields = _Fields({k: show(k, v, lang) for k, v in params.items()})
    found = MESSAGES.get(kind)
    if found is None:
        subject = kind.replace("_", " ").capitalize()
        body = "\n".join(f"{k}: {v}" for k, v in sorted(fields.items()))
        return Rendered(subject, body)
    subject, body = found
    return Rendered(gettext(subject).format_map(fields), gettext(body).format_map(fields))


def email_text(rendered: Rendered, language: str | None) -> str:
    """The plain-text e-mail body: the message, then where else to read it."""
    footer = translations(language_of(language)).gettext(FOOTER)
    return f"{rendered.body}\n\n--\n{footer}\n"
