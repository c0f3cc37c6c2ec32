"""factory-boy factories shared by every test module."""

import itertools

import factory

from employers.choices import EmployerKind, Industry, Role
from employers.models import Employer, Jurisdiction, User
from employers.uscc import make_uscc

_serial = itertools.count(1)


def next_uscc() -> str:
    return make_uscc(f"91410425MA{next(_serial):07d}")


def jurisdiction(code: str) -> Jurisdiction:
    """Reference jurisdictions come from the migration (jiaxian, xiqing, jiangjin, xuchang…)."""
    return Jurisdiction.objects.get(code=code)


class EmployerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Employer

    uscc = factory.LazyFunction(next_uscc)
    name = factory.Sequence(lambda n: f"测试用人单位{n}有限公司")
    kind = EmployerKind.ENTERPRISE
    industry = Industry.MANUFACTURING
    jurisdiction = factory.LazyFunction(lambda: jurisdiction("jiaxian"))
    legal_rep = "张三丰"
    phone = "13812345678"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"用户{n}")
    role = Role.INSPECTOR
    jurisdiction = factory.LazyAttribute(
        lambda o: jurisdiction("jiaxian") if o.role not in (Role.EMPLOYER, Role.SYSADMIN) else None
    )
    must_change_password = False
    password = factory.PostGenerationMethodCall("set_password", "Correct-Horse-42")

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


PASSWORD = "Correct-Horse-42"
