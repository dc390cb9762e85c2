"""The register's part of bench/REPORT.md (bench.report): a row per query shape with its
percentiles, the slowest shape against issue 16's targets, and each shape's plan."""

from __future__ import annotations

from typing import Any

from bench.report import register_section, table


def _register(**changes: Any) -> dict[str, Any]:
    shapes = {"common_word": {"p50": 4.0, "p95": 9.0, "p99": 20.0, "n": 125},
              "short": {"p50": 8.0, "p95": 60.0, "p99": 90.0, "n": 125},
              "typo": {"p50": 6.0, "p95": 30.0, "p99": 160.0, "n": 125}}
    register = {
        "works": 7_300_000, "import_per_s": 12_000.0, "import_to_read_model_s": 1500.0,
        "read_model_per_s": 4866.7, "search_ms": shapes,
        "gateway_search_ms": {"short": {"p50": 9.0, "p95": 61.0, "p99": 95.0, "n": 25}},
        "quality": {"typo": {"found_share": 0.9, "target_first_share": 0.8, "errors": 0}},
        "fill": {"load": "import", "csv_works_per_s": 16000.0, "vacuum_analyze_s": 80.0},
        "plans": {"short": {"params": {"text": "爱"}, "plan": "Index Scan using ix on work"}},
        "setup": {"filters_not_served": "none"},
    }
    return {"register": {**register, **changes}}


def test_the_slowest_shape_is_set_against_the_targets() -> None:
    rows = "\n".join(table(_register()))
    assert "| 7 | register: bulk import of 7,300,000 works | 12,000 works/s | target 10,000 | 1.20 |" in rows
    assert "worst shape p95 / p99 (short / typo) | 60.0 / 160.0 ms | target 50 / 150 ms | 1.20 / 1.07 |" in rows


def test_a_register_filled_without_the_import_says_so() -> None:
    rows = "\n".join(table(_register(import_per_s=None, import_to_read_model_s=None,
                                     fill={"load": "copy", "copy_load_per_s": 3000.0})))
    assert "filled by the COPY loader" in rows and "target 10,000" not in rows


def test_every_shape_has_its_row_and_its_plan() -> None:
    text = "\n".join(register_section(_register()))
    assert "| short | 8.0 / 60.0 / 90.0 (125) | 9.0 / 61.0 / 95.0 (25) | n/a | n/a | 0 |" in text
    assert "| typo | 6.0 / 30.0 / 160.0 (125) | n/a | 90 % | 80 % | 0 |" in text
    assert "**short**: `{'text': '爱'}`" in text
    assert "```\nIndex Scan using ix on work\n```" in text


def test_no_register_no_section() -> None:
    assert register_section({}) == []
    assert not any("register" in row for row in table({}))
