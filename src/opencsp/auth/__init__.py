"""Identity and access: organizations (the vendor and partner organizations with their tier —
identity only; enrollment belongs to ``partners``), users and their roles, the role →
permission table, API tokens, console sessions, and the visibility building blocks every
domain's ``visible(actor)`` starts from. Does not own profiles, enrollment or agreements."""
