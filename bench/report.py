"""The run's Markdown report (bench/REPORT.md) and its PNG charts, from the results."""

# ruff: noqa: E501  (Markdown table rows read best one row per source line)

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt

HERE = Path(__file__).resolve().parent


def _n(value: Any, digits: int = 0) -> str:
    if value is None:
        return "n/a"
    if isinstance(value, int | float):
        return f"{value:,.{digits}f}"
    return str(value)


def _ms(summary: dict[str, Any] | None) -> str:
    if not summary or not summary.get("count"):
        return "n/a"
    return (f"{summary['p50_ms']:.1f} / {summary['p99_ms']:.1f} / {summary['p99_9_ms']:.1f} ms")


NOT_MEASURED = "not measured"
SCENARIO_NAMES = ("raw_kafka", "pipeline", "e2e_latency", "gateway", "write_path", "replay",
                  "register", "web_pages", "usage_matching", "scale_out")

# Issue 17's figures: (results.json path, label, target, whether smaller is better).
KEY_FIGURES: tuple[tuple[tuple[str, ...], str, float, bool], ...] = (
    (("pipeline", "ratio_to_floor", "licensing"), "licensing consumer / exactly-once floor", 0.7, False),
    (("pipeline", "ratio_to_floor", "notifications"), "notifications consumer / exactly-once floor", 0.5, False),
    (("replay", "per_s"), "replay of the register's topics, events/s", 20_000, False),
    (("e2e_latency", "ratio_p99_at_50pct", "read_model"), "answer -> read model p99 / raw two-hop p99, at 50 %", 5, True),
    (("e2e_latency", "ratio_p99_at_50pct", "notification"), "answer -> notification p99 / raw two-hop p99, at 50 %", 8, True),
    (("write_path", "filework_gateway_per_s"), "fileWork through the gateway, sustained /s", 300, False),
    (("write_path", "relay_ratio"), "outbox relay / raw produce of the same records", 0.7, False),
    (("gateway", "ratio_p50_page100"), "page of 100 nested works p50 / direct fetch p50", 1.5, True),
)


# Where each figure's profile is in results.json: (profiles dict path, the process in it).
FIGURE_PROFILES: dict[tuple[str, ...], tuple[tuple[str, ...], str]] = {
    ("pipeline", "ratio_to_floor", "licensing"): (("pipeline", "profiles"), "licensing"),
    ("pipeline", "ratio_to_floor", "notifications"): (("pipeline", "profiles"), "notifications"),
    ("replay", "per_s"): (("replay", "profiles"), "replay"),
    ("e2e_latency", "ratio_p99_at_50pct", "read_model"): (("e2e_latency", "capacity", "profiles"), "licensing"),
    ("e2e_latency", "ratio_p99_at_50pct", "notification"): (("e2e_latency", "capacity", "profiles"), "notifications"),
    ("write_path", "filework_gateway_per_s"): (("write_path", "filework_gateway", "profiles"), "gateway"),
    ("write_path", "relay_ratio"): (("write_path", "relay", "profiles"), "relay"),
    ("gateway", "ratio_p50_page100"): (("gateway", "profiles"), "gateway"),
}


def where_time_goes(doc: dict[str, Any], path: tuple[str, ...]) -> str:
    """The figure's own profile in this run, in one cell: where the process it measures burns
    its samples (the three heaviest innermost frames, and our two heaviest functions with what
    they call), and for fileWork the CPU each mutation cost the platform (what caps it on this
    machine's cores)."""
    located = FIGURE_PROFILES.get(path)
    prof = figure(doc, (*located[0], located[1])) if located else None
    parts: list[str] = []
    if path == ("write_path", "filework_gateway_per_s"):
        per = figure(doc, ("write_path", "filework_gateway", "cpu_ms_per_mutation")) or {}
        total = sum(per.values())
        if total:
            cores = doc.get("run", {}).get("machine", {}).get("cores") or 2
            heaviest = sorted(per.items(), key=lambda kv: -kv[1])[:3]
            parts.append(f"CPU {total:.1f} ms per mutation across the platform "
                         f"({', '.join(f'{k} {v:.1f}' for k, v in heaviest)}): {cores} cores "
                         f"cap it near {1000 * cores / total:.0f}/s")
    if located and isinstance(prof, dict) and prof.get("samples"):
        burns = ", ".join(f"`{name}` {share} %" for name, share in prof.get("self", [])[:3])
        ours = ", ".join(f"`{name}` {share} %"
                         for name, share in prof.get("inclusive_project", [])[:2])
        parts.append(f"{located[1]} ({prof['samples']} samples), innermost: {burns}"
                     + (f"; in our code: {ours}" if ours else ""))
    return "; ".join(parts) if parts else "no profile in this run"


