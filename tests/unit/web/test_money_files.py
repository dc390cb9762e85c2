"""A statement as files (WEB.md, "Money"): the CSV read back with the csv module, the PDF read
back with pypdf (an extractor this project did not write), each checked against the
statement to the cent."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pypdf import PdfReader
from web.i18n import translations
from web.money_files import FontsMissing, statement_csv, statement_pdf
from web.settings import WebSettings

LICENCE: dict[str, Any] = {
    "id": "11111111-0000-4000-8000-000000000001",
    "work": {"id": "22222222-0000-4000-8000-000000000002", "title": "ลมหนาว Gió mùa"},
    "licensor": {"id": "p1", "name": "Somchai Kittisak"},
    "licensee": {"id": "p9", "name": "Mekong Streaming"},
    "terms": {"territories": ["TH", "VN"], "start": "2026-01-01"},
}
STATEMENT: dict[str, Any] = {
    "id": "33333333-0000-4000-8000-000000000003",
    "periodStart": "2026-01-01", "periodEnd": "2026-03-31",
    "gross": "12345.67", "royalty": "1234.57", "recouped": "100.00", "payable": "1134.57",
    "currency": "THB", "issuedAt": "2026-04-01T08:30:00Z",
    "lines": [
        {"share": "33.34", "amount": "378.27", "party": {"id": "p1", "name": "Somchai Kittisak"}},
        {"share": "33.33", "amount": "378.15", "party": {"id": "p2", "name": "=HYPERLINK(1)"}},
        {"share": "33.33", "amount": "378.15", "party": {"id": "p3", "name": "Nguyễn Văn Minh"}},
    ],
}


def rows_of(text: str) -> list[dict[str, str]]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"))))


def test_the_csvs_lines_add_up_to_the_statements_payable_to_the_cent() -> None:
    rows = rows_of(statement_csv(LICENCE, STATEMENT))
    assert len(rows) == 3
    assert sum(Decimal(r["amount"]) for r in rows) == Decimal(STATEMENT["payable"])
    assert {r["payable"] for r in rows} == {"1134.57"}
    assert rows[0]["work_title"] == "ลมหนาว Gió mùa"
    assert rows[2]["party_name"] == "Nguyễn Văn Minh"
    assert [r["share"] for r in rows] == ["33.34", "33.33", "33.33"]


def test_a_name_a_spreadsheet_would_run_is_written_as_text() -> None:
    rows = rows_of(statement_csv(LICENCE, STATEMENT))
    assert rows[1]["party_name"] == "'=HYPERLINK(1)"


def test_a_statement_without_lines_is_one_row_without_a_party() -> None:
    rows = rows_of(statement_csv(LICENCE, {**STATEMENT, "payable": "0.00", "lines": []}))
    assert len(rows) == 1 and rows[0]["party_id"] == "" and rows[0]["payable"] == "0.00"


def pdf_text(language: str) -> str:
    content = statement_pdf(LICENCE, STATEMENT, language=language,
                            messages=translations(language),
                            font_dir=WebSettings().pdf_font_dir)
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_pdf_reads_back_with_every_amount_and_the_lines_total_in_english() -> None:
    text = pdf_text("en")
    for amount in ("THB12,345.67", "THB1,234.57", "THB100.00", "THB1,134.57",
                   "THB378.27", "THB378.15"):
        assert amount in text, amount
    assert "Royalty statement" in text and "Total" in text
    assert "Mekong Streaming" in text and "Nguyễn Văn Minh" in text
    assert "Jan 1, 2026 – Mar 31, 2026" in text


def test_the_pdf_is_in_the_pages_language_with_thai_text_embedded() -> None:
    text = pdf_text("th")
    assert "ลมหนาว" in text  # the Thai title, from the embedded Thai font
    assert translations("th").gettext("Royalty statement") in text
    assert "฿1,134.57" in text


def test_the_pdf_in_vietnamese_writes_amounts_the_vietnamese_way() -> None:
    text = pdf_text("vi")
    assert "1.134,57" in text and "378,27" in text


def test_without_its_fonts_the_pdf_says_which_file_is_missing(tmp_path: Path) -> None:
    with pytest.raises(FontsMissing, match=r"NotoSans-Regular\.ttf"):
        statement_pdf(LICENCE, STATEMENT, language="en", messages=translations("en"),
                      font_dir=tmp_path)


def test_amounts_are_written_in_the_locales_currency_format_keeping_every_place() -> None:
    from web.i18n import Formats

    assert Formats("en").money("1234.5", "THB") == "THB1,234.50"
    assert Formats("th").money("1234.50", "THB") == "฿1,234.50"
    assert Formats("vi").money("1234", "VND") == "1.234\xa0₫"
    assert Formats("id").money("0.005", "USD") == "US$0,005"
    assert Formats("ms").money("-12.00", "MYR") == "-RM12.00"
