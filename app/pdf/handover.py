"""Handover and discrepancy records (biên bản) as PDF, with a font that has Vietnamese glyphs
(DejaVu Sans in app/static/fonts; reportlab's own fonts have none)."""
from __future__ import annotations

import io
from pathlib import Path

from flask_babel import gettext as _
from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from xml.sax.saxutils import escape

from app.display.dates import formal_date, show_date, show_time

FONTS = Path(__file__).resolve().parents[1] / "static" / "fonts"  # app/static/fonts


def _fonts() -> tuple[str, str]:
    if "HoclieuSans" not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont("HoclieuSans", str(FONTS / "DejaVuSans.ttf")))
        pdfmetrics.registerFont(TTFont("HoclieuSans-Bold", str(FONTS / "DejaVuSans-Bold.ttf")))
    return "HoclieuSans", "HoclieuSans-Bold"


def _styles() -> dict[str, ParagraphStyle]:
    regular, bold = _fonts()
    return {
        "body": ParagraphStyle("body", fontName=regular, fontSize=10, leading=13),
        "cell": ParagraphStyle("cell", fontName=regular, fontSize=9, leading=11),
        "head": ParagraphStyle("head", fontName=bold, fontSize=9, leading=11),
        "headc": ParagraphStyle("headc", fontName=bold, fontSize=10, leading=13, alignment=1),
        "nation": ParagraphStyle("nation", fontName=bold, fontSize=11, leading=14, alignment=1),
        "title": ParagraphStyle("title", fontName=bold, fontSize=13, leading=17, alignment=1, spaceBefore=8),
        "center": ParagraphStyle("center", fontName=regular, fontSize=10, leading=13, alignment=1),
        "right": ParagraphStyle("right", fontName=regular, fontSize=10, leading=13, alignment=2),
    }


def _p(text: str, style: ParagraphStyle) -> Paragraph:
    return Paragraph(escape(str(text)), style)


def _header(styles, title: str, subtitle: str) -> list:
    return [_p(_("SOCIALIST REPUBLIC OF VIETNAM"), styles["nation"]),
            _p(_("Independence - Freedom - Happiness"), styles["center"]), Spacer(1, 4 * mm),
            _p(title.upper(), styles["title"]), _p(subtitle, styles["center"]), Spacer(1, 4 * mm)]


def _table(styles, head: list[str], rows: list[list[str]], widths: list[float]) -> Table:
    data = [[_p(h, styles["head"]) for h in head]] + [[_p(c, styles["cell"]) for c in row] for row in rows]
    table = Table(data, colWidths=[w * mm for w in widths], repeatRows=1)
    table.setStyle(TableStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("VALIGN", (0, 0), (-1, -1), "TOP"),
                               ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#eeeeee"))]))
    return table


def _signatures(styles) -> Table:
    cells = [[_p(_("For the side handing over"), styles["headc"]), _p(_("For the side receiving"), styles["headc"])],
             [_p(_("(signature and full name)"), styles["center"]), _p(_("(signature and full name)"), styles["center"])]]
    table = Table(cells, colWidths=[85 * mm, 85 * mm], rowHeights=[None, 30 * mm])
    table.setStyle(TableStyle([("ALIGN", (0, 0), (-1, -1), "CENTER"), ("VALIGN", (0, 0), (-1, -1), "TOP")]))
    return table


def _build(story: list) -> bytes:
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=15 * mm,
                      bottomMargin=15 * mm, title="Biên bản giao nhận").build(story)
    return out.getvalue()


def handover_pdf(context: dict, discrepancy_labels: dict) -> bytes:
    """The handover record of one step: parties, date, the copies (barcode, title, call number), count."""
    styles, record, batch = _styles(), context["handover"], context["batch"]
    event = record.event
    story = _header(styles, str(context["title"]), f"{_('Batch')} {batch.code}")
    dated = formal_date(event.at)  # a signed document: "ngày 02 tháng 12 năm 2026, 00:30"
    story.append(_p(f"{dated[:1].upper()}{dated[1:]}, {show_time(event.at)[-5:]}", styles["right"]))
    story.append(_p(f"{_('Handed over by')}: {event.from_library.name if event.from_library else ''}", styles["body"]))
    story.append(_p(f"{_('Received by')}: {event.to_library.name if event.to_library else ''}", styles["body"]))
    if batch.due_back_on:
        story.append(_p(f"{_('Due back')}: {formal_date(batch.due_back_on)}", styles["body"]))
    story.append(Spacer(1, 3 * mm))
    rows = [[str(n), item.barcode, item.record.title, item.call_number] for n, item in enumerate(record.items, 1)]
    story.append(_table(styles, [_("No."), _("Barcode"), _("Title"), _("Call number")], rows, [12, 30, 98, 34]))
    story.append(Spacer(1, 2 * mm))
    story.append(_p(_("Total: {count} copies.").format(count=len(record.items)), styles["head"]))
    if context["discrepancies"]:
        story.append(Spacer(1, 3 * mm))
        story.append(_p(_("Discrepancies"), styles["head"]))
        rows = [[d.barcode, d.item.record.title if d.item else "", str(discrepancy_labels[d.kind.value]), d.note]
                for d in context["discrepancies"]]
        story.append(_table(styles, [_("Barcode"), _("Title"), _("What"), _("Note")], rows, [30, 80, 30, 34]))
    story += [Spacer(1, 8 * mm), _signatures(styles)]
    return _build(story)


def discrepancy_pdf(batch, discrepancies: list, labels: dict, stages: dict) -> bytes:
    """Every discrepancy of a batch (missing, damaged, unexpected, lost), with signature lines."""
    styles = _styles()
    story = _header(styles, _("Discrepancy record of a rotation batch"),
                    f"{_('Batch')} {batch.code} · {batch.origin_library.name} → {batch.destination_library.name}")
    rows = [[str(n), d.barcode, d.item.record.title if d.item else "", f"{labels[d.kind.value]} ({stages[d.stage]})",
             show_date(d.recorded_at), d.note] for n, d in enumerate(discrepancies, 1)]
    story.append(_table(styles, [_("No."), _("Barcode"), _("Title"), _("What"), _("When"), _("Note")], rows,
                        [10, 26, 60, 30, 20, 28]))
    story.append(Spacer(1, 2 * mm))
    story.append(_p(_("Total: {count} discrepancies.").format(count=len(discrepancies)), styles["head"]))
    story += [Spacer(1, 8 * mm), _signatures(styles)]
    return _build(story)
