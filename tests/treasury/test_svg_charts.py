"""The treasury's charts can be read: a title that says what each shows, a
legend, labelled axes, every value beside its bar, nothing written over
anything else, month names on one line, and a table of the same figures.

Geometry is checked from the SVG's own coordinates. Text boxes are estimated
here independently of the chart's layout, generously (0.62 em a character,
a third of an em for spaces and points: DejaVu Sans, the widest common sans
serif, averages less), so a layout that leaves too little room fails.
The real fonts are measured in Chromium by tests/browser/test_mobile.py.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass

import pytest
from django.utils import translation

from kernel.money import format_cents
from treasury.models import BudgetLine
from treasury.selectors import LineStatus
from treasury.svg_charts import budget_chart, flows_chart
from treasury.templatetags.treasury_tags import money

SVG = "{http://www.w3.org/2000/svg}"


@dataclass
class Box:
    left: float
    top: float
    right: float
    bottom: float
    what: str

    def overlaps(self, other: Box) -> bool:
        return (
            self.left < other.right
            and other.left < self.right
            and self.top < other.bottom
            and other.top < self.bottom
        )


def estimated_width(text: str, size: float) -> float:
    return size * sum(0.33 if char in " \u202f\u00a0.,:'" else 0.62 for char in text)


def text_box(element) -> Box:
    size = float(element.get("font-size"))
    x, y = float(element.get("x")), float(element.get("y"))
    width = estimated_width(element.text, size)
    left = {"start": x, "middle": x - width / 2, "end": x - width}[element.get("text-anchor")]
    return Box(left, y - 0.8 * size, left + width, y + 0.25 * size, element.text)


def rect_box(element) -> Box:
    x, y = float(element.get("x")), float(element.get("y"))
    width, height = float(element.get("width")), float(element.get("height"))
    return Box(x, y, x + width, y + height, element.get("class"))


def svg_of(chart) -> ET.Element:
    return ET.fromstring(str(chart.svg))  # noqa: S314 - the chart's own output, not input


def texts(svg, kind: str | None = None) -> list:
    return [t for t in svg.iter(f"{SVG}text") if kind is None or t.get("class") == f"chart-{kind}"]


def bars(svg) -> list:
    return [r for r in svg.iter(f"{SVG}rect") if r.get("class") == "chart-bar"]


def figure_of(chart) -> ET.Element:
    """The whole figure as the page shows it: title, drawing, data table."""
    return ET.fromstring(str(chart))  # noqa: S314 - the chart's own output, not input


def overlapping_pairs(boxes: list[Box]) -> list[tuple[str, str]]:
    return [
        (a.what, b.what)
        for i, a in enumerate(boxes)
        for b in boxes[i + 1 :]
        if a.overlaps(b) and a.right - a.left > 0 and b.right - b.left > 0
    ]


def viewbox(svg) -> tuple[float, float, float, float]:
    x, y, width, height = (float(v) for v in svg.get("viewBox").split())
    return x, y, x + width, y + height


FLOWS = [
    {"month": "2025-11", "income": 12_000, "spending": 0},
    {"month": "2025-12", "income": 604_000, "spending": 15_000},
    {"month": "2026-01", "income": 9_000, "spending": 566_900},
    {"month": "2026-02", "income": -2_000, "spending": 440_900},
    {"month": "2026-03", "income": 19_000, "spending": 21_000},
    {"month": "2026-04", "income": 7_000, "spending": 0},
    {"month": "2026-05", "income": 5_500, "spending": 231_000},
    {"month": "2026-06", "income": 4_000, "spending": 0},
    {"month": "2026-07", "income": 6_500, "spending": 0},
    {"month": "2026-08", "income": 4_000, "spending": 0},
    {"month": "2026-09", "income": 19_000, "spending": 21_000},
    {"month": "2026-10", "income": 7_000, "spending": 0},
    {"month": "2026-11", "income": 123_456_789, "spending": 98_765_432},
]


def line_status(purpose: str, allocated: int, spent: int, pending: int = 0) -> LineStatus:
    return LineStatus(BudgetLine(purpose=purpose, amount_cents=allocated), spent, pending)


LINES = [
    line_status("Servers and hosting", 600_000, 420_000),
    line_status("Youth hosts programme", 600_000, 0, 150_000),
    line_status("Meetings and travel", 150_000, 104_900, 45_100),
    line_status("A" * 200, 100, 100),
]


# --- Income and spending by month ---------------------------------------------------


def test_flows_title_says_what_it_shows_and_which_months():
    chart = flows_chart(FLOWS)
    assert chart.title == "Income and spending by month, December 2025 to November 2026"
    svg = svg_of(chart)
    assert svg.find(f"{SVG}title").text == chart.title
    assert figure_of(chart).find("figcaption").text == chart.title


def test_flows_of_a_single_month_name_it():
    chart = flows_chart(FLOWS[-1:])
    assert chart.title == "Income and spending by month: November 2026"


def test_flows_legend_names_income_and_spending_with_their_swatches():
    svg = svg_of(flows_chart(FLOWS))
    assert [t.text for t in texts(svg, "legend")] == ["Income", "Spending"]
    swatches = [r.get("fill") for r in svg.iter(f"{SVG}rect") if r.get("class") == "chart-swatch"]
    income_fills = {b.get("fill") for b in bars(svg)[0::2]}
    spending_fills = {b.get("fill") for b in bars(svg)[1::2]}
    assert swatches == [*income_fills, *spending_fills]


def test_flows_axis_has_tick_labels_and_a_title_naming_the_currency():
    svg = svg_of(flows_chart(FLOWS))
    assert [t.text for t in texts(svg, "axis-title")] == ["Amount in EUR"]
    ticks = [t.text for t in texts(svg, "label")]
    tick_lines = [line for line in svg.iter(f"{SVG}line") if line.get("class") == "chart-tick"]
    assert len(ticks) == len(tick_lines) >= 3  # every tick labelled
    assert ticks[0] == "0"
    # Whole units with the site's thousands separator; the peak, 1 234 567.89 EUR, fits.
    assert all("\u202f" in tick for tick in ticks[1:])
    assert int(ticks[-1].replace("\u202f", "")) >= 1_234_568


def test_flows_bars_stay_within_the_axis():
    svg = svg_of(flows_chart(FLOWS))
    axis = next(line for line in svg.iter(f"{SVG}line") if line.get("class") == "chart-axis")
    axis_end = float(axis.get("x2"))
    assert all(rect_box(b).right <= axis_end + 0.1 for b in bars(svg))


def test_flows_write_every_amount_beside_its_bar_as_the_site_does():
    svg = svg_of(flows_chart(FLOWS))
    values = texts(svg, "value")
    expected = [money(f[key]) for f in FLOWS[-12:] for key in ("income", "spending")]
    assert [v.text for v in values] == expected
    for bar, value in zip(bars(svg), values, strict=True):
        bar_box, value_box = rect_box(bar), text_box(value)
        assert bar_box.right < value_box.left <= bar_box.right + 10, value.text
        assert bar_box.top <= float(value.get("y")) <= bar_box.bottom, value.text


def test_a_month_with_more_reversals_than_income_draws_no_bar_but_says_the_amount():
    svg = svg_of(flows_chart(FLOWS))
    february = [v for v in texts(svg, "value") if v.text == format_cents(-2_000)]
    assert len(february) == 1
    income_bars = bars(svg)[0::2]
    assert float(income_bars[2].get("width")) == 0


def test_flows_texts_overlap_no_bar_and_no_other_text():
    svg = svg_of(flows_chart(FLOWS))
    boxes = [text_box(t) for t in texts(svg)] + [rect_box(r) for r in bars(svg)]
    assert overlapping_pairs(boxes) == []


def test_flows_texts_stay_inside_the_drawing():
    svg = svg_of(flows_chart(FLOWS))
    left, top, right, bottom = viewbox(svg)
    for box in map(text_box, texts(svg)):
        assert left <= box.left and box.right <= right and top <= box.top, box.what
        assert box.bottom <= bottom, box.what


def test_month_labels_are_single_texts_in_words_that_fit_above_their_bars():
    svg = svg_of(flows_chart(FLOWS))
    _left, _top, right, _bottom = viewbox(svg)
    months = texts(svg, "category")
    assert [m.text for m in months] == [
        "December 2025",
        "January 2026",
        "February 2026",
        "March 2026",
        "April 2026",
        "May 2026",
        "June 2026",
        "July 2026",
        "August 2026",
        "September 2026",
        "October 2026",
        "November 2026",
    ]
    income_bars = bars(svg)[0::2]
    for label, bar in zip(months, income_bars, strict=True):
        assert len(label) == 0 and "\n" not in label.text  # no <tspan>, no line break
        box = text_box(label)
        assert box.left >= 0 and box.right <= right, label.text  # its slot: the whole width
        assert box.bottom <= rect_box(bar).top, label.text  # above its own bars


def test_month_labels_are_in_the_readers_language():
    with translation.override("fr"):
        chart = flows_chart(FLOWS)
        svg = svg_of(chart)
    assert chart.title == "Recettes et dépenses par mois, de décembre 2025 à novembre 2026"
    assert texts(svg, "category")[0].text == "décembre 2025"
    assert [t.text for t in texts(svg, "legend")] == ["Recettes", "Dépenses"]
    assert (
        overlapping_pairs([text_box(t) for t in texts(svg)] + list(map(rect_box, bars(svg)))) == []
    )


def test_flows_table_behind_the_toggle_has_every_month():
    figure = figure_of(flows_chart(FLOWS))
    details = figure.find("details")
    assert details.find("summary").text == "Show the data as a table"
    table = details.find(".//table")
    assert [th.text for th in table.find("thead").iter("th")] == ["Month", "Income", "Spending"]
    rows = table.find("tbody").findall("tr")
    assert len(rows) == len(FLOWS) == 13  # the chart draws the last 12
    assert [rows[0].find("th").text, *(td.text for td in rows[0].findall("td"))] == [
        "November 2025",
        money(12_000),
        money(0),
    ]


def test_no_transactions_draw_no_chart_and_say_so():
    chart = flows_chart([])
    figure = figure_of(chart)
    assert figure.find(f".//{SVG}svg") is None and figure.find("details") is None
    assert figure.find("p").text == "No transactions yet."


# --- Spending by budget line --------------------------------------------------------


def test_budget_title_says_what_it_shows():
    chart = budget_chart(LINES)
    assert chart.title == "Spending by budget line, as a share of each voted allocation"
    assert svg_of(chart).find(f"{SVG}title").text == chart.title


def test_budget_legend_names_spent_pending_and_unspent():
    svg = svg_of(budget_chart(LINES))
    assert [t.text for t in texts(svg, "legend")] == ["Spent", "Awaiting approval", "Not spent yet"]


def test_budget_axis_is_the_share_of_the_allocation():
    svg = svg_of(budget_chart(LINES))
    assert [t.text for t in texts(svg, "axis-title")] == ["Share of the allocation"]
    assert [t.text for t in texts(svg, "label")] == ["0%", "25%", "50%", "75%", "100%"]


def test_budget_writes_the_share_beside_each_bar_and_the_amounts_under_it():
    svg = svg_of(budget_chart(LINES))
    values = [t.text for t in texts(svg, "value")]
    assert values == [
        "70%",
        f"{money(420_000)} spent of {money(600_000)}",
        "0%",
        f"{money(0)} spent of {money(600_000)}",
        f"{money(150_000)} awaiting approval",
        "70%",
        f"{money(104_900)} spent of {money(150_000)}",
        f"{money(45_100)} awaiting approval",
        "100%",
        f"{money(100)} spent of {money(100)}",
    ]
    shares = [t for t in texts(svg, "value") if t.text.endswith("%")]
    allocations = [r for r in svg.iter(f"{SVG}rect") if r.get("class") == "chart-allocation"]
    for share, allocation in zip(shares, allocations, strict=True):
        bar_box = rect_box(allocation)
        assert bar_box.right < text_box(share).left <= bar_box.right + 10
        assert bar_box.top <= float(share.get("y")) <= bar_box.bottom


def test_budget_bars_show_spent_then_pending_within_the_allocation():
    svg = svg_of(budget_chart(LINES))
    allocations = [
        rect_box(r) for r in svg.iter(f"{SVG}rect") if r.get("class") == "chart-allocation"
    ]
    drawn = [rect_box(b) for b in bars(svg)]
    # Meetings and travel: 104 900 spent and 45 100 pending of 150 000.
    meetings, spent, pending = allocations[2], drawn[3], drawn[4]
    full = meetings.right - meetings.left
    assert spent.right - spent.left == pytest.approx(full * 104_900 / 150_000, abs=0.1)
    assert pending.left == pytest.approx(spent.right, abs=0.1)
    assert pending.right == pytest.approx(meetings.right, abs=0.1)


def test_budget_texts_overlap_no_bar_and_no_other_text():
    svg = svg_of(budget_chart(LINES))
    shapes = [
        r for r in svg.iter(f"{SVG}rect") if r.get("class") in ("chart-bar", "chart-allocation")
    ]
    boxes = [text_box(t) for t in texts(svg)] + [rect_box(r) for r in shapes]
    # A bar lies on its allocation by design; only texts must stay clear.
    pairs = [
        pair
        for pair in overlapping_pairs(boxes)
        if not {pair[0], pair[1]} <= {"chart-bar", "chart-allocation"}
    ]
    assert pairs == []


def test_a_long_budget_line_name_is_shortened_to_fit_and_given_whole_in_the_table():
    chart = budget_chart(LINES)
    svg = svg_of(chart)
    _left, _top, right, _bottom = viewbox(svg)
    name = texts(svg, "category")[3]
    assert name.text.endswith("…") and text_box(name).right <= right
    assert chart.rows[3][0] == "A" * 200


def test_budget_table_behind_the_toggle_has_every_line():
    figure = figure_of(budget_chart(LINES))
    table = figure.find("details").find(".//table")
    assert [th.text for th in table.find("thead").iter("th")] == [
        "Budget line",
        "Allocated",
        "Spent",
        "Awaiting approval",
        "Share spent",
    ]
    first = table.find("tbody").find("tr")
    assert [first.find("th").text, *(td.text for td in first.findall("td"))] == [
        "Servers and hosting",
        money(600_000),
        money(420_000),
        money(0),
        "70%",
    ]


def test_budget_in_french_writes_the_percent_sign_and_decimals_the_french_way():
    with translation.override("fr"):
        svg = svg_of(budget_chart(LINES))
    assert texts(svg, "label")[-1].text == "100\u202f%"
    assert texts(svg, "value")[1].text == "4\u202f200,00 EUR dépensés sur 6\u202f000,00 EUR"


def test_no_budget_line_draws_no_chart_and_says_so():
    figure = figure_of(budget_chart([]))
    assert figure.find(f".//{SVG}svg") is None
    assert figure.find("p").text == "No budget line has been voted yet."
