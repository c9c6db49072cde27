"""The printable annual report in Vietnamese (PDF, reportlab): the year's tables and the plan's
charts, drawn with reportlab graphics, in DejaVu Sans (Vietnamese glyphs; app/static/fonts)."""
from __future__ import annotations

import datetime as dt
import io
from html import escape
from pathlib import Path

from flask_babel import force_locale, gettext as _
from reportlab.graphics.charts.barcharts import VerticalBarChart
from reportlab.graphics.shapes import Drawing, Line, String
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from app.display import report_labels as labels
from app.display.dates import formal_date
from app.display.report_charts import COLOURS, TARGET_COLOUR, Chart, chart_top, month_chart, number, plan_charts
from catalog.reports.plan import PlanProgress
from catalog.reports.annual import YearReport

FONTS = Path(__file__).resolve().parents[1] / "static" / "fonts"  # app/static/fonts
FONT, BOLD = "DejaVuSans", "DejaVuSans-Bold"


def _register_fonts() -> None:
    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(FONTS / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont(BOLD, str(FONTS / "DejaVuSans-Bold.ttf")))


STYLES = {
    "title": ParagraphStyle("title", fontName=BOLD, fontSize=16, leading=20, spaceAfter=4),
    "h2": ParagraphStyle("h2", fontName=BOLD, fontSize=12, leading=15, spaceBefore=10, spaceAfter=4),
    "body": ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12),
    "small": ParagraphStyle("small", fontName=FONT, fontSize=7.5, leading=9.5, textColor=colors.HexColor("#5f6b73")),
}


