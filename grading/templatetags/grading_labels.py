from django import template

from grading.labels import ruleset_name as _ruleset_name

register = template.Library()


@register.filter
def ruleset_name(code, version=None):
    """{{ cycle.ruleset_code|ruleset_name }} → 郏县评价办法; with a version → （第2版）."""
    return _ruleset_name(code, version)


@register.inclusion_tag("grading/_citations.html", takes_context=True)
def citations(context, page):
    """The articles behind a staff page, only those of the user's own jurisdiction."""
    from grading.labels import citations_for

    request = context.get("request")
    user = getattr(request, "user", None)
    return {"items": citations_for(page, user) if user is not None else []}
