"""Reference jurisdictions (SPEC §2), shared by the data migration and the post_migrate hook.

The post_migrate hook matters for tests: a transactional test ends with a flush (TRUNCATE),
after which Django sends post_migrate, and the reference data comes back like content types do.
"""

# (code, name, level, parent code, authority)
JURISDICTIONS = [
    ("pingdingshan", "平顶山市", "city", None, "平顶山市人力资源和社会保障局"),
    ("jiaxian", "郏县", "district", "pingdingshan", "郏县人力资源和社会保障局"),
    ("jiaxian-longshan", "龙山街道", "street", "jiaxian", ""),
    ("jiaxian-dongcheng", "东城街道", "street", "jiaxian", ""),
    ("jiaxian-anliang", "安良镇", "street", "jiaxian", ""),
    ("jiaxian-tangjie", "堂街镇", "street", "jiaxian", ""),
    ("jiaxian-xuedian", "薛店镇", "street", "jiaxian", ""),
    ("tianjin", "天津市", "province", None, "天津市人力资源和社会保障局"),
    ("xiqing", "西青区", "district", "tianjin", "天津市西青区人力资源和社会保障局"),
    ("xiqing-yangliuqing", "杨柳青镇", "street", "xiqing", ""),
    ("xiqing-zhongbei", "中北镇", "street", "xiqing", ""),
    ("xiqing-liqizhuang", "李七庄街道", "street", "xiqing", ""),
    ("xiqing-xiyingmen", "西营门街道", "street", "xiqing", ""),
    ("chongqing", "重庆市", "province", None, "重庆市人力资源和社会保障局"),
    ("jiangjin", "江津区", "district", "chongqing", "重庆市江津区人力资源和社会保障局"),
    ("jiangjin-jijiang", "几江街道", "street", "jiangjin", ""),
    ("jiangjin-degan", "德感街道", "street", "jiangjin", ""),
    ("jiangjin-shuangfu", "双福街道", "street", "jiangjin", ""),
    ("jiangjin-baisha", "白沙镇", "street", "jiangjin", ""),
    ("xuchang", "许昌市", "city", None, "许昌市人力资源和社会保障局"),
    ("xuchang-weidu", "魏都区", "district", "xuchang", "许昌市魏都区人力资源和社会保障局"),
    ("xuchang-weidu-xidajie", "西大街道", "street", "xuchang-weidu", ""),
    ("xuchang-weidu-nanguan", "南关街道", "street", "xuchang-weidu", ""),
    ("xuchang-jianan", "建安区", "district", "xuchang", "许昌市建安区人力资源和社会保障局"),
    ("xuchang-jianan-jiangguanchi", "将官池镇", "street", "xuchang-jianan", ""),
    ("xuchang-jianan-zhangpan", "张潘镇", "street", "xuchang-jianan", ""),
]


def ensure_jurisdictions(Jurisdiction) -> None:
    """Create the reference jurisdictions that are missing; never changes existing rows."""
    existing = {j.code: j for j in Jurisdiction.objects.all()}
    for code, name, level, parent_code, authority in JURISDICTIONS:
        if code in existing:
            continue
        parent = existing.get(parent_code)
        path = f"{parent.path}/{code}" if parent else code
        existing[code] = Jurisdiction.objects.create(
            code=code, name=name, level=level, parent=parent, path=path, authority=authority
        )
