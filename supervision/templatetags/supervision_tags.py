from django import template

from credit_records.choices import PatrolResult

register = template.Library()


@register.filter
def patrol_result(code: str) -> str:
    """未发现问题 / 发现问题 for a patrol_inspection record's ``result`` code."""
    try:
        return PatrolResult(code).label
    except ValueError:
        return code or ""