def figure(doc: dict[str, Any], path: tuple[str, ...]) -> Any:
    """The value at `path`, or None where a scenario did not run or did not measure it."""
    found: Any = doc
    for key in path:
        if not isinstance(found, dict):
            return None
        found = found.get(key)
    return found


def key_figures(doc: dict[str, Any]) -> list[str]:
    """Issue 17's figures against their targets; a figure not in results.json is said to be
    not measured."""
    rows = ["| results.json | figure | this run | target | met | where the time goes (this run's profile; the section below has it whole) |",
            "|---|---|---|---|---|---|"]
    for path, label, target, smaller in KEY_FIGURES:
        value = figure(doc, path)
        if not isinstance(value, int | float):
            rows.append(f"| `{'.'.join(path)}` | {label} | {NOT_MEASURED} | {'<=' if smaller else '>='} {_n(target, 1 if target < 10 else 0)} | | |")
            continue
        met = value <= target if smaller else value >= target
        digits = 0 if value >= 100 else 2
        rows.append(f"| `{'.'.join(path)}` | {label} | {_n(value, digits)} | {'<=' if smaller else '>='} {_n(target, 1 if target < 10 else 0)} | {'yes' if met else 'no'} | {where_time_goes(doc, path)} |")
    return rows


def table(doc: dict[str, Any]) -> list[str]:
    rows = ["| # | scenario | figure (this run) | baseline (same run) | ratio |",
            "|---|---|---|---|---|"]
    raw = doc.get("raw_kafka", {})
    consume, produce = raw.get("consume_per_s"), raw.get("produce_per_s")
    rt = raw.get("round_trip", {})
    if "error" not in raw and raw:
        records = f"the pipeline's records, {_n(raw.get('record_bytes'))} B + ce_* headers"
        rows.append(f"| 1 | raw Kafka produce (idempotent, acks=all, {records}) | {_n(produce)} rec/s | itself | 1 |")
        rows.append(f"| 1 | raw Kafka consume (getmany + commit, {records}) | {_n(consume)} rec/s | itself | 1 |")
        rows.append(f"| 1 | raw produce->consume round trip p50 / p99 / p99.9 | {_ms(rt)} | itself | 1 |")
    pipe = doc.get("pipeline", {})
    same_raw = pipe.get("raw_consume_same_topic_per_s")
    fl = pipe.get("floor")
    if fl:
        rows.append(f"| 2 | exactly-once floor (aiokafka + asyncpg: claim, upsert, commit, offsets) | "
                    f"{_n(fl['per_s'])} events/s | raw consume, same topics {_n(same_raw)}/s | "
                    f"{pipe.get('floor_ratio_to_raw_consume', 'n/a')} |")
    targets = {"licensing": 0.7, "notifications": 0.5}
    for service in ("licensing", "notifications"):
        if service in pipe:
            r = pipe[service]
            to_floor = pipe.get("ratio_to_floor", {}).get(service)
            rows.append(f"| 2 | {service} consumer applying a backlog (exactly-once) | "
                        f"{_n(r['per_s'])} events/s | floor {_n(fl['per_s']) if fl else NOT_MEASURED}/s "
                        f"(raw consume {_n(consume)}/s: {pipe.get('ratio', {}).get(service, 'n/a')}) | "
                        f"{_n(to_floor, 3) if to_floor is not None else NOT_MEASURED} (target {targets[service]}) |")
    for key, label in (("licensing_ssl_disabled", "licensing consumer, database TLS off (experiment)"),
                       ("licensing_batched_prototype", "licensing consumer with the bench's own set-based handler (cross-check)")):
        r = pipe.get("experiments", {}).get(key)
        if r:
            same = r.get("same_read_model_as_real_handler")
            note = "" if same is None else f"; same read model as the real handler: {'yes' if same else 'NO'}"
            rows.append(f"| 2 | {label}{note} | {_n(r['per_s'])} events/s | raw consume {_n(consume)}/s | {r.get('ratio', 'n/a')} |")
    e2e = doc.get("e2e_latency", {})
    if "levels" in e2e:
        rows.append(f"| 3 | highest sustainable fileWork rate (limited by {e2e['limited_by']}) | "
                    f"{_n(e2e['highest_sustainable_per_s'], 1)} /s | | |")
        for level in e2e["levels"]:
            ratio = level.get("ratio", {})
            hop = level.get("two_hop", {}).get("latency")
            base = f"raw two-hop p50/p99/p99.9 {_ms(hop)} at the same load" if hop else f"raw RT p99 {_n(rt.get('p99_ms'), 1)} ms"
            rows.append(f"| 3 | at {level['level']} ({level['offered_per_s']}/s, {_n(level['answer_to_licensing_read_model'].get('count'))} samples): answer -> licensing read model p50/p99/p99.9 | "
                        f"{_ms(level['answer_to_licensing_read_model'])} | {base} | "
                        f"{ratio.get('read_model_p99_over_two_hop_p99', ratio.get('read_model_p99_over_raw_rt_p99', 'n/a'))} |")
            rows.append(f"| 3 | at {level['level']}: answer -> notification p50/p99/p99.9 | "
                        f"{_ms(level['answer_to_notification'])} | {base} | "
                        f"{ratio.get('notification_p99_over_two_hop_p99', ratio.get('notification_p99_over_raw_rt_p99', 'n/a'))} |")
    gw = doc.get("gateway", {})
    for page in gw.get("pages", []):
        rows.append(f"| 4 | nested query, page {page['page_size']}: p50 / p99 / p99.9; backend calls | "
                    f"{_ms(page['gateway'])}; {page['backend_calls_per_request']} calls | "
                    f"direct HTTP {_ms(page['direct'])}; {page['direct_calls_per_request']} calls | "
                    f"p50 {page.get('ratio', {}).get('gateway_p50_over_direct_p50', 'n/a')}, p99 {page.get('ratio', {}).get('gateway_p99_over_direct_p99', 'n/a')} |")
    wp = doc.get("write_path", {})
    if "command" in wp:
        rows.append(f"| 5 | one command (fileWork use case: state + outbox, 1 tx) p50 / p99 / p99.9 | {_ms(wp['command'])} | | |")
        conc = wp["command"].get("commands_per_s_at_concurrency")
        if conc:
            rows.append("| 5 | the same command, commands/s with " + ", ".join(conc) + " concurrent callers | "
                        + " / ".join(_n(v, 1) for v in conc.values()) + " | | |")
        rt = wp.get("postgres_statement_round_trip")
        if rt:
            rows.append(f"| 5 | PostgreSQL statement round trip p50 / p99, asyncpg default (TLS negotiated) | "
                        f"{rt['tls_default']['p50_us']} / {rt['tls_default']['p99_us']} µs | TLS off: "
                        f"{rt['tls_off']['p50_us']} / {rt['tls_off']['p99_us']} µs | "
                        f"{round(rt['tls_default']['p50_us'] / max(1, rt['tls_off']['p50_us']), 2)} (p50) |")
        rows.append(f"| 5 | outbox relay sustained publish | {_n(wp.get('relay_per_s'))} events/s | raw produce {_n(produce)}/s | {wp.get('ratio', 'n/a')} |")
        relay_ratio = wp.get("relay_ratio")
        rows.append(f"| 5 | outbox relay / raw produce of the same records | "
                    f"{NOT_MEASURED if relay_ratio is None else _n(relay_ratio, 3)} | | target 0.7 |")
        gw_rate = wp.get("filework_gateway_per_s")
        rows.append(f"| 5 | fileWork through the gateway, sustained | "
                    f"{NOT_MEASURED if gw_rate is None else _n(gw_rate, 1) + ' /s'} | | target 300 /s |")
    rp = doc.get("replay", {})
    if "per_s" in rp:
        done = "all" if rp["complete"] else f"{_n(rp['applied'])} of {_n(rp['topic_events'])} in the time budget"
        rows.append(f"| 6 | replay into licensing's read model ({done}; full rebuild projected "
                    f"{rp['projected_full_rebuild_minutes']} min) | {_n(rp['per_s'])} events/s | "
                    f"raw consume {_n(consume)}/s | {rp.get('ratio', 'n/a')} (target 20,000 events/s) |")
        proto = rp.get("batched_prototype")
        if proto:
            done = "all" if proto["complete"] else f"{_n(proto['applied_total'])} in {proto['budget_seconds']} s"
            rows.append(f"| 6 | replay with the batched handler prototype ({done}; full rebuild "
                        f"{proto['projected_full_rebuild_minutes']} min) | {_n(proto['per_s'])} events/s | "
                        f"raw consume {_n(consume)}/s | {proto.get('ratio', 'n/a')} |")
    reg = doc.get("register", {})
    if "search_ms" in reg:
        if reg.get("import_per_s") is not None:
            rows.append(f"| 7 | register: bulk import of {_n(reg['works'])} works | {_n(reg['import_per_s'])} works/s | target 10,000 | "
                        f"{_ratio(reg['import_per_s'], 10_000)} |")
            rows.append(f"| 7 | register: imported until licensing's read model holds them | {_n(reg['import_to_read_model_s'], 1)} s | target 1,800 s | "
                        f"{_ratio(reg['import_to_read_model_s'], 1_800)} |")
        else:
            rows.append(f"| 7 | register: {_n(reg['works'])} works filled by the COPY loader (no bulk import, no events) | "
                        f"{_n(reg.get('fill', {}).get('copy_load_per_s'))} works/s | | |")
        worst = _worst(reg["search_ms"])
        if worst:
            rows.append(f"| 7 | register: search, worst shape p95 / p99 ({worst['p95'][0]} / {worst['p99'][0]}) | "
                        f"{worst['p95'][1]:.1f} / {worst['p99'][1]:.1f} ms | target 50 / 150 ms | "
                        f"{_ratio(worst['p95'][1], 50)} / {_ratio(worst['p99'][1], 150)} |")
    web = doc.get("web_pages", {})
    for name, page in web.get("pages", {}).items():
        rows.append(f"| 8 | web: {name} (`{page['path']}`) p50 / p95; ratio to its GraphQL call | "
                    f"{page['p50_ms']:.0f} / {page['p95_ms']:.0f} ms | target 1,000 ms | "
                    f"{page['ratio_p50']} / {page['ratio_p95']} |")
    if "pages_under_1s_share" in web:
        rows.append(f"| 8 | web: page fetches under 1 s | {web['pages_under_1s_share']:.1%} | "
                    f"target 100 % | |")
    usage = doc.get("usage_matching", {})
    if "lines_per_s" in usage:
        rates = ", ".join(f"{k} {v:.1%}" for k, v in usage["match_rate"].items())
        rows.append(f"| 9 | usage lines matched and stated ({_n(usage['lines'])} lines; {rates}) | "
                    f"{_n(usage['lines_per_s'])} lines/s | lines read and checked "
                    f"{_n(usage['baseline_parse_lines_per_s'])}/s | {usage['ratio']} |")
    so = doc.get("scale_out", {})
    if so.get("instances_1_per_s"):
        for n in (1, 2, 3):
            r = so.get("runs", {}).get(str(n), {})
            ratio = "1" if n == 1 else _n(so.get(f"ratio_{n}_to_1"), 2)
            cores = ", ".join(f"{k} {v}" for k, v in r.get("cores", {}).items())
            rows.append(f"| 10 | licensing consumer, {n} instance(s) applying a backlog (cores: {cores}) | "
                        f"{_n(so.get(f'instances_{n}_per_s'))} events/s | 1 instance | {ratio} |")
    for name in SCENARIO_NAMES:
        if "error" in doc.get(name, {}):
            rows.append(f"| | {name} | FAILED: {doc[name]['error'][:200]} | | |")
    return rows


