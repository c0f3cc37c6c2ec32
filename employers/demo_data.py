"""Realistic demo employers and one account per role (used only by `manage.py seed_demo`)."""

import random

from .choices import EmployerKind, EmployerStatus, Industry
from .uscc import make_uscc

# Region codes (GB/T 2260) of the four demo jurisdictions.
REGION = {"jiaxian": "410425", "xiqing": "120111", "jiangjin": "500116", "xuchang": "411002"}
CITY_PREFIX = {"jiaxian": "郏县", "xiqing": "天津", "jiangjin": "重庆江津", "xuchang": "许昌"}

# Some names use rare characters (堃 喆 犇 淼 鑫 䶮 𠮷) on purpose: fonts, exports and PDFs must cope.
WORDS = [
    "宏达",
    "鑫源",
    "恒通",
    "华锐",
    "金堃",
    "喆航",
    "犇腾",
    "淼森",
    "博远",
    "瑞丰",
    "永昌",
    "信诚",
    "安泰",
    "长兴",
    "嘉禾",
    "顺通",
    "万和",
    "中原",
    "青禾",
    "德润",
    "同舟",
    "凯旋",
    "融汇",
    "启明",
    "汇丰",
    "天成",
    "䶮盛",
    "𠮷祥",
    "利民",
    "兴业",
    "东方",
    "汇智",
    "众联",
    "广厦",
    "卓越",
    "福临",
]
SUFFIX_BY_KIND = {
    EmployerKind.ENTERPRISE: ["有限公司", "股份有限公司", "实业有限公司", "科技有限公司"],
    EmployerKind.INDIVIDUAL_BUSINESS: ["餐馆", "便利店", "五金店", "理发店", "汽修部"],
    EmployerKind.HR_AGENCY: ["人力资源服务有限公司", "人力资源有限公司"],
    EmployerKind.LABOR_DISPATCH: ["劳务派遣有限公司", "劳务服务有限公司"],
    EmployerKind.TRAINING_INSTITUTION: ["职业技能培训学校", "职业培训中心"],
    EmployerKind.JOB_AGENCY: ["职业介绍所", "就业服务中心"],
    EmployerKind.PUBLIC_INSTITUTION: ["社会工作服务中心", "文化服务中心", "养老服务中心"],
    EmployerKind.OTHER: ["股份经济合作社", "农民专业合作社"],
}
TRADE_BY_INDUSTRY = {
    Industry.HR_SERVICES: "",
    Industry.CONSTRUCTION: "建设",
    Industry.TRANSPORT: "物流",
    Industry.INTERNET_PLATFORM: "网络",
    Industry.MANUFACTURING: "机械",
    Industry.CATERING: "餐饮",
    Industry.RETAIL: "商贸",
    Industry.OTHER: "",
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = [
    "伟",
    "芳",
    "娜",
    "敏",
    "静",
    "强",
    "磊",
    "军",
    "洋",
    "勇",
    "艳",
    "杰",
    "涛",
    "明",
    "超",
    "秀英",
    "桂兰",
    "建华",
    "志强",
    "喆",
    "堃",
]
STREET_WORDS = ["人民路", "建设路", "解放路", "中山路", "文化路", "工业大道", "滨江路", "新华街"]
ORG_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"

# (kind, authority+category code, share of the demo population)
KIND_MIX = [
    (EmployerKind.ENTERPRISE, "91", 0.52),
    (EmployerKind.INDIVIDUAL_BUSINESS, "92", 0.12),
    (EmployerKind.HR_AGENCY, "91", 0.12),
    (EmployerKind.LABOR_DISPATCH, "91", 0.06),
    (EmployerKind.TRAINING_INSTITUTION, "52", 0.05),
    (EmployerKind.JOB_AGENCY, "91", 0.04),
    (EmployerKind.PUBLIC_INSTITUTION, "12", 0.05),
    (EmployerKind.OTHER, "N2", 0.04),  # 农村集体经济组织: an N-prefixed USCC
]
INDUSTRY_FOR_KIND = {
    EmployerKind.HR_AGENCY: [Industry.HR_SERVICES],
    EmployerKind.LABOR_DISPATCH: [Industry.HR_SERVICES],
    EmployerKind.JOB_AGENCY: [Industry.HR_SERVICES],
    EmployerKind.INDIVIDUAL_BUSINESS: [Industry.CATERING, Industry.RETAIL, Industry.OTHER],
    EmployerKind.PUBLIC_INSTITUTION: [Industry.OTHER],
    EmployerKind.TRAINING_INSTITUTION: [Industry.OTHER],
    EmployerKind.OTHER: [Industry.OTHER],
}


def pick_kind(r: float):
    """The (kind, USCC prefix) whose cumulative share first reaches ``r``."""
    acc = 0.0
    for kind, prefix, share in KIND_MIX:
        acc += share
        if r <= acc:
            return kind, prefix
    return KIND_MIX[-1][0], KIND_MIX[-1][1]


def person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def demo_uscc(rng: random.Random, prefix: str, region: str) -> str:
    org = "".join(rng.choice(ORG_ALPHABET) for _ in range(9))
    return make_uscc(prefix + region + org)


def employer_rows(rng: random.Random, per_jurisdiction: int):
    """Yield dicts of demo employers for each of the four jurisdictions."""
    seen_names = set()
    for code in REGION:
        for _ in range(per_jurisdiction):
            kind, prefix = pick_kind(rng.random())
            # Xuchang's rule set is about HR service agencies: give it more of them.
            if code == "xuchang" and rng.random() < 0.35:
                kind, prefix = EmployerKind.HR_AGENCY, "91"
            industry = rng.choice(INDUSTRY_FOR_KIND.get(kind, list(Industry)))
            while True:
                name = (
                    CITY_PREFIX[code]
                    + rng.choice(WORDS)
                    + TRADE_BY_INDUSTRY[industry]
                    + rng.choice(SUFFIX_BY_KIND[kind])
                )
                if name not in seen_names:
                    seen_names.add(name)
                    break
                name = None
                if rng.random() < 0.5:
                    name = (
                        CITY_PREFIX[code]
                        + rng.choice(WORDS)
                        + rng.choice(WORDS)
                        + rng.choice(SUFFIX_BY_KIND[kind])
                    )
                    if name not in seen_names:
                        seen_names.add(name)
                        break
            employees = {
                EmployerKind.INDIVIDUAL_BUSINESS: rng.randint(1, 8),
                EmployerKind.ENTERPRISE: rng.choice(
                    [rng.randint(10, 80), rng.randint(80, 600), rng.randint(600, 3000)]
                ),
            }.get(kind, rng.randint(5, 120))
            status = EmployerStatus.OPERATING
            if rng.random() < 0.03:
                status = EmployerStatus.LOST_CONTACT
            yield {
                "uscc": demo_uscc(rng, prefix, REGION[code]),
                "name": name,
                "kind": kind,
                "jurisdiction": code,
                "industry": industry,
                "employees": employees,
                "legal_rep": person_name(rng),
                "address": f"{rng.choice(STREET_WORDS)}{rng.randint(1, 399)}号",
                "phone": f"1{rng.choice('3589')}{rng.randint(100000000, 999999999)}",
                "status": status,
            }
