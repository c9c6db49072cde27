"""create_app: defaults, LIBRARY_* environment, overrides, and the secret-key rule."""
from __future__ import annotations

import pytest

from app import ConfigurationError, create_app


def test_overrides_win_over_environment_and_defaults(monkeypatch, app_overrides):
    monkeypatch.setenv("LIBRARY_SITE_NAME", "Từ môi trường")
    monkeypatch.setenv("LIBRARY_JOB_WORKERS", "3")
    app = create_app({**app_overrides, "SITE_NAME": "Từ tham số"})
    try:
        assert app.config["SITE_NAME"] == "Từ tham số"
        assert app.config["JOB_WORKERS"] == 3  # from the environment, parsed
        assert app.config["BABEL_DEFAULT_LOCALE"] == "vi"  # from config.py
    finally:
        app.extensions["engine"].dispose()


def test_environment_sets_database_url(monkeypatch, app_overrides, db_url):
    overrides = {k: v for k, v in app_overrides.items() if k != "DATABASE_URL"}
    monkeypatch.setenv("LIBRARY_DATABASE_URL", db_url)
    app = create_app(overrides)
    try:
        assert app.config["DATABASE_URL"] == db_url
    finally:
        app.extensions["engine"].dispose()


def test_default_database_lives_in_the_instance_folder(monkeypatch, tmp_path):
    monkeypatch.delenv("LIBRARY_DATABASE_URL", raising=False)
    monkeypatch.setenv("LIBRARY_INSTANCE_PATH", str(tmp_path / "instance"))
    app = create_app({"TESTING": True})
    try:
        assert app.config["DATABASE_URL"] == f"sqlite:///{tmp_path / 'instance' / 'library.db'}"
        assert app.config["DATA_DIR"] == str((tmp_path / "instance" / "data").resolve())
    finally:
        app.extensions["engine"].dispose()


@pytest.mark.parametrize("key", ["", "dev", "short"])
def test_refuses_to_start_without_a_real_secret_key(monkeypatch, app_overrides, key):
    monkeypatch.delenv("LIBRARY_SECRET_KEY", raising=False)
    overrides = {**app_overrides, "TESTING": False, "DEBUG": False, "SECRET_KEY": key}
    with pytest.raises(ConfigurationError, match="LIBRARY_SECRET_KEY"):
        create_app(overrides)


def test_starts_with_a_secret_key_from_the_environment(monkeypatch, app_overrides):
    monkeypatch.setenv("LIBRARY_SECRET_KEY", "x" * 40)
    overrides = {k: v for k, v in app_overrides.items() if k != "SECRET_KEY"}
    app = create_app({**overrides, "TESTING": False})
    try:
        assert app.config["SECRET_KEY"] == "x" * 40
    finally:
        app.extensions["engine"].dispose()


@pytest.mark.parametrize("value", ["-1", "yes", "1.5"])
def test_a_trusted_proxy_count_that_is_not_a_count_is_refused(monkeypatch, app_overrides, value):
    monkeypatch.setenv("LIBRARY_TRUSTED_PROXIES", value)
    with pytest.raises(ConfigurationError, match="LIBRARY_TRUSTED_PROXIES must be the number"):
        create_app(app_overrides)
