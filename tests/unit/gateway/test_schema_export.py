"""The committed SDL (gateway/schema.graphql) is exactly the schema the gateway serves."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway import export_schema


def test_committed_sdl_is_the_served_schema() -> None:
    assert export_schema.SDL_PATH.read_text() == export_schema.served_sdl(), (
        "gateway/schema.graphql is stale: run `make schemas`"
    )


def test_freshness_check_fails_on_a_stale_file_and_writes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stale = tmp_path / "schema.graphql"
    stale.write_text(export_schema.served_sdl().replace("available: Boolean!", "available: Int"))
    monkeypatch.setattr(export_schema, "SDL_PATH", stale)
    before = stale.read_text()
    assert export_schema.main(["--check"]) == 1
    assert stale.read_text() == before
    assert export_schema.main([]) == 0
    assert export_schema.main(["--check"]) == 0
