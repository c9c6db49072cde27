"""`report --year YYYY [--library CODE] [--format json|csv]`: the yearly figures (CONTRACT.md).

JSON (the default) prints one object on one line: every figure of catalog.reports.annual.YearReport plus
`plan` (the year's growth target and activity share against the plan). CSV prints the rows of the
reports page's CSV export (columns section, figure, label, library_code, library_name, month, value).
"""
from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import with_appcontext
from flask_babel import force_locale

from app.errors import translate_error
from app.display.report_labels import report_csv
from catalog.errors import CatalogError
from catalog.reports.plan import plan_progress
from catalog.reports.annual import annual_report


def plan_summary(session, year: int, library) -> dict:
    """The year's row of the plan page: growth and activity share against their targets."""
    config = current_app.config
    plan = plan_progress(session, [year], growth_targets=config["PLAN_TARGETS"],
                         activity_targets=config["PLAN_ACTIVITY_TARGETS"],
                         activity_kinds=config["PLAN_ACTIVITY_KINDS"], library=library,
                         age_groups=config["AGE_GROUPS"], age_group_targets=config["PLAN_AGE_GROUP_TARGETS"])
    use, activity, ages = plan.use[0], plan.activity[0], plan.age_groups[0]
    return {"growth": use.growth, "growth_target_low": use.target_low, "growth_target_high": use.target_high,
            "growth_met": use.met, "activity_points": activity.points,
            "activity_points_with_activity": activity.points_with_activity, "activity_share": activity.share,
            "activity_target": activity.target, "activity_met": activity.met,
            "age_groups_served": ages.supported, "age_group_share": ages.share, "age_group_target": ages.target,
            "age_group_met": ages.met}


@click.command("report")
@click.option("--year", type=click.IntRange(1900, 2200), required=True, help="The year, e.g. 2026.")
@click.option("--library", "code", default=None, help="A library's code: that library and the points under it.")
@click.option("--format", "output", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@with_appcontext
def report(year: int, code: str | None, output: str) -> None:
    """Print a year's figures (collection, readers, visits, loans, rotation, digital, events)."""
    with force_locale("vi"), current_app.extensions["session_factory"]() as session:
        try:
            figures = annual_report(session, year, code, tz=current_app.config["TIMEZONE"])
            plan = plan_summary(session, year, code)
        except CatalogError as error:
            raise click.ClickException(translate_error(error)) from None
        if output == "csv":
            click.echo(report_csv(figures, bom=False), nl=False)
            return
    click.echo(json.dumps({**figures.as_dict(), "plan": plan}, ensure_ascii=False))