def _ratio(value: float | None, target: float) -> str:
    return "n/a" if value is None else f"{value / target:.2f}"


def _worst(search_ms: dict[str, dict[str, float]]) -> dict[str, tuple[str, float]]:
    """The slowest shape at p95 and at p99, as (shape, ms)."""
    answered = {k: v for k, v in search_ms.items() if v.get("n")}
    if not answered:
        return {}
    return {p: max(((k, v[p]) for k, v in answered.items()), key=lambda kv: kv[1])
            for p in ("p95", "p99")}


def register_section(doc: dict[str, Any]) -> list[str]:
    """Scenario 7: per query shape, latencies straight to filing and through the gateway,
    how often the intended work came first, and the EXPLAIN plan of one search."""
    reg = doc.get("register", {})
    if "search_ms" not in reg:
        return []
    fill = reg.get("fill", {})
    lines = ["## Scenario 7: the register at scale", "",
             f"{_n(reg['works'])} works in the register when searched; filled by "
             f"{fill.get('load', 'n/a')} {fill.get('import_args') or ''}".rstrip() + ": "
             f"{_n(reg.get('import_per_s'))} works/s imported, "
             f"{_n(reg.get('import_to_read_model_s'), 1)} s until licensing's read model held them "
             f"({_n(reg.get('read_model_per_s'))} works/s applied downstream); the CSV files were "
             f"written at {_n(fill.get('csv_works_per_s'))} works/s; VACUUM ANALYZE "
             f"{_n(fill.get('vacuum_analyze_s'), 1)} s. Filters a side does not serve (not sent to it): "
             f"{reg.get('setup', {}).get('filters_not_served', 'n/a')}.", "",
             "| shape | filing p50 / p95 / p99 ms (n) | gateway p50 / p95 / p99 ms (n) | found anything | intended work first | errors |",
             "|---|---|---|---|---|---|"]
    gateway, quality = reg.get("gateway_search_ms", {}), reg.get("quality", {})

    def cell(summary: dict[str, float] | None) -> str:
        if not summary or not summary.get("n"):
            return "n/a"
        return f"{summary['p50']:.1f} / {summary['p95']:.1f} / {summary['p99']:.1f} ({summary['n']})"

    def share(value: float | None) -> str:
        return "n/a" if value is None else f"{100 * value:.0f} %"

    for shape, summary in reg["search_ms"].items():
        q = quality.get(shape, {})
        lines.append(f"| {shape} | {cell(summary)} | {cell(gateway.get(shape))} | "
                     f"{share(q.get('found_share'))} | {share(q.get('target_first_share'))} | {q.get('errors', 0)} |")
    for shape, failed in reg.get("gateway_errors", {}).items():
        lines.append(f"\nThrough the gateway, {shape}: {failed['errors']} errors (first: {failed['first_error']}).")
    lines += ["", "### EXPLAIN (ANALYZE, BUFFERS) of one search of each shape", ""]
    for shape, found in reg.get("plans", {}).items():
        lines += [f"**{shape}**: `{found['params']}`", "", "```", found["plan"].rstrip(), "```", ""]
    return lines


