"""Success notices of the partner pages (profile, partnerships, enrollment, the vendor's
partner queue), kept beside them so the console's general notices stay as they are.

They work as ``console.feedback``'s do: after a successful form, a redirect carries a key
(``?done=legal_saved``) naming one fixed message, so no text from a URL reaches a page."""

from __future__ import annotations

from fastapi import Request
from fastapi.responses import RedirectResponse

from opencsp.console import rendering
from opencsp.console.i18n import N_

NOTICES: dict[str, str] = {
    "legal_saved": N_("The legal business profile was saved."),
    "support_saved": N_("The support profile was saved."),
    "resubmitted": N_("Your enrollment was submitted again. The vendor will verify it."),
    "request_revoked": N_("The partnership link was revoked. It can no longer be used."),
    "partnership_accepted": N_(
        "You authorized the indirect provider. It can now work with you on your customers."
    ),
    "partnership_ended": N_(
        "The partnership has ended. Its customers were kept: their relationships and "
        "subscriptions are unchanged."
    ),
    "verification_started": N_("The enrollment is now in verification."),
    "enrollment_approved": N_("The enrollment was approved. Its partner IDs are active."),
    "enrollment_rejected": N_("The enrollment was rejected. The partner can see the reason."),
    "provider_granted": N_("The partner is now an indirect provider."),
}


def notice(request: Request) -> str | None:
    key = request.query_params.get("done")
    message = NOTICES.get(key) if key else None
    return rendering.translate(request, message) if message else None


def done(path: str, key: str) -> RedirectResponse:
    assert key in NOTICES
    separator = "&" if "?" in path else "?"
    return RedirectResponse(f"{path}{separator}done={key}", status_code=303)
