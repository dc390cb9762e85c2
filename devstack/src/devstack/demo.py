"""Demo data for `make run`: ASEAN creators, their works in seven languages, licences in
every state, usage and statements, all made through the public GraphQL API like a user.

Every demo party is a person's account at Keycloak (`rights-demo-<key>`, one known password)
who signed in and registered the party, as the web app does; an examiner and an operator have
accounts too, and the licensee's usage reports come from its system, a machine identity with
client credentials. Loaded once: the party ids are kept in `<state dir>/demo.json`, and a later
run that still finds those parties in the register only signs the people in again.

Settings: `RIGHTS_DEMO_ACCOUNT_PREFIX` (`rights-demo`: the accounts' and machine clients' names;
a fresh load deletes what an earlier load made under it), `RIGHTS_DEMO_PASSWORD`
(`rights-demo-password`: every demo person's), `RIGHTS_DEMO_MACHINE_SECRET`
(`rights-demo-machine-secret`: the licensee system's client secret). Local defaults only.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from contracts.identifiers import iswc_check_digit
from pydantic import SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from runtime.settings import PlatformSettings

from devstack.graphql import GraphQLClient
from devstack.identity import Account, Identities, Person, SignInRefused, TokenRefused
from devstack.platform import PlatformConfig


class DemoSettings(BaseSettings):
    """The demo's accounts (`RIGHTS_DEMO_*`); the defaults are for a local machine only."""

    model_config = SettingsConfigDict(env_prefix="RIGHTS_DEMO_", extra="ignore")

    account_prefix: str = "rights-demo"
    password: SecretStr = SecretStr("rights-demo-password")
    machine_secret: SecretStr = SecretStr("rights-demo-machine-secret")


# People without a party of their own, and their realm roles.
STAFF: dict[str, tuple[str, ...]] = {"examiner": ("examiner",), "operator": ("operator",)}

PARTIES: list[dict[str, Any]] = [
    {"key": "somchai", "name": "Somchai Wongsakul", "kind": "PERSON", "country": "TH", "email": "somchai@example.org", "ipiNameNumber": "00000000199"},
    {"key": "lan", "name": "Nguyễn Thị Lan", "kind": "PERSON", "country": "VN", "email": "lan@example.org"},
    {"key": "aminah", "name": "Siti Aminah binti Rahman", "kind": "PERSON", "country": "MY"},
    {"key": "budi", "name": "Budi Santoso", "kind": "PERSON", "country": "ID"},
    {"key": "sokha", "name": "Chea Sokha", "kind": "PERSON", "country": "KH"},
    {"key": "aung", "name": "Aung Kyaw Moe", "kind": "PERSON", "country": "MM"},
    {"key": "khamla", "name": "Khamla Phommavong", "kind": "PERSON", "country": "LA"},
    {"key": "maria", "name": "Maria Santos", "kind": "PERSON", "country": "PH"},
    {"key": "lotus", "name": "Golden Lotus Publishing Co., Ltd.", "kind": "ORGANIZATION", "country": "TH"},
    {"key": "mekong", "name": "Mekong Streaming Pte. Ltd.", "kind": "ORGANIZATION", "country": "SG", "email": "licensing@mekong-streaming.example.org"},
    {"key": "nusantara", "name": "Nusantara Broadcast", "kind": "ORGANIZATION", "country": "ID"},
    {"key": "society", "name": "ASEAN Music Rights Society", "kind": "ORGANIZATION", "country": "MY"},
]

