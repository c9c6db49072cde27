"""In Chromium: a record whose title tries to break out of the JSON-LD block runs nothing, the
block parses back to the title, and the page keeps the policy (no CSP complaint)."""
from __future__ import annotations

from tests.ingest.marc_fixtures import book, iso

HOSTILE = "Tiêu đề </script><script>window.__hacked = 1</script><!-- <img src=x onerror=window.__hacked=2>"


def test_a_hostile_title_stays_data_in_the_browser(demo, live_server, page, tmp_path):
    path = tmp_path / "hostile.mrc"
    path.write_bytes(iso(book("EVIL3", HOSTILE)))
    assert demo.test_cli_runner().invoke(args=["import-marc", str(path)]).exit_code == 0
    complaints = []
    page.on("console", lambda message: complaints.append(message.text)
            if "Content Security Policy" in message.text else None)
    page.goto(f"{live_server}/search?q=ti%C3%AAu+%C4%91%E1%BB%81")
    page.click("h2 a:has-text('Tiêu đề')")
    page.wait_for_load_state()
    assert page.evaluate("window.__hacked") is None
    data = page.evaluate("JSON.parse(document.querySelector('script[type=\"application/ld+json\"]').textContent)")
    assert data["@type"] == "Book" and data["name"].startswith("Tiêu đề </script><script>")
    assert page.locator("span.Z3988").count() == 1 and page.locator("abbr.unapi-id").count() == 1
    assert complaints == []
