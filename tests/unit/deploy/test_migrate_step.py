"""The migrations step refuses a service it does not know before it touches any database
(its runs against PostgreSQL: tests/integration/deploy)."""

from __future__ import annotations

import importlib.util

import pytest

from .conftest import ROOT


def test_an_unknown_service_is_refused_before_any_database_is_touched(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = importlib.util.spec_from_file_location("migrate", ROOT / "infra/docker/migrate.py")
    assert spec and spec.loader
    migrate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migrate)
    touched: list[str] = []
    monkeypatch.setattr(migrate, "migrate", touched.append)
    assert migrate.main(["filing", "payroll"]) == 2
    assert touched == []
    assert "unknown: payroll" in capsys.readouterr().err
    assert migrate.main(["filing"]) == 0 and touched == ["filing"]