# (title, kind, country, holders [(party key, role, share)], alternate titles)
WORKS: list[tuple[str, str, str, list[tuple[str, str, str]], list[str]]] = [
    ("ลมหนาวที่เชียงใหม่", "MUSICAL_WORK", "TH", [("somchai", "COMPOSER", "60"), ("lotus", "PUBLISHER", "40")], ["Cold Wind in Chiang Mai"]),
    ("ดวงจันทร์กลางทุ่ง", "MUSICAL_WORK", "TH", [("somchai", "COMPOSER", "100")], []),
    ("สายน้ำแห่งความทรงจำ", "SOUND_RECORDING", "TH", [("somchai", "PRODUCER", "50"), ("lan", "PERFORMER", "50")], []),
    ("Giọt Mưa Sài Gòn", "MUSICAL_WORK", "VN", [("lan", "LYRICIST", "50"), ("somchai", "COMPOSER", "50")], ["Saigon Raindrops"]),
    ("Hà Nội Mùa Thu", "MUSICAL_WORK", "VN", [("lan", "AUTHOR", "100")], []),
    ("Dòng Sông Quê Hương", "LITERARY", "VN", [("lan", "AUTHOR", "100")], []),
    ("Bulan di Atas Kuala Lumpur", "MUSICAL_WORK", "MY", [("aminah", "COMPOSER", "70"), ("lotus", "PUBLISHER", "30")], []),
    ("Hikayat Pantai Timur", "LITERARY", "MY", [("aminah", "AUTHOR", "100")], []),
    ("Senja di Pelabuhan", "AUDIOVISUAL", "ID", [("budi", "PRODUCER", "100")], []),
    ("Lagu untuk Ibu", "MUSICAL_WORK", "ID", [("budi", "COMPOSER", "50"), ("aminah", "LYRICIST", "50")], []),
    ("Rindu Kampung Halaman", "SOUND_RECORDING", "ID", [("budi", "PERFORMER", "100")], []),
    ("ផ្កាឈូកនៃទន្លេមេគង្គ", "MUSICAL_WORK", "KH", [("sokha", "COMPOSER", "100")], ["Lotus of the Mekong"]),
    ("អង្គរនៅពេលព្រឹក", "VISUAL_ART", "KH", [("sokha", "AUTHOR", "100")], []),
    ("ရွှေတိဂုံ၏ညနေခင်း", "MUSICAL_WORK", "MM", [("aung", "COMPOSER", "80"), ("lotus", "PUBLISHER", "20")], []),
    ("ဧရာဝတီမြစ်ကမ်း", "LITERARY", "MM", [("aung", "AUTHOR", "100")], []),
    ("ດອກຈຳປາ", "MUSICAL_WORK", "LA", [("khamla", "COMPOSER", "100")], ["Champa Flower"]),
    ("ແມ່ນ້ຳຂອງຍາມແລງ", "SOUND_RECORDING", "LA", [("khamla", "PERFORMER", "60"), ("sokha", "ARRANGER", "40")], []),
    ("Bayan Ko Ngayon", "MUSICAL_WORK", "PH", [("maria", "COMPOSER", "100")], []),
    ("Manila Nights", "SOUND_RECORDING", "PH", [("maria", "PERFORMER", "50"), ("budi", "PRODUCER", "50")], []),
    ("Island Code", "SOFTWARE", "PH", [("maria", "AUTHOR", "100")], []),
    ("Monsoon Letters", "LITERARY", "SG", [("lan", "AUTHOR", "50"), ("maria", "AUTHOR", "50")], []),
    ("Rice Terraces at Dawn", "VISUAL_ART", "PH", [("maria", "AUTHOR", "100")], []),
    ("Mekong Blues", "MUSICAL_WORK", "LA", [("khamla", "COMPOSER", "34"), ("sokha", "LYRICIST", "33"), ("somchai", "ARRANGER", "33")], []),
    ("Harbour Lights", "AUDIOVISUAL", "SG", [("budi", "PRODUCER", "100")], []),
    ("ASEAN Sunrise", "MUSICAL_WORK", "TH", [("somchai", "COMPOSER", "25"), ("lan", "LYRICIST", "25"), ("aminah", "ARRANGER", "25"), ("lotus", "PUBLISHER", "25")], []),
    ("Tropical Rain Suite", "MUSICAL_WORK", "MY", [("aminah", "COMPOSER", "100")], []),
    ("Street Food Stories", "AUDIOVISUAL", "VN", [("lan", "PRODUCER", "100")], []),
    ("Golden Pagoda", "VISUAL_ART", "MM", [("aung", "AUTHOR", "100")], []),
    ("The Durian Thief", "LITERARY", "MY", [("aminah", "AUTHOR", "100")], []),
    ("Kopi Pagi", "SOUND_RECORDING", "ID", [("budi", "PERFORMER", "100")], []),
]

