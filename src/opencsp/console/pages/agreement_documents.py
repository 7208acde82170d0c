"""Agreement documents, public: anyone with the link reads a template's text — the
customer agreement before accepting it, a reseller's Global admin the partner agreement —
so these pages need no sign-in. These are the ``displayUri`` and ``downloadUri`` that
``GET /v1/agreementtemplates/{id}/document`` returns:

- ``/agreement-documents/{id}?language=ko`` — the document as a page;
- ``/agreement-documents/{id}/download?language=ko`` — the document as Markdown text.

Without ``language`` the page's language is used; a template without that language is
shown in English."""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request, Response
from sqlalchemy.orm import Session

from opencsp.agreements import templates
from opencsp.agreements.errors import TemplateNotFound
from opencsp.agreements.models import AgreementDocument
from opencsp.agreements.rules import AgreementType
from opencsp.console import rendering, session
from opencsp.console.i18n import N_
from opencsp.console.session import db, path_id
from opencsp.markets import queries as markets

router = APIRouter()

TYPE_LABELS: dict[str, str] = {
    AgreementType.CUSTOMER: N_("Customer agreement"),
    AgreementType.PARTNER: N_("Partner agreement"),
    AgreementType.CLOUD: N_("Cloud agreement (legacy)"),
}


def region_names(store: Session) -> dict[str, str]:
    """Market id → market name (translated in templates with the ``market`` filter)."""
    return {market.id: market.name for market in markets.list_markets(store)}


def labels(store: Session) -> dict[str, object]:
    """What every agreement page needs to name types and regions."""
    return {"type_labels": TYPE_LABELS, "region_names": region_names(store)}


@dataclass(frozen=True, slots=True)
class Block:
    """One block of a document's text: ``heading``, ``item`` (of a list) or ``paragraph``."""

    kind: str
    text: str


def blocks(body: str) -> list[Block]:
    """A document's Markdown-like text as blocks: ``#`` lines are headings, ``-`` or ``*``
    lines list items, other lines join into paragraphs at blank lines. Text only — no
    markup from a document ever reaches the page unescaped."""
    out: list[Block] = []
    paragraph: list[str] = []

    def flush() -> None:
        if paragraph:
            out.append(Block("paragraph", " ".join(paragraph)))
            paragraph.clear()

    for raw in body.splitlines():
        line = raw.strip()
        if not line:
            flush()
        elif line.startswith("#"):
            flush()
            out.append(Block("heading", line.lstrip("#").strip()))
        elif line.startswith(("- ", "* ")):
            flush()
            out.append(Block("item", line[2:].strip()))
        else:
            paragraph.append(line)
    flush()
    return out


def document_context(document: AgreementDocument) -> dict[str, object]:
    return {"document": document, "blocks": blocks(document.body)}


@router.get("/agreement-documents/{template_id}")
def show_document(request: Request, template_id: str) -> Response:
    language = request.query_params.get("language") or session.language_of(request)
    served = templates.serve_document(
        db(request), path_id(template_id, TemplateNotFound), language=language, country=None
    )
    context = {
        "template": served.template,
        **document_context(served.document),
        **labels(db(request)),
    }
    return rendering.render(request, "agreement_document.html", context)


@router.get("/agreement-documents/{template_id}/download")
def download_document(request: Request, template_id: str) -> Response:
    language = request.query_params.get("language") or session.language_of(request)
    served = templates.serve_document(
        db(request), path_id(template_id, TemplateNotFound), language=language, country=None
    )
    template, document = served.template, served.document
    name = f"{template.agreement_type}-{template.version}-{document.language}.md"
    safe = "".join(ch if ch.isalnum() or ch in "-_." else "_" for ch in name)
    return Response(
        f"# {document.title}\n\n{document.body}\n",
        media_type="text/markdown; charset=utf-8",
        headers={
            "Content-Disposition": f'attachment; filename="{safe}"',
            "Content-Language": document.language,
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "no-store",
        },
    )
