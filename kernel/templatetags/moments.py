"""`{{ value|moment }}`, `{{ value|day }}` and `{% moment_table %}`: dates and
times written one way (kernel/dates.py), also by the page scripts."""

from __future__ import annotations

from django import template
from django.utils.html import json_script

from kernel import dates

register = template.Library()


@register.filter
def moment(value) -> str:
    return dates.moment(value)


@register.filter
def day(value) -> str:
    return dates.day(value)


@register.simple_tag
def moment_table():
    """The words and patterns `static/js/moments.js` writes moments with."""
    return json_script(dates.script_table(), "moment-table")
