"""The public treasury's charts, drawn on the server as SVG to be read by
people who rarely read charts.

Every chart has a title that says what it shows (and over which months), a
legend, axes with labels, every value written beside its bar, and the same
figures in a table behind a "Show the data" toggle (treasury/_chart.html).
Bars run across the page, one row per month or budget line, so that labels
are read horizontally, written out in full, and never crowd each other
however many rows there are.

An SVG text never wraps, and the page cannot measure it before it is drawn
(no inline script under the Content-Security-Policy), so the layout reserves
room for each text from its estimated width: DejaVu Sans's advance widths,
the widest of the common sans-serif fonts and the one Linux browsers fall
back to, so the room is enough in the fonts people have. The chart is then
as wide as its texts need, and the stylesheet scales it to the page.

Amounts are written as everywhere on the site (`format_cents`), months with
Django's month names, as kernel/dates.py writes days.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from kernel import dates
from kernel.money import currency, format_cents

# Sizes in the chart's own units (1 unit is 1 CSS pixel at natural size).
LABEL_SIZE = 14
VALUE_SIZE = 13
GAP = 6  # between a text and what it stands beside
TARGET_WIDTH = 340  # about a phone's width: drawn there at its natural size
MIN_BAR_LENGTH = 150
FLOW_MONTHS = 12  # the chart's months; the table behind it has them all

INCOME_COLOUR = "#0a4d8c"  # blue and orange: told apart with any colour vision
SPENDING_COLOUR = "#b45309"
UNSPENT_COLOUR = "#e4e7eb"
AXIS_COLOUR = "#4a4a4a"
GRID_COLOUR = "#d6d3cb"

# DejaVu Sans advance widths in em, by character (regular weight).
_WIDTHS = {
    **dict.fromkeys("\u202f", 0.2),
    **dict.fromkeys("'", 0.28),
    **dict.fromkeys("ijlîïIJ", 0.29),
    **dict.fromkeys(" ,.’\u00a0/:;\\|f", 0.35),
    **dict.fromkeys("-()[]t!r", 0.41),
    **dict.fromkeys('"*_`–', 0.5),
    **dict.fromkeys("szç?cL", 0.56),
    **dict.fromkeys("FkvxyPTYaoàâô«»", 0.61),
    **dict.fromkeys("eéèêESbdghnpquûùÉ$0123456789{}€", 0.64),
    **dict.fromkeys("KAVÀBRXZC", 0.7),
    **dict.fromkeys("UHNDGO&Q", 0.79),
    **dict.fromkeys("w#+<=>^~M", 0.86),
    **dict.fromkeys("%mW@—", 1.0),
}


def text_width(text: str, size: float) -> float:
    """The room a text takes at `size`, a little more than it needs (an
    unknown character counts as a full em)."""
    return 1.05 * size * sum(_WIDTHS.get(char, 1.0) for char in text)


def fit_text(text: str, size: float, room: float) -> str:
    """`text`, cut with an ellipsis if it would not fit in `room`."""
    if text_width(text, size) <= room:
        return text
    while text and text_width(text + "…", size) > room:
        text = text[:-1]
    return text.rstrip() + "…"


def month_label(month: str) -> str:
    """'2026-05' → 'May 2026', 'mai 2026' (kernel/dates.py)."""
    year, number = month.split("-")
    return dates.month(int(year), int(number))


def percent(value: int) -> str:
    # French sets a narrow no-break space before the sign.
    return _("%(percent)d%%") % {"percent": value}


@dataclass
class Chart:
    """A chart and the table of its figures. Rendered as a whole by
    `{{ chart }}` in a template (treasury/_chart.html)."""

    key: str
    title: str
    svg: SafeString | str = ""
    columns: list[str] = field(default_factory=list)
    rows: list[list[str]] = field(default_factory=list)
    table_caption: str = ""
    empty_text: str = ""

    def __html__(self) -> SafeString:
        return render_to_string("treasury/_chart.html", {"chart": self})

    def __str__(self) -> str:
        return self.__html__()


class _Drawing:
    """SVG elements, every text escaped as it is added."""

    def __init__(self) -> None:
        self.parts: list[str] = []

    def text(self, x, y, text, *, size=LABEL_SIZE, anchor="start", kind="label") -> None:
        self.parts.append(
            f'<text class="chart-{kind}" x="{x:.1f}" y="{y:.1f}" font-size="{size}" '
            f'text-anchor="{anchor}">{escape(text)}</text>'
        )

    def rect(self, x, y, width, height, fill, *, kind="bar", title="", outline="") -> None:
        tooltip = f"<title>{escape(title)}</title>" if title else ""
        stroke = f' stroke="{outline}"' if outline else ""
        self.parts.append(
            f'<rect class="chart-{kind}" x="{x:.1f}" y="{y:.1f}" width="{max(width, 0):.1f}" '
            f'height="{height:.1f}" fill="{fill}"{stroke}>{tooltip}</rect>'
        )

    def line(self, x1, y1, x2, y2, colour, *, kind="axis") -> None:
        self.parts.append(
            f'<line class="chart-{kind}" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" '
            f'y2="{y2:.1f}" stroke="{colour}"/>'
        )

    def svg(self, key: str, title: str, desc: str, width: float, height: float) -> SafeString:
        # One unit of margin on each side: a line drawn at x = 0 shows whole.
        width, height = math.ceil(width) + 2, math.ceil(height)
        hatch = (
            f'<defs><pattern id="{key}-hatch" width="6" height="6" '
            f'patternUnits="userSpaceOnUse" patternTransform="rotate(45)">'
            f'<rect width="6" height="6" fill="{SPENDING_COLOUR}"/>'
            f'<line x1="1.5" y1="0" x2="1.5" y2="6" stroke="#ffffff" stroke-width="2"/>'
            f"</pattern></defs>"
        )
        return mark_safe(  # noqa: S308 - every text inside was escaped when added
            f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
            f'viewBox="-1 0 {width} {height}" width="{width}" height="{height}" '
            f'aria-labelledby="{key}-title" aria-describedby="{key}-desc">'
            f'<title id="{key}-title">{escape(title)}</title>'
            f'<desc id="{key}-desc">{escape(desc)}</desc>{hatch}' + "".join(self.parts) + "</svg>"
        )


def _legend(drawing: _Drawing, items: list[tuple[str, str]], width: float) -> float:
    """Swatches and their names, in as many lines as the width needs.
    Returns the height taken."""
    x, y, line = 0.0, 0.0, 20
    for fill, name in items:
        needed = 14 + GAP + text_width(name, LABEL_SIZE)
        if x and x + needed > width:
            x, y = 0.0, y + line
        drawing.rect(x + 0.5, y + 3.5, 13, 13, fill, kind="swatch", outline=AXIS_COLOUR)
        drawing.text(x + 14 + GAP, y + 15, name, kind="legend")
        x += needed + 3 * GAP
    return y + line


def whole_units(cents: int) -> str:
    """A tick of the money axis: always whole units, so written without the
    cents, with the site's thousands separator ("5 000")."""
    return format_cents(cents, with_currency=False, whole=True)


