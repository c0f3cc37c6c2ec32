"""Benchmark: one part (册) of the published list PDF, no database — ms per row.

    .venv/bin/python bench/list_pdf.py --rows 2000 [--root /work/main]

Runs ``publication.documents.grades_pdf`` of the tree at ``--root`` (default: this one) on
``--rows`` rows of names of 8–30 characters, each with a USCC and a grade; prints wall and CPU ms
per row, the pages and the file size. To compare with the WeasyPrint version, run it with
``--root`` at a checkout that still has it, in the same sitting (the machine may be shared).
"""

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

parser = argparse.ArgumentParser()
parser.add_argument("--rows", type=int, default=2000)
parser.add_argument("--root", default=str(Path(__file__).resolve().parent.parent))
args = parser.parse_args()
sys.path.insert(0, args.root)
os.chdir(args.root)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from pypdf import PdfReader  # noqa: E402

from publication import documents  # noqa: E402

TOWNS = ["城关镇", "安良镇", "堂街镇", "薛店镇", "长桥镇", "茨芭镇", "黄道镇", "李口镇"]
rows = [
    documents.ListRow(
        name=f"郏县{TOWNS[i % 8]}{'某某' * (i % 5)}第{i}号{'食品加工' if i % 3 else ''}有限责任公司",
        uscc=f"91410425MA{i:07d}X",
        grade="ABCD"[i % 4],
    )
    for i in range(args.rows)
]
with tempfile.TemporaryDirectory() as tmp:
    path = Path(tmp) / "list.pdf"
    kwargs = dict(
        title="2024年度用人单位劳动保障守法信用等级评价结果名单",
        authority="郏县人力资源和社会保障局",
        issued_on=dt.date(2025, 3, 3),
        note="注：名单按统一社会信用代码排序。",
    )
    documents.grades_pdf(rows[:10], Path(tmp) / "warm.pdf", **kwargs)  # fonts read once
    wall, cpu = time.perf_counter(), time.process_time()
    [out] = documents.grades_pdf(rows, path, **kwargs)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    pages = len(PdfReader(out).pages)
    print(
        f"root={args.root} rows={args.rows} pages={pages} size={out.stat().st_size / 1024:.0f} KiB"
    )
    print(
        f"wall {wall:.2f} s = {wall * 1000 / args.rows:.2f} ms/row; cpu {cpu * 1000 / args.rows:.2f} ms/row"
    )
    print(f"load {os.getloadavg()}")
