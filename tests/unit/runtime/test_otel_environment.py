"""The standard OTEL_* variables decide the tracer provider (runtime.telemetry): an operator's
collector, service name and sampler work as in any other OpenTelemetry program."""

from __future__ import annotations

import pytest
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ParentBased, TraceIdRatioBased
from runtime.telemetry import tracer_provider

OTEL = (
    "OTEL_SDK_DISABLED",
    "OTEL_SERVICE_NAME",
    "OTEL_TRACES_SAMPLER",
    "OTEL_TRACES_SAMPLER_ARG",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    "RIGHTS_TRACE_FILE",
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in OTEL:
        monkeypatch.delenv(name, raising=False)


def test_without_an_exporter_nothing_is_sampled_and_the_service_is_named() -> None:
    provider = tracer_provider("filing")
    assert isinstance(provider, TracerProvider)
    assert provider.sampler is ALWAYS_OFF
    assert provider.resource.attributes["service.name"] == "filing"


def test_otel_service_name_overrides_the_services_own(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_SERVICE_NAME", "filing-eu-1")
    provider = tracer_provider("filing")
    assert provider is not None
    assert provider.resource.attributes["service.name"] == "filing-eu-1"


def test_the_sampler_variables_choose_the_sampler_when_spans_are_exported(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
    monkeypatch.setenv("OTEL_TRACES_SAMPLER", "parentbased_traceidratio")
    monkeypatch.setenv("OTEL_TRACES_SAMPLER_ARG", "0.25")
    provider = tracer_provider("licensing")
    assert provider is not None
    sampler = provider.sampler
    assert isinstance(sampler, ParentBased)
    root = sampler._root  # the SDK keeps the root sampler here
    assert isinstance(root, TraceIdRatioBased)
    assert root.rate == 0.25
    provider.shutdown()


def test_sdk_disabled_installs_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4318")
    monkeypatch.setenv("OTEL_SDK_DISABLED", "true")
    assert tracer_provider("gateway") is None
