"""Reads of the ledger for pages and other apps; scoping lives here, not in templates."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from employers.choices import CREDIT_WRITER_ROLES, Role
from employers.models import mask_name
from employers.paths import subtree_q
from employers.selectors import scope_by_employer

from .choices import EntryType
from .models import AuditEntry, CreditRecord

# Roles that see credit records (inside their scope); the sysadmin never does (三员分立).
RECORD_READERS = (Role.INSPECTOR, Role.SUPERVISOR, Role.PUBLISHER, Role.AUDITOR, Role.EMPLOYER)
RECORD_WRITERS = tuple(CREDIT_WRITER_ROLES)


def visible_records(user) -> QuerySet:
    return scope_by_employer(CreditRecord.objects.all(), user, "employer")


@dataclass
class RecordHistory:
    """One fact in the credit file: its original entry and every correction or void after it,
    oldest first. ``current`` is the entry that counts now (None when voided)."""

    entries: list = field(default_factory=list)

    @property
    def original(self):
        return self.entries[0]

    @property
    def latest(self):
        return self.entries[-1]

    @property
    def voided(self):
        return self.latest.entry_type == EntryType.VOID

    @property
    def current(self):
        return None if self.voided else self.latest

    @property
    def shown(self):
        """The entry whose content the timeline shows: the current one, or what was voided."""
        return self.current or (self.entries[-2] if len(self.entries) > 1 else self.latest)

    @property
    def corrected(self):
        return any(e.entry_type == EntryType.CORRECTION for e in self.entries)


def credit_file(employer) -> list[RecordHistory]:
    """The employer's whole ledger as histories, newest fact first (one query + attachments)."""
    entries = list(
        CreditRecord.objects.filter(employer=employer)
        .select_related("created_by")
        .prefetch_related("attachments")
        .order_by("id")
    )
    histories: dict[int, RecordHistory] = {}
    root_of: dict[int, int] = {}
    for entry in entries:
        root = root_of.get(entry.supersedes_id, entry.pk) if entry.supersedes_id else entry.pk
        root_of[entry.pk] = root
        histories.setdefault(root, RecordHistory()).entries.append(entry)
    return sorted(histories.values(), key=lambda h: (h.shown.date, h.original.pk), reverse=True)


_ID_CARD = re.compile(r"(?<![0-9A-Za-z])(\d{6})\d{8}(\d{3}[\dXx])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
# A person named after a word that introduces one: 职工张三 / 劳动者李四某 / 法定代表人王五
_PERSON = re.compile(
    r"(职工|员工|工人|劳动者|农民工|申请人|投诉人|举报人|法定代表人|负责人|监察员)([\u4e00-\u9fa5]{2,3})"
)


def mask_personal_data(text: str, *, names=()) -> str:
    """Best-effort masking of individuals' data in free text shown to employers: ID-card and
    mobile numbers, names introduced as a worker/complainant/representative, and the given
    names (e.g. the legal representative's)."""
    if not text:
        return text
    text = _ID_CARD.sub(lambda m: m.group(1) + "********" + m.group(2), text)
    text = _MOBILE.sub(lambda m: m.group(1) + "****" + m.group(2), text)
    text = _PERSON.sub(lambda m: m.group(1) + mask_name(m.group(2)), text)
    for name in names:
        if name and len(name) >= 2:
            text = text.replace(name, mask_name(name))
    return text


def visible_audit_entries(user) -> QuerySet:
    """The auditor reads the audit log of their jurisdiction's subtree, plus the entries of
    the system itself (command line, batch) and everything the sysadmin did; nobody else reads
    it (三员分立)."""
    if not user.is_authenticated or not user.has_role(Role.AUDITOR) or not user.jurisdiction_id:
        return AuditEntry.objects.none()
    path = user.jurisdiction.path
    in_subtree = subtree_q("jurisdiction_path", path)
    by_staff_here = Q(jurisdiction_path="") & subtree_q("actor__jurisdiction__path", path)
    by_system = Q(jurisdiction_path="", actor__isnull=True)
    # The sysadmin works system-wide, on accounts (its own too): every auditor sees all of it,
    # and every account change that has no jurisdiction of its own (三员分立).
    by_sysadmin = Q(actor__role=Role.SYSADMIN)
    account_types = ("employers.User", "employers.user", "employers.AccountRequest")
    accounts = Q(jurisdiction_path="", object_type__in=account_types)
    return AuditEntry.objects.filter(
        in_subtree | by_staff_here | by_system | by_sysadmin | accounts
    )


def audit_entries_about_employers(entries: QuerySet, employer_ids) -> QuerySet:
    """The entries of ``entries`` about any of these employers: the employer itself, every
    object that belongs to it (a record, an objection, a written notice… — any model with an
    ``employer`` field, or a grade override through its grade) and every entry whose stored
    values name it (``employer`` id or ``uscc``)."""
    from django.apps import apps

    from employers.models import Employer

    employer_ids = list(employer_ids)
    if not employer_ids:
        return entries.none()
    usccs = list(Employer.objects.filter(pk__in=employer_ids).values_list("uscc", flat=True))
    about = Q(object_type="employers.Employer", object_id__in=[str(i) for i in employer_ids])
    for object_type in entries.values_list("object_type", flat=True).distinct().order_by():
        try:
            model = apps.get_model(object_type)
        except (LookupError, ValueError):
            continue
        names = {f.name for f in model._meta.get_fields()}
        if "employer" in names:
            owned = model._default_manager.filter(employer_id__in=employer_ids)
        elif "grade" in names and object_type.startswith("grading."):
            owned = model._default_manager.filter(grade__employer_id__in=employer_ids)
        else:
            continue
        ids = [str(pk) for pk in owned.values_list("pk", flat=True)]
        if ids:
            about |= Q(object_type=object_type, object_id__in=ids)
    for side in ("before", "after"):
        about |= Q(**{f"{side}__employer__in": employer_ids})
        about |= Q(**{f"{side}__employer__in": usccs})
        about |= Q(**{f"{side}__uscc__in": usccs})
    return entries.filter(about)