REGISTER = """mutation($input: RegisterPartyInput!) {
  registerParty(input: $input) { party { id } token errors { code message field } } }"""
FILE = """mutation($input: FileWorkInput!) {
  fileWork(input: $input) { work { id status filingNumber registrationNumber } errors { code message field } } }"""
CONFIRM_HOLDING = """mutation ($w: ID!) {
  confirmHolding(workId: $w) { work { id status } errors { code message field } } }"""
OFFER = """mutation($input: OfferLicenceInput!) {
  offerLicence(input: $input) { licence { id status } errors { code message field } } }"""
ACT = {
    "accept": "mutation($id: ID!) { acceptLicence(licenceId: $id) { licence { id status } errors { code message field } } }",
    "decline": 'mutation($id: ID!) { declineLicence(licenceId: $id, reason: "terms not suitable") { licence { id status } errors { code message field } } }',
    "withdraw": "mutation($id: ID!) { withdrawLicence(licenceId: $id) { licence { id status } errors { code message field } } }",
    "terminate": 'mutation($id: ID!) { terminateLicence(licenceId: $id, reason: "catalogue withdrawn") { licence { id status } errors { code message field } } }',
    # A co-owner's consent to an exclusive offer (DOMAIN.md, "Co-owners' consent to licences").
    "consent": "mutation($id: ID!) { consentToLicence(licenceId: $id) { licence { id status } errors { code message field } } }",
}
USAGE = """mutation($input: ReportUsageInput!) {
  reportUsage(input: $input) { report { id } statement { id payable } errors { code message field } } }"""
PARTY = "query($id: ID!) { party(id: $id) { id } }"


def demo_iswc(n: int) -> str:
    digits = f"{700_000_000 + n:09d}"
    return f"T-{digits[:3]}.{digits[3:6]}.{digits[6:]}-{iswc_check_digit(digits)}"


@dataclass
class Demo:
    gql: GraphQLClient
    identities: Identities
    settings: DemoSettings
    # Signed-in people by key: the parties' (PARTIES' keys) and the staff's.
    people: dict[str, Person] = field(default_factory=dict)

    def token(self, key: str) -> str:
        return self.people[key].token

    async def sign_up(self, party: dict[str, Any]) -> Person:
        fields = {k: v for k, v in party.items() if k != "key"}
        person = await self.identities.sign_up(
            self.gql, fields, name=party["key"], password=self.settings.password.get_secret_value()
        )
        self.people[party["key"]] = person
        return person

    async def add_staff(self, key: str, roles: tuple[str, ...]) -> None:
        account = await asyncio.to_thread(
            self.identities.create_account,
            name=key,
            password=self.settings.password.get_secret_value(),
            roles=roles,
            first_name=key.capitalize(),
            last_name="Demo",
        )
        self.people[key] = await self.identities.signed_in(account, "")

    async def sign_in_again(self, key: str, party_id: str) -> None:
        """A later run: the account exists (SignInRefused or TokenRefused when it does not)."""
        account = await asyncio.to_thread(self._account, key)
        self.people[key] = await self.identities.signed_in(account, party_id)

    def _account(self, key: str) -> Account:
        username = f"{self.identities.prefix}-{key}"
        user = self.identities.admin.user_by_username(username)
        if user is None:
            raise SignInRefused(f"no account {username}")
        return Account(user["id"], username, user.get("email", ""), self.settings.password.get_secret_value())

    async def mutate(
        self, query: str, variables: dict[str, Any], token: str | None, field: str
    ) -> dict[str, Any]:
        data = await self.gql(query, variables, token)
        payload: dict[str, Any] = data[field]
        if payload.get("errors"):
            raise RuntimeError(f"{field}: {payload['errors']}")
        return payload


