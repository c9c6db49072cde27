"""Vietnamese first, English beside it: locale from ?lang=, then the cookie, then Vietnamese."""
from __future__ import annotations

from flask import Flask, current_app, request
from flask_babel import Babel

COOKIE = "lang"


def select_locale() -> str:
    languages = current_app.config["LANGUAGES"]
    wanted = request.args.get("lang") or request.cookies.get(COOKIE)
    return wanted if wanted in languages else current_app.config["BABEL_DEFAULT_LOCALE"]


def _remember_choice(response):
    wanted = request.args.get("lang")
    if wanted in current_app.config["LANGUAGES"]:
        response.set_cookie(COOKIE, wanted, max_age=365 * 24 * 3600, samesite="Lax", httponly=True)
    return response


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_locale)
    app.after_request(_remember_choice)
    app.jinja_env.globals["current_locale"] = select_locale
