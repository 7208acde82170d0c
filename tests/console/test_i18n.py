"""The catalogs: every message the console can show has its Korean translation, the
catalogs are current with the sources, and the language rules hold."""

from __future__ import annotations

import re
import string
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

import opencsp
from opencsp.auth.errors import EmailTaken, RoleNotAllowedForTier
from opencsp.console import i18n
from opencsp.console.feedback import describe
from opencsp.console.session import safe_next
from opencsp.core.errors import DomainError, InvalidInput, NotFound

SOURCE = Path(opencsp.__file__).parent
CONSOLE = SOURCE / "console"
NEVER_IN_CONSOLE = ("opencsp.web.middleware", "opencsp.cli", "opencsp.demo")


def extracted() -> dict[str | tuple[str, ...], list[str]]:
    """Every message of the sources, by running the same extraction as ``pybabel``."""
    with (CONSOLE / "babel.cfg").open() as cfg:
        method_map, options_map = parse_mapping_cfg(cfg)
    found: dict[str | tuple[str, ...], list[str]] = {}
    for filename, lineno, message, _comments, _context in extract_from_dir(
        str(SOURCE), method_map, options_map, keywords=DEFAULT_KEYWORDS
    ):
        found.setdefault(message, []).append(f"{filename}:{lineno}")
    return found


def catalog(language: str):
    with (CONSOLE / "locale" / language / "LC_MESSAGES" / "messages.po").open("rb") as po:
        return read_po(po, locale=language)


@pytest.fixture(scope="module")
def messages() -> dict[str | tuple[str, ...], list[str]]:
    found = extracted()
    assert len(found) > 100  # the extraction really ran over templates, pages and errors
    return found


def test_extraction_covers_templates_pages_domain_errors_and_markets(messages):
    assert "Sign out" in messages  # a template
    assert "The user was created." in messages  # a console page
    assert "A user with the email {email} already exists" in messages  # a domain error
    assert "Europe" in messages  # a market name


@pytest.mark.parametrize("language", ["en", "ko"])
def test_the_catalogs_hold_every_message(messages, language):
    """Run the update commands of ``console/i18n.py`` when this fails."""
    have = {m.id for m in catalog(language) if m.id}
    missing = {str(k): where for k, where in messages.items() if k not in have}
    assert not missing, f"{language} catalog is missing: {missing}"


def test_every_message_has_a_korean_translation(messages):
    ko = catalog("ko")
    untranslated = []
    for key, where in messages.items():
        entry = ko.get(key if isinstance(key, str) else key[0])
        strings = entry.string if entry else None
        ok = all(strings) if isinstance(strings, tuple) else bool(strings)
        if not ok or (entry and entry.fuzzy):
            untranslated.append((key, where))
    assert not untranslated, f"untranslated in ko: {untranslated}"


def placeholders(text: str) -> set[str]:
    braces = {name for _, name, _, _ in string.Formatter().parse(text) if name}
    return braces | set(re.findall(r"%\((\w+)\)s", text))


def test_translations_keep_every_placeholder():
    for message in catalog("ko"):
        if not message.id or not message.string:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        for text in strings:
            assert placeholders(text) == placeholders(ids[-1]), message.id


def test_catalogs_are_compiled_from_the_po_files_as_they_are():
    assert i18n.gettext_for("ko")("Sign out") == "로그아웃"
    assert i18n.gettext_for("en")("Sign out") == "Sign out"
    assert (
        i18n.translations("ko").ngettext("%(n)s country or region", "", 3) == "%(n)s개 국가 및 지역"
    )


@pytest.mark.parametrize(
    ("cookie", "user_locale", "accept", "expected"),
    [
        ("ko", "en-US", "en", "ko"),
        (None, "ko-KR", "en", "ko"),
        ("fr", "en-US", "ko", "en"),  # an unsupported cookie falls through to the user
        (None, None, "fr-FR,ko;q=0.8,en;q=0.5", "ko"),
        (None, None, "en;q=0.2, ko;q=0.9", "ko"),
        (None, None, "ko;q=0", "en"),
        (None, None, None, "en"),
        (None, None, "de, fr", "en"),
    ],
)
def test_the_language_is_chosen_by_switch_then_user_then_browser(
    cookie, user_locale, accept, expected
):
    assert i18n.choose(cookie=cookie, user_locale=user_locale, accept_language=accept) == expected


@pytest.mark.parametrize(
    ("target", "expected"),
    [
        ("/users?x=1", "/users?x=1"),
        ("/", "/"),
        (None, "/"),
        ("", "/"),
        ("users", "/"),
        ("//evil.example", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/ok\r\nSet-Cookie: x=1", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_only_paths_of_this_site_are_followed(target, expected):
    assert safe_next(target) == expected


@pytest.mark.parametrize(
    ("error", "language", "expected"),
    [
        (EmailTaken(email="a@b.test"), "en", "A user with the email a@b.test already exists"),
        (EmailTaken(email="a@b.test"), "ko", "이메일이 a@b.test인 사용자가 이미 있습니다"),
        (
            RoleNotAllowedForTier(role="sales_agent", tier="indirect_reseller"),
            "ko",
            "간접 재판매인 계층의 조직에는 판매 에이전트 역할을 부여할 수 없습니다",
        ),
        (NotFound(), "ko", "찾을 수 없습니다"),
        (
            InvalidInput(description="A user needs at least one role"),
            "ko",
            "사용자에게는 역할이 하나 이상 있어야 합니다",
        ),
        (
            InvalidInput(description="Something nobody translated"),
            "ko",
            "Something nobody translated",
        ),
        (InvalidInput(description="Braces {{kept}} as written"), "ko", "Braces {kept} as written"),
    ],
)
def test_domain_errors_are_described_in_the_readers_language(error, language, expected):
    assert describe(error, i18n.gettext_for(language)) == expected


def test_every_domain_error_description_is_extracted(messages):
    """The extractor sees every error class of the package (a new domain's errors too)."""
    import importlib
    import pkgutil

    for info in pkgutil.walk_packages([str(SOURCE)], prefix="opencsp."):
        if info.name.endswith(".errors"):
            importlib.import_module(info.name)

    def subclasses(cls: type) -> list[type]:
        return [cls, *(s for sub in cls.__subclasses__() for s in subclasses(sub))]

    for cls in subclasses(DomainError):
        # errors the console can never show: answered by the API edge or the CLI only
        if cls.__module__.startswith(NEVER_IN_CONSOLE) or not cls.__module__.startswith("opencsp."):
            continue
        if "description" in cls.__dict__:
            assert cls.description in messages, f"{cls.__module__}.{cls.__name__}"
