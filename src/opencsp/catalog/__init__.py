"""Catalog: products, SKUs and availabilities — what the vendor sells, to which segments,
in which countries, on which terms (rules.md §9a, §9h, §9i, §9k)."""
