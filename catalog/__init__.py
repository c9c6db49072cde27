"""The domain: SQLAlchemy models and rules. Imports SQLAlchemy and the standard library only."""
