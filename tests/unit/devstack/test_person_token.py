"""A person's token is refreshed once however many threads ask at once: the realm spends a
refresh token on use, so a second refresh with the same one would be refused."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any

from devstack.identity import Account, Person, Tokens


class Realm:
    def __init__(self) -> None:
        self.config = SimpleNamespace(token_renew_seconds=60)
        self.spent: set[str] = set()
        self.refreshes = 0
        self._lock = threading.Lock()

    def refresh(self, refresh_token: str) -> Tokens:
        with self._lock:
            assert refresh_token not in self.spent, "a spent refresh token was sent again"
            self.spent.add(refresh_token)
            self.refreshes += 1
            n = self.refreshes
        time.sleep(0.05)  # the provider's round trip, so that the threads overlap
        return Tokens(f"access-{n}", f"refresh-{n}", "", 300)


def test_threads_asking_at_once_share_one_refresh() -> None:
    realm = Realm()
    realm_any: Any = realm
    person = Person("p", Account("a", "u", "e", "pw"), Tokens("old", "refresh-0", "", 0),
                    realm_any)
    with ThreadPoolExecutor(max_workers=8) as pool:
        tokens = list(pool.map(lambda _: person.token, range(16)))
    assert realm.refreshes == 1
    assert set(tokens) == {"access-1"}
