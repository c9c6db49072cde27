"""Blueprints and the navigation. Each area registers its blueprint in BLUEPRINTS; a menu entry
appears once its endpoint exists. The staff blueprint gathers the copies and readers pages here,
explicitly (app/views/routes.py)."""
from flask import Flask
from flask_babel import lazy_gettext as _l

from app.web.auth import may_open
from app.views import account, auth, digital, iiif, jobs, main, opac, opds, reports, scans
from app.views.staff import copies as staff_copies, readers as staff_readers, records as staff
from app.views import marc, marc_import, oai
from app.views import circulation, offline, rotation
from app.views import copycat
from app.views import harvest
from app.views import sharing
from app.views import offread

# (endpoint, label): shown to everyone.
NAV_LINKS = [
    ("opac.search", _l("Search")),
    ("digital.browse", _l("Digital library")),
    ("account.me", _l("My account")),
]
# Shown to signed-in staff.
STAFF_NAV_LINKS = [
    ("staff.dashboard", _l("Staff")),
    ("circulation.desk", _l("Circulation desk")),
    ("rotation.batches", _l("Rotation")),
    ("reports.index", _l("Reports")),
    ("marc_import.upload", _l("Import MARC")),
    ("marc.duplicates", _l("Duplicates")),
    ("scans.upload", _l("Upload scans")),
]

# Shown to the district office (read-only figures across every library).
DISTRICT_NAV_LINKS = [
    ("reports.index", _l("Reports")),
    ("reports.plan", _l("Plan targets")),
]

for _pages in (staff_copies.routes, staff_readers.routes):
    _pages.add_to(staff.bp)

BLUEPRINTS = [main.bp, opac.bp, reports.bp, marc.bp, marc_import.bp, oai.bp, digital.bp, iiif.bp, opds.bp, scans.bp,
              staff.bp, account.bp, auth.bp, jobs.bp,
              circulation.bp, rotation.bp, copycat.bp, harvest.bp, offline.bp, sharing.bp, offread.bp]


def init_app(app: Flask) -> None:
    app.extensions.setdefault("health_checks", {})
    app.jinja_env.globals["has_endpoint"] = lambda endpoint: endpoint in app.view_functions
    app.jinja_env.globals["may_open"] = may_open
    app.jinja_env.globals["nav_links"] = NAV_LINKS
    app.jinja_env.globals["staff_nav_links"] = STAFF_NAV_LINKS
    app.jinja_env.globals["district_nav_links"] = DISTRICT_NAV_LINKS
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
