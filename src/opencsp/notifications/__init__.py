"""Notifications: every decision about a partner lands in its console inbox and goes out
as e-mail through the transactional outbox, delivered by a pluggable sender (a file
sender for the demo)."""
