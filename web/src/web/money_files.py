"""A royalty statement as files to keep (WEB.md, "Money"): CSV for spreadsheets and
accounting systems (plain decimal amounts, one row per line), and PDF for people (the page's
language and number formats, a font embedded from the machine's own fonts: Noto Sans, with
Noto Sans Thai for Thai)."""

from __future__ import annotations

import csv
import gettext
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import uharfbuzz  # noqa: F401  (fpdf2's text shaping imports it late: a missing one fails here, at start)
from fpdf import FPDF

from web.i18n import Formats
from web.territory_labels import in_words

CSV_COLUMNS = ("statement_id", "licence_id", "work_id", "work_title", "period_start",
               "period_end", "issued_at", "currency", "gross", "royalty", "recouped",
               "payable", "party_id", "party_name", "share", "amount",
               # issue 20, at the end so older readers' columns stay where they were
               "kind", "payment_status", "held")
# A cell a spreadsheet would run as a formula (OWASP, "CSV injection"): text typed by people
# (titles, names) that starts so is written with a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# (family, style) -> file, in the font folder (WEB_PDF_FONT_DIR).
FONT_FILES = {
    ("NotoSans", ""): "NotoSans-Regular.ttf",
    ("NotoSans", "B"): "NotoSans-Bold.ttf",
    ("NotoSansThai", ""): "NotoSansThai-Regular.ttf",
    ("NotoSansThai", "B"): "NotoSansThai-Bold.ttf",
}


class FontsMissing(Exception):
    """The machine lacks a font the PDF embeds (fonts-noto-core: scripts/system_packages.sh)."""


def _text(value: str) -> str:
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def statement_csv(licence: dict[str, Any], statement: dict[str, Any]) -> str:
    """One row per line of the statement (one row without a party when it has none), every
    amount as the API gives it: the lines' amounts add up to `payable` to the cent."""
    out = io.StringIO()
    out.write("\ufeff")  # spreadsheets read UTF-8 (Thai, Vietnamese) only with the mark
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    common = [statement["id"], licence["id"], licence["work"]["id"],
              _text(licence["work"]["title"]), statement["periodStart"], statement["periodEnd"],
              statement["issuedAt"], statement["currency"], statement["gross"],
              statement["royalty"], statement["recouped"], statement["payable"]]
    state = [statement.get("kind", ""), (statement.get("payment") or {}).get("status", "")]
    for line in statement["lines"] or [None]:
        if line is None:
            writer.writerow([*common, "", "", "", "", *state, ""])
            continue
        writer.writerow([*common, line["party"]["id"], _text(line["party"]["name"]),
                         line["share"], line["amount"], *state,
                         "yes" if line.get("held") else "no"])
    return out.getvalue()


def statement_pdf(licence: dict[str, Any], statement: dict[str, Any], *, language: str,
                  messages: gettext.NullTranslations, font_dir: Path) -> bytes:
    """The statement as one A4 page (more when it has many lines), in the page's language."""
    _ = messages.gettext
    fmt = Formats(language)
    currency = statement["currency"]
    pdf = FPDF(format="A4")
    for (family, style), name in FONT_FILES.items():
        path = font_dir / name
        if not path.is_file():
            raise FontsMissing(str(path))
        pdf.add_font(family, style, str(path))
    pdf.set_fallback_fonts(["NotoSansThai"])
    pdf.set_text_shaping(True)
    pdf.set_lang(language)
    pdf.set_title(_("Royalty statement") + f" {statement['id']}")
    pdf.set_creator(_("ASEAN rights register"))
    pdf.add_page()
    pdf.set_font("NotoSans", "B", 16)
    pdf.multi_cell(0, 9, _("Royalty statement"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("NotoSans", "", 10)
    facts = [
        (_("Work"), licence["work"]["title"]),
        (_("Licensor"), licence["licensor"]["name"]),
        (_("Licensee"), licence["licensee"]["name"]),
        (_("Territories"), in_words(licence["terms"]["territories"], licence["terms"]["start"],
                                    _, fmt)),
        (_("Period"), f"{fmt.day(statement['periodStart'])} – {fmt.day(statement['periodEnd'])}"),
        (_("Issued"), fmt.moment(statement["issuedAt"])),
        (_("Statement"), statement["id"]),
        (_("Licence"), licence["id"]),
        (_("Gross revenue"), fmt.money(statement["gross"], currency)),
        (_("Royalty"), fmt.money(statement["royalty"], currency)),
        (_("Advance recouped"), fmt.money(statement["recouped"], currency)),
        (_("Payable"), fmt.money(statement["payable"], currency)),
    ]
    with pdf.table(col_widths=(1, 2), first_row_as_headings=False, borders_layout="NONE",
                   line_height=6) as table:
        for label, value in facts:
            row = table.row()
            row.cell(label)
            row.cell(value)
    pdf.ln(4)
    pdf.set_font("NotoSans", "B", 12)
    pdf.multi_cell(0, 8, _("Payable, split among the owners"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("NotoSans", "", 10)
    with pdf.table(col_widths=(3, 1, 2), text_align=("LEFT", "RIGHT", "RIGHT"),
                   line_height=6) as table:
        heading = table.row()
        for title in (_("Owner"), _("Share"), _("Amount")):
            heading.cell(title)
        total = Decimal(0)
        for line in statement["lines"]:
            row = table.row()
            row.cell(line["party"]["name"])
            row.cell(fmt.share(line["share"]))
            row.cell(fmt.money(line["amount"], currency))
            total += Decimal(line["amount"])
        row = table.row()
        row.cell(_("Total"))
        row.cell("")
        row.cell(fmt.money(total, currency))
    return bytes(pdf.output())
