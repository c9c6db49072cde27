"""Staff at work (issue 16): each role sees the tools it may open, and lands on its desk after
signing in."""
from __future__ import annotations

import re

import pytest

from tests.conftest import login

ROLES = ["admin", "bienmuc", "thuthu", "thuvien.tieuhoc", "phongvh"]


def shown_links(html: str) -> list[str]:
    """The local links of the header menu and of the dashboard's tool list."""
    parts = re.findall(r'<nav class="menu".*?</nav>|<nav [^>]*class="staff-tools".*?</nav>', html, re.S)
    return sorted({href for part in parts for href in re.findall(r'href="(/[^"]*)"', part)})


@pytest.mark.parametrize("username", ROLES)
def test_every_tool_shown_to_a_role_opens(demo, client, username):
    landing = login(client, username)
    links = shown_links(landing.get_data(as_text=True))
    assert len(links) >= 3, links
    refused = {link: client.get(link).status_code for link in links}
    assert {link: code for link, code in refused.items() if code != 200} == {}


def test_a_librarian_is_not_offered_cataloguing_tools(demo, client):
    html = login(client, "thuthu").get_data(as_text=True)
    links = shown_links(html)
    assert ("/staff/rotation" in links, "/staff/import" in links, "/staff/records/new" in links) == (True, False, False)


@pytest.mark.parametrize("username", ["admin", "bienmuc", "thuthu"])
def test_staff_land_on_the_staff_page_after_signing_in(demo, client, username):
    response = client.post("/login", data={"username": username, "password": "hoclieu-demo"})
    assert response.headers["Location"] == "/staff/"


def test_a_safe_next_still_wins_and_an_unsafe_one_does_not(demo, client):
    response = client.post("/login?next=/staff/readers", data={"username": "thuthu", "password": "hoclieu-demo"})
    assert response.headers["Location"] == "/staff/readers"
    client.post("/logout")
    response = client.post("/login?next=//evil.example/x", data={"username": "thuthu", "password": "hoclieu-demo"})
    assert response.headers["Location"] == "/staff/"


def test_a_reader_still_lands_on_the_home_page(demo, client):
    response = client.post("/login", data={"username": "bandoc", "password": "hoclieu-demo"})
    assert response.headers["Location"] == "/"