@contextmanager
def chart(path: Path, made: list[str], size: tuple[float, float], title: str) -> Iterator[Any]:
    """One titled figure: the body draws on the axes it is given; the PNG is saved at `path`
    and its name added to `made`."""
    fig, ax = plt.subplots(figsize=size)
    yield ax
    ax.set_title(title)
    fig.tight_layout()
    fig.savefig(path, dpi=80)
    plt.close(fig)
    made.append(path.name)


def charts(out: Path, doc: dict[str, Any]) -> list[str]:
    made: list[str] = []
    raw, pipe, wp, rp, e2e = (doc.get(k, {}) for k in
                              ("raw_kafka", "pipeline", "write_path", "replay", "e2e_latency"))
    bars = [("raw produce", raw.get("produce_per_s")), ("raw consume", raw.get("consume_per_s")),
            ("exactly-once floor", pipe.get("floor", {}).get("per_s")),
            ("outbox relay", wp.get("relay_per_s")),
            ("licensing consumer", pipe.get("licensing", {}).get("per_s")),
            ("notifications consumer", pipe.get("notifications", {}).get("per_s")),
            ("replay (licensing)", rp.get("per_s")),
            ("licensing, batched prototype", pipe.get("experiments", {})
             .get("licensing_batched_prototype", {}).get("per_s")),
            ("replay, batched prototype", rp.get("batched_prototype", {}).get("per_s")),
            ("fileWork e2e (sustainable)", e2e.get("highest_sustainable_per_s"))]
    bars = [(k, v) for k, v in bars if v]
    if bars:
        with chart(out / "throughput.png", made, (7, 3.6), "Throughput, same machine, same run") as ax:
            ax.barh([k for k, _ in bars][::-1], [v for _, v in bars][::-1], color="#4c72b0")
            ax.set_xscale("log")
            ax.set_xlabel("events (records) per second, log scale")
            for i, (_, v) in enumerate(bars[::-1]):
                ax.text(v, i, f" {v:,.0f}", va="center", fontsize=8)
    series = []
    if raw.get("round_trip", {}).get("count"):
        series.append(("raw Kafka RT", raw["round_trip"]))
    for level in e2e.get("levels", []):
        if level.get("two_hop", {}).get("latency"):
            series.append((f"raw two-hop @{level['level']}", level["two_hop"]["latency"]))
        series.append((f"read model @{level['level']}", level["answer_to_licensing_read_model"]))
        series.append((f"notification @{level['level']}", level["answer_to_notification"]))
    if wp.get("command"):
        series.append(("one command", wp["command"]))
    series = [(k, v) for k, v in series if v.get("count")]
    if series:
        with chart(out / "latency.png", made, (7, 3.8), "Latency percentiles") as ax:
            width = 0.27
            xs = range(len(series))
            for j, (key, label) in enumerate((("p50_ms", "p50"), ("p99_ms", "p99"), ("p99_9_ms", "p99.9"))):
                ax.bar([x + (j - 1) * width for x in xs], [max(0.01, s[key]) for _, s in series],
                       width, label=label)
            ax.set_xticks(list(xs), [k for k, _ in series], rotation=30, ha="right", fontsize=7)
            ax.set_yscale("log")
            ax.set_ylabel("ms, log scale")
            ax.legend(fontsize=7)
    pages = doc.get("gateway", {}).get("pages", [])
    if pages:
        title = "Nested query: gateway vs. services' APIs"
        with chart(out / "gateway.png", made, (6, 3.4), title) as ax:
            sizes = [str(p["page_size"]) for p in pages]
            for key, label, style in (("gateway", "gateway", "-o"), ("direct", "direct HTTP", "--s")):
                ax.plot(sizes, [p[key]["p50_ms"] for p in pages], style, label=f"{label} p50")
                ax.plot(sizes, [p[key]["p99_ms"] for p in pages], style, alpha=0.5, label=f"{label} p99")
            ax.set_xlabel("page size (works)")
            ax.set_ylabel("ms")
            ax.legend(fontsize=7)
    return made


