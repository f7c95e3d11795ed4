"""The inspection report (báo cáo kết quả kiểm tra) and the conclusion notice (thông báo kết
luận) in the administrative layout of Nghị định 30/2020/NĐ-CP: as an editable .docx rendered
with docxtpl from a template this module builds with python-docx on first use (no third-party
asset is shipped), and as a PDF via WeasyPrint (Liberation Serif, A4).

The documents are Vietnamese administrative documents: they are rendered in Vietnamese whatever
the language of the page that offers them (the pages around them are translated).
"""

import io
from pathlib import Path

from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from . import selectors

REPORT, CONCLUSION = "bao-cao", "ket-luan"
KINDS = (REPORT, CONCLUSION)
TEMPLATE_VERSION = 1


def context(inspection, kind: str) -> dict:
    results = list(inspection.results.select_related("item__area"))
    findings = list(inspection.findings.select_related("item"))
    recs = list(inspection.recommendations.select_related("responsible_unit", "item"))
    total = sum((r.final_score or 0) for r in results)
    conference = inspection.conference
    title = (_("BÁO CÁO KẾT QUẢ KIỂM TRA CÔNG TÁC CẢI CÁCH HÀNH CHÍNH") if kind == REPORT
             else _("THÔNG BÁO KẾT LUẬN KIỂM TRA CÔNG TÁC CẢI CÁCH HÀNH CHÍNH"))
    return {
        "issuer": inspection.plan.issuer.upper(), "title": title,
        "unit": inspection.unit.name, "year": inspection.plan.year,
        "decision": f"{inspection.plan.decision_number} "
                    f"{inspection.plan.decision_date.strftime('%d/%m/%Y')}",
        "period": f"{inspection.period_start.strftime('%d/%m/%Y')} - "
                  f"{inspection.period_end.strftime('%d/%m/%Y')}",
        "place_date": _("ngày %(d)s tháng %(m)s năm %(y)s") % {
            "d": f"{timezone.localdate().day:02d}", "m": f"{timezone.localdate().month:02d}",
            "y": timezone.localdate().year},
        "status": inspection.get_status_display(),
        "frozen_at": timezone.localtime(inspection.frozen_at).strftime("%d/%m/%Y %H:%M")
        if inspection.frozen_at else "",
        "conference": (_("Hội nghị ngày %(d)s, chủ trì: %(chair)s")
                       % {"d": conference.held_on.strftime("%d/%m/%Y"), "chair": conference.chair}
                       if conference else ""),
        "rows": [{"code": r.item.code, "name": r.item.name, "evidence": r.evidence.get("summary", ""),
                  "suggested": "" if r.suggested_score is None else f"{r.suggested_score:.2f}",
                  "score": "" if r.final_score is None else f"{r.final_score:.2f}",
                  "max": f"{r.item.max_points:.2f}"} for r in results],
        "total": f"{total:.2f}",
        "strengths": [f.text for f in findings if f.kind == "strength"],
        "limitations": [f.text for f in findings if f.kind == "limitation"],
        "recommendations": [{"text": r.text, "unit": r.responsible_unit.name,
                             "deadline": r.deadline.strftime("%d/%m/%Y")} for r in recs],
        "recurring": [f"{r['item'].code} {r['item'].name}"
                      for r in selectors.recurring_limitations(inspection)],
        "team": [f"{m.name} ({m.get_role_display()})" for m in inspection.plan.team.all()],
    }


