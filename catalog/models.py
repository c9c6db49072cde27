"""Every model module, imported so that Base.metadata is complete (Alembic, tests)."""
from catalog.reports import activity, usage  # noqa: F401
from catalog import audit, libraries  # noqa: F401
from catalog.circulation import models as circulation  # noqa: F401
from catalog.digital import models as digital  # noqa: F401
from catalog.records import imports, merge, models as records  # noqa: F401
from catalog.copies import items  # noqa: F401
from catalog.jobs import models as jobs  # noqa: F401
from catalog.rotation import models as rotation  # noqa: F401
from catalog.accounts import sign_in, users  # noqa: F401
from catalog.records import duplicate_keys, duplicates  # noqa: F401
from catalog.copycat import models as copycat_models  # noqa: F401
from catalog.db import Base
from catalog.harvest import models as _harvest_models  # noqa: F401
from catalog.offline import models as offline_models  # noqa: F401
from catalog.pgsearch import models as pgsearch_models  # noqa: F401
from catalog.searchops import settings as _search_settings  # noqa: F401

metadata = Base.metadata
