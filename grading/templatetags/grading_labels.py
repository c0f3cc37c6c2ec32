from django import template

from grading.labels import ruleset_name as _ruleset_name

register = template.Library()


@register.filter
def ruleset_name(code, version=None):
    """{{ cycle.ruleset_code|ruleset_name }} → 郏县评价办法; with a version → （第2版）."""
    return _ruleset_name(code, version)