def held(cap: dict[str, Any]) -> str:
    """Whether the capacity held for the profiled window (older results do not say)."""
    found = cap.get("held")
    if not found:
        return ""
    if found["sustained"]:
        return " Held at that rate for the profiled window: sustained."
    return (f" Held at that rate for the profiled window: NOT sustained ({found['shortfall']}); "
            "the ramp's short rungs overestimated it.")


def profile_tables(found: dict[str, Any]) -> list[str]:
    """Per profiled process: its top functions, inclusive (ours, libraries) and self."""
    lines: list[str] = []
    for name, prof in found.items():
        lines.append(f"### {name} ({prof.get('samples', 0)} samples)")
        lines.append("")
        lines.append("| inclusive, project | % | inclusive, libraries | % | self | % |")
        lines.append("|---|---|---|---|---|---|")
        a, b, c = (prof.get(k, []) for k in ("inclusive_project", "inclusive_libraries", "self"))
        for i in range(10):
            cells = []
            for col in (a, b, c):
                if i < len(col):
                    cells += [f"`{col[i][0]}`", str(col[i][1])]
                else:
                    cells += ["", ""]
            lines.append("| " + " | ".join(cells) + " |")
        lines.append("")
    return lines


def profiles(doc: dict[str, Any]) -> list[str]:
    lines: list[str] = []
    drains = {**doc.get("raw_kafka", {}).get("profiles", {}),
              **doc.get("pipeline", {}).get("profiles", {}),
              **doc.get("replay", {}).get("profiles", {})}
    if drains:
        lines += ["## Profiles of the throughput figures (py-spy, 50 Hz, non-blocking, the bench process)", "",
                  "Raw produce and consume, the floor, the consumers and the replay run inside the "
                  "bench's own process; py-spy samples it while each runs (fills and warm-ups "
                  "are outside). Shares of the active samples.", "",
                  *profile_tables(drains)]
    relay = doc.get("write_path", {}).get("relay", {}).get("profiles", {})
    if relay:
        lines += ["## Profile of the outbox relay (py-spy, 50 Hz, non-blocking, the bench process)", "",
                  "The relay drains the staged outbox inside the bench's process.", "",
                  *profile_tables(relay)]
    filework = doc.get("write_path", {}).get("filework_gateway", {})
    if filework.get("profiles"):
        lines += ["## Profiles of fileWork through the gateway (py-spy, 50 Hz, non-blocking)", "",
                  f"Closed loop at {filework.get('concurrency')} for {filework.get('seconds')} s. "
                  "CPU per mutation (ms): " + ", ".join(
                      f"{k} {v}" for k, v in filework.get("cpu_ms_per_mutation", {}).items()), "",
                  *profile_tables(filework["profiles"])]
    page = doc.get("gateway", {})
    if page.get("profiles"):
        cpu = (page.get("pages") or [{}])[-1].get("cpu_cores_used", {})
        lines += ["## Profile of the gateway serving the page of 100 (py-spy, 50 Hz, non-blocking)", "",
                  "Sampled while the page of 100 was fetched through the gateway and straight "
                  "from the services in turn. CPU used in that window (cores): "
                  + ", ".join(f"{k} {v}" for k, v in cpu.items()), "",
                  *profile_tables(page["profiles"])]
    found = doc.get("e2e_latency", {}).get("capacity", {}).get("profiles", {})
    if not found:
        return lines
    lines += ["## Profiles at capacity (py-spy, 50 Hz, non-blocking)", "",
              "Open loop at the highest sustained rate of the ramp. Shares of each process's "
              "samples (active threads only). *Inclusive, project* lists our functions (with "
              "everything they call); *self* the innermost frames.", ""]
    cpu = doc["e2e_latency"]["capacity"].get("cpu_cores_used", {})
    if cpu:
        lines.append("CPU used in that window (cores; this machine has 2): " +
                     ", ".join(f"{k} {v}" for k, v in cpu.items()))
        lines.append("")
    return lines + profile_tables(found)


