"""Exports: the XLSX opens with openpyxl (merged group headers, numbers as numbers, totals) and
in LibreOffice; the PDF is A4 landscape with the ND 30 heading and the numbers; the command
line writes all three and refuses bad input with exit code 2."""

import io
import json
import re
import shutil
import subprocess
from datetime import date

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from openpyxl import load_workbook

from cchc.reports import exports
from cchc.reports.selectors import Filters, Period, timeliness_report
from tests.onestop.documents.pdftext import assert_in_pdf, pdf_text
from tests.reports.oracle import period_ends, play
from tests.reports.test_timeliness import PERIODS, scenarios

pytestmark = pytest.mark.django_db
MAY = (date(2026, 5, 1), date(2026, 5, 31))


@pytest.fixture
def report(rw):
    histories = scenarios(rw)
    play(histories, period_ends(PERIODS))
    return timeliness_report(Filters(period=Period(*MAY)))


def test_xlsx_has_the_official_layout(report):
    wb = load_workbook(io.BytesIO(exports.timeliness_xlsx(report)))
    ws = wb.active
    assert ws["A2"].value == "BÁO CÁO TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH"
    assert ws["A3"].value == "Kỳ báo cáo: từ ngày 01/05/2026 đến ngày 31/05/2026"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert {"C6:F6", "G6:I6", "J6:L6", "A6:A7", "B6:B7"} <= merged
    assert (ws["C6"].value, ws["G6"].value, ws["J6"].value) == (
        "Số hồ sơ tiếp nhận", "Số hồ sơ đã giải quyết", "Số hồ sơ đang giải quyết")
    assert [ws.cell(7, c).value for c in range(3, 13)][:4] == ["Tổng số", "Trực tuyến", "Từ kỳ trước",
                                                               "Trực tiếp, bưu chính"]
    assert ws["A8"].value == "(1)" and ws["L8"].value == "(12)"
    rows = report.rows
    assert ws["B9"].value == rows[0].name
    assert ws["C9"].value == rows[0].counts.received and isinstance(ws["C9"].value, int)
    total_row = 9 + len(rows)
    assert ws.cell(total_row, 1).value == "Tổng cộng"
    assert ws.cell(total_row, 3).value == report.totals.received
    assert ws.cell(total_row, 12).value == report.totals.overdue
    assert ws.page_setup.orientation == "landscape"


@pytest.mark.skipif(not shutil.which("libreoffice"), reason="LibreOffice is not installed")
def test_xlsx_opens_in_libreoffice(report, tmp_path):
    source = tmp_path / "bao-cao.xlsx"
    source.write_bytes(exports.timeliness_xlsx(report))
    subprocess.run(["libreoffice", "--headless", f"-env:UserInstallation=file://{tmp_path}/lo",
                    "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
                   check=True, capture_output=True, timeout=180)
    converted = (tmp_path / "bao-cao.pdf").read_bytes()
    text = pdf_text(converted)
    assert_in_pdf(text, "BÁO CÁO TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH", "Tổng cộng",
                  report.rows[0].name)


def test_pdf_is_a4_landscape_with_the_heading(report):
    data = exports.timeliness_pdf(report)
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    assert_in_pdf(text, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "SỞ NỘI VỤ",
                  "Tình hình, kết quả giải quyết thủ tục hành chính",
                  "Kỳ báo cáo: từ ngày 01/05/2026 đến ngày 31/05/2026", "Tổng cộng", report.rows[0].name,
                  "Số hồ sơ đã giải quyết")
    if shutil.which("pdfinfo"):
        info = subprocess.run(["pdfinfo", "-"], input=data, capture_output=True, check=True).stdout.decode()
        size = next(line for line in info.splitlines() if line.startswith("Page size"))
        width, height = (float(x) for x in size.split(":")[1].split("pts")[0].split(" x "))
        assert round(width) == 842 and round(height) == 595  # A4 landscape
    if shutil.which("pdffonts"):
        fonts = subprocess.run(["pdffonts", "-"], input=data, capture_output=True, check=True).stdout.decode()
        assert re.search(r"Liberation-?Serif|TimesNewRoman", fonts)


def test_command_writes_json_xlsx_and_pdf(report, tmp_path, capsys):
    call_command("report", "timeliness", "--from", "2026-05-01", "--to", "2026-05-31")
    data = json.loads(capsys.readouterr().out)
    assert data == json.loads(json.dumps(report.as_json()))
    call_command("report", "timeliness", "--from", "2026-05-01", "--to", "2026-05-31", "--unit", "82",
                 "--mode", "successors", "--format", "json", "--output", str(tmp_path / "r.json"))
    assert json.loads((tmp_path / "r.json").read_text())["totals"] == data["totals"]
    call_command("report", "timeliness", "--from", "2026-05-01", "--to", "2026-05-31", "--format", "xlsx",
                 "--output", str(tmp_path / "r.xlsx"))
    assert load_workbook(tmp_path / "r.xlsx").active["A2"].value.startswith("BÁO CÁO")
    call_command("report", "timeliness", "--from", "2026-05-01", "--to", "2026-05-31", "--format", "pdf",
                 "--output", str(tmp_path / "r.pdf"))
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF")


@pytest.mark.parametrize("args, message", [
    (["timeliness", "--from", "2026-05-01"], "--from và --to"),
    (["timeliness", "--from", "2026-05-01", "--to", "31/13/2026"], "to"),
    (["timeliness", "--from", "2026-05-01", "--to", "2026-05-31", "--format", "docx"], "docx"),
    (["timeliness", "--from", "2026-05-01", "--to", "2026-05-31", "--unit", "99999"], "99999"),
    (["timeliness", "--from", "2026-05-01", "--to", "2026-05-31", "--mode", "x"], "mode"),
    ([], "timeliness"),
])
def test_command_refuses_bad_input_with_exit_code_2(rw, args, message):
    with pytest.raises(CommandError) as excinfo:
        call_command("report", *args)
    assert excinfo.value.returncode == 2
    assert message in str(excinfo.value)


def test_command_line_exit_code(rw, tmp_path):
    """As a process: Vietnamese message on stderr, exit code 2 (the console script)."""
    result = subprocess.run(["cchc", "report", "timeliness", "--from", "2026-02-30", "--to", "2026-03-01"],
                            capture_output=True, text=True, timeout=120,
                            env={**__import__("os").environ, "CCHC_DATA_DIR": str(tmp_path)})
    assert result.returncode == 2
    assert "không hợp lệ" in result.stderr


def test_exports_are_vietnamese_when_english_is_active(report):
    """Official documents: the XLSX and the PDF stay Vietnamese; the labels themselves are
    translatable (the report page shows them in English)."""
    from django.utils import translation

    with translation.override("en"):
        english = [str(label) for _key, label, _width in exports.GROUPS]
        data = exports.timeliness_pdf(report)
        workbook = load_workbook(io.BytesIO(exports.timeliness_xlsx(report)))
        assert translation.get_language() == "en"
    assert english[0] != "Số hồ sơ tiếp nhận"
    text = pdf_text(data)
    assert_in_pdf(text, "SỞ NỘI VỤ", "Số hồ sơ tiếp nhận", "Tổng cộng",
                  "Kỳ báo cáo: từ ngày 01/05/2026 đến ngày 31/05/2026")
    assert english[0] not in text
    cells = {str(c.value) for row in workbook.active.iter_rows() for c in row if c.value}
    assert {"Số hồ sơ tiếp nhận", "Tổng cộng", "STT"} <= cells
    assert english[0] not in cells

