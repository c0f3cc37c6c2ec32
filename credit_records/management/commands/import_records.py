"""python manage.py import_records FILE [--dry-run]  (SPEC §9)

Columns: uscc,kind,date,end_date,case_no,document_no,severity,category,rectification,
performance,procedure,incident,level,value,result,source,summary (the first three required).
Exit status: 0 success, 1 data error (nothing written), 2 usage error. Run from the command line
the importer is the system.
"""

from credit_records.services import import_records
from employers.management.importing import SpreadsheetImportCommand


class Command(SpreadsheetImportCommand):
    help = "导入信用记录（CSV 或 XLSX，全部校验通过才写入；重复导入不会重复写入）"
    import_service = staticmethod(import_records)
