"""Where the program's reference material (``shared/reference/csp``: rules, file formats,
documented request and response samples) is, for the tests that check our shapes against it.

It sits beside the repository (``../shared/reference/csp``) in the working layout. A clone
elsewhere finds it through ``OPENCSP_REFERENCE_DIR``, else in a ``shared`` folder beside any
parent of the clone, else at ``/work/shared/reference/csp``. Missing, the tests that need it
fail with this message rather than skip: they are the proof that our shapes are the
documented ones."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve()
_TAIL = Path("shared/reference/csp")


def _candidates() -> list[Path]:
    given = os.environ.get("OPENCSP_REFERENCE_DIR")
    found = [Path(given)] if given else []
    found += [parent / _TAIL for parent in _HERE.parents]
    found.append(Path("/work") / _TAIL)
    return found


@cache
def root() -> Path:
    """The ``reference/csp`` folder (it holds ``rules.md`` and ``samples/``)."""
    for path in _candidates():
        if (path / "rules.md").is_file() and (path / "samples").is_dir():
            return path
    tried = ", ".join(str(p) for p in _candidates())
    raise FileNotFoundError(
        f"the CSP reference material is not found (tried {tried}); set OPENCSP_REFERENCE_DIR"
    )


def path(name: str) -> Path:
    """A file of the reference folder: ``path("file-formats.md")``."""
    return root() / name


def sample(name: str) -> Any:
    """A documented sample, parsed: ``sample("invoices-list.response.json")``."""
    return json.loads((root() / "samples" / name).read_text(encoding="utf-8"))
