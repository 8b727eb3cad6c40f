"""Persistence: SQLAlchemy 2 tables, Alembic migrations, and one module per aggregate."""
