"""Default configuration. Environment variables prefixed LIBRARY_ override these (see create_app).

Imports nothing from the project and reads nothing at import time but constants.
"""

# Site identity, shown in the header and on the home page.
SITE_NAME = "Thư viện số huyện — Hệ thống học liệu mở"
SITE_NAME_EN = "District digital library — open learning resources"
# OAI-PMH Identify: the address harvesters write to (comma-separated for several), and the domain
# in every identifier (oai:DOMAIN:record:ID). Empty: librarian@DOMAIN, and the domain the site is
# reached by (hoclieu.localhost when that is an address or a name without a dot). Set both before
# anyone harvests: changing the domain changes every identifier.
OAI_ADMIN_EMAIL = ""
OAI_REPOSITORY_IDENTIFIER = ""
# Records per /oai ListRecords or ListIdentifiers answer (then a resumptionToken).
OAI_PAGE_SIZE = 100
# Harvesting partners (OAI-PMH): seconds to wait for an answer, tries again after a 503 or a
# network failure, and the longest Retry-After obeyed (seconds).
HARVEST_TIMEOUT_SECONDS = 30
HARVEST_RETRIES = 3
HARVEST_MAX_RETRY_AFTER_SECONDS = 60

# Left empty: create_app derives sqlite:///<instance>/library.db and <instance>/data.
DATABASE_URL = ""
DATA_DIR = ""
# Connection pool of each server process (empty: SQLAlchemy's 5, 10 more at peaks, 30 s wait).
DATABASE_POOL_SIZE = ""
DATABASE_MAX_OVERFLOW = ""
DATABASE_POOL_TIMEOUT = ""

# Refused at start-up outside debug and testing (see app/__init__.py).
SECRET_KEY = ""
DEFAULT_SECRET_KEYS = ("", "dev", "change-me", "secret")

# Interface languages: Vietnamese first, English beside it.
LANGUAGES = ("vi", "en")
BABEL_DEFAULT_LOCALE = "vi"
# The library's clock (LIBRARY_TIMEZONE): what "today" is and how every time is shown; stored
# times stay UTC. Babel follows it (app/display/dates.py).
TIMEZONE = "Asia/Ho_Chi_Minh"
BABEL_DEFAULT_TIMEZONE = TIMEZONE

# Reverse proxies in front of the server (nginx, a load balancer): their X-Forwarded-For/-Proto/-Host
# headers are believed from this many hops, no more. 0: none (a client's forged headers are ignored).
TRUSTED_PROXIES = 0

# The search backend (search_index.backend): "whoosh", an index folder under DATA_DIR. Start-up
# refuses a name it does not know.
SEARCH_BACKEND = "whoosh"
# Answers of recent searches kept per server process until the index changes (app/web/search_cache.py);
# 0 keeps none.
SEARCH_CACHE_SIZE = 256
# Once `switch-search-backend` has run, the backend it recorded in the database wins over
# SEARCH_BACKEND (catalog.searchops.settings); each process looks at that record at most this
# often (seconds), and follows a switch without a restart.
SEARCH_BACKEND_CHECK_SECONDS = 2.0
# A read replica of DATABASE_URL for searches (LIBRARY_DATABASE_REPLICA_URL; search backend
# postgresql only): search, autocomplete and CQL masking read there; every write, check-index
# and /healthz stay on DATABASE_URL. Empty: searches read DATABASE_URL.
DATABASE_REPLICA_URL = ""

# /healthz is not ok when more records than this wait for the search index (a sync catches up).
HEALTH_MAX_STALE_RECORDS = 1000

# Logs (app/ops/logs.py): one line per request and per job, "keyvalue" or "json", on standard error.
LOG_LEVEL = "INFO"
LOG_FORMAT = "keyvalue"

# Session cookie hardening.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_SECURE = False  # set LIBRARY_SESSION_COOKIE_SECURE=true behind HTTPS
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"

# Failed sign-ins (catalog/accounts/sign_in.py): this many within the window for one account from one
# address lock that address out of the account for the lockout; from an address the account has
# signed in from before they bring growing waits instead (FIRST_DELAY, doubling, up to the lockout).
# One address failing over every name, or one account failing from every address together
# (then only addresses it never signed in from), are locked too.
LOGIN_MAX_FAILURES = 5
LOGIN_MAX_FAILURES_PER_ADDRESS = 20
LOGIN_MAX_FAILURES_PER_ACCOUNT = 50
LOGIN_FAILURE_WINDOW_MINUTES = 15
LOGIN_LOCKOUT_MINUTES = 15
LOGIN_FIRST_DELAY_SECONDS = 30

# Security headers on every response (app/web/security.py). No inline script: scripts are static files.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
REFERRER_POLICY = "same-origin"

# demo-data writes accounts with a published password: only on a demo instance (LIBRARY_DEMO=1,
# `demo-data --demo`, or an empty database while debugging or testing).
DEMO = False

# Generated copy barcodes: {library} is the library code without dashes, {seq} a running number.
BARCODE_PATTERN = "{library}{seq:06d}"

