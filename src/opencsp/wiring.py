"""Checks a higher layer registers with a lower one (``subscriptions.purchases``: the
credit limit on seat increases, from ``billing.credit``). Every entry point — the app
(API and console) and each CLI command — installs them before it serves or runs, so a
rule never depends on which modules happened to be imported first."""

from __future__ import annotations

import importlib

MODULES = ("opencsp.billing.credit",)


def install() -> None:
    for module in MODULES:
        importlib.import_module(module)
