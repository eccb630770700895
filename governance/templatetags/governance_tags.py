import json

from django import template

register = template.Library()


@register.filter
def as_json(value) -> str:
    """A payload as readers see it in the export: JSON, not Python."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, indent=1)
