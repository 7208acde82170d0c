"""opencsp: a Cloud Solution Provider program — the vendor's back office and every
partner's Partner Center, behind a Partner Center compatible REST API."""

__version__ = "0.1.0"
