"""Sign-in hardening: limits on failed sign-ins per account and per address, the same answer for
an unknown user and a wrong password, cookie flags, sign-out, and the create-user command."""
from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import func, select

from catalog.audit import history
from catalog.accounts.sign_in import LoginAttempt, SignInLimits, SignInLocked, check_sign_in_allowed, record_sign_in
from catalog.accounts.users import find_user
from tests.conftest import login

T0 = dt.datetime(2026, 4, 21, 8, 0)


def attempt(client, username, password, address="10.0.0.1"):
    return client.post("/login", data={"username": username, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def test_unknown_user_and_wrong_password_get_the_same_answer(demo, client):
    unknown = attempt(client, "nobody-here", "whatever-1")
    wrong = attempt(client, "thuthu", "whatever-1")
    assert unknown.status_code == wrong.status_code == 400
    strip = lambda r: r.get_data(as_text=True).replace("nobody-here", "X").replace("thuthu", "X")  # noqa: E731
    assert strip(unknown) == strip(wrong)


def test_five_failures_lock_that_address_out_of_the_account_not_the_owner(demo, client, session):
    """Issue 13.5: five wrong passwords for admin from elsewhere no longer lock the real admin out."""
    assert attempt(client, "admin", "hoclieu-demo", address="10.0.0.5").status_code == 302  # the admin's desk
    client.post("/logout")
    for n in range(4):
        assert attempt(client, "admin", f"wrong-{n}", address="10.6.6.6").status_code == 400
    fifth = attempt(client, "admin", "wrong-5", address="10.6.6.6")
    assert fifth.status_code == 429
    assert "15" in fifth.get_data(as_text=True)
    # That address stays locked out of admin, even with the right password...
    assert attempt(client, "ADMIN", "hoclieu-demo", address="10.6.6.6").status_code == 429
    assert "_user_id" not in (client.get_cookie("session").value if client.get_cookie("session") else "")
    # ...while the admin signs in at their own desk, and from an address never used before.
    assert attempt(client, "admin", "hoclieu-demo", address="10.0.0.5").status_code == 302
    client.post("/logout")
    assert attempt(client, "admin", "hoclieu-demo", address="10.0.0.9").status_code == 302
    client.post("/logout")
    assert attempt(client, "bienmuc", "hoclieu-demo", address="10.6.6.6").status_code == 302  # others unaffected


def test_an_unknown_name_locks_exactly_like_an_account(demo, client):
    """The lock gives no hint whether an account exists."""
    answers = {}
    for name in ("thuthu", "nobody-here"):
        for n in range(5):
            last = attempt(client, name, f"wrong-{n}", address="10.0.3.3")
        answers[name] = (last.status_code, last.get_data(as_text=True).replace(name, "X"))
    assert answers["thuthu"][0] == 429
    assert answers["thuthu"] == answers["nobody-here"]


def test_failures_from_one_address_lock_that_address(demo, client):
    demo.config["LOGIN_MAX_FAILURES_PER_ADDRESS"] = 6
    for n in range(6):
        attempt(client, f"user{n}", "wrong-pass", address="10.9.9.9")
    assert attempt(client, "bienmuc", "hoclieu-demo", address="10.9.9.9").status_code == 429
    assert attempt(client, "bienmuc", "hoclieu-demo", address="10.9.9.8").status_code == 302


def test_lock_ends_after_the_lockout_and_a_success_resets_the_count(session):
    limits = SignInLimits(max_per_account=3, max_per_address=100, window=dt.timedelta(minutes=15),
                          lockout=dt.timedelta(minutes=15))
    for n in range(3):
        record_sign_in(session, "an", "1.1.1.1", succeeded=False, now=T0 + dt.timedelta(minutes=n))
    session.flush()
    with pytest.raises(SignInLocked) as locked:
        check_sign_in_allowed(session, "an", "1.1.1.1", now=T0 + dt.timedelta(minutes=3), limits=limits)
    assert locked.value.params["minutes"] == 14
    check_sign_in_allowed(session, "an", "1.1.1.1", now=T0 + dt.timedelta(minutes=18), limits=limits)
    # failures spread wider than the window do not lock
    for n in (0, 10, 20):
        record_sign_in(session, "binh", "2.2.2.2", succeeded=False, now=T0 + dt.timedelta(minutes=n))
    session.flush()
    check_sign_in_allowed(session, "binh", "2.2.2.2", now=T0 + dt.timedelta(minutes=21), limits=limits)
    # a success in between starts the count again
    record_sign_in(session, "chi", "3.3.3.3", succeeded=False, now=T0)
    record_sign_in(session, "chi", "3.3.3.3", succeeded=False, now=T0 + dt.timedelta(minutes=1))
    record_sign_in(session, "chi", "3.3.3.3", succeeded=True, now=T0 + dt.timedelta(minutes=2))
    record_sign_in(session, "chi", "3.3.3.3", succeeded=False, now=T0 + dt.timedelta(minutes=3))
    session.flush()
    check_sign_in_allowed(session, "chi", "3.3.3.3", now=T0 + dt.timedelta(minutes=4), limits=limits)
    assert session.scalar(select(func.count()).select_from(LoginAttempt)) == 10


def test_session_cookie_flags_and_sign_out(demo, client):
    response = attempt(client, "thuthu", "hoclieu-demo")
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    assert client.get("/staff/").status_code == 200
    assert client.get("/logout").status_code == 405  # sign-out is a POST (CSRF-protected)
    client.post("/logout")
    assert client.get("/staff/").status_code == 302


@pytest.fixture
def secure_app_overrides(app_overrides):
    return {**app_overrides, "SESSION_COOKIE_SECURE": True}


def test_secure_cookie_flag_is_configurable(secure_app_overrides):
    from app import create_app

    app = create_app(secure_app_overrides)
    try:
        app.test_cli_runner().invoke(args=["demo-data", "--records", "5"])
        response = app.test_client().post("/login", data={"username": "admin", "password": "hoclieu-demo"})
        assert response.status_code == 302 and "Secure" in response.headers["Set-Cookie"]
    finally:
        app.extensions["job_pool"].shutdown(wait=True)
        app.extensions["engine"].dispose()


def test_create_user_command(demo, runner, client, session):
    result = runner.invoke(args=["create-user", "Hai.TV", "--role", "librarian", "--library", "thcs-cathai",
                                 "--password", "mat-khau-1", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output.strip().splitlines()[-1]) == {
        "id": find_user(session, "hai.tv").id, "username": "hai.tv", "role": "librarian", "library": "THCS-CATHAI"}
    assert login(client, "hai.tv", "mat-khau-1").status_code == 200
    assert [e.note for e in history(session, "user", find_user(session, "hai.tv").id)] == ["create-user (command line)"]

    generated = runner.invoke(args=["create-user", "reader9", "--role", "reader", "--json"])
    assert generated.exit_code == 0
    password = json.loads(generated.output.strip().splitlines()[-1])["password"]
    assert f"Generated password: {password}" in generated.output
    client.post("/logout")
    assert client.post("/login", data={"username": "reader9", "password": password}).status_code == 302

    bad_role = runner.invoke(args=["create-user", "x1", "--role", "wizard", "--password", "abcdefgh"])
    assert bad_role.exit_code != 0 and "Unknown role 'wizard'" in bad_role.output
    bad_library = runner.invoke(args=["create-user", "x2", "--role", "librarian", "--library", "NOWHERE",
                                      "--password", "abcdefgh"])
    assert bad_library.exit_code != 0 and "No library with code NOWHERE" in bad_library.output
    no_library = runner.invoke(args=["create-user", "x3", "--role", "librarian", "--password", "abcdefgh"])
    assert no_library.exit_code != 0 and "--library" in no_library.output
    taken = runner.invoke(args=["create-user", "THUTHU", "--role", "reader", "--password", "abcdefgh"])
    assert taken.exit_code != 0 and "already taken" in taken.output
    assert find_user(session, "x1") is None and find_user(session, "x2") is None


LIMITS = SignInLimits(max_per_account=3, max_per_address=100, max_per_account_everywhere=6,
                      window=dt.timedelta(minutes=15), lockout=dt.timedelta(minutes=15),
                      first_delay=dt.timedelta(seconds=30))


def wait_for(session, name, address, minute):
    """Seconds the name must wait at the address at T0 + minute, or 0."""
    try:
        check_sign_in_allowed(session, name, address, now=T0 + dt.timedelta(minutes=minute), limits=LIMITS)
    except SignInLocked as locked:
        return locked.params.get("seconds") or locked.params["minutes"] * 60
    return 0


def test_at_an_address_it_signed_in_from_the_owner_meets_growing_waits_not_a_lock(session):
    record_sign_in(session, "an", "1.1.1.1", succeeded=True, now=T0 - dt.timedelta(days=30))
    waits = []
    for n in range(7):
        minute = n * 0.01  # failures in quick succession
        record_sign_in(session, "an", "1.1.1.1", succeeded=False, now=T0 + dt.timedelta(minutes=minute))
        session.flush()
        waits.append(wait_for(session, "an", "1.1.1.1", minute))
    assert waits == [0, 0, 30, 60, 120, 240, 480]  # from the third failure on, each doubles the wait
    # the same failures from an address the account never signed in from: locked for the full lockout
    for n in range(3):
        record_sign_in(session, "binh", "2.2.2.2", succeeded=False, now=T0 + dt.timedelta(minutes=n * 0.01))
    session.flush()
    assert wait_for(session, "binh", "2.2.2.2", 0.03) == 15 * 60


def test_an_account_failing_from_many_addresses_is_closed_to_new_addresses_only(session):
    record_sign_in(session, "chi", "1.1.1.1", succeeded=True, now=T0 - dt.timedelta(days=1))
    for n in range(6):  # a botnet: one failure from each of six addresses
        record_sign_in(session, "chi", f"9.9.9.{n}", succeeded=False, now=T0 + dt.timedelta(minutes=n))
    session.flush()
    assert wait_for(session, "chi", "9.9.9.200", 6) > 0  # a seventh, new address is locked out
    assert wait_for(session, "chi", "1.1.1.1", 6) == 0  # the owner's own address is not


def test_a_password_reset_lifts_the_lock(demo, client):
    for n in range(5):
        attempt(client, "bandoc", f"wrong-{n}")
    assert attempt(client, "bandoc", "hoclieu-demo").status_code == 429
    admin = demo.test_client()
    login(admin, "admin")
    reader_id = _account_id(demo, "bandoc")
    reset = admin.post(f"/staff/readers/{reader_id}/password", data={"password": "mat-khau-moi"})
    assert reset.status_code == 302
    assert attempt(client, "bandoc", "mat-khau-moi").status_code == 302


def _account_id(app, username):
    with app.extensions["session_factory"]() as db:
        return find_user(db, username).id


def test_an_admin_unlocks_an_account_on_its_page_and_on_the_command_line(demo, client, runner, session):
    for n in range(5):
        attempt(client, "thuthu", f"wrong-{n}")
    assert attempt(client, "thuthu", "hoclieu-demo").status_code == 429
    admin = demo.test_client()
    login(admin, "admin")
    thuthu = _account_id(demo, "thuthu")
    assert "Unlock sign-in" in admin.get(f"/staff/readers/{thuthu}?lang=en").get_data(as_text=True)
    assert admin.post(f"/staff/accounts/{thuthu}/unlock").status_code == 302
    assert attempt(client, "thuthu", "hoclieu-demo").status_code == 302
    assert [e.action for e in history(session, "user", thuthu)][:1] == ["unlock"]

    client.post("/logout")
    for n in range(5):
        attempt(client, "thuthu", f"wrong-again-{n}")
    assert attempt(client, "thuthu", "hoclieu-demo").status_code == 429
    result = runner.invoke(args=["unlock-user", "ThuThu"])
    assert result.exit_code == 0 and "Sign-in unlocked for thuthu." in result.output
    assert attempt(client, "thuthu", "hoclieu-demo").status_code == 302
    session.expire_all()
    assert [e.note for e in history(session, "user", thuthu)][:1] == ["unlock-user (command line)"]
    missing = runner.invoke(args=["unlock-user", "nobody-here"])
    assert missing.exit_code != 0 and "No account named 'nobody-here'" in missing.output
