"""Bad input: a malformed record goes to the DLQ with the error and the partition moves on."""

from __future__ import annotations

import uuid

from contracts.envelope import encode
from contracts.topics import FILING_WORKS, NOTIFICATIONS_GROUP, dlq

from .harness import Service, eventually, work_registered


async def test_malformed_record_goes_to_dlq_with_its_error_and_the_partition_moves_on(
    service: Service,
) -> None:
    party = uuid.uuid4()
    good = work_registered([party])
    key = str(good.work.id).encode()
    headers = encode(good).headers
    # Same key, so the same partition: the good record waits behind the poison one.
    await service.publish_raw(FILING_WORKS, key=key, value=b"{not json", headers=headers)
    await service.publish(good)

    await eventually(
        lambda: service.scalar("SELECT count(*) FROM notification WHERE recipient_id = :p", p=party)
    )

    record = await service.read_topic(dlq(NOTIFICATIONS_GROUP), lambda r: r.key == key)
    headers_found = dict(record.headers)
    assert record.value == b"{not json"
    assert headers_found["dlq_error_type"] == b"MalformedRecord"
    assert b"not JSON" in headers_found["dlq_error"]
    assert headers_found["dlq_original_topic"] == service.settings.topic(FILING_WORKS).encode()
