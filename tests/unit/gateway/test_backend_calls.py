"""Per-request DataLoaders: the number of service calls depends on a query's depth, never on
the length of its lists."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

WORKS_WITH_HOLDERS_AND_LICENCES = """
query ($first: Int!) {
  works(first: $first) {
    totalCount
    edges {
      cursor
      node {
        id title status
        rightsHolders { share role party { id name } }
        history { action actor { name } }
        licences {
          id status terms { territories royaltyRate }
          licensee { id name }
          usageReports { units }
          statements { payable lines { amount party { name } } }
          timeline { type }
        }
      }
    }
  }
}
"""


def seed(fake: Any, count: int) -> str:
    """`count` works, each with two holders (the caller and another) and two licensees."""
    caller = fake.add_party("Caller")
    for i in range(count):
        other = fake.add_party(f"Co-owner {i}")
        work = fake.add_work([(caller, "60.00"), (other, "40.00")], title=f"Song {i}")
        for j in range(2):
            licensee = fake.add_party(f"Licensee {i}.{j}")
            fake.add_licence(work, caller, licensee, status="ACTIVE")
    return caller


async def calls_for(count: int, make_fake: Callable[[], Any], open_gateway: Callable[..., Any],
                    token: Callable[..., str]) -> list[tuple[str, str, str]]:
    fake = make_fake()
    caller = seed(fake, count)
    async with open_gateway(fake) as gateway:
        data = await gateway.data(WORKS_WITH_HOLDERS_AND_LICENCES, {"first": count},
                                  token(caller))
    edges = data["works"]["edges"]
    assert len(edges) == count
    assert all(len(e["node"]["licences"]) == 2 for e in edges)
    assert all(len(e["node"]["rightsHolders"]) == 2 for e in edges)
    assert all(e["node"]["licences"][0]["timeline"] for e in edges)
    return list(fake.calls)


async def test_backend_calls_are_equal_for_1_10_and_100_works(
    make_fake: Callable[[], Any], open_gateway: Callable[..., Any], token: Callable[..., str]
) -> None:
    one, ten, hundred = [
        await calls_for(n, make_fake, open_gateway, token) for n in (1, 10, 100)
    ]
    assert len(one) == len(ten) == len(hundred)
    # and they are the same calls: one batch per kind of object per depth
    assert sorted((h, m, p) for h, m, p in one) == sorted((h, m, p) for h, m, p in hundred)
    assert len(hundred) <= 12


AVAILABILITY = """query ($first: Int!) { works(first: $first) { edges { node {
  availability(territories: ["ASEAN"], media: [STREAMING], start: "2026-06-01") {
    available conflicts { licence { id } } } } } } }"""


async def test_availability_of_a_list_of_works_is_one_call_per_depth(
    make_fake: Callable[..., Any], open_gateway: Callable[..., Any], token: Callable[..., str]
) -> None:
    counts = []
    for count in (1, 30):
        fake = make_fake()
        caller = seed(fake, count)
        async with open_gateway(fake) as gateway:
            data = await gateway.data(AVAILABILITY, {"first": count}, token(caller))
        assert len(data["works"]["edges"]) == count
        assert all(e["node"]["availability"]["available"] is True
                   for e in data["works"]["edges"])
        counts.append(len(fake.calls))
    assert counts[0] == counts[1]


async def test_a_page_of_nested_works_costs_what_fetching_it_by_hand_does(
    make_fake: Callable[[], Any], open_gateway: Callable[..., Any], token: Callable[..., str]
) -> None:
    # The works, their holders' parties and licences (in parallel), the licences' statements:
    # the four calls a hand-written client makes (bench/gateway_bench.py, `direct`).
    fake = make_fake()
    caller = seed(fake, 30)
    async with open_gateway(fake) as gateway:
        data = await gateway.data("""query { works(first: 30) { edges { node { id
            rightsHolders { party { name } } licences { id statements { payable } } } } } }""",
                                  None, token(caller))
    assert len(data["works"]["edges"]) == 30
    assert sorted(path for _, _, path in fake.calls) == [
        "/licences/by-work", "/parties", "/statements", "/works/search"]
