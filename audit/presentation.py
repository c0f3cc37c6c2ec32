"""The audit log as an auditor reads it: actions, object types and changed fields in Chinese,
dates as 2024年9月27日 (issue 11 item 3). The stored entry keeps its machine ids; only the
page and the export translate them."""

from __future__ import annotations

import datetime as dt
import functools
import re
from dataclasses import dataclass

from django.apps import apps
from django.utils.formats import date_format
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

# Every action id written by the apps, in Chinese. Ids built at run time (objection.<step>,
# publication.cycle_<status>, written_review.<step>) are composed below from their parts.
ACTION_LABELS = {
    "accounts.activate": _("激活账号"),
    "accounts.create": _("新建账号"),
    "accounts.login_failed": _("登录失败"),
    "accounts.password_changed": _("修改密码"),
    "accounts.request_change_access": _("申请变更角色或辖区"),
    "accounts.change_access": _("变更角色或辖区"),
    "accounts.reset_password": _("重置密码"),
    "admin.change": _("后台修改"),
    "audit.checkpoint": _("审计日志签名存证"),
    "calendar.enter_year": _("录入节假日安排"),
    "credit_records.add": _("新增信用记录"),
    "credit_records.attach": _("上传证据材料"),
    "credit_records.correct": _("更正信用记录"),
    "credit_records.demo": _("生成演示信用记录"),
    "credit_records.import": _("导入信用记录"),
    "credit_records.void": _("作废信用记录"),
    "employers.create": _("新增用人单位"),
    "employers.import": _("导入用人单位"),
    "employers.registry_confirm": _("确认登记信息"),
    "employers.update": _("修改用人单位信息"),
    "exchange.certificate_issued": _("出具等级证明"),
    "exchange.consultation_answered": _("答复征求意见"),
    "exchange.consultation_objection_added": _("提出征求意见异议"),
    "exchange.consultation_objection_removed": _("撤回征求意见异议"),
    "exchange.consultation_sent": _("发出征求意见"),
    "exchange.distribution_requested": _("生成分发文件"),
    "exchange.token_created": _("创建接口令牌"),
    "exchange.token_revoked": _("吊销接口令牌"),
    "grading.assignment_delete": _("删除评价办法适用设置"),
    "grading.assignment_update": _("修改评价办法适用设置"),
    "grading.cycle_computed": _("年度评级完成"),
    "grading.cycle_under_review": _("开始人工复核"),
    "grading.exemplary_chosen": _("确定诚信典型"),
    "grading.exemplary_dropped": _("撤销诚信典型"),
    "grading.live_regrade": _("动态重新评级"),
    "grading.live_regrade_batch": _("批量动态重新评级"),
    "grading.override_approved": _("批准人工复核调整"),
    "grading.override_rejected": _("驳回人工复核调整"),
    "grading.override_proposed": _("提出人工复核调整"),
    "grading.run_abandoned": _("放弃评价运行"),
    "grading.run_complete": _("评价运行完成"),
    "grading.run_resumed": _("继续评价运行"),
    "grading.run_superseded": _("评价运行被取代"),
    "publication.adjustment_confirmed": _("确认结果调整"),
    "publication.adjustment_dismissed": _("驳回结果调整"),
    "publication.adjustment_proposed": _("登记结果调整"),
    "publication.documents_remade": _("重新生成公布文件"),
    "publication.outbox_retry": _("重试平台推送"),
    "publication.public_notice": _("发布公示"),
    "publication.result_adjusted": _("调整公布结果"),
    "publication.written_notice_issued": _("出具书面告知书"),
    "publication.written_notice_opened": _("用人单位查阅书面告知书"),
    "publication.written_notices_requested": _("生成书面告知书"),
    "repair.publicity_ended": _("信用修复公示结束"),
    "supervision.commitment_remind": _("提醒签署诚信承诺书"),
    "supervision.commitment_sign": _("签署诚信承诺书"),
    "supervision.plan_create": _("新建巡查计划"),
    "supervision.plan_draw": _("抽取巡查对象"),
    "supervision.plan_failed": _("巡查抽取失败"),
    "supervision.task_close": _("完成巡查任务"),
    "supervision.task_reopen": _("重新打开巡查任务"),
    "written_review.plan.create": _("新建书面审查计划"),
    "written_review.plan.add_manual": _("手工增加书面审查对象"),
    "written_review.plan.draw_started": _("开始抽取书面审查对象"),
    "written_review.plan.draw_failed": _("书面审查抽取失败"),
    "written_review.plan.drawn": _("完成书面审查抽取"),
    "written_review.declaration.save": _("保存书面审查申报"),
    "written_review.documents.upload": _("上传书面审查材料"),
    "written_review.roster.upload": _("上传职工花名册"),
    "written_review.findings": _("记录书面审查结论"),
    "written_review.late_order": _("责令限期报送"),
    "written_review.obstruction": _("记录拒不报送"),
    "written_review.problem.add": _("记录书面审查问题"),
    "written_review.rectification.decide": _("审核整改情况"),
    "written_review.rectification.report": _("报告整改情况"),
}

