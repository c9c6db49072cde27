"""Title A–Z through search follows Vietnamese order: a title comes before its longer continuations."""
from __future__ import annotations

from catalog.records.models import RecordDraft, create_record


def test_title_order_puts_a_title_before_the_same_title_with_more_words(app, client):
    from app.hooks import after_commit

    titles = ["Lịch sử Việt Nam tập 2", "Lịch sử Việt Nam", "Lịch sử", "Lịch sử Việt Nam tập 10", "Lịch sử Việt"]
    with app.extensions["session_factory"].begin() as session:
        for title in titles:
            create_record(session, RecordDraft(title=title, languages=["vie"]))
    after_commit(app)
    body = client.get("/api/search?q=&sort=title&per_page=10").get_json()
    assert [hit["title"] for hit in body["hits"]] == [
        "Lịch sử", "Lịch sử Việt", "Lịch sử Việt Nam", "Lịch sử Việt Nam tập 10", "Lịch sử Việt Nam tập 2"]
