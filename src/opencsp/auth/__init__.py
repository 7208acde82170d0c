"""Identity and access: organizations (the vendor and partner organizations with their tier —
identity only; enrollment belongs to ``partners``), users and their roles, the role →
permission table, API tokens and console sessions. Every domain's ``visible(actor)``
starts from ``core.visibility.owned_by``. Does not own profiles, enrollment or agreements."""
