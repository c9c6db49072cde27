"""Every model module, imported so that Base.metadata is complete (Alembic, tests)."""
from catalog import (  # noqa: F401
    activity, audit, circulation, digital, imports, items, jobs, libraries, merge, records, rotation, sign_in, usage,
    users,
)
from catalog.db import Base
from catalog.offline import models as offline_models  # noqa: F401

metadata = Base.metadata
