"""Agreements: the templates the vendor publishes (partner agreement, customer
agreement) per version, region and language with their documents; partners' signatures
of the partner agreement per CSP region; customers' acceptance of the customer agreement,
by partner attestation or by the customer itself."""