def _table(rows: list[list], widths: list[float] | None = None, header: bool = True) -> Table:
    table = Table([[Paragraph(escape(c).replace("  ", "&nbsp;&nbsp;"), STYLES["body"])
                    if isinstance(c, str) and len(c) > 28 else c for c in row]
                   for row in rows], colWidths=widths, repeatRows=1 if header else 0)
    style = [("FONT", (0, 0), (-1, -1), FONT, 8.5), ("ALIGN", (1, 0), (-1, -1), "RIGHT"),
             ("LINEBELOW", (0, 0), (-1, -1), 0.25, colors.HexColor("#d7dde1")),
             ("VALIGN", (0, 0), (-1, -1), "TOP")]
    if header:
        style += [("FONT", (0, 0), (-1, 0), BOLD, 8.5), ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8f3ee"))]
    table.setStyle(TableStyle(style))
    return table


def _drawing(chart: Chart, width: float = 170 * mm, height: float = 62 * mm) -> Drawing:
    """The chart drawn with reportlab graphics: bars, value axis, dashed target markers, legend."""
    drawing = Drawing(width, height)
    bars = VerticalBarChart()
    bars.x, bars.y, bars.width, bars.height = 36, 22, width - 46, height - 44
    bars.data = [[v or 0 for v in values] for _name, values in chart.series]
    bars.categoryAxis.categoryNames = chart.labels
    bars.categoryAxis.labels.fontName = bars.valueAxis.labels.fontName = FONT
    bars.categoryAxis.labels.fontSize = bars.valueAxis.labels.fontSize = 7
    top = chart_top(chart)
    bars.valueAxis.valueMin, bars.valueAxis.valueMax, bars.valueAxis.valueStep = 0, top, top / 4
    bars.valueAxis.labelTextFormat = lambda v: number(v, percent=chart.percent, decimals=0)
    for index in range(len(chart.series)):
        bars.bars[index].fillColor = colors.HexColor(COLOURS[index % len(COLOURS)])
        bars.bars[index].strokeColor = None
    drawing.add(bars)
    group = bars.width / max(len(chart.labels), 1)
    for index, target in enumerate(chart.targets or []):
        if target is not None:
            y = bars.y + bars.height * target / top
            drawing.add(Line(bars.x + index * group + 2, y, bars.x + (index + 1) * group - 2, y,
                             strokeColor=colors.HexColor(TARGET_COLOUR), strokeWidth=1.8, strokeDashArray=[4, 2]))
    x = bars.x
    legend = [(name, COLOURS[i % len(COLOURS)]) for i, (name, _v) in enumerate(chart.series)]
    if chart.targets and any(t is not None for t in chart.targets):
        legend.append((chart.target_label + " (- - -)", TARGET_COLOUR))
    for name, colour in legend:
        drawing.add(String(x, height - 10, "■ " + name, fontName=FONT, fontSize=7.5, fillColor=colors.HexColor(colour)))
        x += 14 + 4.2 * len(name)
    return drawing


def _summary(report: YearReport) -> list[list]:
    F = labels.FIGURES
    rows = [[_("Figure"), _("Value")]]
    sections = {"collection": report.collection, "readers": report.readers, "visits": report.visits,
                "loans": report.loans, "rotation": report.rotation, "digital": report.digital, "events": report.events}
    for section, fields in labels.SECTION_FIELDS.items():
        figures = sections[section]
        if figures is None:
            continue
        rows.append([str(labels.SECTIONS[section]).upper(), ""])
        rows += [[f"  {F[f]}", number(getattr(figures, f))] for f in fields if getattr(figures, f) is not None]
    growth = _("no basis") if report.growth is None else number(report.growth, percent=True)
    rows += [[str(labels.SECTIONS["use"]).upper(), ""], [f"  {F['library_use']}", number(report.library_use)],
             [f"  {F['previous_library_use']}", number(report.previous_library_use)], [f"  {F['growth']}", growth]]
    return rows


def _details(report: YearReport) -> list:
    """Collection by type and language, visits by age group, activities by kind."""
    F = labels.FIGURES
    kinds = [[_("Type") + " / " + _("Language"), F["titles"], F["copies"]]]
    kinds += [[labels.label(labels.TYPES, b.key), number(b.titles), number(b.copies)] for b in report.collection.by_type]
    kinds += [[labels.label(labels.LANGUAGES, b.key), number(b.titles), number(b.copies)]
              for b in report.collection.by_language]
    groups = [[_("Visitors"), _("Value")]] + [[labels.label(labels.AGE_GROUPS, g), number(n)]
                                             for g, n in report.visits.by_age_group.items()]
    events = [[_("Activity"), F["events"], F["attendance"]]]
    events += [[labels.label(labels.EVENT_KINDS, kind), number(n), number(people)]
               for kind, (n, people) in report.events.by_kind.items()]
    story = [Paragraph(str(labels.SECTIONS["collection"]), STYLES["h2"]), _table(kinds, [90 * mm, 35 * mm, 35 * mm])]
    if len(groups) > 1:
        story += [Paragraph(str(labels.SECTIONS["visits"]), STYLES["h2"]), _table(groups, [125 * mm, 35 * mm])]
    if len(events) > 1:
        story += [Paragraph(str(labels.SECTIONS["events"]), STYLES["h2"]), _table(events, [90 * mm, 35 * mm, 35 * mm])]
    return story


def _plan_rows(plan: PlanProgress) -> tuple[list[list], list[list], list[list]]:
    verdict = {None: "—", True: _("met"), False: _("not met")}
    use = [[_("Year"), _("Library use"), _("Growth"), _("Target"), _("Result")]]
    for row in plan.use:
        target = _("no target") if row.target_low is None else "–".join(
            dict.fromkeys(number(t, percent=True, decimals=0) for t in (row.target_low, row.target_high)))
        use.append([str(row.year), number(row.library_use),
                    _("no basis") if row.growth is None else number(row.growth, percent=True), target,
                    _("no basis") if row.growth is None else verdict[row.met]])
    activity = [[_("Year"), _("With activities"), _("Share"), _("Target"), _("Result")]]
    for row in plan.activity:
        activity.append([str(row.year), f"{row.points_with_activity} / {row.points}",
                         _("no basis") if row.share is None else number(row.share, percent=True, decimals=0),
                         _("no target") if row.target is None else number(row.target, percent=True, decimals=0),
                         _("no basis") if row.share is None else verdict[row.met]])
    ages = [[_("Year"), _("Age groups served"), _("Share"), _("Target"), _("Result")]]
    for row in plan.age_groups:
        ages.append([str(row.year), ", ".join(labels.label(labels.AGE_GROUPS, g) for g in row.supported) or "—",
                     _("no basis") if row.share is None else number(row.share, percent=True, decimals=0),
                     _("no target") if row.target is None else number(row.target, percent=True, decimals=0),
                     _("no basis") if row.share is None else verdict[row.met]])
    return use, activity, ages


def annual_report_pdf(report: YearReport, plan: PlanProgress, today: dt.date) -> bytes:
    """The annual report as PDF bytes, in Vietnamese whatever the interface language."""
    _register_fonts()
    with force_locale("vi"):
        return _build(report, plan, today)


def _build(report: YearReport, plan: PlanProgress, today: dt.date) -> bytes:
    out = io.BytesIO()
    scope = report.library_name or _("all libraries")
    document = SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=16 * mm,
                                 bottomMargin=16 * mm, title=f"{_('Library report')} {report.year} — {scope}")
    F = labels.FIGURES
    prepared = _("Prepared on %(day)s from the figures recorded in the library system.",
                 day=formal_date(today))
    story = [Paragraph(f"{_('Library report')} {report.year}", STYLES["title"]), Paragraph(escape(scope), STYLES["body"]),
             Paragraph(prepared, STYLES["small"]),
             Spacer(1, 4 * mm), _table(_summary(report), [120 * mm, 40 * mm])]
    use_chart, activity_chart, age_chart = plan_charts(plan)
    use_rows, activity_rows, age_rows = _plan_rows(plan)
    story += [KeepTogether([Paragraph(_("Library use"), STYLES["h2"]), _drawing(use_chart), _table(use_rows)]),
              KeepTogether([Paragraph(_("Libraries and points with activities"), STYLES["h2"]),
                            _drawing(activity_chart, height=55 * mm), _table(activity_rows)]),
              KeepTogether([Paragraph(_("Activities for each age group at the cultural centre"), STYLES["h2"]),
                            _drawing(age_chart, height=55 * mm), _table(age_rows)])]
    story += _details(report)
    month_fields = [f for f in labels.MONTH_FIELDS if report.months[0].__dict__[f] is not None]
    months = [[_("Month")] + [F[f] for f in month_fields]]
    months += [[str(m.month)] + [number(getattr(m, f)) for f in month_fields] for m in report.months]
    story += [KeepTogether([Paragraph(str(labels.SECTIONS["month"]), STYLES["h2"]), _drawing(month_chart(report)),
                            _table([[Paragraph(str(c), STYLES["small"]) for c in months[0]]] + months[1:])])]
    libraries = [[_("Library")] + [F[f] for f in labels.LIBRARY_FIELDS]]
    libraries += [[Paragraph("&nbsp;" * 3 * row.depth + escape(row.name), STYLES["small"])]
                  + [number(getattr(row, f)) for f in labels.LIBRARY_FIELDS] for row in report.libraries]
    story += [Paragraph(str(labels.SECTIONS["library"]), STYLES["h2"]),
              _table([[Paragraph(str(c), STYLES["small"]) for c in libraries[0]]] + libraries[1:],
                     [46 * mm] + [12.7 * mm] * len(labels.LIBRARY_FIELDS))]
    story += [Paragraph(_("What the figures mean"), STYLES["h2"]),
              Paragraph(_("Library use = visits in person (desk tallies) + online sessions. A loan is one copy "
                          "lent; a renewal is counted separately. A registered reader has an account at a "
                          "library in the report; an active reader borrowed in the year."), STYLES["small"])]
    document.build(story)
    return out.getvalue()
