"""`cchc import-procedures`: per-row errors, all or nothing, --skip-bad, idempotency, formats."""

import csv
import datetime
import io
import json

import pytest
from django.core.management import CommandError, call_command

from cchc.catalog import services
from cchc.catalog.models import Procedure, ProcedureVersion

AGENCY = "000.00.00.H20"
HEADER = ["base_code", "name", "level", "agency_code", "field", "time_direct", "time_online",
          "time_postal", "fee", "components", "subjects", "conditions", "result", "legal_basis",
          "online_level"]


def row(**overrides):
    values = {
        "base_code": "1.001193", "name": "Đăng ký khai sinh", "level": "commune",
        "agency_code": AGENCY, "field": "Hộ tịch", "time_direct": "0", "time_online": "0",
        "time_postal": "", "fee": "0",
        "components": "Tờ khai đăng ký khai sinh|1|0|0|TK-KS;Giấy chứng sinh|1|0|0",
        "subjects": "Công dân Việt Nam", "conditions": "", "result": "Giấy khai sinh",
        "legal_basis": "Luật Hộ tịch năm 2014", "online_level": "full",
    }
    values.update(overrides)
    return values


GOOD = [
    row(),
    row(base_code="1.000894", name="Đăng ký kết hôn", fee="0", online_level="partial"),
    row(base_code="2.000635", name="Cấp bản sao trích lục hộ tịch", fee="8.000",
        time_postal="0", components='[{"name": "Tờ khai", "originals": 1}]'),
    row(base_code="2.001417", name="Cấp Phiếu lý lịch tư pháp", level="Cấp tỉnh", field="ho-tich",
        time_direct="10", time_online="9,5", fee="200000", online_level="toàn trình"),
]


def write_csv(tmp_path, rows, name="tt.csv", delimiter=","):
    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=HEADER, delimiter=delimiter)
        writer.writeheader()
        writer.writerows(rows)
    return path


