"""The Flask web app and CLI. create_app() is the only way in; nothing else imports app."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

import config as default_config

from app.web import assets, auth, security, usage
from app.cli import commands as cli
from app import db, errors, search, views
from app.display import i18n, links
from app.background import jobs
from app.ops import logs, checks as operations
from app.web.params import BoundedIntConverter


class ConfigurationError(RuntimeError):
    """Start-up refused: the message says what to set."""


def create_app(overrides: dict | None = None) -> Flask:
    """Build the app: config.py defaults, then LIBRARY_* environment variables, then overrides."""
    app = Flask(__name__, instance_path=os.environ.get("LIBRARY_INSTANCE_PATH") or None)
    app.url_map.converters["int"] = BoundedIntConverter  # before any route: every <int:...> is bounded
    app.config.from_object(default_config)
    app.config.from_prefixed_env("LIBRARY")
    app.config.update(overrides or {})
    _derive_paths(app)
    _check_secret_key(app)
    _trust_proxies(app)
    search.check_backend_name(app)

    logs.init_app(app)  # first: its after-request line is written last
    db.init_app(app)
    security.init_app(app)
    assets.init_app(app)
    links.init_app(app)
    i18n.init_app(app)
    auth.init_app(app)
    errors.init_app(app)
    jobs.init_app(app)
    views.init_app(app)
    search.init_app(app)
    operations.init_app(app)
    cli.init_app(app)
    usage.init_app(app)
    return app


def _derive_paths(app: Flask) -> None:
    instance = Path(app.instance_path)
    if not app.config.get("DATABASE_URL"):
        instance.mkdir(parents=True, exist_ok=True)
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'library.db'}"
    data_dir = Path(app.config.get("DATA_DIR") or instance / "data")
    data_dir.mkdir(parents=True, exist_ok=True)
    app.config["DATA_DIR"] = str(data_dir.resolve())


def _trust_proxies(app: Flask) -> None:
    """Believe X-Forwarded-* from LIBRARY_TRUSTED_PROXIES hops only: the address a request is
    from (sign-in limits, on-site reading) is then the one the last trusted proxy saw."""
    value = app.config.get("TRUSTED_PROXIES") or 0
    if isinstance(value, bool) or not (isinstance(value, int) or str(value).strip().isdigit()) or int(value) < 0:
        raise ConfigurationError(
            f"LIBRARY_TRUSTED_PROXIES must be the number of reverse proxies in front of the server "
            f"(0, 1, 2 ...), not {value!r}.")
    app.config["TRUSTED_PROXIES"] = hops = int(value)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops)


def _check_secret_key(app: Flask) -> None:
    key = str(app.config.get("SECRET_KEY") or "")
    if app.debug or app.testing:
        if not key:
            app.config["SECRET_KEY"] = "dev-only-" + os.urandom(8).hex()
        return
    if key in app.config["DEFAULT_SECRET_KEYS"] or len(key) < 16:
        raise ConfigurationError(
            "LIBRARY_SECRET_KEY is missing or too weak. Set it to a long random value, for example:\n"
            "  export LIBRARY_SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')\n"
            "(`make run` keeps one in instance/secret_key for you.)"
        )
