"""Pricing: monthly price lists per market with their preview, effective-dated rows, the
price lookup that orders lock for a term, and monthly FX rates (rules.md §4, §9b, §11)."""
