"""django-import-export resources for the employer registry (SPEC §2, §9).

The resource does all row validation itself (Chinese messages naming the value) and loads
every lookup once per file, so 100,000 rows import without a query per row.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets
from import_export.instance_loaders import ModelInstanceLoader

from .choices import EmployerKind, EmployerStatus, Industry
from .models import Employer, Jurisdiction
from .paths import in_subtree
from .tabular import neutralise_formula, spreadsheet_row
from .uscc import normalize_uscc, validate_uscc

EMPLOYER_COLUMNS = [
    "uscc",
    "name",
    "kind",
    "jurisdiction",
    "industry",
    "street",
    "employees",
    "legal_rep",
    "address",
    "phone",
    "status",
]
EMPLOYER_REQUIRED = EMPLOYER_COLUMNS[:4]


class ChoiceWidget(widgets.Widget):
    """Accepts a choice by its code (``hr_agency``) or its Chinese label (人力资源服务机构)."""

    def __init__(self, choices, label, *, default=None):
        self.choices = choices
        self.label = label
        self.default = default
        self.lookup = {c.value: c.value for c in choices}
        self.lookup.update({str(c.label): c.value for c in choices})
        super().__init__()

    def clean(self, value, row=None, **kwargs):
        value = "" if value is None else str(value).strip()
        if not value:
            if self.default is not None:
                return self.default
            raise ValueError(_("%(label)s不能为空") % {"label": self.label})
        try:
            return self.lookup[value if value in self.lookup else value.lower()]
        except KeyError:
            allowed = _("、").join(self.choices.values)
            raise ValueError(
                _("%(label)s“%(value)s”无效，应为：%(allowed)s")
                % {"label": self.label, "value": value, "allowed": allowed}
            ) from None

    def render(self, value, obj=None, **kwargs):
        return value or ""


class TextWidget(widgets.CharWidget):
    def __init__(self, label, max_length, *, required=False):
        self.label = label
        self.max_length = max_length
        self.required = required
        super().__init__()

    def clean(self, value, row=None, **kwargs):
        value = "" if value is None else str(value).strip()
        if self.required and not value:
            raise ValueError(_("%(label)s不能为空") % {"label": self.label})
        if len(value) > self.max_length:
            raise ValueError(
                _("%(label)s“%(value)s…”过长（最多 %(n)d 个字符）")
                % {"label": self.label, "value": value[:20], "n": self.max_length}
            )
        return value

    def render(self, value, obj=None, **kwargs):
        return neutralise_formula(value or "")


class UsccWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        try:
            return validate_uscc(value)
        except ValidationError as exc:
            raise ValueError(exc.messages[0]) from None

    def render(self, value, obj=None, **kwargs):
        return value or ""


class EmployeesWidget(widgets.Widget):
    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None
        text = str(value).strip()
        if not text.isdigit():
            raise ValueError(_("职工人数“%(value)s”应为非负整数") % {"value": text})
        return int(text)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else value


class JurisdictionWidget(widgets.Widget):
    """A grading jurisdiction by code (``jiaxian``) or name (郏县); loaded once per import."""

    def __init__(self):
        super().__init__()
        self._by_key = None

    def load(self):
        self._by_key = {}
        for j in Jurisdiction.objects.exclude(level="street"):
            self._by_key[j.code] = j
            self._by_key.setdefault(j.name, j)

    def clean(self, value, row=None, **kwargs):
        if self._by_key is None:
            self.load()
        text = "" if value is None else str(value).strip()
        if not text:
            raise ValueError(_("管辖辖区不能为空"))
        try:
            return self._by_key[text if text in self._by_key else text.lower()]
        except KeyError:
            raise ValueError(_("辖区“%(value)s”不存在") % {"value": text}) from None

    def render(self, value, obj=None, **kwargs):
        return value.code if value else ""


class UsccInstanceLoader(ModelInstanceLoader):
    """Loads every existing employer named in the file with one query, by normalised USCC
    (invalid codes simply find nothing; their row reports the error)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        codes = {normalize_uscc(v) for v in self.dataset["uscc"]} if self.dataset.headers else set()
        self.existing = {}
        codes = list(codes)
        for start in range(0, len(codes), 5000):
            for employer in Employer.objects.filter(uscc__in=codes[start : start + 5000]):
                self.existing[employer.uscc] = employer

    def get_instance(self, row):
        return self.existing.get(normalize_uscc(row.get("uscc")))


