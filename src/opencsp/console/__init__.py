"""The web console: server-rendered pages (Jinja2 + htmx) in English and Korean for every
actor of the program — the vendor's back office and each partner's Partner Center.

``routes.install(app)`` mounts it. Pages live in ``pages/`` (one module per area) and are
adapters like any route: parse the form, authorize (``session``), call one service,
render (``rendering``). ``feedback`` is the one place where outcomes and domain errors
become messages; ``i18n`` holds the languages and ``locale/`` their catalogs;
``navigation`` shows each actor the areas its permissions open. htmx 2.0.11 is vendored
in ``static/vendor`` (0BSD, ``htmx.LICENSE``); every page also works without it.

Owns no tables and no business rules."""
