"""The royalties chart (WEB.md, "Money"): each work's royalties summed by month, one chart per
currency, drawn as accessible SVG (read back with an XML parser)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from xml.etree import ElementTree

from web.money_chart import MAX_MONTHS, nice_ceiling, royalty_charts, svg, swatch

SVG = "{http://www.w3.org/2000/svg}"


def licence(work: str, title: str, *statements: tuple[str, str, str]) -> dict[str, object]:
    return {"work": {"id": work, "title": title},
            "statements": [{"periodEnd": end, "royalty": royalty, "currency": currency}
                           for end, royalty, currency in statements]}


LICENCES = [
    licence("w1", "Song A", ("2026-01-31", "10.50", "THB"), ("2026-03-15", "5.25", "THB")),
    # the same work under a second licence: its royalties add up by month
    licence("w1", "Song A", ("2026-01-20", "1.00", "THB")),
    licence("w2", "Bài B", ("2026-02-28", "7.00", "THB"), ("2026-02-01", "3.00", "USD")),
]


def test_royalties_are_summed_per_work_and_month_one_chart_per_currency() -> None:
    thb, usd = royalty_charts(LICENCES)
    assert (thb.currency, usd.currency) == ("THB", "USD")
    assert thb.months == (date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1))
    by_title = {s.title: s.values for s in thb.series}
    assert by_title == {"Song A": (Decimal("11.50"), 0, Decimal("5.25")),
                        "Bài B": (0, Decimal("7.00"), 0)}
    assert [s.title for s in usd.series] == ["Bài B"] and usd.months == (date(2026, 2, 1),)


def test_the_chart_keeps_the_latest_months_only() -> None:
    many = [licence("w", "Long", *((f"{2020 + m // 12}-{m % 12 + 1:02d}-28", "1", "THB")
                                  for m in range(40)))]
    (chart,) = royalty_charts(many)
    assert len(chart.months) == MAX_MONTHS and chart.months[-1] == date(2023, 4, 1)


def test_the_value_axis_ends_on_a_round_number() -> None:
    assert [nice_ceiling(Decimal(v)) for v in ("0", "0.3", "7", "11.5", "230", "2400")] == [
        1, Decimal("0.5"), 10, 20, Decimal("250"), 2500]


def test_the_svg_is_an_image_named_by_its_title_and_description_with_a_label_per_point() -> None:
    (thb, _) = royalty_charts(LICENCES)
    drawn = svg(thb, chart_id="c1", title="Royalties <THB>", description="Each work's",
                money=lambda v: f"{v:.2f}", month=lambda d: d.strftime("%b %Y"),
                point_label=lambda t, d, v: f"{t}, {d:%b %Y}: {v}")
    root = ElementTree.fromstring(str(drawn))
    assert root.get("role") == "img" and root.get("aria-labelledby") == "c1-title c1-desc"
    assert root.find(f"{SVG}title").text == "Royalties <THB>"  # escaped, read back whole
    assert root.find(f"{SVG}desc").text == "Each work's"
    lines = root.findall(f".//{SVG}polyline")
    assert len(lines) == 2 and lines[0].get("stroke") != lines[1].get("stroke")
    assert lines[0].get("stroke-dasharray") != lines[1].get("stroke-dasharray")
    labels = [t.text for t in root.iter(f"{SVG}title")][1:]
    assert "Song A, Jan 2026: 11.50" in labels and "Bài B, Feb 2026: 7.00" in labels
    assert len(labels) == 6  # two works, three months each


def test_a_higher_royalty_is_drawn_higher() -> None:
    (thb, _) = royalty_charts(LICENCES)
    root = ElementTree.fromstring(str(svg(
        thb, chart_id="c", title="t", description="d", money=str, month=str,
        point_label=lambda t, d, v: "")))
    song_a = root.findall(f".//{SVG}polyline")[1].get("points")  # sorted: "Bài B", "Song A"
    ys = [float(p.split(",")[1]) for p in song_a.split()]
    assert ys[0] < ys[2] < ys[1]  # 11.50 above 5.25 above 0 (SVG's y grows downwards)


def test_a_legend_swatch_is_hidden_from_assistive_technology() -> None:
    root = ElementTree.fromstring(str(swatch(0)))
    assert root.get("aria-hidden") == "true"
