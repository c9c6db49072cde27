"""Every staff route (/staff/..., whichever area adds it) refuses anonymous users and readers,
and every POST refuses a request without a CSRF token. Walks app.url_map, so later areas'
routes are covered too."""
from __future__ import annotations

import re

from werkzeug.routing import Rule

from tests.conftest import login


def concrete(rule: Rule) -> str:
    """The rule's path with 1 for every argument (the first value of an any() converter)."""
    path = re.sub(r"<any\(\s*([^,)\s]+)[^)]*\):[^<>]+>", r"\1", rule.rule)  # an any() converter: its first value
    return re.sub(r"<(?:[^:<>]+:)?[^<>]+>", "1", path)


def staff_rules(app) -> list[tuple[str, str]]:
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/staff"):
            method = "GET" if "GET" in rule.methods else sorted(rule.methods - {"HEAD", "OPTIONS"})[0]
            found.append((method, concrete(rule)))
    return sorted(set(found))


def test_every_staff_route_refuses_anonymous_users_and_readers(demo):
    client = demo.test_client()
    rules = staff_rules(demo)
    assert len(rules) > 20
    for method, path in rules:
        response = client.open(path, method=method)
        assert response.status_code in (302, 401), f"{method} {path} answered {response.status_code} to anonymous"
        if response.status_code == 302:
            assert "/login" in response.headers["Location"], path
    login(client, "bandoc")
    for method, path in rules:
        response = client.open(path, method=method)
        assert response.status_code == 403, f"{method} {path} answered {response.status_code} to a reader"


def test_every_post_form_refuses_a_missing_csrf_token(demo):
    demo.config["WTF_CSRF_ENABLED"] = True
    from app.web.auth import csrf

    client = demo.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"username": "admin", "password": "hoclieu-demo"}).status_code == 400
    signed_in = client.post("/login", data={"username": "admin", "password": "hoclieu-demo", "csrf_token": token})
    assert signed_in.status_code == 302
    checked = 0
    for rule in demo.url_map.iter_rules():
        view = demo.view_functions[rule.endpoint]
        exempt = f"{view.__module__}.{view.__name__}" in csrf._exempt_views or (
            rule.endpoint.split(".")[0] in csrf._exempt_blueprints)
        if "POST" not in rule.methods or exempt:
            continue
        response = client.post(concrete(rule), data={"reason": "x", "password": "x"})
        assert response.status_code == 400, f"POST {rule.rule} answered {response.status_code} without a CSRF token"
        checked += 1
    assert checked >= 10
    assert client.get("/staff/").status_code == 200  # still signed in: nothing was changed by those posts


def test_dashboard_links_every_staff_tool_that_exists(demo):
    from app.views.staff.records import TOOLS

    client = demo.test_client()
    login(client, "admin")
    page = client.get("/staff/").get_data(as_text=True)
    present = [endpoint for _group, endpoint, _label in TOOLS if endpoint in demo.view_functions]
    assert {"staff.record_new", "staff.readers", "marc.duplicates", "reports.index"} <= set(present)
    with demo.test_request_context():
        from flask import url_for

        for endpoint in present:
            assert f'href="{url_for(endpoint)}"' in page, endpoint
