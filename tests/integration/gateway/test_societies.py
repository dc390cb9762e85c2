"""Collecting societies through GraphQL (DOMAIN.md, "Collecting societies"): a work filed with
shares by right shows them, `exportCwr` makes the society's file, downloaded from the gateway
with the same token, an ACK file uploaded with `importCwrAcknowledgements` sets the work's
`societyRegistrations`."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Any

import pytest
from devstack.identity import Identities

from tests.cwr_oracle import parse_cwr

from .served import Gateway, Services, register

pytestmark = pytest.mark.asyncio(loop_scope="session")

FILE = """mutation($input: FileWorkInput!) { fileWork(input: $input) {
  work { id title registrationNumber rightsHolders { role share mechanicalShare syncShare
         performingSociety territoryShares { territory performingShare } } }
  errors { code field message } } }"""
EXPORT = """mutation($society: String!) { exportCwr(society: $society) {
  file { name works newWorks downloadUrl } errors { code field } } }"""
ACK = """mutation($file: Upload!) { importCwrAcknowledgements(file: $file) {
  result { society acknowledged unchanged unknown } errors { code field } } }"""
REGISTRATIONS = """query($id: ID!) { work(id: $id) { societyRegistrations {
  society status cwrStatus societyWorkId transaction } } }"""


async def test_a_society_exports_and_acknowledges_through_graphql(
    services: Services,
    gateway: Callable[..., AbstractAsyncContextManager[Gateway]],
    identities: Identities,
) -> None:
    async with gateway() as gw:
        party, token = await register(gw, identities, "Lagu Bersama")
        holders = [{"partyId": party, "role": "COMPOSER", "share": "100.00",
                    "mechanicalShare": "100.00", "syncShare": "100.00",
                    "performingSociety": "58"}]  # fmt: skip
        title = f"Rasa Sayange {uuid.uuid4().hex[:6]}"
        filed = (await gw.post(FILE, {"input": {"title": title, "kind": "MUSICAL_WORK",
                                                "countryOfOrigin": "MY",
                                                "rightsHolders": holders}}, token)).json()
        work = filed["data"]["fileWork"]["work"]
        assert filed["data"]["fileWork"]["errors"] == [], filed
        assert work["rightsHolders"][0]["performingSociety"] == "058"
        assert work["rightsHolders"][0]["mechanicalShare"] is None  # the same as its share

        society_token = identities.token_for(str(uuid.uuid4()), "society")
        refused = (await gw.post(EXPORT, {"society": "058"}, token)).json()
        assert refused["data"]["exportCwr"]["errors"][0]["code"] == "FORBIDDEN"
        made = (await gw.post(EXPORT, {"society": "058"}, society_token)).json()
        made_file = made["data"]["exportCwr"]["file"]
        assert (made_file["works"], made_file["newWorks"]) == (1, 1), made
        download = await gw.client.get(made_file["downloadUrl"],
                                       headers={"authorization": f"Bearer {society_token}"})
        assert download.status_code == 200
        parsed = parse_cwr(made_file["name"], download.text)
        assert parsed.transmission.trailer.transaction_count == 1
        assert (await gw.client.get(made_file["downloadUrl"])).status_code == 401

        ack = _ack_file("058", work)
        answer = await gw.client.post(
            "/graphql",
            data={"operations": json.dumps({"query": ACK, "variables": {"file": None}}),
                  "map": json.dumps({"0": ["variables.file"]})},
            files={"0": ("ACK.V21", ack, "text/plain")},
            headers={"authorization": f"Bearer {society_token}"},
        )  # fmt: skip
        result = answer.json()["data"]["importCwrAcknowledgements"]["result"]
        assert (result["society"], result["acknowledged"]) == ("058", 1), answer.text
        page = (await gw.post(REGISTRATIONS, {"id": work["id"]}, token)).json()
        assert page["data"]["work"]["societyRegistrations"] == [
            {"society": "058", "status": "CONFLICT", "cwrStatus": "CO",
             "societyWorkId": "S-77", "transaction": "NWR"}
        ]  # fmt: skip


def _ack_file(society: str, work: dict[str, Any]) -> bytes:
    title = work["title"].upper()
    lines = [
        f"HDRSO000000{society}SOCIETY {society:<37}01.102026120712000020261207",
        "GRHACK0000102.10",
        f"ACK{0:08d}{0:08d}20261206093000{1:05d}{0:08d}NWR{title:<60}"
        f"{work['registrationNumber']:<20}{'S-77':<20}20261207CO",
        f"GRT00001{1:08d}{3:08d}",
        f"TRL00001{1:08d}{5:08d}",
    ]
    return ("\r\n".join(lines) + "\r\n").encode("ascii")
