"""Every figure of a known year, growth rates, "no basis", and library subtree totals."""
from __future__ import annotations

import pytest

from catalog.reports.plan import plan_progress
from catalog.reports.annual import Breakdown, annual_report, growth_rate
from tests.catalog.report_year import build_known_years

TARGETS = ((2025, 0.10, 0.10), (2030, 0.12, 0.15))
ACTIVITY = ((2025, 0.70), (2030, 1.00))
KINDS = ("cultural_centre", "commune_library", "post_office_point", "village_reading_room", "other")


@pytest.fixture
def known(session):
    return build_known_years(session)


def test_every_figure_of_the_network_year(session, known):
    report = annual_report(session, 2026)
    c = report.collection
    assert (c.titles, c.copies, c.new_titles, c.new_copies) == (3, 6, 3, 4)
    assert c.by_type == [Breakdown("book", 2, 4), Breakdown("serial", 1, 2)]
    assert c.by_language == [Breakdown("vie", 2, 4), Breakdown("eng", 1, 2)]
    assert (report.readers.registered, report.readers.new, report.readers.active) == (4, 3, 3)
    assert (report.loans.loans, report.loans.renewals, report.loans.returns, report.loans.borrowers) == (3, 2, 1, 3)
    r = report.rotation
    assert (r.batches, r.copies_sent, r.copies_received, r.copies_returned, r.copies_lost) == (1, 2, 1, 1, 1)
    assert r.school_loans_from_rotation == 1
    v = report.visits
    assert (v.in_person, v.days_recorded, v.online_sessions, v.searches, v.record_views) == (175, 3, 35, 7, 4)
    assert v.by_age_group == {"children": 40, "adults": 50, "youth": 25}
    d = report.digital
    assert (d.objects, d.pages, d.reads, d.downloads) == (1, 2, 3, 2)
    e = report.events
    assert (e.events, e.attendance, e.libraries_with_events) == (4, 185, 3)
    assert e.by_kind == {"class": [1, 30], "club": [2, 35], "reading_culture_day": [1, 120]}
    assert (report.library_use, report.previous_library_use) == (210, 200)
    assert report.growth == pytest.approx(0.05)
    months = {m.month: m for m in report.months}
    assert (months[1].visits, months[1].online_sessions, months[1].new_copies) == (90, 20, 1)
    assert (months[2].new_copies, months[2].new_readers, months[3].new_readers) == (1, 2, 1)
    assert (months[4].visits, months[4].events, months[4].attendance, months[4].online_sessions) == (60, 1, 120, 15)
    assert sum(m.visits for m in report.months) == 175
    assert sum(m.new_copies for m in report.months) == 4
    assert [(m.loans, m.renewals) for m in report.months[2:5]] == [(1, 1), (1, 0), (1, 1)]
    rows = {row.code: row for row in report.libraries}
    assert [row.code for row in report.libraries] == ["TT", "PD", "BD", "TH"]
    assert [row.depth for row in report.libraries] == [0, 1, 1, 0]
    tt = rows["TT"]
    assert (tt.titles, tt.copies, tt.new_copies, tt.readers, tt.visits, tt.events, tt.attendance) == (3, 4, 3, 1, 90, 2, 35)
    assert (rows["PD"].copies, rows["PD"].visits, rows["PD"].attendance) == (1, 60, 120)
    assert (rows["TH"].copies, rows["TH"].visits, rows["TH"].readers) == (1, 25, 1)
    assert [(rows[c].loans, rows[c].renewals) for c in ("TT", "PD", "BD", "TH")] == [(1, 1), (1, 0), (0, 0), (1, 1)]
    assert sum(row.copies for row in report.libraries) == c.copies


def test_a_library_report_covers_its_subtree_and_not_online_use(session, known):
    report = annual_report(session, 2026, "tt")
    assert (report.library_code, report.library_name) == ("TT", "Trung tâm Văn hóa")
    assert [row.code for row in report.libraries] == ["TT", "PD", "BD"]
    assert (report.collection.copies, report.collection.titles, report.collection.new_copies) == (5, 3, 3)
    assert (report.readers.registered, report.readers.new, report.readers.active) == (2, 1, 2)
    assert (report.loans.loans, report.loans.renewals, report.loans.returns) == (2, 1, 1)
    r = report.rotation
    assert (r.batches, r.copies_sent, r.copies_received, r.copies_returned, r.copies_lost) == (1, 2, 1, 1, 1)
    assert r.school_loans_from_rotation == 0
    assert report.visits.in_person == 150 and report.visits.online_sessions is None
    assert report.digital is None
    assert (report.events.events, report.events.attendance) == (3, 155)
    assert (report.library_use, report.previous_library_use, report.growth) == (150, 150, 0.0)
    school = annual_report(session, 2026, "TH")
    assert [row.code for row in school.libraries] == ["TH"] and school.visits.in_person == 25
    assert (school.loans.loans, school.loans.renewals, school.rotation.school_loans_from_rotation) == (1, 1, 1)
    assert (school.rotation.batches, school.rotation.copies_received, school.rotation.copies_returned) == (1, 1, 0)
    last_year = annual_report(session, 2025)
    assert (last_year.loans.loans, last_year.loans.renewals, last_year.rotation.batches) == (1, 1, 1)
    assert last_year.rotation.copies_returned == 0