def before_after(doc: dict[str, Any]) -> list[str]:
    """This run beside the kept run made before the owners' hot-spot fixes, if present."""
    path = HERE / "results-before-fixes.json"
    if not path.exists():
        return []
    import json

    before = json.loads(path.read_text())

    def get(d: dict[str, Any], *keys: str) -> Any:
        for key in keys:
            if not isinstance(d, dict) or key not in d:
                return None
            d = d[key]
        return d

    def levels(d: dict[str, Any], level: int, what: str) -> Any:
        found = get(d, "e2e_latency", "levels")
        return found[level][what]["p99_ms"] if found and len(found) > level else None

    rows = [
        ("licensing consumer, backlog (events/s)", get(before, "pipeline", "licensing", "per_s"), get(doc, "pipeline", "licensing", "per_s")),
        ("notifications consumer, backlog (events/s)", get(before, "pipeline", "notifications", "per_s"), get(doc, "pipeline", "notifications", "per_s")),
        ("replay into licensing (events/s)", get(before, "replay", "per_s"), get(doc, "replay", "per_s")),
        ("replay: full rebuild of 1,000,000 events (min, projected if not complete)", get(before, "replay", "projected_full_rebuild_minutes"), get(doc, "replay", "projected_full_rebuild_minutes")),
        ("fileWork, highest sustainable (/s)", get(before, "e2e_latency", "highest_sustainable_per_s"), get(doc, "e2e_latency", "highest_sustainable_per_s")),
        ("fileWork use case in-process, 16 callers (/s)", get(before, "write_path", "command", "commands_per_s_at_concurrency", "16"), get(doc, "write_path", "command", "commands_per_s_at_concurrency", "16")),
        ("one command p50 (ms)", get(before, "write_path", "command", "p50_ms"), get(doc, "write_path", "command", "p50_ms")),
        ("answer -> notification p99 at 80 % (ms)", levels(before, 2, "answer_to_notification"), levels(doc, 2, "answer_to_notification")),
        ("answer -> read model p99 at 50 % (ms)", levels(before, 1, "answer_to_licensing_read_model"), levels(doc, 1, "answer_to_licensing_read_model")),
        ("nested query page 100, gateway p50 (ms)", get(before, "gateway", "pages", ) and before["gateway"]["pages"][-1]["gateway"]["p50_ms"], get(doc, "gateway", "pages") and doc["gateway"]["pages"][-1]["gateway"]["p50_ms"]),
        ("outbox relay (events/s)", get(before, "write_path", "relay_per_s"), get(doc, "write_path", "relay_per_s")),
        ("raw consume, the baseline (records/s)", get(before, "raw_kafka", "consume_per_s"), get(doc, "raw_kafka", "consume_per_s")),
    ]
    lines = ["## Before and after the hot-spot fixes", "",
             f"`bench/results-before-fixes.json` is the full run `{before['run']['id']}` "
             f"({before['run']['finished_at']}), made before the owners changed the code for the "
             "hot spots below (commits a2b7315: set-based batch handler in the runtime and "
             "licensing, no TLS on loopback PostgreSQL, unsampled tracing without an exporter, "
             "sniffio; bcd5994: filing takes its numbers in one statement right before commit; "
             "b7c3c5f: notifications' batch handler). This run is at b7c3c5f. The machine is "
             "shared and noisy: read differences under ~30 % as noise.", "",
             "| figure | before | this run | after / before |", "|---|---|---|---|"]
    for label, old, new in rows:
        ratio = f"{new / old:.2f}" if isinstance(old, int | float) and isinstance(new, int | float) and old else "n/a"
        lines.append(f"| {label} | {_n(old, 1)} | {_n(new, 1)} | {ratio} |")
    return [*lines, ""]


