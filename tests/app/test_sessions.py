"""Issue 13.6: sign-out, a password change or reset, and disabling end the account's sessions
everywhere (a captured cookie stops working); disabled accounts cannot sign in."""
from __future__ import annotations

import re

from catalog.audit import history
from catalog.accounts.users import find_user
from tests.conftest import login


def captured(app, client):
    """Another browser holding a copy of this client's session cookie (as a thief would)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def account_id(app, username):
    with app.extensions["session_factory"]() as db:
        return find_user(db, username).id


def test_a_cookie_captured_before_sign_out_stops_working(demo, client):
    login(client, "thuthu")
    thief = captured(demo, client)
    assert thief.get("/account").status_code == 200
    client.post("/logout")
    assert thief.get("/account").status_code == 302
    assert "/login" in thief.get("/account").headers["Location"]
    assert login(client, "thuthu").status_code == 200 and client.get("/account").status_code == 200


def test_an_admin_password_reset_ends_the_sessions_of_that_account(demo, client):
    login(client, "bandoc")
    thief = captured(demo, client)
    admin = demo.test_client()
    login(admin, "admin")
    reset = admin.post(f"/staff/readers/{account_id(demo, 'bandoc')}/password", data={"password": "mat-khau-moi"})
    assert reset.status_code == 302
    assert client.get("/account").status_code == 302
    assert thief.get("/account").status_code == 302
    assert admin.get("/staff/").status_code == 200  # the admin's own session is untouched


def test_changing_ones_password_ends_other_sessions_and_keeps_this_one(demo, client):
    login(client, "bienmuc")
    thief = captured(demo, client)
    changed = client.post("/account/password", data={"current": "hoclieu-demo", "new": "mat-khau-moi",
                                                      "confirm": "mat-khau-moi"})
    assert changed.status_code == 302
    assert client.get("/account").status_code == 200
    assert thief.get("/account").status_code == 302


def test_an_admin_disables_an_account_its_sessions_end_and_it_cannot_sign_in(demo, client, session):
    login(client, "thuthu")
    admin = demo.test_client()
    login(admin, "admin")
    thuthu = account_id(demo, "thuthu")
    page = admin.get(f"/staff/readers/{thuthu}?lang=en").get_data(as_text=True)
    assert "Disable sign-in" in page
    assert admin.post(f"/staff/accounts/{thuthu}/disable", data={"reason": "left the library"}).status_code == 302
    assert client.get("/staff/").status_code == 302  # the open session is over
    refused = client.post("/login?lang=en", data={"username": "thuthu", "password": "hoclieu-demo"})
    assert refused.status_code == 403
    assert "This account is disabled. Ask an administrator." in refused.get_data(as_text=True)
    wrong = client.post("/login?lang=en", data={"username": "thuthu", "password": "not-the-password"})
    assert wrong.status_code == 400 and "disabled" not in wrong.get_data(as_text=True)  # no hint without it
    assert "This account is disabled: it cannot sign in." in admin.get(f"/staff/readers/{thuthu}?lang=en").get_data(
        as_text=True)
    listing = admin.get("/staff/accounts?q=thuthu&lang=en").get_data(as_text=True)
    assert re.search(r">thuthu</a> <strong class=\"error\">disabled</strong>", listing)
    assert admin.post(f"/staff/accounts/{thuthu}/enable").status_code == 302
    assert client.post("/login", data={"username": "thuthu", "password": "hoclieu-demo"}).status_code == 302
    entries = history(session, "user", thuthu)
    assert [(e.action, e.actor_name) for e in entries[:2]] == [("enable", "admin"), ("disable", "admin")]
    assert entries[1].note == "left the library"


def test_an_admin_cannot_disable_their_own_account(demo, client):
    login(client, "admin")
    refused = client.post(f"/staff/accounts/{account_id(demo, 'admin')}/disable?lang=en")
    assert refused.status_code == 403
    assert "You cannot disable your own account." in refused.get_data(as_text=True)
    assert client.get("/staff/").status_code == 200


def test_disable_and_enable_on_the_command_line(demo, client, runner, session):
    login(client, "bienmuc")
    result = runner.invoke(args=["disable-user", "bienmuc", "--reason", "on leave"])
    assert result.exit_code == 0 and "Disabled bienmuc" in result.output
    assert client.get("/staff/").status_code == 302
    assert client.post("/login", data={"username": "bienmuc", "password": "hoclieu-demo"}).status_code == 403
    result = runner.invoke(args=["enable-user", "bienmuc"])
    assert result.exit_code == 0 and "Enabled bienmuc." in result.output
    assert client.post("/login", data={"username": "bienmuc", "password": "hoclieu-demo"}).status_code == 302
    notes = [(e.action, e.note) for e in history(session, "user", account_id(demo, "bienmuc"))[:2]]
    assert notes == [("enable", "(command line)"), ("disable", "on leave (command line)")]
    assert runner.invoke(args=["disable-user", "nobody-here"]).exit_code != 0