def _money_ticks(peak: int, length: float) -> tuple[int, list[int], list[str]]:
    """The scale's end, its ticks (in cents) and their labels: the smallest
    step of 1, 2 or 5 whole units times a power of ten that needs at most
    five ticks whose labels all stay clear of each other."""
    step = 100
    while True:
        count = max(1, math.ceil(peak / step))
        if count <= 5:
            ticks = [step * n for n in range(count + 1)]
            labels = [whole_units(t) for t in ticks]
            widest = max(text_width(label, VALUE_SIZE) for label in labels)
            if length / count >= widest + 2 * GAP:
                return ticks[-1], ticks, labels
        # 1, 2, 5, 10, 20, 50… whole units.
        step = step * 5 // 2 if str(step)[0] == "2" else step * 2


def _x_axis(drawing, *, length, bottom, ticks, scale, labels, title, bands=()) -> float:
    """A horizontal axis under the rows, from x = 0: its ticks, their labels
    and its title, with grid lines across the bands where the bars are (and
    not through the names above them). Returns the y under the title."""
    drawing.line(0, bottom, length, bottom, AXIS_COLOUR)
    for tick, label in zip(ticks, labels, strict=True):
        x = length * tick / scale
        for band_top, band_height in bands:
            colour = GRID_COLOUR if tick else AXIS_COLOUR
            drawing.line(x, band_top, x, band_top + band_height, colour, kind="grid")
        drawing.line(x, bottom, x, bottom + 5, AXIS_COLOUR, kind="tick")
        if label:
            # Centred under its tick, unless that would cross the chart's left edge.
            anchor = "middle" if x >= text_width(label, VALUE_SIZE) / 2 else "start"
            drawing.text(x, bottom + 5 + VALUE_SIZE + 2, label, size=VALUE_SIZE, anchor=anchor)
    title_y = bottom + 5 + VALUE_SIZE + 2 + LABEL_SIZE + 10
    drawing.text(length / 2, title_y, title, anchor="middle", kind="axis-title")
    return title_y + 6


