"""The vendor's agreement templates: every version of the partner agreement and the
customer agreement by region, with its rank (0 = the one signed today), its languages and
status; publishing a new version with its English and Korean text; retiring one
(Program admin). The service decides everything; the form only collects it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Response
from starlette.datastructures import FormData

from opencsp.agreements import templates
from opencsp.agreements.errors import TemplateNotFound
from opencsp.agreements.rules import PUBLISHABLE, DocumentText
from opencsp.console import rendering, session
from opencsp.console.feedback import done, notice, on_error
from opencsp.console.pages.agreement_documents import labels
from opencsp.console.session import Visit, allowed, db, path_id
from opencsp.core.actor import Perm

router = APIRouter()

Admin = Annotated[Visit, allowed(Perm.PROGRAM_ADMIN)]
Publisher = Annotated[Visit, allowed(Perm.PROGRAM_ADMIN, post=True)]

FIELDS = ("agreement_type", "version", "region", "agreement_link")
TEXT_FIELDS = ("en_title", "en_body", "ko_title", "ko_body")


def _text(form: FormData | None, name: str) -> str:
    value = form.get(name) if form is not None else None
    return value if isinstance(value, str) else ""


def templates_view(request: Request, *, error: str | None = None, status: int = 200) -> Response:
    visit = session.signed_in(request)
    form: FormData | None = session.state(request, "console_form")
    keep = error is not None and request.url.path == "/agreement-templates"
    context = {
        "rows": templates.all_templates(db(request), visit.actor),
        "types": sorted(PUBLISHABLE),
        "error": error,
        "notice": notice(request),
        # a failed publication keeps what was typed
        "draft": {name: _text(form, name) if keep else "" for name in FIELDS + TEXT_FIELDS},
        **labels(db(request)),
    }
    return rendering.render(request, "agreement_templates.html", context, status=status)


RESHOW = [on_error(templates_view, shown_with=Perm.PROGRAM_ADMIN)]


@router.get("/agreement-templates")
def list_templates(request: Request, visit: Admin) -> Response:
    return templates_view(request)


@router.post("/agreement-templates", dependencies=RESHOW)
def publish(request: Request, visit: Publisher) -> Response:
    form: FormData = request.state.console_form
    templates.publish_template(
        db(request),
        visit.actor,
        agreement_type=_text(form, "agreement_type"),
        version=_text(form, "version"),
        region=_text(form, "region"),
        agreement_link=_text(form, "agreement_link"),
        documents={
            lang: DocumentText(_text(form, f"{lang}_title"), _text(form, f"{lang}_body"))
            for lang in ("en", "ko")
        },
    )
    return done("/agreement-templates", "template_published")


@router.post("/agreement-templates/{template_id}/retire", dependencies=RESHOW)
def retire(request: Request, template_id: str, visit: Publisher) -> Response:
    store = db(request)
    templates.retire_template(store, visit.actor, path_id(template_id, TemplateNotFound))
    if session.is_htmx(request):
        # the whole table again: retiring one version ranks the one before it first
        context = {"rows": templates.all_templates(store, visit.actor), **labels(store)}
        return rendering.render(request, "partials/agreement_templates_table.html", context)
    return done("/agreement-templates", "template_retired")
