"""Markets: the CSP markets, the countries and regions each one covers, and the currencies
each country is sold in (PC:regional-authorization-overview.md, rules.md §4), loaded from
the packaged ``data/markets.csv``; ``market_for(country)`` and the other look-ups later
domains call; the read API under ``/v1/program/markets`` and Partner Center's
``GET /v1/countryvalidationrules/{country}``.

Not here: FX rates and price lists (``pricing``), which partner may sell where
(``partners``), a customer's country (``customers``)."""
