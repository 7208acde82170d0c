"""Pricing under ``/v1/program/...``: price sheets (download in the new-commerce layout,
vendor upload), price lists and their statuses, the month-to-month change report, and FX
rates. Downloading prices needs ``Perm.PRICING_READ``, which indirect resellers never hold
(DESIGN.md §2: resellers cannot see price lists)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(tags=["pricing"])

# --- price sheets: download and upload (pricing/exports.py, pricing/imports.py) ---------

# --- price lists, activation, change report (pricing/lifecycle.py, pricing/changes.py) --

# --- FX rates (pricing/fx.py) ------------------------------------------------------------
