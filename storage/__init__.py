"""Data layer: SQLAlchemy models, data access and Alembic migrations."""