# Subjects and steps the composed ids are made of.
SUBJECTS = {
    "objection": _("异议"),
    "repairapplication": _("信用修复申请"),
    "written_review.status": _("书面审查"),
    "publication.cycle": _("评价周期"),
    "accounts": _("账号"),
}
STEPS = {
    "file": _("提交"),
    "accept": _("受理"),
    "reject": _("不予受理"),
    "decide": _("作出处理决定"),
    "approve": _("负责人批准"),
    "return": _("退回"),
    "close": _("办结"),
    "withdraw": _("撤回"),
    "needs_verification": _("转入核实"),
    "verify": _("核实"),
    "overdue": _("逾期"),
    "recompute_due": _("重新计算期限"),
    "publicity_start": _("开始公示"),
    "publicity_end": _("公示结束"),
}
STATUS_WORDS = {
    "under_review": _("人工复核中"),
    "public_notice": _("公示中"),
    "final": _("已确定"),
    "published": _("已公布"),
    "computed": _("已自动评级"),
    "open": _("已开启"),
    "notified": _("已通知"),
    "submitted": _("已提交"),
    "returned": _("已退回"),
    "proposed": _("已提出意见"),
    "approved": _("已批准"),
    "closed": _("已办结"),
    "sampled": _("已抽中"),
}


def action_label(action: str) -> str:
    """The action in Chinese; an id nobody named yet still reads as Chinese (its subject plus
    "操作"), never as the id."""
    if action in ACTION_LABELS:
        return str(ACTION_LABELS[action])
    for prefix, subject in SUBJECTS.items():
        for sep in (".", "_"):
            if action.startswith(prefix + sep):
                step = action[len(prefix) + 1 :]
                word = STEPS.get(step) or STATUS_WORDS.get(step)
                if word:
                    return f"{subject}{gettext('：')}{word}"
                return f"{subject}{gettext('：')}{gettext('其他操作')}"
    app_label = action.split(".", 1)[0]
    try:
        return f"{apps.get_app_config(app_label).verbose_name}{gettext('：')}{gettext('其他操作')}"
    except LookupError:
        return gettext("其他操作")


def action_choices(actions) -> list[tuple[str, str]]:
    """(id, Chinese label) for a filter select, sorted by the label."""
    return sorted({(a, action_label(a)) for a in actions}, key=lambda pair: pair[1])


def model_for(object_type: str):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def object_type_label(object_type: str) -> str:
    model = model_for(object_type)
    if model is None:
        return gettext("其他对象")
    return str(model._meta.verbose_name)


_CHOICES: dict[str, list[tuple[str, str]]] | None = None


