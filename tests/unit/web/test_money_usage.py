"""Usage reports as the web app reads them (WEB.md, "Money"): the form in the page's locale,
a CSV file's rows, their idempotency keys, and the API's fields placed at the controls."""

from __future__ import annotations

from web.money_usage import (
    MAX_FILE_ROWS,
    UsageForm,
    field_errors,
    file_column,
    read_file,
    to_input,
    wording,
)

LICENCE = "8d3c1a8e-0000-4000-8000-000000000001"
HEADER = "period_start,period_end,units,gross_revenue\n"


def test_the_form_reads_numbers_as_the_pages_locale_writes_them() -> None:
    typed = UsageForm("2026-01-01", "2026-03-31", "12.000", "5.000,50", "key-1")
    payload, errors = to_input(LICENCE, typed, "id")
    assert errors == []
    assert payload == {"licenceId": LICENCE, "periodStart": "2026-01-01",
                       "periodEnd": "2026-03-31", "units": 12000, "grossRevenue": "5000.50",
                       "idempotencyKey": "key-1"}


def test_a_number_written_another_locales_way_is_refused_at_its_field() -> None:
    typed = UsageForm("2026-01-01", "2026-03-31", "1.5", "5,000.50")
    _, errors = to_input(LICENCE, typed, "vi")
    assert [(e.control, e.code) for e in errors] == [
        ("units", "NOT_A_WHOLE_NUMBER"), ("grossRevenue", "NOT_AN_AMOUNT")]


def test_missing_values_and_bad_dates_are_named_by_their_control() -> None:
    _, errors = to_input(LICENCE, UsageForm("2026-02-30", "", "", "x"), "en")
    assert [(e.control, e.code) for e in errors] == [
        ("periodStart", "NOT_A_DATE"), ("periodEnd", "REQUIRED"), ("units", "REQUIRED"),
        ("grossRevenue", "NOT_AN_AMOUNT")]
    assert all(wording(e) for e in errors)


def test_the_apis_fields_are_placed_at_the_forms_controls_and_others_above_it() -> None:
    placed = field_errors([
        {"code": "USAGE_OUTSIDE_LICENCE", "message": "after the end", "field": "periodEnd"},
        {"code": "ILLEGAL_TRANSITION", "message": "not active", "field": "licenceId"},
        {"code": "SOMETHING_NEW", "message": "new", "field": None}])
    assert [(e.control, e.code) for e in placed] == [
        ("periodEnd", "USAGE_OUTSIDE_LICENCE"), (None, "ILLEGAL_TRANSITION"),
        (None, "SOMETHING_NEW")]
    assert wording(placed[0]) and wording(placed[2]) is None  # the API's own words then


def test_a_files_rows_become_reports_with_plain_numbers_whatever_the_column_order() -> None:
    content = ("\ufeffunits,gross_revenue,period_end,period_start,note\n"
               "100,250.00,2026-01-31,2026-01-01,first\n"
               "200,500.10,2026-02-28,2026-02-01,\n").encode()
    reports, errors = read_file(content, LICENCE, "form")
    assert errors == []
    assert [(row, p["periodStart"], p["units"], p["grossRevenue"]) for row, p in reports] == [
        (2, "2026-01-01", 100, "250.00"), (3, "2026-02-01", 200, "500.10")]


def test_one_bad_row_sends_nothing_and_every_error_names_its_row_and_column() -> None:
    content = (HEADER + "2026-01-01,2026-01-31,100,250.00\n"
               "2026-02-01,2026-02-31,many,\n"
               "2026-03-01,2026-03-31,10,1 000\n").encode()
    reports, errors = read_file(content, LICENCE, "form")
    assert reports == []
    assert [(e.row, file_column(e), e.code) for e in errors] == [
        (3, "period_end", "NOT_A_DATE"), (3, "units", "NOT_A_WHOLE_NUMBER"),
        (3, "gross_revenue", "REQUIRED"), (4, "gross_revenue", "NOT_A_PLAIN_AMOUNT")]


def test_a_row_keeps_its_key_when_the_file_is_sent_again_and_a_changed_row_gets_a_new_one() -> None:
    first = HEADER + "2026-01-01,2026-01-31,100,250.00\n2026-02-01,2026-02-28,5,9.00\n"
    fixed = HEADER + "2026-02-01,2026-02-28,5,9.50\n2026-01-01,2026-01-31,100,250.00\n"
    keys = [p["idempotencyKey"] for _, p in read_file(first.encode(), LICENCE, "form")[0]]
    again = [p["idempotencyKey"] for _, p in read_file(fixed.encode(), LICENCE, "form")[0]]
    assert keys[0] == again[1] and keys[1] != again[0]
    assert all(k.startswith("form:") and len(k) <= 255 for k in keys)
    other_page = read_file(first.encode(), LICENCE, "other")[0]
    assert other_page[0][1]["idempotencyKey"] != keys[0]


def test_two_identical_rows_are_two_reports_with_two_keys() -> None:
    row = "2026-01-01,2026-01-31,100,250.00\n"
    reports, _ = read_file((HEADER + row + row).encode(), LICENCE, "form")
    assert len({p["idempotencyKey"] for _, p in reports}) == 2


def test_a_file_without_its_columns_too_long_or_not_utf8_is_refused_whole() -> None:
    assert read_file(b"a,b\n1,2\n", LICENCE, "k")[1][0].code == "NO_COLUMNS"
    assert read_file(HEADER.encode(), LICENCE, "k")[1][0].code == "EMPTY_FILE"
    assert read_file(b"\xff\xfe\x00", LICENCE, "k")[1][0].code == "NOT_CSV"
    many = HEADER + "2026-01-01,2026-01-31,1,1.00\n" * (MAX_FILE_ROWS + 1)
    assert read_file(many.encode(), LICENCE, "k")[1][0].code == "TOO_MANY_ROWS"
