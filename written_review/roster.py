"""The 职工花名册 file (SPEC §10.2): CSV (UTF-8 with or without BOM, GB18030) or XLSX, header row
first, read with the imports' own reader (``employers.tabular``) and validated completely before
anything is stored — all or nothing, every problem as ``row N, column: message``.

Columns (English codes as in every import, or their Chinese names as a bureau's template has
them): ``name`` 姓名, ``id_number`` 身份证号码, ``position`` 岗位, ``contract_start`` 劳动合同起始日期,
``contract_end`` 劳动合同终止日期, ``monthly_wage`` 月工资. ID numbers are checked with
python-stdnum (``stdnum.cn.ric``: length, birth date, check digit).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric

from credit_records.importing import parse_date
from credit_records.periods import cn_date as _cn
from employers.tabular import ImportFileError, RowProblem, read_dataset, spreadsheet_row

COLUMNS = ["name", "id_number", "position", "contract_start", "contract_end", "monthly_wage"]
REQUIRED = ["name", "id_number", "monthly_wage"]
ALIASES = {
    "姓名": "name",
    "身份证号码": "id_number",
    "身份证号": "id_number",
    "公民身份号码": "id_number",
    "岗位": "position",
    "职务": "position",
    "劳动合同起始日期": "contract_start",
    "合同起始日期": "contract_start",
    "劳动合同终止日期": "contract_end",
    "合同终止日期": "contract_end",
    "月工资": "monthly_wage",
    "月工资（元）": "monthly_wage",
    "月工资(元)": "monthly_wage",
}
CHINESE_HEADER = ["姓名", "身份证号码", "岗位", "劳动合同起始日期", "劳动合同终止日期", "月工资"]
MAX_ROWS = 50_000
MAX_WAGE = Decimal("9999999.99")


@dataclass(frozen=True)
class Worker:
    row: int
    name: str
    id_number: str
    position: str
    contract_start: datetime.date | None
    contract_end: datetime.date | None
    monthly_wage: Decimal


@dataclass
class RosterResult:
    workers: list[Worker]
    problems: list[RowProblem]

    @property
    def ok(self) -> bool:
        return not self.problems


def normalise_id(value) -> str:
    return str(value or "").strip().replace(" ", "").upper()


def check_id_number(value: str) -> str | None:
    """None when valid, else the Chinese reason."""
    try:
        ric.validate(value)
    except stdnum_errors.InvalidLength:
        return _("身份证号码“%(v)s”应为 18 位") % {"v": value}
    except stdnum_errors.InvalidFormat:
        return _("身份证号码“%(v)s”格式不正确（出生日期或字符无效）") % {"v": value}
    except stdnum_errors.InvalidChecksum:
        return _("身份证号码“%(v)s”校验位不正确") % {"v": value}
    except stdnum_errors.InvalidComponent:
        return _("身份证号码“%(v)s”中的地区或出生日期无效") % {"v": value}
    except stdnum_errors.ValidationError:
        return _("身份证号码“%(v)s”无效") % {"v": value}
    if len(value) != 18:  # 15-digit numbers were replaced in 2013
        return _("身份证号码“%(v)s”应为 18 位") % {"v": value}
    return None


def _headers(dataset) -> None:
    """Map Chinese headers to the codes; refuse a column given twice or missing."""
    mapped = [ALIASES.get(h, h) for h in dataset.headers]
    duplicates = sorted({h for h in mapped if mapped.count(h) > 1})
    if duplicates:
        raise ImportFileError(_("表头中有重复的列：%(cols)s") % {"cols": ", ".join(duplicates)})
    missing = [c for c in REQUIRED if c not in mapped]
    if missing:
        raise ImportFileError(
            _("缺少必需的列：%(cols)s（表头应为：%(known)s，或中文：%(zh)s）")
            % {
                "cols": ", ".join(missing),
                "known": ",".join(COLUMNS),
                "zh": ",".join(CHINESE_HEADER),
            }
        )
    dataset.headers = mapped


def read_roster(data: bytes, filename: str) -> RosterResult:
    try:
        dataset = read_dataset(data, filename, required=[], known=COLUMNS + list(ALIASES))
        _headers(dataset)
    except ImportFileError as exc:
        return RosterResult([], [RowProblem(1, "-", str(exc))])
    if len(dataset) == 0:
        return RosterResult([], [RowProblem(2, "-", _("花名册中没有职工"))])
    if len(dataset) > MAX_ROWS:
        return RosterResult(
            [],
            [
                RowProblem(
                    1, "-", _("花名册超过 %(n)d 行，请分单位报送或联系监察机构") % {"n": MAX_ROWS}
                )
            ],
        )
    workers, problems = [], []
    seen: dict[str, int] = {}
    for index, values in enumerate(dataset.dict, start=1):
        number = spreadsheet_row(dataset, index)
        row_problems: list[RowProblem] = []

        def problem(column, message, _list=row_problems, _n=number):
            _list.append(RowProblem(_n, column, message))

        name = str(values.get("name") or "").strip()
        if not name:
            problem("name", _("姓名不能为空"))
        elif len(name) > 50:
            problem("name", _("姓名“%(v)s”过长（最多 50 字）") % {"v": name[:20]})
        id_number = normalise_id(values.get("id_number"))
        if not id_number:
            problem("id_number", _("身份证号码不能为空"))
        else:
            reason = check_id_number(id_number)
            if reason:
                problem("id_number", reason)
            elif id_number in seen:
                problem(
                    "id_number",
                    _("身份证号码“%(v)s”与第 %(row)d 行重复")
                    % {"v": id_number, "row": seen[id_number]},
                )
            else:
                seen[id_number] = number
        position = str(values.get("position") or "").strip()
        if len(position) > 100:
            problem("position", _("岗位“%(v)s”过长（最多 100 字）") % {"v": position[:20]})
        dates = {}
        for column in ("contract_start", "contract_end"):
            try:
                dates[column] = parse_date(values.get(column))
            except ValueError as exc:
                problem(column, str(exc))
                dates[column] = None
        start, end = dates["contract_start"], dates["contract_end"]
        if start and end and end < start:
            problem(
                "contract_end",
                _("劳动合同终止日期 %(end)s 早于起始日期 %(start)s")
                % {"end": _cn(end), "start": _cn(start)},
            )
        wage_text = str(
            values.get("monthly_wage") if values.get("monthly_wage") is not None else ""
        )
        wage_text = wage_text.strip().replace(",", "").replace("，", "")
        wage = None
        if not wage_text:
            problem("monthly_wage", _("月工资不能为空"))
        else:
            try:
                wage = Decimal(wage_text).quantize(Decimal("0.01"))
            except (InvalidOperation, ValueError):
                problem("monthly_wage", _("月工资“%(v)s”不是数字") % {"v": wage_text})
            else:
                if wage < 0 or wage > MAX_WAGE:
                    problem("monthly_wage", _("月工资“%(v)s”超出合理范围") % {"v": wage_text})
        if row_problems:
            problems.extend(row_problems)
            continue
        workers.append(Worker(number, name, id_number, position, start, end, wage))
    if problems:
        problems.sort(key=lambda p: (p.row, COLUMNS.index(p.column) if p.column in COLUMNS else -1))
        return RosterResult([], problems)
    return RosterResult(workers, [])


def template_csv() -> bytes:
    from employers.tabular import csv_bytes

    return csv_bytes(
        CHINESE_HEADER,
        [["张三", "11010519491231002X", "操作工", "2024-01-01", "2026-12-31", "4500"]],
    )
