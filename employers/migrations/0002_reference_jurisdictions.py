"""Reference data: the four jurisdictions of SPEC §2 with a few streets each, so `migrate` on an
empty database is enough for the import commands to work. Demo employers come only from
`seed_demo`."""

from django.db import migrations

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


def load(apps, schema_editor):
    Jurisdiction = apps.get_model("employers", "Jurisdiction")
    by_code = {}
    for code, name, level, parent_code, authority in JURISDICTIONS:
        parent = by_code.get(parent_code)
        path = f"{parent.path}/{code}" if parent else code
        obj, _ = Jurisdiction.objects.update_or_create(
            code=code,
            defaults={"name": name, "level": level, "parent": parent, "path": path,
                      "authority": authority},
        )
        by_code[code] = obj


def unload(apps, schema_editor):
    Jurisdiction = apps.get_model("employers", "Jurisdiction")
    for code, *_ in reversed(JURISDICTIONS):
        Jurisdiction.objects.filter(code=code, employers__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("employers", "0001_initial")]
    operations = [migrations.RunPython(load, unload)]
