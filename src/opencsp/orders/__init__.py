"""Ordering: carts, checkout, orders and the order requests resellers send their providers."""