SOCIETY = """mutation($id: ID!) {
  setCollectingSociety(partyId: $id, subscribed: true) { errors { code message field } } }"""


async def _subscribe_society(demo: Demo, society_id: str) -> None:
    # An operator command, by the demo's operator; the society's own account gets the role.
    await demo.mutate(SOCIETY, {"id": society_id}, demo.token("operator"), "setCollectingSociety")
    society = demo.people["society"]
    await asyncio.to_thread(
        demo.identities.admin.grant_realm_roles, society.account.id, ["society"]
    )
    society.expires_at = 0.0  # the next token is refreshed, and carries the role


def month_start(today: date, months: int) -> date:
    """The first day of the month `months` away from `today`'s (negative: earlier)."""
    index = today.year * 12 + today.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def demo_periods(today: date) -> dict[str, tuple[date, date | None]]:
    """The demo's licence and usage periods, laid around `today` so that the data reads the
    same whenever it is loaded: running licences cover today, reported quarters are over,
    the ended licence ended before today and the offer starts next month."""

    def m(n: int) -> date:
        return month_start(today, n)

    day = timedelta(days=1)
    return {
        "active": (m(-6), m(18) - day),
        "active_q1": (m(-6), m(-3) - day),
        "active_q2": (m(-3), m(0) - day),
        "song": (m(-5), None),
        "song_q1": (m(-5), m(-2) - day),
        "offered": (m(1), m(13) - day),
        "declined": (m(-4), m(6) - day),
        "withdrawn": (m(-6), None),
        "terminated": (m(-6), None),
        "ended": (m(-18), m(-6) - day),
    }


