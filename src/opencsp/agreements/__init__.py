"""Agreements: the templates the vendor publishes (partner agreement, customer
agreement) per version, region and language with their documents; partners' signatures
of the partner agreement per CSP region, and the status API other partners check them
with; customers' acceptance of the customer agreement, by partner attestation or by the
customer itself on a public page.

Use cases by file: ``templates`` (publish, retire, metadata, documents),
``customer_acceptance``, ``customer_signin``, ``partner_agreement``, ``compliance``.
Ordering asks ``queries.has_accepted_customer_agreement``. Customers, partners and their
partner IDs belong to their own domains."""
