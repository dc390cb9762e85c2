"""The "file a work" form read into the API's input and the API's errors placed at its
controls (WEB.md, "Filing a work")."""

from __future__ import annotations

from web.filing import FieldError, Holder, WorkForm, control_of, field_errors, to_input, wording


def form(*holders: Holder, **fields: object) -> WorkForm:
    return WorkForm(title="Song", kind="MUSICAL_WORK", country="TH",
                    holders=list(holders), **fields)  # type: ignore[arg-type]


def test_blank_rows_and_identifiers_are_left_out_and_titles_are_one_a_line() -> None:
    typed = form(Holder("p1", "COMPOSER", "60"), Holder(), Holder("p2", "LYRICIST", "40"),
                 alternate_titles="One\n\n  Two  \n", identifiers={"iswc": "T-1", "isrc": ""})
    payload, rows, errors = to_input(typed, "en")
    assert errors == [] and rows == [0, 2]
    assert payload["rightsHolders"] == [
        {"partyId": "p1", "role": "COMPOSER", "share": "60"},
        {"partyId": "p2", "role": "LYRICIST", "share": "40"},
    ]
    assert payload["alternateTitles"] == ["One", "Two"]
    assert payload["identifiers"] == {"iswc": "T-1"}
    assert to_input(form(Holder("p1", "AUTHOR", "100")), "en")[0]["identifiers"] is None


def test_a_share_is_read_as_a_number_of_the_pages_locale_strictly() -> None:
    assert to_input(form(Holder("p", "AUTHOR", "33,5")), "id")[0]["rightsHolders"][0]["share"] == "33.5"
    assert to_input(form(Holder("p", "AUTHOR", "33.5")), "en")[0]["rightsHolders"][0]["share"] == "33.5"
    _, _, errors = to_input(form(Holder("p", "AUTHOR", "half")), "en")
    assert errors == [FieldError("holder-0-share", "NOT_A_NUMBER", "")]


def test_the_apis_fields_name_the_forms_controls_counting_only_filled_rows() -> None:
    rows = [0, 2]
    assert control_of("title", rows) == "title"
    assert control_of("countryOfOrigin", rows) == "countryOfOrigin"
    assert control_of("alternateTitles[1]", rows) == "alternateTitles"
    assert control_of("identifiers.iswc", rows) == "iswc"
    assert control_of("rightsHolders", rows) == "holders"
    assert control_of("rightsHolders[1].share", rows) == "holder-2-share"
    assert control_of("rightsHolders[0].partyId", rows) == "holder-0-party"
    assert control_of("rightsHolders[0]", rows) == "holders"
    assert control_of("rightsHolders[7].role", rows) == "holders"
    assert control_of("Authorization", rows) is None
    assert control_of(None, rows) is None


def test_errors_are_worded_by_their_code_else_by_their_control_else_by_the_api() -> None:
    placed = field_errors([
        {"code": "IDENTIFIER_TAKEN", "message": "taken", "field": "identifiers.isrc"},
        {"code": "INVALID_IDENTIFIER", "message": "bad", "field": "identifiers.iswc"},
        {"code": "INVALID_SHARE", "message": "shares must sum", "field": "rightsHolders"},
        {"code": "SOMETHING_NEW", "message": "as the API says", "field": None},
    ], [0])
    assert [e.control for e in placed] == ["isrc", "iswc", "holders", None]
    assert wording(placed[0]) == "Another work already has this identifier."
    assert wording(placed[1]) == "This is not a valid ISWC."
    assert wording(placed[2]) is not None and "100" in wording(placed[2])  # type: ignore[operator]
    assert wording(placed[3]) is None and placed[3].message == "as the API says"