async def _load(config: PlatformConfig, demo: Demo, today: date) -> dict[str, str]:
    periods = {
        name: (start.isoformat(), end.isoformat() if end else None)
        for name, (start, end) in demo_periods(today).items()
    }
    quarters = {
        name: (start.isoformat(), end.isoformat())
        for name, (start, end) in demo_periods(today).items()
        if name.endswith("_q1") or name.endswith("_q2")
        if end is not None
    }
    ids: dict[str, str] = {}
    for key, roles in STAFF.items():
        await demo.add_staff(key, roles)
    for party in PARTIES:
        ids[party["key"]] = (await demo.sign_up(party)).party_id
    await _subscribe_society(demo, ids["society"])

    work_ids: list[str] = []
    for n, (title, kind, country, holders, alternates) in enumerate(WORKS):
        filer = holders[0][0]
        work_input: dict[str, Any] = {
            "title": title,
            "kind": kind,
            "countryOfOrigin": country,
            "alternateTitles": alternates,
            "rightsHolders": [{"partyId": ids[p], "role": r, "share": s} for p, r, s in holders],
        }
        if kind == "MUSICAL_WORK":
            work_input["identifiers"] = {"iswc": demo_iswc(n)}
        payload = await demo.mutate(FILE, {"input": work_input}, demo.token(filer), "fileWork")
        work_ids.append(payload["work"]["id"])
        # Co-owners' consent (DOMAIN.md): each other holder confirms, so the demo's works
        # are registered as before.
        for co_owner in dict.fromkeys(p for p, _, _ in holders if p != filer):
            await demo.mutate(CONFIRM_HOLDING, {"w": payload["work"]["id"]},
                              demo.token(co_owner), "confirmHolding")

    async def offer(
        work: int,
        owner: str,
        licensee: str,
        territories: list[str],
        media: list[str],
        exclusive: bool,
        start: str,
        end: str | None,
        rate: str,
        advance: str,
        currency: str,
    ) -> str:
        payload = await demo.mutate(
            OFFER,
            {
                "input": {
                    "workId": work_ids[work],
                    "licenseeId": ids[licensee],
                    "territories": territories,
                    "media": media,
                    "exclusive": exclusive,
                    "start": start,
                    "end": end,
                    "royaltyRate": rate,
                    "advance": advance,
                    "currency": currency,
                }
            },
            demo.token(owner),
            "offerLicence",
        )
        return str(payload["licence"]["id"])

    async def act(action: str, licence: str, who: str) -> None:
        field = {
            "accept": "acceptLicence",
            "decline": "declineLicence",
            "withdraw": "withdrawLicence",
            "terminate": "terminateLicence",
            "consent": "consentToLicence",
        }[action]
        await demo.mutate(ACT[action], {"id": licence}, demo.token(who), field)

    async def usage(licence: str, start: str, end: str, units: int, gross: str) -> None:
        await demo.mutate(
            USAGE,
            {
                "input": {
                    "licenceId": licence,
                    "periodStart": start,
                    "periodEnd": end,
                    "units": units,
                    "grossRevenue": gross,
                }
            },
            # Mekong's own system reports usage: a machine identity, client credentials.
            await demo.identities.token_for_async(ids["mekong"]),
            "reportUsage",
        )

    # An active exclusive streaming licence in the ASEAN region, with an advance being recouped.
    active = await offer(
        0,
        "somchai",
        "mekong",
        ["ASEAN"],
        ["STREAMING", "DOWNLOAD"],
        True,
        *periods["active"],
        "12.50",
        "1000.00",
        "THB",
    )
    await act("consent", active, "lotus")  # the publisher co-owns the work
    await act("accept", active, "mekong")
    await usage(active, *quarters["active_q1"], 120_000, "6400.00")
    await usage(active, *quarters["active_q2"], 150_000, "9850.75")
    # Non-exclusive worldwide licence for a co-owned Vietnamese song, in USD.
    song = await offer(
        3, "lan", "mekong", ["WORLD"], ["STREAMING"], False, *periods["song"], "8.00", "0", "USD"
    )
    await act("accept", song, "mekong")
    await usage(song, *quarters["song_q1"], 40_000, "1234.56")
    offered = await offer(
        6,
        "aminah",
        "nusantara",
        ["MY", "ID", "SG"],
        ["BROADCAST"],
        True,
        *periods["offered"],
        "10.00",
        "500.00",
        "MYR",
    )
    await act("consent", offered, "lotus")  # offered to the licensee once the publisher agrees
    declined = await offer(
        9,
        "budi",
        "mekong",
        ["ID"],
        ["SYNC"],
        False,
        *periods["declined"],
        "15.00",
        "0",
        "IDR",
    )
    await act("decline", declined, "mekong")
    withdrawn = await offer(
        11,
        "sokha",
        "nusantara",
        ["KH"],
        ["PUBLIC_PERFORMANCE"],
        False,
        *periods["withdrawn"],
        "5.00",
        "0",
        "USD",
    )
    await act("withdraw", withdrawn, "sokha")
    terminated = await offer(
        17, "maria", "mekong", ["PH"], ["STREAMING"], False, *periods["terminated"], "9.00", "0",
        "PHP",
    )
    await act("accept", terminated, "mekong")
    await act("terminate", terminated, "maria")
    # Ended half a year ago: the expiry job moves it to EXPIRED.
    ended = await offer(
        15,
        "khamla",
        "mekong",
        ["LA", "TH"],
        ["DOWNLOAD"],
        False,
        *periods["ended"],
        "7.00",
        "0",
        "LAK",
    )
    await act("accept", ended, "mekong")
    ids["_offered_licence"] = offered
    ids["_active_licence"] = active
    return ids


