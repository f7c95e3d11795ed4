"""Line checks, codes and counters, all-or-nothing, --skip-bad, the command."""

import json
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from cchc.onestop import services
from cchc.onestop.importer import import_dossiers
from cchc.onestop.models import DailySequence, Dossier, DossierEvent
from tests.onestop.bulk.conftest import HISTORIES, import_line
from tests.onestop.conftest import APPLICANT, at

pytestmark = pytest.mark.django_db

EARLY = HISTORIES[0]  # received 2024-02-07 09:00, returned and rated


def line(world, **changes):
    data = json.loads(import_line(world, *EARLY[1:]))
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return json.dumps(data, ensure_ascii=False)


def errors_of(report):
    return [(e.line, e.field) for e in report.errors]


def test_every_error_names_the_line_and_the_field(world, write_lines):
    good = line(world)
    lines = [
        good,
        "{not json",
        "[1, 2]",
        line(world, procedure="9.999999"),
        line(world, agency="000.99.99.H99"),
        line(world, agency=world.ubnd.code),
        line(world, channel="fax"),
        line(world, received_at="07/02/2024 09:00"),
        line(world, received_at="2099-01-01T09:00:00+07:00"),
        line(world, events=[{"type": "processed", "at": "2024-02-07T10:00:00+07:00"}]),
        line(world, events=[{"type": "supplement_received", "at": "2024-02-07T10:00:00+07:00"}]),
        line(world, events=[{"type": "transferred", "at": "2024-02-07T10:00:00+07:00"},
                            {"type": "transferred", "at": "2024-02-07T09:30:00+07:00"}]),
        line(world, events=[{"type": "transferred", "at": "2024-02-07T08:00:00+07:00"}]),
        line(world, events=[{"type": "teleported", "at": "2024-02-07T10:00:00+07:00"}]),
        line(world, code="000.10.50.H20-240207"),
        line(world, code="000.11.50.H20-240207-0001"),
        line(world, code="000.10.50.H20-240208-0001"),
        line(world, applicant={"name": "", "id_number": "12"}),
        line(world, colour="red"),
        line(world, events=[{"type": "transferred", "at": "2024-02-07T10:00:00+07:00"},
                            {"type": "apology", "at": "2024-02-08T10:00:00+07:00"}]),
        "",
    ]
    report = import_dossiers(write_lines(lines), skip_bad=True)
    assert report.loaded == 1 and report.rejected == len(lines) - 1
    found = errors_of(report)
    expected = [
        (2, ""), (3, ""), (4, "procedure"), (5, "agency"), (6, "agency"), (7, "channel"),
        (8, "received_at"), (9, "received_at"), (10, "events[0].type"), (11, "events[0].type"),
        (12, "events[1].at"), (13, "events[0].at"), (14, "events[0].type"), (15, "code"),
        (16, "code"), (17, "code"), (18, "applicant.name"), (18, "applicant.id_number"),
        (19, ""), (20, "events[1].new_due_at"), (21, ""),
    ]
    assert found == expected
    messages = {(e.line, e.field): e.message for e in report.errors}
    assert "không có hiệu lực" not in messages[(4, "procedure")]
    assert "9.999999" in messages[(4, "procedure")]
    assert "không phải là nơi tiếp nhận" in messages[(6, "agency")]
    assert "ở tương lai" in messages[(9, "received_at")]
    assert "Nhận hồ sơ bổ sung khi chưa có yêu cầu" in messages[(11, "events[0].type")]
    assert "thứ tự thời gian" in messages[(12, "events[1].at")]
    assert "trước thời điểm tiếp nhận" in messages[(13, "events[0].at")]
    assert "Phê duyệt" in messages[(10, "events[0].type")]
    assert str(report.errors[0]).startswith("Dòng 2: Không phải JSON hợp lệ")
    assert str(report.errors[2]).startswith("Dòng 4, procedure: ")


def test_a_procedure_not_in_force_on_the_reception_day(world, write_lines):
    from cchc.catalog.models import ProcedureVersion

    ProcedureVersion.objects.filter(procedure=world.five_days).update(
        effective_from="2024-03-01")
    report = import_dossiers(write_lines([line(world)]), skip_bad=True)
    assert errors_of(report) == [(1, "procedure")]
    assert "không có hiệu lực vào ngày 07/02/2024" in report.errors[0].message


def test_all_or_nothing_by_default(world, write_lines):
    path = write_lines([line(world), line(world, channel="fax"), line(world)])
    report = import_dossiers(path)
    assert (report.committed, report.loaded, report.rejected) == (False, 0, 1)
    assert not Dossier.objects.exists() and not DailySequence.objects.exists()
    report = import_dossiers(path, skip_bad=True)
    assert (report.committed, report.loaded, report.rejected) == (True, 2, 1)
    assert Dossier.objects.count() == 2


