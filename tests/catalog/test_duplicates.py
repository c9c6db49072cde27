"""The duplicates queue through its services: which pairs are proposed, their scores and reasons,
the order and paging, merging, "not duplicates" decisions that stick, and the role checks."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from sqlalchemy import func, select

from catalog.audit import AuditEntry
from catalog.digital.models import DigitalObject
from catalog.records.duplicate_decisions import (
    mark_not_duplicates, merge_pair, merge_plan, not_duplicate_decisions, withdraw_not_duplicates,
)
from catalog.records.duplicates import STRONG, NotDuplicate, candidate_pairs, compare_pair
from catalog.errors import CatalogError, PermissionDenied, RecordNotFound, ValidationError
from catalog.copies.items import Item, add_item
from catalog.libraries import save_library
from catalog.records.models import Record, RecordDraft, apply_draft, create_record
from catalog.accounts.users import Role, create_user

NOW = dt.datetime(2026, 12, 1, 9, 0)


@pytest.fixture
def people(session):
    centre = save_library(session, code="TTVH", name="Trung tâm Văn hóa", kind="cultural_centre")
    users = {
        "cataloguer": create_user(session, "bienmuc", role=Role.CATALOGUER, password="long enough"),
        "other": create_user(session, "bienmuc2", role=Role.CATALOGUER, password="long enough"),
        "admin": create_user(session, "admin", role=Role.ADMIN, password="long enough"),
        "librarian": create_user(session, "thuthu", role=Role.LIBRARIAN, password="long enough", library=centre),
    }
    session.commit()
    users["centre"] = centre
    return users


def add(session, title: str, subtitle: str = "", author: str = "", year: int | None = None, isbns=(),
        edition: str = "", record_type: str = "book", languages=("vie",)) -> int:
    draft = RecordDraft(title=title, subtitle=subtitle, authors=[author] if author else [], year=year,
                        isbns=list(isbns), edition=edition, record_type=record_type, languages=list(languages))
    record_id = create_record(session, draft, now=NOW).id
    session.commit()
    return record_id


def queue(session, user, *, weak: bool = True, per_page: int = 100) -> dict[tuple[int, int], object]:
    listing = candidate_pairs(session, user, include_weak=weak, per_page=per_page)
    session.commit()
    return {(pair.low.id, pair.high.id): pair for pair in listing.pairs}


def test_the_same_isbn_written_two_ways_is_a_strong_pair(session, people):
    a = add(session, "Đại cương về thư viện", isbns=["0-306-40615-2"])
    b = add(session, "Dai cuong ve thu vien hoc", isbns=["9780306406157 (bìa mềm)"])
    pair = queue(session, people["cataloguer"], weak=False)[(a, b)]
    assert pair.is_strong and "same_isbn" in pair.reasons
    assert "other_title" in pair.warnings and pair.score == 65 - 10


def test_one_isbn_on_two_quite_different_titles_is_only_a_weak_pair(session, people):
    a = add(session, "Kỹ thuật nuôi tôm", author="Lê Văn Tám", year=2019, isbns=["9786040000002"])
    b = add(session, "Sổ tay nghề cá", author="Lê Văn Tám", year=2019, isbns=["978-604-000000-2"])
    assert (a, b) not in queue(session, people["cataloguer"], weak=False)
    pair = queue(session, people["cataloguer"])[(a, b)]
    assert (pair.score, pair.warnings) == (65 + 15 + 15 - 50, ["other_title_start"])


def test_the_same_full_title_author_and_year_is_a_strong_pair(session, people):
    a = add(session, "Truyện Kiều", "bản đầy đủ", "Nguyễn Du", 2015)
    b = add(session, "Truyện Kiều.", "Bản đầy đủ", "Nguyễn, Du", 2015)
    pair = queue(session, people["cataloguer"], weak=False)[(a, b)]
    assert (pair.score, pair.reasons, pair.warnings) == (65, ["same_title", "same_subtitle", "same_author",
                                                             "same_year"], [])


def test_a_title_proper_alone_is_weak_and_not_shown_by_default(session, people):
    a = add(session, "Lịch sử địa phương")
    b = add(session, "Lịch sử địa phương")
    assert (a, b) not in queue(session, people["cataloguer"], weak=False)
    pair = queue(session, people["cataloguer"])[(a, b)]
    assert (pair.score, pair.reasons, pair.is_strong) == (25, ["same_title"], False)
    assert pair.score < STRONG


def test_records_differing_after_the_colon_are_not_candidates(session, people):
    crops = ["BARLEY - OPERATIONS WITH AREA HARVESTED", "COTTON - OPERATIONS WITH AREA HARVESTED",
             "TOBACCO - OPERATIONS", "GRAIN, OTHER - SALES", "SORGHUM, GRAIN - ACRES HARVESTED"]
    ids = {add(session, "Demographics - Field Crops from the Agricultural Census database", crop,
               "United States Department of Agriculture", 2018, record_type="computer_file", languages=["eng"])
           for crop in crops}
    proposed = queue(session, people["cataloguer"])
    assert [pair for pair in proposed if set(pair) <= ids] == []
    comparison = compare_pair(session, people["cataloguer"], min(ids), max(ids))
    assert comparison.score < 0 and "other_subtitle" in comparison.warnings
    assert [row.name for row in comparison.rows if row.differs] == ["subtitle"]


def test_records_with_different_isbns_are_never_proposed(session, people):
    a = add(session, "Toán 1", author="Bộ Giáo dục", year=2020, isbns=["9786040000002"])
    b = add(session, "Toán 1", author="Bộ Giáo dục", year=2020, isbns=["9780306406157"])
    c = add(session, "Toán 1", author="Bộ Giáo dục", year=2020)  # no ISBN: may be either
    proposed = queue(session, people["cataloguer"])
    assert (a, b) not in proposed and {(a, c), (b, c)} <= set(proposed)
    comparison = compare_pair(session, people["cataloguer"], b, a)
    assert (comparison.score, comparison.has_other_isbns) == (None, True)
    assert [comparison.left.id, comparison.right.id] == [b, a]


@pytest.mark.parametrize("first, second, rule", [
    (dict(title="Tiếng Việt 1", subtitle="tập 1"), dict(title="Tiếng Việt 1", subtitle="tập 2"), "other_subtitle"),
    (dict(title="Tiếng Việt 1. Tập 1"), dict(title="Tiếng Việt 1. Tập 2"), "other_part"),  # one set ISBN
    (dict(title="Tiếng Việt 1", subtitle=""), dict(title="Tiếng Việt 1", subtitle="tập 2"), "other_part"),
    (dict(title="Địa lý Hải Phòng", year=2001), dict(title="Địa lý Hải Phòng", year=2015), "other_year"),
    (dict(title="Địa lý Hải Phòng", edition="In lần thứ 2"), dict(title="Địa lý Hải Phòng", edition="3rd ed."),
     "other_edition"),
    (dict(title="Đường về"), dict(title="Dương về"), "other_marks"),
    (dict(title="Hải Phòng", languages=["vie"]), dict(title="Hai Phong", languages=["eng"]), "other_language"),
])
def test_other_parts_years_editions_and_marks_are_not_proposed(session, people, first, second, rule):
    shared = dict(author="Nguyễn Văn An", isbns=["9786040000002"]) if rule == "other_part" and "." in first["title"] \
        else dict(author="Nguyễn Văn An", year=first.get("year", 2010))
    a = add(session, **{**shared, **first})
    b = add(session, **{**shared, **second})
    assert (a, b) not in queue(session, people["cataloguer"])
    assert rule in compare_pair(session, people["cataloguer"], a, b).warnings


def test_the_queue_is_ordered_by_score_then_ids_and_paged(session, people):
    weak = [add(session, "Văn hóa biển đảo") for _ in range(2)]  # 25
    isbn = [add(session, title, isbns=["9786040000002"]) for title in ("Sách biển đảo", "Sách biển Việt Nam")]  # 55
    full = [add(session, "Cá và nghề cá", "ven biển Cát Hải", "Trần Văn Bình", 2019) for _ in range(2)]  # 65
    title = [add(session, "Cá và nghề biển", author="Trần Văn Bình", year=2019) for _ in range(2)]  # 55
    user = people["cataloguer"]
    order = [(p.low.id, p.high.id, p.score) for p in candidate_pairs(session, user, include_weak=True).pairs]
    assert order == [(*full, 65), (*isbn, 55), (*title, 55), (*weak, 25)]
    second = candidate_pairs(session, user, include_weak=True, per_page=2, page=2)
    assert (second.total, second.pages, [p.low.id for p in second.pairs]) == (4, 2, [title[0], weak[0]])
    past = candidate_pairs(session, user, include_weak=True, per_page=2, page=99)
    assert (past.page, [p.low.id for p in past.pairs]) == (2, [title[0], weak[0]])
    assert candidate_pairs(session, user).total == 3


def test_a_generic_title_shared_by_many_records_is_not_compared(session, people):
    ids = [add(session, "Báo cáo", year=2000 + n) for n in range(60)]  # a key of 60 records says nothing
    same = [add(session, "Báo cáo", author="Phòng Văn hóa", year=2024) for _ in range(2)]
    proposed = queue(session, people["cataloguer"], per_page=500)
    assert list(proposed) == [tuple(same)]  # found through their whole-work key
    assert not set(ids) & {rid for pair in proposed for rid in pair}


def test_a_title_shared_by_more_than_twenty_records_is_compared_only_with_its_author(session, people):
    others = [add(session, "Tiếng Anh") for _ in range(22)]
    same = [add(session, "Tiếng Anh", author="Lê Thị Mai") for _ in range(2)]  # title and author, no year: 40
    proposed = queue(session, people["cataloguer"], per_page=500)
    assert list(proposed) == [tuple(same)] and proposed[tuple(same)].score == 40
    fewer = others[:19]
    for n, record_id in enumerate(others[19:] + same):
        apply_draft(session, session.get(Record, record_id), RecordDraft(title=f"Tiếng Nga {n}"),
                    now=NOW + dt.timedelta(days=1))
    session.commit()
    weak = queue(session, people["cataloguer"], per_page=500)  # 19 left: their pairs are compared now
    assert {pair.score for pair in weak.values()} == {25}
    assert sorted(weak) == sorted((a, b) for i, a in enumerate(fewer) for b in fewer[i + 1:])


def test_an_edit_is_seen_by_the_queue(session, people):
    a = add(session, "Nghề cá", author="Lê Văn Tám", year=2010)
    b = add(session, "Nghề cá", author="Lê, Văn Tám", year=2010)
    assert (a, b) in queue(session, people["cataloguer"])
    record = session.get(Record, b)
    apply_draft(session, record, RecordDraft(title="Nghề nông", authors=["Lê Văn Tám"], year=2010),
                now=NOW + dt.timedelta(minutes=1))
    session.commit()
    assert (a, b) not in queue(session, people["cataloguer"])


def test_not_duplicates_sticks_and_can_be_withdrawn(session, people):
    user = people["cataloguer"]
    a = add(session, "Nghề cá", author="Lê Văn Tám", year=2010)
    b = add(session, "Nghề cá", author="Lê Văn Tám", year=2010)
    decision, made = mark_not_duplicates(session, user, b, a, now=NOW, note="Hai tập khác nhau")
    session.commit()
    assert made and (decision.low_id, decision.high_id, decision.decided_by_name) == (a, b, "bienmuc")
    assert (a, b) not in queue(session, user)
    apply_draft(session, session.get(Record, a), RecordDraft(title="Nghề cá", authors=["Lê Văn Tám"], year=2010,
                                                             summary="Sửa tóm tắt"), now=NOW + dt.timedelta(hours=1))
    session.commit()
    assert (a, b) not in queue(session, user)  # an edit does not bring it back
    assert compare_pair(session, user, a, b).decision.id == decision.id
    listing = not_duplicate_decisions(session, user)
    assert [(d.id, low.id, high.id) for d, low, high in listing.decisions] == [(decision.id, a, b)]
    logged = session.execute(select(AuditEntry.entity_id, AuditEntry.action, AuditEntry.actor_name, AuditEntry.after)
                             .where(AuditEntry.action == "not_duplicate").order_by(AuditEntry.entity_id)).all()
    assert logged == [(a, "not_duplicate", "bienmuc", {"not_duplicate_of": b}),
                      (b, "not_duplicate", "bienmuc", {"not_duplicate_of": a})]
    assert withdraw_not_duplicates(session, people["admin"], decision.id, now=NOW) is True
    session.commit()
    assert withdraw_not_duplicates(session, people["other"], decision.id, now=NOW) is False
    assert (a, b) in queue(session, user)
    assert session.scalar(select(func.count()).select_from(AuditEntry)
                          .where(AuditEntry.action == "not_duplicate_withdrawn", AuditEntry.actor_name == "admin")) == 2


def test_marking_a_pair_again_in_either_order_makes_no_second_decision(session, people):
    a = add(session, "Nghề cá")
    b = add(session, "Nghề cá")
    mark_not_duplicates(session, people["cataloguer"], a, b, now=NOW)
    session.commit()
    decision, made = mark_not_duplicates(session, people["other"], b, a, now=NOW)
    session.commit()
    assert (made, decision.decided_by_name) == (False, "bienmuc")
    assert session.scalar(select(func.count()).select_from(NotDuplicate)) == 1
    assert session.scalar(select(func.count()).select_from(AuditEntry)) == 2


def _race(session_factory, action, count: int = 2) -> list[str]:
    barrier = threading.Barrier(count)
    outcomes = [""] * count

    def run(n: int) -> None:
        with session_factory() as session:
            barrier.wait()
            try:
                outcomes[n] = action(session, n)
                session.commit()
            except CatalogError as error:
                session.rollback()
                outcomes[n] = error.message

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


def test_two_cataloguers_marking_the_same_pair_at_once_make_one_decision(session_factory, session, people):
    user_ids = [people["cataloguer"].id, people["other"].id]
    for round_ in range(4):
        a, b = add(session, f"Sách đôi {round_}"), add(session, f"Sách đôi {round_}")

        def mark(s, n):
            from catalog.accounts.users import User

            _decision, made = mark_not_duplicates(s, s.get(User, user_ids[n]), *((a, b) if n else (b, a)), now=NOW)
            return "made" if made else "already"

        assert sorted(_race(session_factory, mark)) == ["already", "made"]
        session.expire_all()
        assert session.scalar(select(func.count()).select_from(NotDuplicate).where(NotDuplicate.low_id == a)) == 1
        assert session.scalar(select(func.count()).select_from(AuditEntry)
                              .where(AuditEntry.entity_id.in_([a, b]), AuditEntry.action == "not_duplicate")) == 2


def test_two_merges_of_one_pair_at_once_merge_it_once(session_factory, session, people):
    user_id = people["cataloguer"].id
    a, b = add(session, "Sách gộp"), add(session, "Sách gộp")

    def merge(s, n):
        from catalog.accounts.users import User

        keep, other = (a, b) if n == 0 else (b, a)
        merge_pair(s, s.get(User, user_id), keep, other, now=NOW)
        return "merged"

    outcomes = _race(session_factory, merge)
    assert outcomes.count("merged") == 1, outcomes
    session.expire_all()
    live = session.scalars(select(Record).where(Record.id.in_([a, b]), Record.deleted_at.is_(None))).all()
    assert len(live) == 1 and session.get(Record, ({a, b} - {live[0].id}).pop()).merged_into_id == live[0].id


def test_merge_moves_copies_and_digital_objects_and_is_audited(session, people):
    user = people["cataloguer"]
    keep = add(session, "Biển đảo quê hương", author="Phạm Hùng", year=2018)
    other = add(session, "Biển đảo quê hương", author="Phạm Hùng", year=2018)
    add_item(session, session.get(Record, other), barcode="TV0001", library=people["centre"])
    add_item(session, session.get(Record, keep), barcode="TV0002", library=people["centre"])
    session.add(DigitalObject(record_id=other, label="Bản quét"))
    session.commit()
    plan = merge_plan(session, user, keep, other)
    assert ([i.barcode for i in plan.copies], [o.label for o in plan.objects]) == (["TV0001"], ["Bản quét"])
    merge_pair(session, user, keep, other, now=NOW)
    session.commit()
    assert sorted(session.scalars(select(Item.barcode).where(Item.record_id == keep))) == ["TV0001", "TV0002"]
    assert session.scalar(select(DigitalObject.record_id)) == keep
    assert session.get(Record, other).merged_into_id == keep
    entries = session.execute(select(AuditEntry.entity_id, AuditEntry.after).where(AuditEntry.action == "merge")
                              .order_by(AuditEntry.entity_id)).all()
    assert [entry_id for entry_id, _after in entries] == [keep, other]
    assert entries[1].after["merged_into_id"] == keep and entries[1].after["copies"] == ["TV0001"]
    assert (keep, other) not in queue(session, user)
    with pytest.raises(RecordNotFound, match=f"Record {other} has already been merged into record {keep}"):
        merge_pair(session, user, other, keep, now=NOW)


def test_bad_pairs_are_refused_with_a_reason(session, people):
    user = people["cataloguer"]
    a = add(session, "Một")
    with pytest.raises(ValidationError, match="two different records"):
        compare_pair(session, user, a, a)
    with pytest.raises(RecordNotFound, match="No record with id 999"):
        compare_pair(session, user, a, 999)
    with pytest.raises(RecordNotFound):
        mark_not_duplicates(session, user, a, 999, now=NOW)
    assert session.scalar(select(func.count()).select_from(NotDuplicate)) == 0


@pytest.mark.parametrize("call", [
    lambda s, u, a, b: candidate_pairs(s, u),
    lambda s, u, a, b: compare_pair(s, u, a, b),
    lambda s, u, a, b: merge_plan(s, u, a, b),
    lambda s, u, a, b: merge_pair(s, u, a, b, now=NOW),
    lambda s, u, a, b: mark_not_duplicates(s, u, a, b, now=NOW),
    lambda s, u, a, b: not_duplicate_decisions(s, u),
    lambda s, u, a, b: withdraw_not_duplicates(s, u, 1, now=NOW),
])
def test_only_cataloguers_and_admins_may_use_the_queue(session, people, call):
    a, b = add(session, "Hai"), add(session, "Hai")
    with pytest.raises(PermissionDenied):
        call(session, people["librarian"], a, b)
    session.rollback()
    call(session, people["admin"], a, b)
    session.rollback()
    assert session.get(Record, b).merged_into_id is None
