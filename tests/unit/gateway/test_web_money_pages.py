"""The money, society, inbox and contact pages as the gateway serves them (WEB.md, "Money",
"A society's view", "Inbox and contacts"), over the fake services: what each page sends to
the API, where the API's refusals are shown, the statement's files and the chart."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from decimal import Decimal

import httpx
from pypdf import PdfReader

from .fake_services import FakeServices
from .test_web_pages import form_token, signed_in_as, site, text_of

__all__ = ["site"]  # the page client fixture, shared with the first slice's tests


def active_licence(fake: FakeServices) -> tuple[str, str, str]:
    """(licensor, licensee, licence): an active licence on a work the licensor holds whole."""
    owner, licensee = fake.add_party("Somchai"), fake.add_party("Mekong Streaming")
    work = fake.add_work([(owner, "100")], title="ลมหนาว")
    return owner, licensee, fake.add_licence(work, owner, licensee, status="ACTIVE")


async def post_form(site: httpx.AsyncClient, me: str, page: httpx.Response,
                    data: dict[str, str], path: str, **extra: object) -> httpx.Response:
    cookies = f"{me}; csrftoken={site.cookies['csrftoken']}"
    return await site.post(path, headers={"cookie": cookies},
                           data={"csrftoken": form_token(page), **data}, **extra)  # type: ignore[arg-type]


async def test_the_licensee_reports_usage_by_form_and_goes_to_the_statement(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    _, licensee, licence = active_licence(fake)
    me = signed_in_as(token(licensee))
    form = await site.get(f"/my/licences/{licence}/usage", headers={"cookie": me})
    assert form.status_code == 200
    key = re.search(r'name="idempotencyKey" value="([^"]+)"', form.text)
    assert key
    sent = await post_form(site, me, form, {
        "licenceId": licence, "idempotencyKey": key.group(1), "periodStart": "2026-01-01",
        "periodEnd": "2026-03-31", "units": "1,200", "grossRevenue": "5,000.50"}, "/my/usage")
    assert sent.status_code == 303, sent.text
    (statement,) = fake.statements[licence]
    assert sent.headers["location"] == (
        f"/my/licences/{licence}/statements#statement-{statement['id']}")
    (report,) = fake.reports[licence]
    assert (report["units"], report["gross_revenue"]) == (1200, "5000.50")


async def test_a_refused_report_is_shown_at_its_field_and_keeps_what_was_typed(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    _, licensee, licence = active_licence(fake)
    me = signed_in_as(token(licensee))
    form = await site.get(f"/my/licences/{licence}/usage", headers={"cookie": me})
    typed = {"licenceId": licence, "periodStart": "2026-03-31", "periodEnd": "2026-01-01",
             "units": "12", "grossRevenue": "50"}
    refused = await post_form(site, me, form, typed, "/my/usage")
    assert refused.status_code == 400
    assert 'id="periodEnd" name="periodEnd" type="date" value="2026-01-01" required' \
        ' aria-invalid="true" aria-describedby="periodEnd-error-1 "' in refused.text
    assert fake.reports == {}
    not_a_number = await post_form(site, me, form, {**typed, "units": "many"}, "/my/usage",)
    assert 'id="units-error-1"' in not_a_number.text
    assert "Write a whole number" in not_a_number.text
    assert 'value="many"' in not_a_number.text


async def test_only_the_licensee_may_report_and_the_apis_refusal_says_so(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    owner, _, licence = active_licence(fake)
    me = signed_in_as(token(owner))
    form = await site.get(f"/my/licences/{licence}/usage", headers={"cookie": me})
    refused = await post_form(site, me, form, {
        "licenceId": licence, "periodStart": "2026-01-01", "periodEnd": "2026-01-31",
        "units": "1", "grossRevenue": "1"}, "/my/usage")
    assert refused.status_code == 400 and fake.reports == {}
    assert "role=\"alert\"" in refused.text


async def test_a_usage_file_reports_each_row_and_lists_the_rows_the_api_refused(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    _, licensee, licence = active_licence(fake)
    me = signed_in_as(token(licensee))
    form = await site.get(f"/my/licences/{licence}/usage", headers={"cookie": me})
    content = (b"period_start,period_end,units,gross_revenue\n"
               b"2026-01-01,2026-01-31,100,250.00\n"
               b"2026-02-01,2026-02-28,200,300.00\n")
    cookies = f"{me}; csrftoken={site.cookies['csrftoken']}"
    answer = await site.post("/my/usage/file", headers={"cookie": cookies}, data={
        "csrftoken": form_token(form), "licenceId": licence, "idempotencyKey": "page-1"},
        files={"file": ("usage.csv", content, "text/csv")})
    assert answer.status_code == 200, answer.text
    assert [r["gross_revenue"] for r in fake.reports[licence]] == ["250.00", "300.00"]
    assert "2 reports taken" in text_of(answer)
    bad = content.replace(b"300.00", b"lots")
    refused = await site.post("/my/usage/file", headers={"cookie": cookies}, data={
        "csrftoken": form_token(form), "licenceId": licence, "idempotencyKey": "page-2"},
        files={"file": ("usage.csv", bad, "text/csv")})
    assert refused.status_code == 400 and len(fake.reports[licence]) == 2
    words = text_of(refused)
    assert "Nothing was reported" in words and "3 gross_revenue Write the amount with a full stop" in words


async def test_the_statements_page_shows_each_line_and_its_files_add_up_to_the_cent(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    owner, _, licence = active_licence(fake)
    co = fake.add_party("Nguyễn Văn Minh")
    work = fake.licences[licence]["work_id"]
    fake.works[work]["rights_holders"] = [
        {"party_id": owner, "role": "COMPOSER", "share": "66.67"},
        {"party_id": co, "role": "LYRICIST", "share": "33.33"}]
    statement = {
        "id": "44444444-0000-4000-8000-000000000004", "licence_id": licence, "work_id": work,
        "report_id": "r", "period_start": "2026-01-01", "period_end": "2026-03-31",
        "gross": "10000.00", "royalty": "1000.00", "recouped": "100.00", "payable": "900.00",
        "currency": "THB", "issued_at": "2026-04-01T00:00:00Z",
        "lines": [{"party_id": owner, "share": "66.67", "amount": "600.03"},
                  {"party_id": co, "share": "33.33", "amount": "299.97"}]}
    fake.statements[licence] = [statement]
    me = signed_in_as(token(owner))
    page = await site.get(f"/my/licences/{licence}/statements",
                          headers={"cookie": f"{me}; lang=th"})
    assert page.status_code == 200
    words = text_of(page)
    assert "฿900.00" in words and "฿600.03" in words and "Nguyễn Văn Minh" in words
    base = f"/my/licences/{licence}/statements/{statement['id']}"
    as_csv = await site.get(base + ".csv", headers={"cookie": me})
    assert as_csv.headers["content-type"].startswith("text/csv")
    assert "attachment" in as_csv.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert sum(Decimal(r["amount"]) for r in rows) == Decimal("900.00")
    as_pdf = await site.get(base + ".pdf", headers={"cookie": f"{me}; lang=vi"})
    assert as_pdf.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(as_pdf.content)).pages[0].extract_text()
    assert "900,00" in text and "600,03" in text and "ลมหนาว" in text
    missing = await site.get(f"/my/licences/{licence}/statements/nope.csv",
                             headers={"cookie": me})
    assert missing.status_code == 404


async def test_another_partys_licence_and_its_files_are_not_found(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    _, _, licence = active_licence(fake)
    stranger = signed_in_as(token(fake.add_party("Stranger")))
    for path in (f"/my/licences/{licence}/statements", f"/my/licences/{licence}/usage",
                 f"/my/licences/{licence}/statements/x.pdf"):
        assert (await site.get(path, headers={"cookie": stranger})).status_code == 404, path


async def test_the_money_overview_and_the_chart_show_the_partys_licences(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    _, licensee, licence = active_licence(fake)
    me = signed_in_as(token(licensee))
    form = await site.get(f"/my/licences/{licence}/usage", headers={"cookie": me})
    await post_form(site, me, form, {
        "licenceId": licence, "periodStart": "2026-01-01", "periodEnd": "2026-01-31",
        "units": "10", "grossRevenue": "1234.50"}, "/my/usage")
    overview = await site.get("/my/money", headers={"cookie": me})
    assert overview.status_code == 200
    assert f'href="/my/licences/{licence}/usage"' in overview.text
    chart = await site.get("/my/royalties", headers={"cookie": f"{me}; lang=id"})
    assert chart.status_code == 200
    assert '<svg class="chart" role="img"' in chart.text
    assert "ลมหนาว, Jan 2026: US$123,45" in chart.text  # 10% of 1,234.50, in Indonesian


async def test_signed_out_the_money_pages_send_to_sign_in(site: httpx.AsyncClient) -> None:
    for path in ("/my/money", "/my/royalties", "/my/inbox", "/my/contacts", "/society",
                 "/society/events"):
        answer = await site.get(path)
        assert answer.status_code == 303 and answer.headers["location"] == (
            f"/sign-in?next={path}"), path


async def test_the_inbox_lists_the_partys_notifications_and_marks_the_chosen_read(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    lan, other = fake.add_party("Lan"), fake.add_party("Other")
    first = fake.add_notification(lan, "s1", "licence.offered")
    fake.add_notification(lan, "s2", "royalty.statement_issued")
    fake.add_notification(other, "s3")
    me = signed_in_as(token(lan))
    inbox = await site.get("/my/inbox", headers={"cookie": f"{me}; lang=ms"})
    assert inbox.status_code == 200
    assert "licence.offered s1" in inbox.text and "s3" not in inbox.text
    marked = await post_form(site, me, inbox, {"id": first, "next": "/my/inbox"},
                             "/my/inbox/read")
    assert marked.status_code == 303 and marked.headers["location"] == "/my/inbox?marked=1"
    assert [n["read_at"] is not None for n in fake.notifications] == [True, False, False]
    unread = await site.get("/my/inbox?unread=1", headers={"cookie": me})
    assert "s2" in unread.text and "licence.offered s1" not in unread.text


async def test_contacts_change_the_email_and_replace_the_secret_never_showing_it(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    lan = fake.add_party("Lan")
    fake.contacts[lan] = {"email": "lan@example.org", "webhook_url": "https://hooks.example/x",
                          "webhook_secret": "old-secret-0123456789"}
    me = signed_in_as(token(lan))
    page = await site.get("/my/contacts", headers={"cookie": me})
    assert page.status_code == 200
    assert 'value="lan@example.org"' in page.text and "A secret is set" in page.text
    assert "old-secret" not in page.text
    saved = await post_form(site, me, page, {
        "email": "lan.new@example.org", "webhookUrl": "https://hooks.example/x",
        "webhookSecret": "new-secret-0123456789"}, "/my/contacts")
    assert saved.status_code == 303 and saved.headers["location"] == "/my/contacts?saved=1"
    assert fake.contacts[lan] == {"email": "lan.new@example.org",
                                  "webhook_url": "https://hooks.example/x",
                                  "webhook_secret": "new-secret-0123456789"}
    assert fake.parties[lan]["name"] == "Lan"  # the party itself unchanged


async def test_a_new_webhook_without_a_secret_is_refused_at_the_secret_and_nothing_changes(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    lan = fake.add_party("Lan")
    me = signed_in_as(token(lan))
    page = await site.get("/my/contacts", headers={"cookie": me})
    refused = await post_form(site, me, page, {"email": "", "webhookUrl": "https://h.example/y",
                                               "webhookSecret": ""}, "/my/contacts")
    assert refused.status_code == 400
    assert 'aria-invalid="true" aria-describedby="secret-state webhookSecret-error-1 "' \
        in refused.text
    assert fake.contacts.get(lan) in (None, {})


async def test_a_societys_view_lists_registrations_and_every_licences_statements(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    _, licensee, licence = active_licence(fake)
    society = fake.add_party("ASEAN Music Rights Society")
    as_society = signed_in_as(token(society, "party", "society"))
    me = signed_in_as(token(licensee))
    form = await site.get(f"/my/licences/{licence}/usage", headers={"cookie": me})
    await post_form(site, me, form, {
        "licenceId": licence, "periodStart": "2026-01-01", "periodEnd": "2026-01-31",
        "units": "10", "grossRevenue": "1000"}, "/my/usage")
    view = await site.get("/society", headers={"cookie": as_society})
    assert view.status_code == 200
    words = text_of(view)
    assert "ลมหนาว" in words and "Mekong Streaming" in words and "$100.00" in words
    not_one = await site.get("/society", headers={"cookie": me})
    assert "not a collecting society" in text_of(not_one)


async def test_the_event_stream_page_shows_the_settings_and_no_secret(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
    monkeypatch: object,
) -> None:
    society = fake.add_party("Society")
    page = await site.get("/society/events",
                          headers={"cookie": signed_in_as(token(society, "party", "society"))})
    assert page.status_code == 200
    words = text_of(page)
    assert "SCRAM-SHA-512" in words and "licensing.royalties.v1" in words
    assert "127.0.0.1:9092" in words and "schemas.aseanip.org" in words
    assert "local-password" not in page.text


async def test_a_usage_file_without_the_csrf_field_first_is_refused_before_any_route(
    site: httpx.AsyncClient, fake: FakeServices, token: Callable[..., str],
) -> None:
    _, licensee, licence = active_licence(fake)
    me = signed_in_as(token(licensee))
    form = await site.get(f"/my/licences/{licence}/usage", headers={"cookie": me})
    cookies = f"{me}; csrftoken={site.cookies['csrftoken']}"
    content = b"period_start,period_end,units,gross_revenue\n2026-01-01,2026-01-31,1,1.00\n"
    upload = {"file": ("usage.csv", content, "text/csv")}
    without = await site.post("/my/usage/file", headers={"cookie": cookies},
                              data={"licenceId": licence}, files=upload)
    forged = await site.post("/my/usage/file", headers={"cookie": cookies},
                             data={"csrftoken": "forged", "licenceId": licence}, files=upload)
    # the file's part before the field: httpx writes files after the fields, so by hand
    boundary = "b0undary"
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; "
            f"filename=\"u.csv\"\r\nContent-Type: text/csv\r\n\r\n{content.decode()}\r\n"
            f"--{boundary}\r\nContent-Disposition: form-data; name=\"csrftoken\"\r\n\r\n"
            f"{form_token(form)}\r\n--{boundary}--\r\n").encode()
    file_first = await site.post("/my/usage/file", content=body, headers={
        "cookie": cookies, "content-type": f"multipart/form-data; boundary={boundary}"})
    assert [without.status_code, forged.status_code, file_first.status_code] == [403] * 3
    assert fake.reports == {}