def test_codes_come_from_the_daily_counters_without_gaps(world, write_lines):
    # Live intake already numbered 0001 and 0002 that day.
    for hour in ("08:00", "08:30"):
        services.receive_dossier(agency=world.desk, procedure=world.five_days, applicant=APPLICANT,
                                 actor=world.desk_officer, at=at(f"2024-02-07 {hour}"))
    report = import_dossiers(write_lines([line(world), line(world)]))
    assert report.allocated_codes == 2
    codes = sorted(Dossier.objects.filter(imported=True).values_list("code", flat=True))
    assert codes == ["000.10.50.H20-240207-0003", "000.10.50.H20-240207-0004"]
    assert DailySequence.objects.get(agency=world.desk, day="2024-02-07").last == 4
    after = services.receive_dossier(agency=world.desk, procedure=world.five_days,
                                     applicant=APPLICANT, actor=world.desk_officer,
                                     at=at("2024-02-07 15:00"))
    assert after.code.endswith("-0005")


def test_given_codes_bump_the_counter_and_allocation_follows_them(world, write_lines):
    lines = [line(world), line(world, code="000.10.50.H20-240207-0007"), line(world)]
    report = import_dossiers(write_lines(lines))
    assert report.loaded == 3
    codes = list(Dossier.objects.order_by("id").values_list("code", flat=True))
    # Numbers after the largest code given for the day: a later given code cannot clash.
    assert codes == ["000.10.50.H20-240207-0008", "000.10.50.H20-240207-0007",
                     "000.10.50.H20-240207-0009"]
    assert DailySequence.objects.get(agency=world.desk, day="2024-02-07").last == 9


def test_duplicate_codes_are_rejected(world, write_lines):
    code = "000.10.50.H20-240207-0003"
    import_dossiers(write_lines([line(world, code=code)], name="first.jsonl"))
    report = import_dossiers(write_lines([line(world, code=code), line(world, code="000.10.50.H20-240207-0004"),
                                          line(world, code="000.10.50.H20-240207-0004")]), skip_bad=True)
    assert errors_of(report) == [(1, "code"), (3, "code")]
    assert "đã có trong hệ thống" in report.errors[0].message
    assert "trùng với dòng 2" in report.errors[1].message
    assert DailySequence.objects.get(agency=world.desk, day="2024-02-07").last == 4


def test_imported_events_have_no_actor_and_say_they_were_imported(world, write_lines):
    import_dossiers(write_lines([line(world)]))
    dossier = Dossier.objects.get()
    assert dossier.imported
    actions = list(dossier.events.values_list("action", flat=True))
    assert actions == ["receive", "transfer", "transfer", "approve", "return_result", "rate"]
    assert {e.data["imported"] for e in DossierEvent.objects.all()} == {True}
    assert DossierEvent.objects.filter(action="transfer").first().data["type"] == "transferred"
    assert dossier.rating.level == "very_satisfied"


def test_a_given_due_is_kept(world, write_lines):
    import_dossiers(write_lines([line(world, due_at="2024-02-23T17:00:00+07:00")]))
    dossier = Dossier.objects.get()
    assert dossier.due_at == at("2024-02-23 17:00")
    assert dossier.due_explanation["imported"] is True
    assert dossier.timeliness == "early"


def test_the_command_exits_with_2_when_a_line_is_rejected(world, write_lines, capsys):
    path = write_lines([line(world), line(world, channel="fax")])
    with pytest.raises(CommandError) as excinfo:
        call_command("import-dossiers", str(path), "--no-progress")
    assert excinfo.value.returncode == 2
    assert "Dòng 2, channel" in capsys.readouterr().err
    assert not Dossier.objects.exists()
    call_command("import-dossiers", str(path), "--no-progress", "--skip-bad")
    out = capsys.readouterr()
    assert "Đã nhập 1 hồ sơ" in out.out and "Dòng 2, channel" in out.err
    assert Dossier.objects.count() == 1


def test_the_cchc_console_script_knows_the_commands():
    for command in ("import-dossiers", "seed-dossiers"):
        result = subprocess.run([sys.executable, "-m", "cchc.cli", command, "--help"],
                                capture_output=True, text=True, timeout=120)
        assert result.returncode == 0, result.stderr
        assert "--skip-bad" in result.stdout or "--count" in result.stdout


def test_text_the_database_cannot_store_is_an_error_not_a_crash(world, write_lines):
    lone_surrogate = line(world).replace('"Nguyễn Văn An"', '"Nguy\\ud800n"')
    nul = line(world).replace('"Thiếu giấy xác nhận"', '"a\\u0000b"').replace(
        '"Đã cấp giấy chứng nhận"', '"a\\u0000b"')
    report = import_dossiers(write_lines([lone_surrogate, nul]), skip_bad=True)
    assert errors_of(report) == [(1, "applicant.name"), (2, "events[2].result")]