def _build_template(path: Path):
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "Times New Roman"
    style.font.size = Pt(13)
    header = doc.add_table(rows=1, cols=2)
    left, right = header.rows[0].cells
    left.text = "{{ issuer }}\nĐOÀN KIỂM TRA CCHC"
    right.text = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc"
    for cell in (left, right):
        for p in cell.paragraphs:
            p.alignment = WD_ALIGN_PARAGRAPH.CENTER
            for run in p.runs:
                run.bold = True
    p = doc.add_paragraph("{{ place_date }}")
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("{{ title }}").bold = True
    p = doc.add_paragraph("{{ unit }} — {{ year }}")
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph("Căn cứ Quyết định số {{ decision }}; kỳ kiểm tra {{ period }}.")
    doc.add_paragraph("Đoàn kiểm tra: {{ team|join(', ') }}.")
    doc.add_paragraph("{% if frozen_at %}Minh chứng được chốt lúc {{ frozen_at }}.{% endif %}"
                      " {{ conference }}")
    doc.add_heading("I. KẾT QUẢ CHẤM ĐIỂM VÀ MINH CHỨNG", level=2)
    table = doc.add_table(rows=4, cols=5)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, ["Mã", "Tiêu chí", "Minh chứng", "Điểm",
                                                "Tối đa"], strict=True):
        cell.text = text
    table.rows[1].cells[0].text = "{%tr for r in rows %}"
    for cell, text in zip(table.rows[2].cells, ["{{ r.code }}", "{{ r.name }}",
                                                "{{ r.evidence }}", "{{ r.score }}",
                                                "{{ r.max }}"], strict=True):
        cell.text = text
    table.rows[3].cells[0].text = "{%tr endfor %}"
    doc.add_paragraph("Tổng điểm: {{ total }}")
    doc.add_heading("II. ƯU ĐIỂM", level=2)
    doc.add_paragraph("{%p for s in strengths %}")
    doc.add_paragraph("- {{ s }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_heading("III. HẠN CHẾ, THIẾU SÓT", level=2)
    doc.add_paragraph("{%p for s in limitations %}")
    doc.add_paragraph("- {{ s }}")
    doc.add_paragraph("{%p endfor %}")
    doc.add_paragraph("{% if recurring %}Hạn chế lặp lại so với lần kiểm tra trước: "
                      "{{ recurring|join('; ') }}.{% endif %}")
    doc.add_heading("IV. KIẾN NGHỊ", level=2)
    doc.add_paragraph("{%p for r in recommendations %}")
    doc.add_paragraph("- {{ r.text }} (đơn vị thực hiện: {{ r.unit }}; thời hạn: {{ r.deadline }})")
    doc.add_paragraph("{%p endfor %}")
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    p.add_run("TRƯỞNG ĐOÀN KIỂM TRA").bold = True
    path.parent.mkdir(parents=True, exist_ok=True)
    doc.save(path)


def template_path() -> Path:
    path = Path(settings.DATA_DIR) / "templates" / f"inspection-v{TEMPLATE_VERSION}.docx"
    if not path.exists():
        _build_template(path)
    return path


def render_docx(inspection, kind: str) -> bytes:
    from docxtpl import DocxTemplate

    doc = DocxTemplate(str(template_path()))
    doc.render(context(inspection, kind), autoescape=True)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _no_fetch(url, *args, **kwargs):
    from weasyprint.urls import default_url_fetcher

    if url.startswith("data:"):
        return default_url_fetcher(url, *args, **kwargs)
    raise ValueError(f"Refusing to fetch {url!r} while rendering a document.")


def render_pdf(inspection, kind: str) -> bytes:
    from weasyprint import HTML

    html = render_to_string("inspection/document.html", context(inspection, kind))
    return HTML(string=html, url_fetcher=_no_fetch).write_pdf()


@translation.override("vi")
def render(inspection, kind: str, fmt: str) -> tuple[bytes, str, str]:
    name = f"{kind}-kiem-tra-{inspection.plan.year}-{inspection.unit.code}.{fmt}"
    if fmt == "pdf":
        return render_pdf(inspection, kind), "application/pdf", name
    return (render_docx(inspection, kind),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document", name)


def task_report_context(plan, quarter: int | None = None) -> dict:
    """The quarterly (``quarter`` 1-4) or annual report on the tasks of a CCHC plan."""
    import datetime

    tasks = plan.tasks.select_related("lead_unit").prefetch_related("outputs")
    if quarter:
        start = datetime.date(plan.year, 3 * quarter - 2, 1)
        end = (datetime.date(plan.year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
               - datetime.timedelta(days=1))
        tasks = tasks.filter(deadline__gte=start, deadline__lte=end)
        period = _("Quý %(q)s năm %(y)s") % {"q": quarter, "y": plan.year}
    else:
        period = _("Năm %(y)s") % {"y": plan.year}
    rows = []
    for task in tasks:
        state = (_("Hoàn thành đúng hạn") if task.on_time else
                 _("Hoàn thành trễ hạn") if task.completed_on else
                 _("Quá hạn") if task.is_overdue() else _("Đang thực hiện"))
        docs = "; ".join(f"{o.document_number} ({o.document_date:%d/%m/%Y})"
                         for o in task.outputs.all() if o.document_number and o.document_date)
        rows.append({"area": task.area, "content": task.content, "unit": task.lead_unit.name,
                     "deadline": task.deadline.strftime("%d/%m/%Y"), "state": state,
                     "documents": docs})
    return {"plan": plan.title, "period": period, "rows": rows,
            "done": sum(r["state"].startswith(_("Hoàn thành")) for r in rows),
            "overdue": sum(r["state"] == _("Quá hạn") for r in rows)}


@translation.override("vi")
def render_task_report(plan, fmt: str, quarter: int | None = None) -> bytes:
    data = task_report_context(plan, quarter)
    if fmt == "pdf":
        from weasyprint import HTML

        html = render_to_string("inspection/task_report.html", data)
        return HTML(string=html, url_fetcher=_no_fetch).write_pdf()
    from docx import Document

    doc = Document()
    doc.add_paragraph("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nĐộc lập - Tự do - Hạnh phúc")
    doc.add_heading(_("BÁO CÁO KẾT QUẢ THỰC HIỆN NHIỆM VỤ CẢI CÁCH HÀNH CHÍNH"), level=1)
    doc.add_paragraph(f"{data['plan']} — {data['period']}")
    table = doc.add_table(rows=1, cols=6)
    table.style = "Table Grid"
    for cell, text in zip(table.rows[0].cells, [_("Lĩnh vực"), _("Nhiệm vụ"), _("Chủ trì"),
                                                _("Thời hạn"), _("Kết quả"), _("Văn bản")],
                          strict=True):
        cell.text = text
    for row in data["rows"]:
        cells = table.add_row().cells
        for cell, key in zip(cells, ["area", "content", "unit", "deadline", "state",
                                     "documents"], strict=True):
            cell.text = row[key]
    doc.add_paragraph(_("Hoàn thành: %(done)s/%(n)s; quá hạn: %(overdue)s.")
                      % {"done": data["done"], "n": len(data["rows"]), "overdue": data["overdue"]})
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
