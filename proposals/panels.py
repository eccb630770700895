"""Sections that apps above proposals add to a proposal's page.

The debate, and later other domains, show something on each proposal's
page; proposals must not import them. Each registers a panel here (from its
`AppConfig.ready`) and the page renders every registered panel in order
(`{% proposal_panels proposal %}`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Panel:
    name: str
    template: str
    # context(request=, proposal=, page_context=) -> the template's context
    context: Callable[..., dict[str, Any]]
    order: int = 100


_PANELS: dict[str, Panel] = {}


def register_panel(panel: Panel) -> Panel:
    _PANELS[panel.name] = panel
    return panel


def panels() -> list[Panel]:
    return sorted(_PANELS.values(), key=lambda p: (p.order, p.name))


def render_panels(*, request, proposal, page_context: dict[str, Any]) -> SafeString:
    parts = [
        render_to_string(
            panel.template,
            panel.context(request=request, proposal=proposal, page_context=page_context),
            request=request,
        )
        for panel in panels()
    ]
    return mark_safe("".join(parts))  # noqa: S308 - each part is an autoescaped template
