"""Billing: charges, bill runs, invoices, credit notes, reconciliation files, payments
and the credit limit (issue 6; rules.md §9b–9c, §11; file-formats.md §8).

Owns the pure rules of the bill run so far: the charge lines of a subscription's history
for a billing period (``cycles``, ``charges``), the invoice rules (``invoices``) and the
NCE reconciliation row (``recon``). It reads subscription and order history; it never
changes a subscription or an order."""
