"""Every model module, imported so that Base.metadata is complete (Alembic, tests)."""
from catalog import activity, circulation, digital, items, jobs, libraries, records, rotation, usage, users  # noqa: F401
from catalog.db import Base

metadata = Base.metadata
