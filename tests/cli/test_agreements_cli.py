"""``opencsp agreements``: publish, list and retire templates against a real database."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from opencsp.agreements import queries
from opencsp.agreements.rules import AgreementType
from opencsp.cli.main import app
from opencsp.core.config import settings
from opencsp.core.db import build_engine
from opencsp.core.uow import unit_of_work
from opencsp.web.app import create_app

runner = CliRunner()


@pytest.fixture()
def cli_env(live_database, monkeypatch):
    monkeypatch.setenv("OPENCSP_DATABASE_URL", live_database)
    settings.cache_clear()
    yield live_database
    settings.cache_clear()


@pytest.fixture()
def texts(tmp_path):
    en = tmp_path / "en.md"
    ko = tmp_path / "ko.md"
    en.write_text(
        "# Partner Agreement 2026\n\nThe partner agrees to these terms.\n", encoding="utf-8"
    )
    ko.write_text("이 약관에 동의합니다.\n", encoding="utf-8")  # no title line: the usual one
    return en, ko


def test_publish_list_and_retire(cli_env, texts):
    en, ko = texts
    r = runner.invoke(
        app,
        [
            "agreements",
            "publish",
            "--type",
            "partner",
            "--version",
            "2026-11",
            "--region",
            "Korea-Republic-Of",
            "--en",
            str(en),
            "--ko",
            str(ko),
            "--link",
            "https://agreements.example/mpa",
        ],
    )
    assert r.exit_code == 0, r.output
    template_id, kind, region, version = r.output.split()
    assert (kind, region, version) == ("MicrosoftPartnerAgreement", "korea-republic-of", "2026-11")

    engine = build_engine(cli_env)
    with unit_of_work(bind=engine) as session:
        current = queries.current_template(session, AgreementType.PARTNER, "korea-republic-of")
        assert current is not None and str(current.id) == template_id
        documents = queries.documents_of(session, current.id)
        assert documents["en"].title == "Partner Agreement 2026"
        assert documents["en"].body == "The partner agrees to these terms."
        assert documents["ko"].title == "파트너 계약"
    with TestClient(create_app(bind=engine)) as c:
        page = c.get(f"/agreement-documents/{template_id}?language=ko")
    assert page.status_code == 200 and "이 약관에 동의합니다." in page.text

    listed = runner.invoke(app, ["agreements", "list"])
    assert listed.exit_code == 0
    assert "2026-11" in listed.output and "published" in listed.output

    retired = runner.invoke(app, ["agreements", "retire", template_id])
    assert retired.exit_code == 0, retired.output
    with unit_of_work(bind=engine) as session:
        assert queries.current_template(session, AgreementType.PARTNER, "korea-republic-of") is None
    engine.dispose()


@pytest.mark.parametrize(
    ("extra", "code"),
    [
        (["--type", "cloud"], 2),  # the legacy type is read-only
        (["--type", "customer", "--region", "atlantis"], 2),
        (["--type", "nonsense"], 2),
    ],
)
def test_bad_input_exits_non_zero(cli_env, texts, extra, code):
    en, ko = texts
    args = ["agreements", "publish", "--version", "v1", "--en", str(en), "--ko", str(ko), *extra]
    r = runner.invoke(app, args)
    assert r.exit_code == code, r.output
    assert "error" in r.output


def test_a_version_is_published_once_and_unknown_ids_are_not_found(cli_env, texts):
    en, ko = texts
    args = [
        "agreements",
        "publish",
        "--type",
        "customer",
        "--version",
        "v1",
        "--en",
        str(en),
        "--ko",
        str(ko),
    ]
    assert runner.invoke(app, args).exit_code == 0
    assert runner.invoke(app, args).exit_code == 5  # conflict
    assert runner.invoke(app, ["agreements", "retire", str(uuid.uuid4())]).exit_code == 3


def test_a_file_that_is_not_utf8_is_refused(cli_env, texts, tmp_path):
    en, _ko = texts
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"\xff\xfe\x00binary")
    r = runner.invoke(
        app,
        [
            "agreements",
            "publish",
            "--type",
            "customer",
            "--version",
            "v1",
            "--en",
            str(en),
            "--ko",
            str(bad),
        ],
    )
    assert r.exit_code == 2
    assert "UTF-8" in r.output