def flows_chart(flows: list[dict]) -> Chart:
    """Income and spending of the last twelve months, a pair of bars per
    month with the amounts beside them; the table has every month."""
    if not flows:
        return Chart(
            key="chart-flows",
            title=_("Income and spending by month"),
            empty_text=_("No transactions yet."),
        )
    months = flows[-FLOW_MONTHS:]
    labels = [month_label(flow["month"]) for flow in months]
    if len(months) == 1:
        title = _("Income and spending by month: %(month)s") % {"month": labels[0]}
    else:
        title = _("Income and spending by month, %(first)s to %(last)s") % {
            "first": labels[0],
            "last": labels[-1],
        }
    names = {"income": pgettext("money received", "Income"), "spending": _("Spending")}
    fills = {"income": INCOME_COLOUR, "spending": "url(#chart-flows-hatch)"}

    values = [format_cents(flow[key]) for flow in months for key in names]
    value_room = GAP + max(text_width(value, VALUE_SIZE) for value in values)
    length = max(MIN_BAR_LENGTH, TARGET_WIDTH - value_room)
    width = max(length + value_room, *(text_width(label, LABEL_SIZE) for label in labels))
    peak = max(0, *(flow[key] for flow in months for key in names))
    scale, ticks, tick_labels = _money_ticks(peak, length)

    drawing = _Drawing()
    top = _legend(drawing, [(fills[key], names[key]) for key in names], width) + 8
    # Each month's name on its own line above its two bars: the bars get the
    # chart's whole width, which keeps the chart narrow enough for a phone.
    bar, row = 14, 58
    band_top = LABEL_SIZE + 4  # a band: where a month's bars are, under its name
    band_height = 2 * bar + 3 + 4
    # The axis and its grid first: the bars and their values are drawn over it.
    axis_end = _x_axis(
        drawing,
        length=length,
        bottom=top + row * len(months),
        ticks=ticks,
        scale=scale,
        labels=tick_labels,
        title=_("Amount in %(currency)s") % {"currency": currency()},
        bands=[(top + i * row + band_top, band_height) for i in range(len(months))],
    )
    for index, (flow, label) in enumerate(zip(months, labels, strict=True)):
        y = top + index * row
        drawing.text(0, y + LABEL_SIZE, label, kind="category")
        for offset, key in ((0, "income"), (bar + 3, "spending")):
            bar_y = y + band_top + 2 + offset
            # A month whose reversals outweigh its income draws no bar; its
            # value still says the exact (negative) amount.
            length_here = length * max(flow[key], 0) / scale
            amount = format_cents(flow[key])
            drawing.rect(
                0, bar_y, length_here, bar, fills[key], title=f"{label}: {names[key]} {amount}"
            )
            drawing.text(
                length_here + GAP,
                bar_y + bar / 2 + VALUE_SIZE * 0.35,
                amount,
                size=VALUE_SIZE,
                kind="value",
            )
    desc = _("%(n)d months: income %(income)s, spending %(spending)s in total.") % {
        "n": len(months),
        "income": format_cents(sum(f["income"] for f in months)),
        "spending": format_cents(sum(f["spending"] for f in months)),
    }
    return Chart(
        key="chart-flows",
        title=title,
        svg=drawing.svg("chart-flows", title, desc, width, axis_end),
        columns=[_("Month"), names["income"], names["spending"]],
        rows=[
            [month_label(f["month"]), format_cents(f["income"]), format_cents(f["spending"])]
            for f in flows
        ],
        table_caption=_("Income and spending, every month"),
    )


