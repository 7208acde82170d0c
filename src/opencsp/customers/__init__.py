"""Customer tenants: their company and billing profiles, their administrator's
credentials, and the reseller relationships that tie them to partners (created with the
customer, or accepted from an invitation). Visibility of customers follows those ties.
Agreements and subscriptions belong to their own domains."""
