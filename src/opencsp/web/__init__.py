"""The HTTP edge: ``create_app()``, the one error mapping, middleware (request context,
unit of work with ``MS-RequestId`` idempotency, throttling) and router assembly."""
