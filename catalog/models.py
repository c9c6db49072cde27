"""Every model module, imported so that Base.metadata is complete (Alembic, tests)."""
from catalog import (  # noqa: F401
    activity, audit, circulation, digital, duplicate_keys, duplicates, imports, items, jobs, libraries, merge, records,
    rotation, sign_in, usage, users,
)
from catalog.db import Base

metadata = Base.metadata
