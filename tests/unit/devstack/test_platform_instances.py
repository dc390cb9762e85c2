"""The local platform with several instances of each service: their ports, their names, and
the gateway told of every one (ARCHITECTURE.md, several instances of each service)."""

from __future__ import annotations

import pytest
from devstack.platform import SERVICES, PlatformConfig


def test_one_instance_of_each_service_by_default_on_the_documented_ports() -> None:
    config = PlatformConfig()
    specs = {spec.name: spec for spec in config.processes()}
    assert set(specs) == {"smtp", *SERVICES, "gateway"}
    assert specs["gateway"].env["GATEWAY_LICENSING_URL"] == "http://127.0.0.1:8002"


def test_make_run_puts_instance_i_on_the_service_port_plus_100_per_instance(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RIGHTS_INSTANCES", "3")
    monkeypatch.setenv("FILING_PORT", "9001")
    config = PlatformConfig.from_environment()
    filing = config.service_processes("filing")
    assert [spec.name for spec in filing] == ["filing", "filing-2", "filing-3"]
    assert [spec.env["FILING_PORT"] for spec in filing] == ["9001", "9101", "9201"]
    assert [spec.health_url for spec in filing][2] == "http://127.0.0.1:9201/ready"
    assert config.env()["GATEWAY_FILING_URL"] == (
        "http://127.0.0.1:9001,http://127.0.0.1:9101,http://127.0.0.1:9201"
    )


def test_a_platform_on_free_ports_gives_every_instance_a_port_of_its_own() -> None:
    config = PlatformConfig.on_free_ports(instances=2)
    ports = [port for service in SERVICES for port in config.ports(service)]
    assert len(ports) == 2 * len(SERVICES) == len(set(ports))
    names = [spec.name for spec in config.processes()]
    assert names.count("licensing-2") == 1 and "licensing-3" not in names


@pytest.mark.parametrize("value", ["0", "two"])
def test_a_bad_instance_count_is_refused_naming_the_setting(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("RIGHTS_INSTANCES", value)
    with pytest.raises(ValueError, match="RIGHTS_INSTANCES"):
        PlatformConfig.from_environment()
