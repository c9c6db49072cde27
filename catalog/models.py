"""Every model module, imported so that Base.metadata is complete (Alembic, tests)."""
from catalog import (  # noqa: F401
    activity, audit, circulation, digital, duplicate_keys, duplicates, imports, items, jobs, libraries, merge, records,
    rotation, sign_in, usage, users,
)
from catalog.copycat import models as copycat_models  # noqa: F401
from catalog.db import Base
from catalog.harvest import models as _harvest_models  # noqa: F401
from catalog.offline import models as offline_models  # noqa: F401

metadata = Base.metadata
