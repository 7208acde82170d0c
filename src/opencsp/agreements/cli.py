"""``opencsp agreements``: the vendor's agreement templates — publish a version with its
English and Korean documents, list them, retire one. Run as the operator (the system
actor, for the vendor)."""

from __future__ import annotations

import uuid
from pathlib import Path

import typer

from opencsp.agreements import rules, templates
from opencsp.cli.support import err, operator, out

app = typer.Typer(
    help="Agreement templates: publish, list, retire.", no_args_is_help=True, add_completion=False
)


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        err.print(f"[red]error[/red] cannot read {path} as UTF-8 text: {exc}")
        raise typer.Exit(2) from exc


@app.command("publish")
def publish(
    agreement_type: str = typer.Option(..., "--type", help="customer or partner."),
    version: str = typer.Option(..., help="The version name, e.g. 2026-11."),
    region: str = typer.Option(
        None, help="A market id (see `opencsp markets list`); all if omitted."
    ),
    en: Path = typer.Option(..., exists=True, dir_okay=False, help="English text (Markdown)."),
    ko: Path = typer.Option(..., exists=True, dir_okay=False, help="Korean text (Markdown)."),
    link: str = typer.Option(None, help="A public web address of the agreement."),
) -> None:
    """Publish a version of an agreement. A file's first line `# Title` is its title."""
    texts = {"en": _read(en), "ko": _read(ko)}
    with operator() as (session, actor):
        kind = rules.parse_agreement_type(agreement_type)
        template = templates.publish_template(
            session,
            actor,
            agreement_type=kind,
            version=version,
            region=region,
            agreement_link=link,
            documents={lang: rules.document_from_text(kind, lang, t) for lang, t in texts.items()},
        )
        fields = (str(template.id), template.agreement_type, template.region or "all")
        line = "\t".join((*fields, template.version))
        out.print(line, soft_wrap=True, markup=False, highlight=False)


@app.command("list")
def list_templates() -> None:
    """Every template, newest first, one a line: rank 0 is the one signed today in its
    region; a retired template has no rank."""
    with operator() as (session, actor):
        out.print("id\ttype\tregion\tversion\tstatus\trank\tlanguages\tpublished", soft_wrap=True)
        for template, rank, languages in templates.all_templates(session, actor):
            fields = (
                str(template.id),
                template.agreement_type,
                template.region or "all",
                template.version,
                template.status,
                "-" if rank is None else str(rank),
                ",".join(languages),
                template.published_at.strftime("%Y-%m-%dT%H:%MZ"),
            )
            out.print("\t".join(fields), soft_wrap=True, markup=False, highlight=False)


@app.command("retire")
def retire(template_id: uuid.UUID = typer.Argument(..., help="Template id.")) -> None:
    """Withdraw a template; acceptances and signatures made on it stand."""
    with operator() as (session, actor):
        template = templates.retire_template(session, actor, template_id)
        line = f"retired {template.id}\t{template.agreement_type}\t{template.version}"
        out.print(line, soft_wrap=True, markup=False, highlight=False)
