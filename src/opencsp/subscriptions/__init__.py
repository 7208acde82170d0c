"""Subscriptions: the new-commerce lifecycle, terms and renewals, seat batches and windows,
upgrades, term changes and scheduled next-term instructions; not carts or orders."""