def run(path, *args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import-procedures", str(path), *args, stdout=out, stderr=err)
    except CommandError as exc:
        return exc.returncode, out.getvalue(), err.getvalue() + str(exc)
    return 0, out.getvalue(), err.getvalue()


@pytest.fixture
def catalog_org(dong_thap):
    services.ensure_field("ho-tich", "Hộ tịch")
    return dong_thap


def test_import_csv_and_idempotency(catalog_org, tmp_path):
    path = write_csv(tmp_path, GOOD, delimiter=";")
    code, out, err = run(path, "--effective-from", "2024-01-01")
    assert code == 0, err
    assert "Tạo mới 4" in out
    assert Procedure.objects.count() == 4
    records = Procedure.objects.get(base_code="2.000635").versions.get()
    assert [m.fee for m in records.methods.all()] == [8000, 8000, 8000]
    assert records.effective_from == datetime.date(2024, 1, 1)
    lltp = Procedure.objects.get(base_code="2.001417").versions.get()
    assert lltp.level == "province" and lltp.online_level == "full"
    assert sorted(str(m.days) for m in lltp.methods.all()) == ["10.0", "9.5"]
    components = Procedure.objects.get(base_code="1.001193").versions.get().components.all()
    assert [(c.name, c.originals, c.form_template) for c in components] == [
        ("Tờ khai đăng ký khai sinh", 1, "TK-KS"), ("Giấy chứng sinh", 1, "")]

    code, out, _err = run(path)  # the same file again: nothing new
    assert code == 0 and "Tạo mới 0, cập nhật 0, không đổi 4" in out
    assert ProcedureVersion.objects.count() == 4


def test_changed_row_corrects_in_place_until_announced(catalog_org, tmp_path):
    run(write_csv(tmp_path, GOOD))
    changed = [row(name="Đăng ký khai sinh (sửa)")]
    code, out, _err = run(write_csv(tmp_path, changed, "b.csv"))
    assert code == 0 and "cập nhật 1" in out
    version = Procedure.objects.get(base_code="1.001193").versions.get()
    assert version.name == "Đăng ký khai sinh (sửa)"
    services.announce(number="9/QĐ", issued_on=datetime.date(2026, 1, 1), issuer="UBND tỉnh",
                      effective_on=datetime.date.today() + datetime.timedelta(days=10),
                      items=[{"action": "amended", "procedure": version.procedure.code,
                              "data": {"fee_note": "Miễn lệ phí."}}])
    code, _out, err = run(write_csv(tmp_path, [row(name="Khác nữa")], "c.csv"))
    assert code == 2 and "dòng 2, cột base_code" in err and "quyết định công bố" in err


@pytest.mark.parametrize(("overrides", "column", "message"), [
    ({"base_code": "1.00119"}, "base_code", "d.dddddd"),
    ({"base_code": ""}, "base_code", "Thiếu mã thủ tục"),
    ({"agency_code": "000.00.00.H99"}, "agency_code", "Không có cơ quan"),
    ({"field": "Lĩnh vực không có"}, "field", "Không có lĩnh vực"),
    ({"time_direct": "-1"}, "time_direct", "không được âm"),
    ({"time_online": "0.25"}, "time_online", "nửa ngày"),
    ({"time_online": "ba ngày"}, "time_online", "số ngày làm việc"),
    ({"time_direct": "", "time_online": ""}, "time_direct", "ít nhất một cách thức"),
    ({"fee": "-5000"}, "fee", "không được âm"),
    ({"fee": "năm nghìn"}, "fee", "số tiền"),
    ({"level": "thôn"}, "level", "Cấp thực hiện"),
    ({"online_level": "cao"}, "online_level", "Mức độ trực tuyến"),
    ({"components": "Tờ khai|1|0"}, "components", "phải có dạng"),
    ({"components": "[{bad json"}, "components", "JSON"),
    ({"components": "Tờ khai|một|0|0"}, "components", "số nguyên"),
    ({"name": ""}, "name", "Thiếu tên"),
    ({"level": "district"}, "level", "cấp huyện"),
])
def test_each_error_kind_names_row_and_column(catalog_org, tmp_path, overrides, column, message):
    path = write_csv(tmp_path, [GOOD[1], row(**overrides)])
    code, _out, err = run(path, "--effective-from", "2025-08-01")
    assert code == 2
    assert f"dòng 3, cột {column}" in err, err
    assert message in err, err
    assert Procedure.objects.count() == 0  # nothing half-imported


def test_duplicate_code_in_file(catalog_org, tmp_path):
    code, _out, err = run(write_csv(tmp_path, [GOOD[0], GOOD[1], GOOD[0]]))
    assert code == 2 and "dòng 4, cột base_code: Trùng mã" in err and "dòng 2" in err
    assert Procedure.objects.count() == 0


def test_skip_bad_loads_the_good_rows(catalog_org, tmp_path):
    rows = [GOOD[0], row(base_code="x"), GOOD[1], row(base_code="1.000656", time_direct="-2")]
    code, out, err = run(write_csv(tmp_path, rows), "--skip-bad")
    assert code == 0
    assert "Tạo mới 2" in out and "dòng lỗi 2" in out
    assert "dòng 3, cột base_code" in err and "dòng 5, cột time_direct" in err
    assert sorted(Procedure.objects.values_list("base_code", flat=True)) == ["1.000894", "1.001193"]


def test_json_array_and_lines(catalog_org, tmp_path):
    array = tmp_path / "tt.json"
    array.write_text(json.dumps([GOOD[0], {**GOOD[1], "time_direct": -1}], ensure_ascii=False),
                     encoding="utf-8")
    code, _out, err = run(array)
    assert code == 2 and "dòng 2, cột time_direct" in err
    lines = tmp_path / "tt.jsonl"
    lines.write_text("\n".join([json.dumps(GOOD[0], ensure_ascii=False), "{oops",
                                json.dumps(GOOD[1], ensure_ascii=False)]), encoding="utf-8")
    code, _out, err = run(lines, "--format", "json")
    assert code == 2 and "dòng 2: Dòng JSON không hợp lệ" in err
    assert Procedure.objects.count() == 0
    code, _out, err = run(lines, "--skip-bad")
    assert code == 0 and Procedure.objects.count() == 2


def test_xlsx(catalog_org, tmp_path):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for values in GOOD[:2]:
        sheet.append([values[h] for h in HEADER])
    # Excel stores a code typed without quoting as a number and times as numbers.
    sheet.append([2.000635, "Cấp bản sao trích lục hộ tịch", "commune", AGENCY, "ho-tich", 0, 0.5,
                  None, 8000, "Tờ khai|1|0|0", "", "", "", "", ""])
    sheet.append(["1.000656", "Đăng ký khai tử", "commune", AGENCY, "ho-tich", -3, None, None, 0,
                  "", "", "", "", "", ""])
    path = tmp_path / "tt.xlsx"
    workbook.save(path)
    code, _out, err = run(path)
    assert code == 2 and "dòng 5, cột time_direct" in err
    code, out, _err = run(path, "--skip-bad")
    assert code == 0 and "Tạo mới 3" in out
    version = Procedure.objects.get(base_code="2.000635").versions.get()
    assert sorted(str(m.days) for m in version.methods.all()) == ["0.0", "0.5"]


def test_unreadable_files(catalog_org, tmp_path):
    assert run(tmp_path / "missing.csv")[0] == 2
    header_only = tmp_path / "h.csv"
    header_only.write_text("base_code,name\n1.001193,x\n", encoding="utf-8")
    code, _out, err = run(header_only)
    assert code == 2 and "Dòng 1 (tiêu đề) thiếu cột" in err
    unknown = tmp_path / "t.txt"
    unknown.write_text("x", encoding="utf-8")
    assert run(unknown)[0] == 2
    broken = tmp_path / "b.xlsx"
    broken.write_bytes(b"not a zip")
    assert run(broken)[0] == 2