def test_a_year_with_nothing_before_it_has_no_basis(session, known):
    report = annual_report(session, 2025)
    assert (report.library_use, report.previous_library_use, report.growth) == (200, 0, None)
    assert growth_rate(10, 0) is None and growth_rate(0, 0) is None
    assert growth_rate(110, 100) == pytest.approx(0.10)


def test_plan_progress_against_the_targets(session, known):
    plan = plan_progress(session, [2024, 2025, 2026], growth_targets=TARGETS, activity_targets=ACTIVITY,
                         activity_kinds=KINDS)
    use = {row.year: row for row in plan.use}
    assert (use[2024].library_use, use[2024].growth, use[2024].met) == (0, None, None)
    assert (use[2025].library_use, use[2025].in_person, use[2025].online) == (200, 150, 50)
    assert (use[2025].growth, use[2025].target_low, use[2025].met) == (None, 0.10, None)
    assert use[2026].growth == pytest.approx(0.05)
    assert (use[2026].target_low, use[2026].target_high, use[2026].met) == (0.12, 0.15, False)
    activity = {row.year: row for row in plan.activity}
    # Points of the counted kinds: TT, PD, BD (the school is not one).
    assert (activity[2025].points, activity[2025].points_with_activity, activity[2025].target) == (3, 1, 0.70)
    assert activity[2025].share == pytest.approx(1 / 3) and activity[2025].met is False
    assert activity[2026].points_with_activity == 2 and activity[2026].target == 1.0 and activity[2026].met is False
    assert activity[2024].share == 0.0
    easy = plan_progress(session, [2026, 2031], growth_targets=((2026, 0.05, 0.05),), activity_targets=((2026, 0.6),),
                         activity_kinds=KINDS)
    assert easy.use[0].met is True and easy.activity[0].met is True
    assert (easy.use[1].target_low, easy.use[1].met, easy.activity[1].target) == (None, None, None)


def test_plan_for_one_library_and_a_tree_without_points(session, known):
    plan = plan_progress(session, [2026], growth_targets=TARGETS, activity_targets=ACTIVITY,
                         activity_kinds=KINDS, library="TH")
    assert plan.use[0].library_use == 25 and plan.use[0].online is None and plan.use[0].growth is None
    assert (plan.activity[0].points, plan.activity[0].share, plan.activity[0].met) == (0, None, None)


def test_age_groups_served_by_the_cultural_centre(session, known):
    import datetime as dt

    from catalog.reports.activity import record_event

    for library, audience in ((known["tt"], "children"), (known["tt"], "adults"), (known["tt"], "children"),
                              (known["pd"], "youth"), (known["tt"], "")):
        record_event(session, library=library, day=dt.date(2026, 11, 1), kind="club", title="CLB", attendance=5,
                     audience=audience, user=known["hai"], now=dt.datetime(2026, 11, 2))
    groups = ("children", "youth", "adults", "elderly")
    plan = plan_progress(session, [2025, 2026], growth_targets=TARGETS, activity_targets=ACTIVITY,
                         activity_kinds=KINDS, age_groups=groups, age_group_targets=((2025, 0.8), (2030, 1.0)))
    last_year, this_year = plan.age_groups
    assert (last_year.supported, last_year.share, last_year.target, last_year.met) == ([], 0.0, 0.8, False)
    # The village room's activity for young people is not the centre's; "everyone" counts for no group.
    assert (this_year.supported, this_year.share, this_year.target, this_year.met) == (["children", "adults"], 0.5, 1.0, False)
    school = plan_progress(session, [2026], growth_targets=TARGETS, activity_targets=ACTIVITY, activity_kinds=KINDS,
                           age_groups=groups, age_group_targets=((2030, 0.5),), library="TH")
    assert (school.age_groups[0].share, school.age_groups[0].met) == (None, None)