def write(out: Path, doc: dict[str, Any], _full: dict[str, Any]) -> None:
    made = charts(out, doc)
    run = doc["run"]
    m = run["machine"]
    lines = [
        "# Benchmarks: the platform against raw Kafka and PostgreSQL, one run",
        "",
        "Generated by `make bench` (`python -m bench`); every ratio divides by a baseline "
        "measured in the same run on the same machine. Nothing here is asserted by a test.",
        "",
        f"Run `{run['id']}` finished {run['finished_at']} in {run['seconds']:.0f} s"
        + (" (SMOKE: tiny sizes, figures meaningless)" if run["smoke"] else "") + ".",
        f"Machine: {m['cores']} cores ({m['cpu']}), {m['memory_gib']} GiB, {m['os']}; Kafka, "
        "PostgreSQL, the services, the gateway and the load generator all share it.",
        f"Versions: Python {m['python']}, Kafka {m['kafka']}, PostgreSQL {m['postgres']}, " +
        ", ".join(f"{k} {m[k]}" for k in ("aiokafka", "faststream", "sqlalchemy", "sqlmodel",
                                          "asyncpg", "strawberry-graphql", "fastapi", "uvicorn",
                                          "httpx", "pydantic")) + ".",
        "Seconds per scenario: " + ", ".join(f"{k} {v}" for k, v in run["scenario_seconds"].items()),
        *[f"Scenarios {', '.join(p['only'])} come from a later partial run `{p['id']}` "
          f"(`python -m bench --only ...`, finished {p['finished_at']}): each section says so "
          "in `measured_in`; compare their ratios, measured within that run, not their figures "
          "with this run's." for p in run.get("partial_runs", [])],
        "",
        "## Issue 17's figures",
        "",
        *key_figures(doc),
        "",
        "## Results",
        "",
        *table(doc),
        "",
        "Ratio definitions: " + "; ".join(
            f"**{k}**: {doc[k]['ratio_definition']}" for k in doc
            if isinstance(doc[k], dict) and "ratio_definition" in doc[k]) + ".",
        "",
        *[f"![{name}]({name})" for name in made],
        "",
        "## Setups",
        "",
    ]
    for name in SCENARIO_NAMES:
        setup = doc.get(name, {}).get("setup")
        if setup:
            lines.append(f"- **{name}**: " + "; ".join(f"{k}: {v}" for k, v in setup.items()))
    e2e = doc.get("e2e_latency", {})
    if "capacity" in e2e:
        cap = e2e["capacity"]
        lines += ["", "## Scenario 3 in detail", "",
                  f"Capacity: {e2e['highest_sustainable_per_s']} fileWork/s, the highest rung of "
                  f"the open-loop ramp that was sustained; the next was not, limited by: "
                  f"{e2e['limited_by']}. Load generator: {e2e.get('setup', {}).get('load_generator', 'n/a')}. "
                  f"POST /works straight to filing (no gateway, closed loop), commands/s by "
                  f"concurrent clients: {cap.get('straight_to_filing_per_s')}.{held(cap)}", "",
                  "| ramp: offered /s | achieved /s | requests | mutation p99 ms | last effect after last answer (s) | errors | sustained |",
                  "|---|---|---|---|---|---|---|"]
        for rung in e2e.get("ramp", []):
            lines.append(f"| {rung['offered_per_s']} | {rung['achieved_per_s']} | {rung['requests']} | "
                         f"{_n(rung['mutation_p99_ms'], 1)} | {_n(rung['effects_lag_s'], 2)} | {rung['errors']} | "
                         f"{'yes' if rung['sustained'] else 'no: ' + str(rung['shortfall'])} |")
        lines += ["", "| level | offered /s | achieved /s | n | mutation p50/p99/p99.9 (from intended send) | read model | notification | raw two-hop, same load (n) | errors |",
                  "|---|---|---|---|---|---|---|---|---|"]
        for level in [*e2e.get("levels", []), {**cap, "level": "capacity (profiled)"}]:
            if "mutation" not in level:
                continue
            hop = level.get("two_hop", {}).get("latency")
            hop_cell = f"{_ms(hop)} ({_n(hop['count'])})" if hop else "n/a"
            lines.append(f"| {level['level']} | {level['offered_per_s']} | {level['achieved_per_s']} | "
                         f"{_n(level['mutation'].get('count'))} | "
                         f"{_ms(level['mutation'])} | {_ms(level['answer_to_licensing_read_model'])} | "
                         f"{_ms(level['answer_to_notification'])} | {hop_cell} | {level['errors']} |")
    lines += ["", *register_section(doc), *profiles(doc), *before_after(doc)]
    analysis = HERE / "analysis.md"
    if analysis.exists():
        lines += [analysis.read_text()]
    (out / "REPORT.md").write_text("\n".join(lines) + "\n")


def main() -> None:
    """`python -m bench.report`: rewrites REPORT.md and the charts from results.json (after
    editing bench/analysis.md, without running the benchmarks again)."""
    import json
    import os

    out = Path(os.environ.get("BENCH_OUT", str(HERE)))
    write(out, json.loads((out / "results.json").read_text()), {})


if __name__ == "__main__":
    main()
