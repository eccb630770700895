"""Server-rendered SVG charts. Each has a <title> and <desc>, and the page
shows the same figures in a table as the text alternative."""

from __future__ import annotations

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from treasury.money import format_cents

WIDTH = 640
BAR_AREA = 200
INCOME_COLOUR = "#1b6e3a"
SPENDING_COLOUR = "#8a1c1c"
ALLOCATION_COLOUR = "#d6dbe1"


def _svg(chart_id: str, title: str, desc: str, height: int, body: list[str]) -> SafeString:
    return mark_safe(  # noqa: S308 - every text inside is escaped above
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
        f'viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc">'
        f'<title id="{chart_id}-title">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>' + "".join(body) + "</svg>"
    )


def flows_chart(flows: list[dict]) -> SafeString:
    """Income and spending per month, side by side."""
    title = _("Income and spending by month")
    if not flows:
        return _svg(
            "chart-flows",
            title,
            _("No transactions yet."),
            40,
            [f'<text x="10" y="25" font-size="14">{escape(_("No transactions yet."))}</text>'],
        )
    months = flows[-24:]
    labels = {"income": _("Income"), "spending": _("Spending")}
    peak = max(max(f["income"], f["spending"]) for f in months) or 1
    slot = (WIDTH - 60) / len(months)
    bar = max(2.0, slot / 2 - 2)
    body = [f'<line x1="50" y1="{BAR_AREA + 10}" x2="{WIDTH}" y2="{BAR_AREA + 10}" stroke="#555"/>']
    for index, flow in enumerate(months):
        x = 50 + index * slot
        for offset, key, colour in (
            (0, "income", INCOME_COLOUR),
            (bar + 1, "spending", SPENDING_COLOUR),
        ):
            # A month whose reversals outweigh its income draws no bar; its
            # title still gives the exact (negative) amount.
            height = BAR_AREA * max(flow[key], 0) / peak
            body.append(
                f'<rect x="{x + offset:.1f}" y="{BAR_AREA + 10 - height:.1f}" width="{bar:.1f}" '
                f'height="{height:.1f}" fill="{colour}"><title>{escape(flow["month"])}: '
                f"{escape(labels[key])} {escape(format_cents(flow[key]))}</title></rect>"
            )
        if len(months) <= 12 or index % 3 == 0:
            body.append(
                f'<text x="{x:.1f}" y="{BAR_AREA + 28}" font-size="11">'
                f"{escape(flow['month'])}</text>"
            )
    body.append(f'<text x="0" y="16" font-size="11">{escape(format_cents(peak))}</text>')
    body.append(
        f'<rect x="50" y="{BAR_AREA + 38}" width="12" height="12" fill="{INCOME_COLOUR}"/>'
        f'<text x="66" y="{BAR_AREA + 49}" font-size="12">{escape(_("Income"))}</text>'
        f'<rect x="150" y="{BAR_AREA + 38}" width="12" height="12" fill="{SPENDING_COLOUR}"/>'
        f'<text x="166" y="{BAR_AREA + 49}" font-size="12">{escape(_("Spending"))}</text>'
    )
    total_in = sum(f["income"] for f in months)
    total_out = sum(f["spending"] for f in months)
    desc = _("%(n)d months: income %(income)s, spending %(spending)s in total.") % {
        "n": len(months),
        "income": format_cents(total_in),
        "spending": format_cents(total_out),
    }
    return _svg("chart-flows", title, desc, BAR_AREA + 60, body)


def budget_chart(statuses) -> SafeString:
    """Each voted budget line: spent against its allocation."""
    title = _("Spending by budget line")
    if not statuses:
        return _svg(
            "chart-budget",
            title,
            _("No budget line has been voted yet."),
            40,
            [
                f'<text x="10" y="25" font-size="14">'
                f"{escape(_('No budget line has been voted yet.'))}</text>"
            ],
        )
    row = 34
    body = []
    for index, status in enumerate(statuses):
        y = 10 + index * row
        allocation = status.line.amount_cents
        share = min(1.0, status.spent_cents / allocation) if allocation else 0
        body.append(
            f'<text x="0" y="{y + 12}" font-size="12">{escape(status.line.purpose[:40])}</text>'
            f'<rect x="0" y="{y + 16}" width="{WIDTH - 10}" height="12" '
            f'fill="{ALLOCATION_COLOUR}"/>'
            f'<rect x="0" y="{y + 16}" width="{(WIDTH - 10) * share:.1f}" height="12" '
            f'fill="{SPENDING_COLOUR}"><title>{escape(status.line.purpose)}: '
            f"{escape(format_cents(status.spent_cents))} / {escape(format_cents(allocation))}"
            "</title></rect>"
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
    return _svg("chart-budget", title, desc, 20 + len(statuses) * row, body)
