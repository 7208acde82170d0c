"""Alembic migrations, shipped inside the package; ``opencsp db upgrade`` runs them."""
