"""Every model module, imported so that Base.metadata is complete (Alembic, tests)."""
from catalog import digital, items, jobs, libraries, records, usage, users  # noqa: F401
from catalog.db import Base

metadata = Base.metadata
