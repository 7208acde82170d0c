"""Reporting: trailing-twelve-month revenue per partner in USD with its drill-down
(``ttm``), revenue by month, product, market and reseller (``revenue``), and Partner
Center's subscription and indirect-reseller analytics (``analytics``) — rules.md §2a,
§3.4–3.5; issue 6 "Revenue". Read-only: it reads billing's charges and invoices, the
subscriptions and the FX rates, and changes nothing. ``program`` consumes ``ttm`` for
eligibility."""