def budget_chart(statuses) -> Chart:
    """Each voted budget line: the share of its allocation spent and the
    share awaiting approval, with the amounts written under the bar."""
    title = _("Spending by budget line, as a share of each voted allocation")
    if not statuses:
        return Chart(
            key="chart-budget",
            title=title,
            empty_text=_("No budget line has been voted yet."),
        )
    spent_name, pending_name = _("Spent"), _("Awaiting approval")
    unspent_name = _("Not spent yet")

    def shares(status) -> tuple[float, float]:
        allocation = status.line.amount_cents
        if not allocation:
            return 0.0, 0.0
        spent = min(1.0, max(status.spent_cents, 0) / allocation)
        return spent, min(1.0 - spent, max(status.pending_cents, 0) / allocation)

    def amounts(status) -> list[str]:
        lines = [
            _("%(spent)s spent of %(allocated)s")
            % {
                "spent": format_cents(status.spent_cents),
                "allocated": format_cents(status.line.amount_cents),
            }
        ]
        if status.pending_cents:
            lines.append(
                _("%(pending)s awaiting approval") % {"pending": format_cents(status.pending_cents)}
            )
        return lines

    def spent_percent(status) -> str:
        return percent(round(100 * shares(status)[0]))

    percent_room = GAP + max(text_width(spent_percent(s), VALUE_SIZE) for s in statuses)
    widest_amounts = max(text_width(t, VALUE_SIZE) for s in statuses for t in amounts(s))
    length = max(MIN_BAR_LENGTH, TARGET_WIDTH - percent_room)
    width = max(length + percent_room, widest_amounts)

    drawing = _Drawing()
    top = (
        _legend(
            drawing,
            [
                (SPENDING_COLOUR, spent_name),
                ("url(#chart-budget-hatch)", pending_name),
                (UNSPENT_COLOUR, unspent_name),
            ],
            width,
        )
        + 12
    )
    bar = 16
    y = top
    for status in statuses:
        purpose = status.line.purpose
        drawing.text(0, y + LABEL_SIZE, fit_text(purpose, LABEL_SIZE, width), kind="category")
        bar_y = y + LABEL_SIZE + 6
        spent, pending = shares(status)
        allocation = format_cents(status.line.amount_cents)
        drawing.rect(
            0,
            bar_y,
            length,
            bar,
            UNSPENT_COLOUR,
            kind="allocation",
            title=purpose,
            outline=AXIS_COLOUR,
        )
        drawing.rect(
            0,
            bar_y,
            length * spent,
            bar,
            SPENDING_COLOUR,
            title=f"{purpose}: {spent_name} {format_cents(status.spent_cents)} / {allocation}",
        )
        if pending:
            drawing.rect(
                length * spent,
                bar_y,
                length * pending,
                bar,
                "url(#chart-budget-hatch)",
                title=f"{purpose}: {pending_name} {format_cents(status.pending_cents)}",
            )
        drawing.text(
            length + GAP,
            bar_y + bar / 2 + VALUE_SIZE * 0.35,
            spent_percent(status),
            size=VALUE_SIZE,
            kind="value",
        )
        text_y = bar_y + bar
        for text in amounts(status):
            text_y += VALUE_SIZE + 4
            drawing.text(0, text_y, text, size=VALUE_SIZE, kind="value")
        y = text_y + 14
    ticks = [0, 25, 50, 75, 100]
    axis_end = _x_axis(
        drawing,
        length=length,
        bottom=y,
        ticks=ticks,
        scale=100,
        labels=[percent(t) for t in ticks],
        title=_("Share of the allocation"),
    )
    desc = "; ".join(
        _("%(purpose)s: %(spent)s spent of %(allocated)s")
        % {
            "purpose": s.line.purpose,
            "spent": format_cents(s.spent_cents),
            "allocated": format_cents(s.line.amount_cents),
        }
        for s in statuses
    )
    return Chart(
        key="chart-budget",
        title=title,
        svg=drawing.svg("chart-budget", title, desc, width, axis_end),
        columns=[_("Budget line"), _("Allocated"), spent_name, pending_name, _("Share spent")],
        rows=[
            [
                s.line.purpose,
                format_cents(s.line.amount_cents),
                format_cents(s.spent_cents),
                format_cents(s.pending_cents),
                spent_percent(s),
            ]
            for s in statuses
        ],
        table_caption=title,
    )