async def _still_loaded(demo: Demo, ids: dict[str, str]) -> bool:
    """The parties of an earlier load are in the register and their people can sign in."""
    people = {p["key"] for p in PARTIES} | set(STAFF)
    try:
        await asyncio.gather(
            *(demo.sign_in_again(key, party) for key, party in ids.items() if key in people)
        )
    except (SignInRefused, TokenRefused):
        return False
    found = await demo.gql(PARTY, {"id": ids["somchai"]}, demo.token("somchai"))
    return bool(found.get("party"))


async def load_demo_data(config: PlatformConfig) -> str:
    settings = DemoSettings()
    state_dir = config.state_dir or PlatformSettings().rights_state_dir
    identities = Identities(
        settings.account_prefix, machine_secret=settings.machine_secret.get_secret_value()
    )
    demo = Demo(GraphQLClient(config.gateway_url), identities, settings)
    state_file = Path(state_dir) / "demo.json"
    try:
        ids: dict[str, str] | None = None
        if state_file.exists():
            ids = json.loads(state_file.read_text())
            assert ids is not None
            if not await _still_loaded(demo, {**ids, **dict.fromkeys(STAFF, "")}):
                ids = None  # the databases or the accounts were reset since: load again
        loaded = ids is None
        if ids is None:
            # What an earlier load made under the prefix belongs to parties that are gone.
            await asyncio.to_thread(identities.delete_created)
            demo.people.clear()
            ids = await _load(config, demo, datetime.now(UTC).date())
            state_file.write_text(json.dumps(ids, indent=1))
        machine = identities.machine_client_id(ids["mekong"], ("party",))
        await identities.token_for_async(ids["mekong"])
        tokens = {
            "creator (Somchai Wongsakul)": demo.token("somchai"),
            "licensee (Mekong Streaming)": demo.token("mekong"),
            "examiner": demo.token("examiner"),
            "society (ASEAN Music Rights Society)": demo.token("society"),
        }
    finally:
        await demo.gql.close()
        identities.close()
    return _summary(config, settings, identities, loaded, tokens, machine)


def _shown(value: SecretStr, default: SecretStr, instead: str) -> str:
    """Only the public local default is printed; a value set in the environment is named."""
    return value.get_secret_value() if value == default else instead


def _summary(
    config: PlatformConfig,
    settings: DemoSettings,
    identities: Identities,
    loaded: bool,
    tokens: dict[str, str],
    machine: str,
) -> str:
    defaults = DemoSettings.model_construct()
    password = _shown(settings.password, defaults.password, "(the one in RIGHTS_DEMO_PASSWORD)")
    secret = _shown(settings.machine_secret, defaults.machine_secret, "$RIGHTS_DEMO_MACHINE_SECRET")
    prefix = settings.account_prefix
    token_url = identities.config.token_url
    lines = [
        "",
        "=" * 78,
        f"The platform is up. Demo data {'loaded' if loaded else 'already present (not loaded again)'}.",
        f"  Web app:   {config.gateway_url.removesuffix('/graphql')}/ (the register; sign in there too)",
        f"  GraphiQL:  {config.gateway_url}",
        f"  Sign in at {identities.config.issuer}/account with password {password} as",
        f"    {prefix}-somchai (creator), {prefix}-mekong (licensee), {prefix}-society",
        f"    (society), {prefix}-examiner, {prefix}-operator, or any {prefix}-<party key>.",
        '  In GraphiQL, open Headers and paste {"Authorization": "Bearer <token>"}',
        "  (these tokens last 5 minutes; make run prints fresh ones each time):",
    ]
    for who, token in tokens.items():
        lines += [f"  {who}:", f"    {token}"]
    lines += [
        "  Mekong's system (a machine) gets its own token with client credentials:",
        f"    curl -s -d grant_type=client_credentials -d client_id={machine} \\",
        f"      -d client_secret={secret} {token_url}",
        "  Try: { me { name works { totalCount } } }",
        "  Ctrl-C stops everything.",
        "=" * 78,
    ]
    return "\n".join(lines)
