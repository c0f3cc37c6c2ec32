"""Benchmark: the rendering of written notices alone (issue 15), no database — what one batch
of ``written_notice_pdfs`` costs per notice, and where it goes (drawing with fpdf2, output with
the font subsets, the file written).

    .venv/bin/python bench/notices_render.py --notices 200 --batches 3 [--profile out.prof]

Prints wall and CPU ms per notice of each batch (CPU: the machine may be shared), the split
draw / output+write of the last batch, the process's one-off font set-up, and the file size per
notice. The notices look like the real ones: an employer name of 8–20 characters, one to three
rules with their articles, two or three measures, a public notice with its period and contact,
one in seven with an override.

The WeasyPrint engine it replaced is gone (its templates with it); its figures, measured with
the earlier version of this script: about 40 ms per notice (WeasyPrint's layout alone 15–17 ms)
and 386 KiB per PDF.
"""

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from pathlib import Path

from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

RULES = [
    ("第十一条第（一）项", "因违反劳动保障法律法规行为被查处，且未在规定期限内改正"),
    ("第十一条第（二）项", "拖欠劳动者工资，经责令限期支付仍未支付"),
    ("第十一条第（三）项", "未依法与劳动者订立书面劳动合同，人数较多"),
    ("第十一条第（四）项", "未按规定参加社会保险或者未足额缴纳社会保险费"),
]
MEASURES = [
    ("列为重点监控对象，适当增加日常巡视检查频次", "第十六条第（一）项"),
    ("对其申报的行政许可事项进行重点审查", "第十六条第（二）项"),
    ("不予评选各类先进、示范单位", "第十六条第（三）项"),
]


def make_notices(n: int):
    from publication import documents

    out = []
    for i in range(n):
        rules = tuple(
            documents.FiredRule(f"jiaxian.C.{j}", *RULES[(i + j) % len(RULES)])
            for j in range(1 + i % 3)
        )
        out.append(
            documents.WrittenNotice(
                employer_name=f"郏县{'安良镇' if i % 2 else '城关镇'}第{i}号食品加工有限责任公司",
                uscc=f"91410425MA{i:07d}X",
                year=2024,
                grade="C",
                grade_label="C级（一般）",
                authority="郏县人力资源和社会保障局",
                ruleset_title="用人单位劳动保障守法信用分级分类监管办法（试行）",
                ruleset_document="郏人社〔2023〕12号",
                rules=rules,
                measures=tuple(MEASURES[: 2 + i % 2]),
                issued_on=dt.date(2025, 9, 20),
                document_no=f"郏县人社信告〔2025〕{i + 1}号",
                override_reason="" if i % 7 else "经现场核查，该单位已足额支付拖欠工资。",
                computed_grade_label="" if i % 7 else "D级（较差）",
                notice_title="关于2024年度劳动保障守法诚信等级（拟评）的公示",
                notice_document_no="郏人社公〔2025〕3号",
                notice_start=dt.date(2025, 9, 22),
                notice_end=dt.date(2025, 9, 28),
                contact="郏县人力资源和社会保障局劳动保障监察大队，0375-5199999",
            )
        )
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--notices", type=int, default=200)
    parser.add_argument("--batches", type=int, default=3)
    parser.add_argument("--profile")
    parser.add_argument("--out", help="keep the PDFs of the last batch here")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/lc_notices")
    import django

    django.setup()
    from publication import documents, notice_pdf

    notices = make_notices(args.notices)
    # the process's one-off set-up (fonts parsed, HarfBuzz faces preprocessed): not counted
    start, cpu = time.perf_counter(), time.process_time()
    notice_pdf.warm_up()
    setup = (time.perf_counter() - start, time.process_time() - cpu)
    with tempfile.TemporaryDirectory() as tmp:
        documents.written_notice_pdfs(notices[:1], [Path(tmp) / "w.pdf"])
    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()
    times, cpus = [], []
    for b in range(args.batches):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(args.out) if args.out and b == args.batches - 1 else Path(tmp)
            paths = [out / f"notice-{i}.pdf" for i in range(len(notices))]
            if profiler:
                profiler.enable()
            start, cpu = time.perf_counter(), time.process_time()
            documents.written_notice_pdfs(notices, paths)
            times.append(time.perf_counter() - start)
            cpus.append(time.process_time() - cpu)
            if profiler:
                profiler.disable()
            size = sum(p.stat().st_size for p in paths)
            pages = sum(len(PdfReader(p).pages) for p in paths)
    if profiler:
        profiler.dump_stats(args.profile)
    # where the time goes: drawing, and output (font subsets, serialisation) + the file written
    draw = output = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for i, n in enumerate(notices):
            cpu = time.process_time()
            pdf = notice_pdf._new_pdf()
            notice_pdf.draw_notice(pdf, n)
            middle = time.process_time()
            notice_pdf._output(pdf, Path(tmp) / f"{i}.pdf")
            draw += middle - cpu
            output += time.process_time() - middle
    per = [t / len(notices) * 1000 for t in times]
    cpu = [t / len(notices) * 1000 for t in cpus]
    print(
        f"{len(notices)} notices per batch, {args.batches} batches: wall "
        + ", ".join(f"{p:.1f}" for p in per)
        + " ms per notice, CPU "
        + ", ".join(f"{p:.1f}" for p in cpu)
        + f" (best wall {min(per):.1f}, CPU {min(cpu):.1f}); CPU split: draw "
        f"{draw / len(notices) * 1000:.1f} ms, output and write "
        f"{output / len(notices) * 1000:.1f} ms; {size / len(notices) / 1024:.0f} KiB per PDF, "
        f"{pages / len(notices):.2f} pages per notice; set-up once per process {setup[0]:.1f} s "
        f"(CPU {setup[1]:.1f} s); load {os.getloadavg()[0]:.2f}"
    )


if __name__ == "__main__":
    main()
