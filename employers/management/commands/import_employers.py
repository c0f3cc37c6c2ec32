"""python manage.py import_employers FILE [--dry-run]  (SPEC §9)

Columns: uscc,name,kind,jurisdiction,industry,street,employees,legal_rep,address,phone,status
(the first four required). Exit status: 0 success, 1 data error, 2 usage error.
"""

from employers.management.importing import SpreadsheetImportCommand
from employers.services import import_employers


class Command(SpreadsheetImportCommand):
    help = "导入用人单位（CSV 或 XLSX，全部校验通过才写入）"
    import_service = staticmethod(import_employers)
