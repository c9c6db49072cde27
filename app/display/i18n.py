"""Vietnamese first, English beside it: locale from ?lang=, then the cookie, then Vietnamese."""
from __future__ import annotations

from urllib.parse import urlencode

from flask import Flask, current_app, request
from flask_babel import Babel

from app.display import dates, form_messages, history_labels, labels
from search_index.backend import MAX_QUERY_CHARS

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


def switch_url(language: str) -> str:
    """This page (same path, same query) in another language: the query is kept, only ?lang= changes
    (a search longer than what is searched is kept to what is searched)."""
    pairs = [(key, value[:MAX_QUERY_CHARS] if key == "q" else value)
             for key, value in request.args.items(multi=True) if key != "lang"]
    path = "/" + request.path.lstrip("/")  # never "//host": a link that leaves the site
    return path + "?" + urlencode([*pairs, ("lang", language)])


def init_app(app: Flask) -> None:
    dates.init_app(app)
    labels.init_app(app)
    history_labels.init_app(app)
    form_messages.init_app(app)
    Babel(app, locale_selector=select_locale)
    app.after_request(_remember_choice)
    app.jinja_env.globals["current_locale"] = select_locale
    app.jinja_env.globals["switch_language_url"] = switch_url
