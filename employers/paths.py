"""Jurisdiction paths (``410000/410400/410425``): one place for "is this place inside that one".

A jurisdiction's ``path`` lists the codes from the province down, joined by ``/``. A place is in
a jurisdiction's subtree when its path is the jurisdiction's own or starts with it followed by
``/`` (``4104`` is not inside ``410``: the separator is part of the test)."""

from __future__ import annotations

from django.db.models import Q


def in_subtree(path: str | None, root: str | None) -> bool:
    """``path`` is ``root`` itself or below it."""
    return bool(path) and bool(root) and (path == root or path.startswith(root + "/"))


def below(path: str | None, root: str | None) -> bool:
    """``path`` is strictly below ``root`` (a street of a county, not the county)."""
    return bool(path) and bool(root) and path.startswith(root + "/")


def subtree_q(field: str, root: str) -> Q:
    """The rows whose ``field`` (a path column, or a lookup ending in one) is ``root`` or below."""
    return Q(**{field: root}) | Q(**{f"{field}__startswith": root + "/"})