class EmployerResource(resources.ModelResource):
    uscc = fields.Field(attribute="uscc", column_name="uscc", widget=UsccWidget())
    name = fields.Field(
        attribute="name", column_name="name", widget=TextWidget(_("单位名称"), 200, required=True)
    )
    kind = fields.Field(
        attribute="kind", column_name="kind", widget=ChoiceWidget(EmployerKind, _("单位类型"))
    )
    jurisdiction = fields.Field(
        attribute="jurisdiction", column_name="jurisdiction", widget=JurisdictionWidget()
    )
    industry = fields.Field(
        attribute="industry",
        column_name="industry",
        widget=ChoiceWidget(Industry, _("行业"), default=Industry.OTHER),
    )
    street = fields.Field(attribute="street", column_name="street", widget=widgets.Widget())
    employees = fields.Field(
        attribute="employees", column_name="employees", widget=EmployeesWidget()
    )
    legal_rep = fields.Field(
        attribute="legal_rep", column_name="legal_rep", widget=TextWidget(_("法定代表人"), 50)
    )
    address = fields.Field(
        attribute="address", column_name="address", widget=TextWidget(_("地址"), 200)
    )
    phone = fields.Field(
        attribute="phone", column_name="phone", widget=TextWidget(_("联系电话"), 30)
    )
    status = fields.Field(
        attribute="status",
        column_name="status",
        widget=ChoiceWidget(EmployerStatus, _("经营状态"), default=EmployerStatus.OPERATING),
    )

    class Meta:
        model = Employer
        fields = EMPLOYER_COLUMNS
        import_order = EMPLOYER_COLUMNS
        export_order = EMPLOYER_COLUMNS
        import_id_fields = ["uscc"]
        instance_loader_class = UsccInstanceLoader
        skip_unchanged = True
        report_skipped = False
        # No html diff and no deep copies: unchanged rows are detected by comparing the values
        # read at load time (see get_or_init_instance / skip_row), without touching relations.
        skip_diff = True
        use_bulk = True
        batch_size = 2000
        clean_model_instances = False

    def __init__(self, *, actor=None, seen_uscc=None, **kwargs):
        super().__init__(**kwargs)
        # A user importing through the page may create and change employers of their own
        # jurisdiction subtree only (as the form); None = the system (the command line).
        self.actor = actor
        # A file is imported in batches (employers.services.import_employers): the codes seen
        # in earlier batches, {hash(uscc): row}, so a duplicate is found across batches.
        self._shared_seen = seen_uscc

    def before_import(self, dataset, **kwargs):
        self._scope = None
        if self.actor is not None:
            from .selectors import visible_jurisdictions

            self._scope = set(visible_jurisdictions(self.actor).values_list("pk", flat=True))
        # Normalise the key column first so the cached loader finds existing rows.
        if "uscc" in dataset.headers:
            index = dataset.headers.index("uscc")
            for i in range(len(dataset)):
                row = list(dataset[i])
                row[index] = normalize_uscc(row[index])
                dataset[i] = row
        self._dataset = dataset
        self._seen_uscc = self._shared_seen if self._shared_seen is not None else {}
        self._streets = None
        # Columns present in this file, resolved once: (column, attribute, widget).
        self._plan = [
            (f.column_name, f.attribute, f.widget)
            for f in self.get_import_fields()
            if f.attribute != "street" and f.column_name in dataset.headers
        ]

    def _street_lookup(self):
        if self._streets is None:
            self._streets = {}
            for s in Jurisdiction.objects.filter(level="street"):
                self._streets[(s.parent_id, s.code)] = s
                self._streets[(s.parent_id, s.name)] = s
            # Streets may sit under a district below the grading jurisdiction (xuchang).
            self._ancestors = {j.pk: j.path for j in Jurisdiction.objects.exclude(level="street")}
        return self._streets

    def before_import_row(self, row, **kwargs):
        uscc = row.get("uscc") or ""
        number = spreadsheet_row(self._dataset, kwargs.get("row_number", 0))
        key = hash(uscc)  # a number, not the code: a million codes would cost a lot of memory
        if uscc and key in self._seen_uscc:
            raise ValidationError(
                {
                    "uscc": _("统一社会信用代码“%(value)s”与第 %(first)d 行重复")
                    % {"value": uscc, "first": self._seen_uscc[key]}
                }
            )
        if uscc:
            self._seen_uscc[key] = number

    def get_bulk_update_fields(self):
        # bulk_update() does not touch auto_now fields: a changed row must still move
        # ``updated_at`` (registry freshness, seed 001 一(三), reads it).
        return [*super().get_bulk_update_fields(), "updated_at"]

    def import_instance(self, instance, row, **kwargs):
        # The widgets are called directly (one plan per file) rather than through
        # Field.save for every cell: the same validation at a fraction of the cost.
        instance.updated_at = timezone.now()
        errors = {}
        if self._scope is not None and self._loaded_values is not None:
            loaded = dict(zip(self.COMPARED_FIELDS, self._loaded_values, strict=True))
            if not {loaded["jurisdiction_id"], loaded["street_id"]} & self._scope:
                errors["uscc"] = ValidationError(
                    _("用人单位“%(value)s”不在您的管辖范围内") % {"value": row.get("uscc")}
                )
        for column, attribute, widget in self._plan:
            try:
                setattr(instance, attribute, widget.clean(row[column], row=row))
            except ValueError as exc:
                errors[column] = ValidationError(str(exc))
        if (
            self._scope is not None
            and "jurisdiction" not in errors
            and instance.jurisdiction_id not in self._scope
        ):
            errors["jurisdiction"] = ValidationError(
                _("辖区“%(value)s”不在您的管辖范围内") % {"value": instance.jurisdiction.name}
            )
        street_text = str(row.get("street") or "").strip()
        instance.street = None
        if street_text and "jurisdiction" not in errors:
            street = self._find_street(instance.jurisdiction, street_text)
            if street is None:
                errors["street"] = ValidationError(
                    _("乡镇街道“%(value)s”不在“%(j)s”辖区内")
                    % {"value": street_text, "j": instance.jurisdiction.name}
                )
            else:
                instance.street = street
        if errors:
            raise ValidationError(errors)

    def _find_street(self, jurisdiction, text):
        streets = self._street_lookup()
        root = jurisdiction.path
        for (parent_id, key), street in streets.items():
            if key != text:
                continue
            parent_path = self._ancestors.get(parent_id, "")
            if in_subtree(parent_path, root):
                return street
        return None

    COMPARED_FIELDS = (
        "name",
        "kind",
        "jurisdiction_id",
        "industry",
        "street_id",
        "employees",
        "legal_rep",
        "address",
        "phone",
        "status",
    )

    def get_or_init_instance(self, instance_loader, row):
        instance, new = super().get_or_init_instance(instance_loader, row)
        self._loaded_values = None if new else [getattr(instance, f) for f in self.COMPARED_FIELDS]
        return instance, new

    def skip_row(self, instance, original, row, import_validation_errors=None):
        # Re-importing the same file changes nothing (SPEC §9): unchanged rows are skipped.
        if import_validation_errors or self._loaded_values is None:
            return False
        return self._loaded_values == [getattr(instance, f) for f in self.COMPARED_FIELDS]

    def dehydrate_street(self, employer):
        return employer.street.name if employer.street_id else ""

    def export_field(self, field, instance, **kwargs):
        if field.attribute == "street":
            return self.dehydrate_street(instance)
        return super().export_field(field, instance, **kwargs)