# CSRF on every form (Flask-WTF).
WTF_CSRF_ENABLED = True
WTF_CSRF_TIME_LIMIT = None

# Request bodies (app/web/security.py): every route accepts at most MAX_REQUEST_BYTES; the upload
# routes below accept up to MAX_CONTENT_LENGTH, but only from a signed-in account with the route's
# role, checked before the body is read.
MAX_REQUEST_BYTES = 2 * 1024 * 1024  # the page-text form allows 200,000 characters, percent-encoded
MAX_CONTENT_LENGTH = 512 * 1024 * 1024
UPLOAD_ENDPOINTS = ("marc_import.upload", "scans.upload")

# MARC files of at least this many bytes (all files of one import together) are imported with
# a second process decoding records and a third keeping the search index up (on 2+ cores).
MARC_BULK_FROM_BYTES = 8 * 1024 * 1024

# Background jobs go through a task queue (Huey) to `flask --app app worker` processes. Empty:
# SQLite at <data>/queue.sqlite3 (one machine); redis://host:6379/0 for several machines.
QUEUE_URL = ""
# Sites sharing one Redis give their queues different names.
QUEUE_NAME = "hoclieu"
# Tasks one worker process runs at a time (threads); run more worker processes to go faster.
JOB_WORKERS = 1
# A worker renews its job's lease; a job whose lease ran out (worker killed) is started again,
# at most JOB_MAX_ATTEMPTS times in all, then marked failed.
JOB_LEASE_SECONDS = 60
JOB_MAX_ATTEMPTS = 3
# OCR jobs are split into tasks of this many pages, shared by the workers.
OCR_PAGES_PER_TASK = 1
# Tests set this to True so a job runs to the end inside the request that started it (Huey's
# immediate mode).
JOBS_SYNCHRONOUS = False
# Schedules (periodic tasks run by the workers): old failed sign-in attempts and processed uploads are
# deleted after this many days; the index is checked (and repaired) every night at this UTC hour.
SIGN_IN_ATTEMPTS_KEEP_DAYS = 30
UPLOADS_KEEP_DAYS = 7
CHECK_INDEX_HOUR_UTC = 20

# Offline desks (issue 18): days a prepared device keeps its desk data and may sync (a librarian can extend it).
OFFLINE_DAYS = 7

# Reports (issue 8). Age groups of the desk tally of visits, in the order the form shows them.
AGE_GROUPS = ("children", "youth", "adults", "elderly")
# Growth of library use a year should reach: (last year the target applies, lowest, highest).
# The district plan: 10% a year on average up to 2025, 12% to 15% a year from 2026 to 2030.
PLAN_TARGETS = ((2025, 0.10, 0.10), (2030, 0.12, 0.15))
# Share of libraries and points (of these kinds) that ran at least one activity in the year:
# 70% by 2025, 100% by 2030.
PLAN_ACTIVITY_TARGETS = ((2025, 0.70), (2030, 1.00))
PLAN_ACTIVITY_KINDS = ("cultural_centre", "commune_library", "post_office_point", "village_reading_room", "other")
# The first year the plan page shows.
PLAN_FIRST_YEAR = 2021
# Online use (app/web/usage.py): count sessions, searches and record views (no personal data).
USAGE_COUNTING = True
# Each server process adds its counts up in memory and writes them this often (seconds); 0 writes
# each request's counts at once. A process killed with -9 loses at most this many seconds of counts.
USAGE_FLUSH_SECONDS = 5.0
# Share of age groups (AGE_GROUPS) the cultural centres run activities for: 80% by 2025, 100% by 2030.
PLAN_AGE_GROUP_TARGETS = ((2025, 0.80), (2030, 1.00))

# Scans (ingest/scans): OCR languages and command, on-site networks for "in-library" objects, limits.
OCR_LANGUAGES = "vie+eng"
TESSERACT_COMMAND = "tesseract"
ON_SITE_NETWORKS = ""  # comma-separated CIDR ranges of the libraries' own computers, e.g. "10.1.0.0/16"
MAX_PAGE_PIXELS = 100_000_000
PDF_DPI = 300
# Page images (issue 13): the largest IIIF answer (maxArea in info.json), the size of the
# derivative cache under DATA_DIR/derivatives (least recently used files go past it), how many
# images one process makes at once, and how many images or PDFs one address off site may have
# made per window ("N/SECONDS"; "" turns it off). RATE_LIMIT_STORAGE: "memory" (one process) or
# "sqlite:////var/lib/hoclieu/ratelimit.db", a file every worker process of the server shares.
IIIF_MAX_AREA = 25_000_000
DERIVATIVE_CACHE_MAX_BYTES = 2 * 1024 ** 3
IMAGE_RENDER_CONCURRENCY = 2
IMAGE_RATE_LIMIT = "120/60"
RATE_LIMIT_STORAGE = "memory"
# Sharing the catalogue (issue 17): SRU searches one address off staff may make per window
# ("N/SECONDS"; "" turns it off), counted where RATE_LIMIT_STORAGE says.
SRU_RATE_LIMIT = "60/60"
