"""Partner tokens (SPEC §9 ``partner_token``, §12): made, found and revoked here only.

A token is ``lct_`` and 43 characters of ``secrets.token_urlsafe(32)`` (256 random bits). The
database keeps its SHA-256 only, so a copy of the database gives no usable token; the token is
shown once, when it is made (command line or the sysadmin's page), and never again."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from credit_records.audit import write_audit

from .models import PartnerToken

PREFIX = "lct_"
MAX_DAYS = 3660


class TokenError(Exception):
    """A token that cannot be made or revoked as asked; the message says why, in Chinese."""


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def find(raw: str) -> PartnerToken | None:
    """The token whose hash matches ``raw`` (revoked and expired ones too: the caller decides)."""
    if not raw or not raw.startswith(PREFIX) or len(raw) > 200:
        return None
    return PartnerToken.objects.select_related("jurisdiction").filter(key_hash=digest(raw)).first()


@transaction.atomic
def create_token(
    *, name: str, jurisdiction, days: int | None = None, actor=None, department: str = ""
) -> tuple[PartnerToken, str]:
    """Make a token for ``jurisdiction`` and its subtree, valid ``days`` days; returns the row
    and the token itself (the only time it exists in clear)."""
    name = (name or "").strip()
    if not name:
        raise TokenError(_("请填写令牌名称"))
    days = settings.EXCHANGE_TOKEN_DEFAULT_DAYS if days is None else days
    if not 1 <= days <= MAX_DAYS:
        raise TokenError(_("有效天数应在 1 到 %(max)d 之间") % {"max": MAX_DAYS})
    if PartnerToken.objects.filter(name=name, revoked_at__isnull=True).exists():
        raise TokenError(_("已有名为“%(name)s”的有效令牌，请先吊销或换一个名称") % {"name": name})
    raw = PREFIX + secrets.token_urlsafe(32)
    try:
        with transaction.atomic():
            token = PartnerToken.objects.create(
                name=name,
                department=department.strip(),
                jurisdiction=jurisdiction,
                key_hash=digest(raw),
                key_prefix=raw[:10],
                created_by=actor if getattr(actor, "pk", None) else None,
                expires_at=timezone.now() + dt.timedelta(days=days),
            )
    except IntegrityError:
        raise TokenError(_("已有名为“%(name)s”的有效令牌") % {"name": name}) from None
    write_audit(
        actor=actor,
        action="exchange.token_created",
        obj=token,
        jurisdiction_path=jurisdiction.path,
        after={
            "name": token.name,
            "department": token.department,
            "jurisdiction": jurisdiction.code,
            "prefix": token.key_prefix,
            "expires_at": token.expires_at.isoformat(),
        },
    )
    return token, raw


@transaction.atomic
def revoke_token(*, token: PartnerToken, actor=None, note: str = "") -> PartnerToken:
    token = PartnerToken.objects.select_for_update().select_related("jurisdiction").get(pk=token.pk)
    if token.revoked_at is not None:
        raise TokenError(_("令牌“%(name)s”已经吊销") % {"name": token.name})
    token.revoked_at = timezone.now()
    token.revoked_by = actor if getattr(actor, "pk", None) else None
    token.save(update_fields=["revoked_at", "revoked_by"])
    write_audit(
        actor=actor,
        action="exchange.token_revoked",
        obj=token,
        jurisdiction_path=token.jurisdiction.path,
        before={"revoked_at": None},
        after={"revoked_at": token.revoked_at.isoformat()},
        note=note,
    )
    return token


def revoke_by_name(*, name: str, actor=None) -> PartnerToken:
    token = PartnerToken.objects.filter(name=name, revoked_at__isnull=True).first()
    if token is None:
        raise TokenError(_("没有名为“%(name)s”的有效令牌") % {"name": name})
    return revoke_token(token=token, actor=actor)
