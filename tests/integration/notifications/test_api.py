"""The HTTP API for the gateway: contacts, societies, inbox; each party reads only its own."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from .harness import Auth, Service, eventually, party_registered, work_registered

SECRET = "never-shown-back-0123456789"
def _refused(answer: Any, *, field: str) -> dict[str, Any]:
    """Asserts a 400 that names `field`; returns its body."""
    assert answer.status_code == 400, answer.text
    body: dict[str, Any] = answer.json()
    assert body["field"] == field
    return body


async def test_request_without_a_valid_token_is_unauthenticated(service: Service) -> None:
    party = uuid.uuid4()
    for headers in ({}, {"Authorization": "Bearer not-a-jwt"}):
        answer = await service.client.get(
            "/notifications", params={"recipient_id": str(party)}, headers=headers
        )
        assert answer.status_code == 401
        assert answer.json()["code"] == "UNAUTHENTICATED"


async def test_webhook_secret_is_stored_but_never_returned(service: Service, auth: Auth) -> None:
    party = uuid.uuid4()
    body = {
        "email": "a@example.com",
        "webhook_url": "https://hooks.example.com/x",
        "webhook_secret": SECRET,
    }
    put = await service.client.put(f"/contacts/{party}", json=body, headers=auth(party))
    got = await service.client.get(f"/contacts/{party}", headers=auth(party))
    for answer in (put, got):
        assert answer.status_code == 200
        assert SECRET not in answer.text
        assert answer.json() == {
            "party_id": str(party),
            "email": "a@example.com",
            "webhook_url": "https://hooks.example.com/x",
            "has_webhook_secret": True,
        }
    stored = await service.scalar(
        "SELECT webhook_secret_sealed FROM contact WHERE party_id = :p", p=party
    )
    assert SECRET.encode() not in bytes(stored)  # encrypted at rest


async def test_changing_only_the_url_keeps_the_secret(service: Service, auth: Auth) -> None:
    party = uuid.uuid4()
    first = {"webhook_url": "https://a.example.com/", "webhook_secret": SECRET}
    await service.client.put(f"/contacts/{party}", json=first, headers=auth(party))
    answer = await service.client.put(
        f"/contacts/{party}", json={"webhook_url": "https://b.example.com/"}, headers=auth(party)
    )
    assert answer.json()["has_webhook_secret"] is True
    assert answer.json()["webhook_url"] == "https://b.example.com/"


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://169.254.169.254/latest/meta-data/", "WEBHOOK_URL_REFUSED"),
        ("http://metadata.google.internal/computeMetadata/v1/", "WEBHOOK_URL_REFUSED"),
        ("http://[fe80::1]/hook", "WEBHOOK_URL_REFUSED"),
        ("ftp://example.com/hook", "WEBHOOK_URL_REFUSED"),
    ],
)
async def test_webhook_url_that_is_not_http_or_points_at_metadata_is_refused(
    service: Service, auth: Auth, url: str, code: str
) -> None:
    party = uuid.uuid4()
    answer = await service.client.put(
        f"/contacts/{party}",
        json={"webhook_url": url, "webhook_secret": SECRET},
        headers=auth(party),
    )
    assert _refused(answer, field="webhook_url")["code"] == code
    assert await service.scalar("SELECT count(*) FROM contact WHERE party_id = :p", p=party) == 0


async def test_webhook_url_without_secret_is_refused(service: Service, auth: Auth) -> None:
    party = uuid.uuid4()
    answer = await service.client.put(
        f"/contacts/{party}", json={"webhook_url": "https://h.example.com/"}, headers=auth(party)
    )
    _refused(answer, field="webhook_secret")


async def test_invalid_email_is_refused_naming_the_field(service: Service, auth: Auth) -> None:
    party = uuid.uuid4()
    answer = await service.client.put(
        f"/contacts/{party}", json={"email": "nope"}, headers=auth(party)
    )
    _refused(answer, field="email")


async def test_a_party_cannot_read_or_set_another_partys_contacts(
    service: Service, auth: Auth
) -> None:
    owner, intruder = uuid.uuid4(), uuid.uuid4()
    put = await service.client.put(
        f"/contacts/{owner}", json={"email": "x@example.com"}, headers=auth(intruder)
    )
    get = await service.client.get(f"/contacts/{owner}", headers=auth(intruder))
    assert put.status_code == get.status_code == 403


async def test_only_an_operator_subscribes_a_society(service: Service, auth: Auth) -> None:
    society = uuid.uuid4()
    refused = await service.client.put(f"/societies/{society}", headers=auth(society, "society"))
    assert refused.status_code == 403
    accepted = await service.client.put(
        f"/societies/{society}", headers=auth(uuid.uuid4(), "operator")
    )
    assert accepted.status_code == 200
    removed = await service.client.delete(
        f"/societies/{society}", headers=auth(uuid.uuid4(), "operator")
    )
    assert removed.json() == {"party_id": str(society), "subscribed": False}


async def _inbox(
    service: Service, auth: Auth, party: uuid.UUID, **params: str | int
) -> dict[str, Any]:
    answer = await service.client.get(
        "/notifications", params={"recipient_id": str(party), **params}, headers=auth(party)
    )
    assert answer.status_code == 200, answer.text
    page: dict[str, Any] = answer.json()
    return page


async def test_inbox_pages_newest_first_with_cursor_unread_filter_and_mark_read(
    service: Service, auth: Auth
) -> None:
    party = uuid.uuid4()
    await service.publish(party_registered(party))
    for n in range(4):
        await service.publish(work_registered([party], title=f"Work {n}"))

    async def five() -> bool:
        return (await _inbox(service, auth, party))["total_count"] == 5

    await eventually(five)
    first = await _inbox(service, auth, party, first=2)
    assert first["total_count"] == 5 and len(first["items"]) == 2
    seen = [item["id"] for item in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = await _inbox(service, auth, party, first=2, after=cursor)
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == 5
    every = (await _inbox(service, auth, party, first=100))["items"]
    stamps = [item["created_at"] for item in every]
    assert stamps == sorted(stamps, reverse=True)

    marked = await service.client.post(
        "/notifications/read", json={"ids": seen[:3]}, headers=auth(party)
    )
    assert marked.json() == {"updated": 3}
    again = await service.client.post(
        "/notifications/read", json={"ids": seen[:3]}, headers=auth(party)
    )
    assert again.json() == {"updated": 0}
    unread = await _inbox(service, auth, party, unread_only="true")
    assert unread["total_count"] == 2
    assert {item["id"] for item in unread["items"]} == set(seen[3:])


async def test_a_party_reads_and_marks_only_its_own_notifications(
    service: Service, auth: Auth
) -> None:
    owner, intruder = uuid.uuid4(), uuid.uuid4()
    event = work_registered([owner])
    await service.publish(event)

    async def owned() -> list[dict[str, str]]:
        items: list[dict[str, str]] = (await _inbox(service, auth, owner))["items"]
        return items

    items = await eventually(owned)
    listed = await service.client.get(
        "/notifications", params={"recipient_id": str(owner)}, headers=auth(intruder)
    )
    assert listed.status_code == 403
    by_subject = await service.client.get(
        "/notifications/by-subject",
        params={"subject_ids": str(event.work.id)},
        headers=auth(intruder),
    )
    assert by_subject.json() == {"items": {}}
    marked = await service.client.post(
        "/notifications/read", json={"ids": [items[0]["id"]]}, headers=auth(intruder)
    )
    assert marked.json() == {"updated": 0}
    mine = await service.client.get(
        "/notifications/by-subject",
        params={"subject_ids": f"{event.work.id},{uuid.uuid4()}"},
        headers=auth(owner),
    )
    assert list(mine.json()["items"]) == [str(event.work.id)]
    assert mine.json()["items"][str(event.work.id)][0]["recipient_id"] == str(owner)


async def test_bad_cursor_is_a_clear_error(service: Service, auth: Auth) -> None:
    party = uuid.uuid4()
    answer = await service.client.get(
        "/notifications",
        params={"recipient_id": str(party), "after": "garbage!"},
        headers=auth(party),
    )
    _refused(answer, field="after")


async def test_batched_inbox_by_recipient_answers_only_the_callers_own(
    service: Service, auth: Auth
) -> None:
    me, other = uuid.uuid4(), uuid.uuid4()
    await service.publish(work_registered([me, other]))
    await eventually(
        lambda: service.scalar(
            "SELECT count(*) FROM notification WHERE recipient_id IN (:a, :b) HAVING count(*) = 2",
            a=me,
            b=other,
        )
    )
    answer = await service.client.get(
        "/notifications/by-recipient",
        params={"recipient_ids": f"{me},{other},{uuid.uuid4()}"},
        headers=auth(me),
    )
    assert answer.status_code == 200
    items = answer.json()["items"]
    assert list(items) == [str(me)]
    assert [entry["recipient_id"] for entry in items[str(me)]] == [str(me)]
    # A malformed id is refused naming it, like every batch read's (runtime.id_lists).
    malformed = await service.client.get(
        "/notifications/by-recipient",
        params={"recipient_ids": f"{me},{other},not-an-id"},
        headers=auth(me),
    )
    assert malformed.status_code == 400
    assert malformed.json()["field"] == "recipient_ids[2]"
