"""The console's languages: English and Korean catalogs, the choice of language for a
request, and the labels of roles and tiers.

Catalogs are compiled from the ``.po`` files when first used, in memory, so the console
can never run with a compiled catalog older than its source. Fuzzy entries are left out
(they are guesses, not translations). To add or change a message::

    cd src/opencsp
    pybabel extract -F console/babel.cfg --no-location -o /tmp/opencsp.pot .
    pybabel update -i /tmp/opencsp.pot -d console/locale --no-fuzzy-matching \
        --ignore-obsolete -w 100

then translate the new entries of ``console/locale/ko/LC_MESSAGES/messages.po``;
``tests/console/test_i18n.py`` fails while any message lacks its Korean translation.
Extraction covers the templates, the console's Python (``_``, ``gettext``, ``N_``), every
domain error's description and the market names (``console/extract.py``).
"""

from __future__ import annotations

import gettext as gettext_module
import io
from collections.abc import Callable
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from opencsp.auth.rules import Role
from opencsp.core.actor import Tier

LOCALE_DIR = Path(__file__).parent / "locale"
DEFAULT = "en"
# Each language is named in itself (an endonym), the same in every catalog.
LANGUAGES: dict[str, str] = {"en": "English", "ko": "한국어"}


def N_(message: str) -> str:  # noqa: N802 - the gettext convention for "mark, translate later"
    """Mark a message for extraction; it is translated where it is shown."""
    return message


ROLE_LABELS: dict[str, str] = {
    Role.GLOBAL_ADMIN: N_("Global admin"),
    Role.ADMIN_AGENT: N_("Admin agent"),
    Role.SALES_AGENT: N_("Sales agent"),
    Role.HELPDESK_AGENT: N_("Helpdesk agent"),
    Role.BILLING_ADMIN: N_("Billing admin"),
    Role.USER_MANAGEMENT_ADMIN: N_("User management admin"),
    Role.ACCOUNT_ADMIN: N_("Account admin"),
    Role.PROGRAM_ADMIN: N_("Program admin"),
    Role.CATALOG_MANAGER: N_("Catalog manager"),
    Role.BILLING_OPERATOR: N_("Billing operator"),
}

TIER_LABELS: dict[str, str] = {
    Tier.VENDOR: N_("Vendor"),
    Tier.DIRECT_BILL: N_("Direct-bill partner"),
    Tier.INDIRECT_PROVIDER: N_("Indirect provider"),
    Tier.INDIRECT_RESELLER: N_("Indirect reseller"),
}


@cache
def translations(language: str) -> gettext_module.NullTranslations:
    """The compiled catalog of a language (English falls back to the message ids)."""
    path = LOCALE_DIR / language / "LC_MESSAGES" / "messages.po"
    if language not in LANGUAGES or not path.exists():
        return gettext_module.NullTranslations()
    with path.open("rb") as po:
        catalog = read_po(po, locale=language)
    buffer = io.BytesIO()
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext_module.GNUTranslations(buffer)


def gettext_for(language: str) -> Callable[[str], str]:
    return translations(language).gettext


def babel_locale(language: str) -> Locale:
    return Locale.parse("ko_KR" if language == "ko" else "en_US")


def supported(value: str | None) -> str | None:
    """``ko``, ``ko-KR`` and ``ko_KR`` all mean Korean; anything unknown means nothing."""
    if not value:
        return None
    primary = value.strip().replace("_", "-").split("-", 1)[0].lower()
    return primary if primary in LANGUAGES else None


def from_accept_language(header: str | None) -> str | None:
    """The supported language the browser prefers most (``Accept-Language`` q-values)."""
    if not header:
        return None
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        language = supported(tag)
        if language and quality > 0:
            ranked.append((-quality, position, language))
    return min(ranked)[2] if ranked else None


def choose(*, cookie: str | None, user_locale: str | None, accept_language: str | None) -> str:
    """The language switch wins, then the user's own setting, then the browser; English
    otherwise."""
    return (
        supported(cookie)
        or supported(user_locale)
        or from_accept_language(accept_language)
        or DEFAULT
    )