def _choice_label(value: str, key: str = "") -> str | None:
    """The label of ``value`` in the project's TextChoices (stored JSON keeps the value; fields
    whose choices depend on the record kind have none on the model). When several choice sets
    use the value, the one named like the key (``severity`` → ``ProblemSeverity``) wins."""
    global _CHOICES
    if _CHOICES is None:
        from django.db import models

        found: dict[str, list[tuple[str, str]]] = {}
        pending = list(models.TextChoices.__subclasses__())
        while pending:
            cls = pending.pop()
            pending.extend(cls.__subclasses__())
            if cls.__module__.startswith("django."):
                continue
            for member in cls:
                if member.value:
                    found.setdefault(str(member.value), []).append(
                        (cls.__name__.lower(), str(member.label))
                    )
        _CHOICES = found
    options = _CHOICES.get(value)
    if not options:
        return None
    labels = {label for _, label in options}
    if len(labels) > 1 and key:
        named = {label for name, label in options if key.replace("_", "") in name}
        labels = named or labels
    return sorted(labels)[0]


def is_structured(value) -> bool:
    """A nested value (statistics, lists of objects): shown as data, not as prose."""
    return isinstance(value, dict) or (
        isinstance(value, list) and any(isinstance(v, (dict, list)) for v in value)
    )


_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


def readable_value(value, field=None, key: str = "") -> str:
    """A stored JSON value as a user reads it: choices by their label, dates in Chinese, lists
    joined, empty as "—"."""
    if value in (None, "", [], {}):
        return "—"
    if isinstance(value, bool):
        return gettext("是") if value else gettext("否")
    if field is not None and getattr(field, "choices", None):
        labels = {str(k): str(v) for k, v in field.flatchoices}
        if str(value) in labels:
            return labels[str(value)]
    if isinstance(value, str):
        if _ISO_DATE.match(value):
            return date_format(dt.date.fromisoformat(value), "DATE_FORMAT")
        if _ISO_DATETIME.match(value):
            try:
                moment = dt.datetime.fromisoformat(value.replace(" ", "T", 1))
            except ValueError:
                return value
            from django.utils import timezone

            if timezone.is_aware(moment):
                moment = timezone.localtime(moment)
            return date_format(moment, "DATETIME_FORMAT")
        if value in STATUS_WORDS:
            return str(STATUS_WORDS[value])
        label = _choice_label(value, key)
        return label if label is not None else value
    if isinstance(value, list):
        return "、".join(readable_value(v, key=key) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{readable_value(v, key=k)}" for k, v in value.items())
    return str(value)


@dataclass(frozen=True)
class Change:
    label: str  # the field's Chinese name, or its key when the model has no such field
    machine: bool  # True when ``label`` is a raw key (shown as code)
    before: str
    after: str
    data: bool = False  # nested values: shown as data (code), not as prose


@functools.lru_cache(maxsize=256)
def _fields_by_name(object_type: str) -> dict:
    """A model's fields by name and by attribute name (``employer`` and ``employer_id``), built
    once per object type (a page of the log lists many entries of a few types)."""
    model = model_for(object_type)
    fields = {}
    if model is not None:
        for f in model._meta.get_fields():
            if hasattr(f, "verbose_name"):
                fields[f.name] = f
                if getattr(f, "attname", None):
                    fields[f.attname] = f
    return fields


def changes(entry) -> list[Change]:
    """The fields that differ between ``before`` and ``after`` (all of ``after`` for a new
    object), each with its Chinese name and readable values."""
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    if not isinstance(entry.before, dict) and entry.before not in (None, ""):
        before = {"": entry.before}
    if not isinstance(entry.after, dict) and entry.after not in (None, ""):
        after = {"": entry.after}
    fields = _fields_by_name(entry.object_type)
    rows = []
    for key in list(dict.fromkeys([*before, *after])):
        old, new = before.get(key), after.get(key)
        if key in before and key in after and old == new:
            continue
        field = fields.get(key)
        if field is not None:
            label, machine = str(field.verbose_name), False
        elif key == "":
            label, machine = gettext("内容"), False
        else:
            label, machine = key, True
        rows.append(
            Change(
                label=label,
                machine=machine,
                before=readable_value(old, field, key) if key in before else "",
                after=readable_value(new, field, key) if key in after else "",
                data=is_structured(old) or is_structured(new),
            )
        )
    return rows
