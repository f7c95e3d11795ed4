"""Corrections and additions as marginal notes (the entry is never edited), copies of extracts
(2.000635) and the PDF documents with their diacritics."""

import shutil
import subprocess

import pytest
from django.forms.models import model_to_dict

from cchc.civil import documents, selectors, services
from cchc.civil.models import CivilRequest, ExtractCopy, MarginalNote, RegisterEntry, RequestStatus
from cchc.errors import InvalidInput, InvalidTransition
from cchc.onestop import services as onestop
from cchc.onestop.models import Status
from tests.civil.conftest import at, birth, d, marriage
from tests.onestop.documents.pdftext import assert_in_pdf, pdf_text


def correct(world, entry, changes, kind="correction", when="2026-05-04 09:00", **kwargs):
    return services.record_note_directly(entry=entry, kind=kind, changes=changes,
                                         actor=world.officer, at=at(when), **kwargs)


# -- marginal notes -------------------------------------------------------------------------------

def test_a_correction_is_a_note_with_its_own_dossier_and_the_entry_is_unchanged(world, register):
    entry = register("birth", birth())
    before = model_to_dict(RegisterEntry.objects.get(pk=entry.pk))
    note = correct(world, entry, {"child.full_name": "Nguyễn Thị Bảo Ngân"},
                   basis="Giấy chứng sinh số 15/GCS")
    assert model_to_dict(RegisterEntry.objects.get(pk=entry.pk)) == before
    assert note.changes == {"full_name": {"old": "Nguyễn Thị Bảo Ngọc",
                                          "new": "Nguyễn Thị Bảo Ngân"}}
    assert note.text == "Họ, chữ đệm và tên: “Nguyễn Thị Bảo Ngọc” thành “Nguyễn Thị Bảo Ngân”."
    assert note.dossier.procedure.base_code == "1.004859"
    assert note.dossier.status == Status.PROCESSED and note.dossier != entry.dossier
    assert selectors.current_facts(entry)["full_name"] == "Nguyễn Thị Bảo Ngân"


def test_the_corrected_entry_is_found_under_the_old_and_the_new_values(world, register):
    entry = register("birth", birth())
    correct(world, entry, {"child.full_name": "Nguyễn Thị Bảo Ngân",
                           "child.birth_date": "2026-04-09"})
    found = services.search_register(world.officer, {"name": "bao ngan"}).entries
    assert list(found) == [entry]
    assert list(services.search_register(world.officer, {"name": "bao ngoc"}).entries) == [entry]
    assert list(services.search_register(world.officer, {"birth_date": "2026-04-09"})
                .entries) == [entry]


def test_an_addition_fills_an_empty_field_only(world, register):
    entry = register("birth", birth(hometown=""))
    correct(world, entry, {"child.hometown": "Tiền Giang"}, kind="addition")
    assert selectors.current_facts(entry)["hometown"] == "Tiền Giang"
    with pytest.raises(InvalidInput) as caught:
        correct(world, entry, {"child.ethnicity": "Hoa"}, kind="addition")
    assert "dùng cải chính" in caught.value.fields["child.ethnicity"][0]
    with pytest.raises(InvalidInput) as caught:
        correct(world, entry, {"child.id_number": "087326000123"}, kind="correction")
    assert "dùng bổ sung" in caught.value.fields["child.id_number"][0]


def test_a_correction_must_leave_a_consistent_entry(world, register):
    entry = register("birth", birth(id_number="087326000123"))
    with pytest.raises(InvalidInput) as caught:  # a girl's ID number for a boy
        correct(world, entry, {"child.sex": "M"})
    assert "child.id_number" in caught.value.fields
    with pytest.raises(InvalidInput) as caught:
        correct(world, entry, {"child.nickname": "Bé Na", "child.full_name": "Nguyễn Thị Bảo Ngọc"})
    assert set(caught.value.fields) == {"child.nickname", "child.full_name"}
    with pytest.raises(InvalidInput) as caught:
        correct(world, entry, {})
    assert "changes" in caught.value.fields
    assert not MarginalNote.objects.exists()


def test_notes_apply_in_order(world, register):
    entry = register("birth", birth())
    correct(world, entry, {"child.full_name": "Nguyễn Thị Bảo Ngân"})
    correct(world, entry, {"child.full_name": "Nguyễn Thị Bảo Anh"}, when="2026-06-01 09:00")
    assert selectors.current_facts(entry)["full_name"] == "Nguyễn Thị Bảo Anh"
    assert MarginalNote.objects.order_by("pk").last().changes["full_name"]["old"] == \
        "Nguyễn Thị Bảo Ngân"


def test_a_divorce_is_noted_on_a_marriage_only_once_and_on_a_judgment(world, register):
    birth_entry = register("birth", birth())
    wedding = register("marriage", marriage())
    with pytest.raises(InvalidInput):
        correct(world, birth_entry, {}, kind="divorce", basis="Bản án số 1")
    with pytest.raises(InvalidInput) as caught:
        correct(world, wedding, {}, kind="divorce")
    assert "basis" in caught.value.fields
    note = correct(world, wedding, {}, kind="divorce", basis="Bản án số 12/2026/HNGĐ-ST")
    assert note.dossier is None and "Bản án số 12/2026/HNGĐ-ST" in note.text
    with pytest.raises(InvalidTransition):
        correct(world, wedding, {}, kind="annulment", basis="Quyết định số 3")


def test_a_correction_received_at_the_desk_is_noted_when_processed(
        world, register, django_capture_on_commit_callbacks):
    entry = register("birth", birth())
    request = services.record_note_at_desk(
        entry=entry, kind="correction", changes={"mother.full_name": "Trần Thị Lan Anh"},
        agency=world.desk, actor=world.desk_officer, at=at("2026-05-04 09:00"),
        applicant={"name": "Trần Thị Lan", "id_number": "087197004321"})
    assert not MarginalNote.objects.exists()
    dossier = onestop.transfer_dossier(request.dossier, actor=world.desk_officer,
                                       at=at("2026-05-04 10:00"))
    dossier = onestop.transfer_dossier(dossier, actor=world.officer, at=at("2026-05-05 10:00"))
    with django_capture_on_commit_callbacks(execute=True):
        onestop.approve_dossier(dossier, actor=world.leader, at=at("2026-05-05 15:00"))
    note = MarginalNote.objects.get()
    assert (note.entry, note.dossier, note.registered_by) == (entry, request.dossier, world.leader)
    assert selectors.current_facts(entry)["mother_name"] == "Trần Thị Lan Anh"
    assert CivilRequest.objects.get(pk=request.pk).status == RequestStatus.DONE


def test_the_successor_corrects_an_entry_of_an_abolished_unit(world, register):
    old = register("birth", birth(birth_date="2025-06-01"), "2025-06-30 10:00",
                   agency=world.old_desk, actor=world.old_officer)
    note = correct(world, old, {"child.full_name": "Nguyễn Thị Bảo Ngân"})
    assert note.dossier.unit == world.commune and note.entry.unit == world.old_commune


# -- copies of extracts (2.000635) ---------------------------------------------------------------------

def test_a_copy_of_the_extract_is_issued_from_the_book_with_its_dossier(world, register):
    entry = register("birth", birth())
    copy = services.issue_extract_copy(entry=entry, actor=world.officer, copies=2,
                                       applicant={"name": "Trần Thị Lan"},
                                       at=at("2026-06-01 09:00"))
    assert copy.dossier.procedure.base_code == "2.000635"
    assert copy.dossier.status == Status.PROCESSED and copy.copies == 2
    text = pdf_text(documents.render_pdf(entry, documents.EXTRACT, copy))
    assert_in_pdf(text, "TRÍCH LỤC KHAI SINH", "(Bản sao)", "NGUYỄN THỊ BẢO NGỌC",
                  "Số: 1, Quyển số: 01/2026", "Hồng Ngự, ngày 01 tháng 6 năm 2026",
                  copy.dossier.code, "số bản: 2")
    with pytest.raises(InvalidInput):
        services.issue_extract_copy(entry=entry, actor=world.officer, copies=0,
                                    applicant={"name": "Trần Thị Lan"})


def test_a_copy_requested_at_the_desk_is_issued_when_processed(
        world, register, django_capture_on_commit_callbacks):
    entry = register("birth", birth())
    request = services.request_extract_copy_at_desk(
        entry=entry, agency=world.desk, actor=world.desk_officer, copies=1,
        applicant={"name": "Trần Thị Lan"}, at=at("2026-06-01 09:00"))
    dossier = onestop.transfer_dossier(request.dossier, actor=world.desk_officer,
                                       at=at("2026-06-01 09:10"))
    dossier = onestop.transfer_dossier(dossier, actor=world.officer, at=at("2026-06-01 09:20"))
    with django_capture_on_commit_callbacks(execute=True):
        onestop.approve_dossier(dossier, actor=world.leader, at=at("2026-06-01 09:30"))
    assert ExtractCopy.objects.get().dossier == request.dossier


def test_a_copy_of_an_old_entry_is_issued_by_the_successor(world, register):
    old = register("birth", birth(birth_date="2025-06-01"), "2025-06-30 10:00",
                   agency=world.old_desk, actor=world.old_officer)
    copy = services.issue_extract_copy(entry=old, actor=world.officer,
                                       applicant={"name": "Trần Thị Lan"},
                                       at=at("2026-06-01 09:00"))
    text = pdf_text(documents.render_pdf(old, documents.EXTRACT, copy))
    assert_in_pdf(text, "PHƯỜNG HỒNG NGỰ", "Ủy ban nhân dân Phường An Thạnh (trước ngày 01/7/2025)",
                  "Quyển số: 01/2025")


# -- the documents ------------------------------------------------------------------------------

def test_the_birth_certificate_has_the_official_header_and_correct_diacritics(world, register):
    entry = register("birth", birth())
    pdf = documents.render_pdf(entry, documents.CERTIFICATE)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert_in_pdf(
        text, "ỦY BAN NHÂN DÂN", "PHƯỜNG HỒNG NGỰ", "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc", "Số: 1, Quyển số: 01/2026",
        "Hồng Ngự, ngày 24 tháng 4 năm 2026", "GIẤY KHAI SINH", "(Bản chính)",
        "NGUYỄN THỊ BẢO NGỌC", "10/04/2026",
        "Ngày mười, tháng tư, năm hai nghìn không trăm hai mươi sáu", "Giới tính:Nữ",
        "Bệnh viện Đa khoa khu vực Hồng Ngự, Đồng Tháp", "NGUYỄN VĂN HÙNG", "TRẦN THỊ LAN",
        "Ủy ban nhân dân Phường Hồng Ngự", "24/04/2026", "Đúng hạn", "TM. ỦY BAN NHÂN DÂN",
        "CHỦ TỊCH")


@pytest.mark.skipif(not shutil.which("pdffonts"), reason="poppler-utils not installed")
def test_documents_are_set_in_times_or_liberation_serif(world, register):
    entry = register("birth", birth())
    fonts = subprocess.run(["pdffonts", "-"], input=documents.render_pdf(entry, "certificate"),
                           capture_output=True, check=False).stdout.decode()
    if not fonts:  # older pdffonts cannot read stdin
        return
    assert "Liberation-Serif" in fonts or "Times" in fonts


def test_the_extract_shows_the_corrected_facts_and_the_marginal_notes(world, register):
    entry = register("birth", birth())
    correct(world, entry, {"child.full_name": "Nguyễn Thị Bảo Ngân"},
            basis="Giấy chứng sinh số 15/GCS")
    text = pdf_text(documents.render_pdf(entry, documents.EXTRACT, today=d("2026-06-01")))
    assert_in_pdf(text, "TRÍCH LỤC KHAI SINH", "NGUYỄN THỊ BẢO NGÂN", "Ghi chú:",
                  "Cải chính hộ tịch ngày 04/05/2026", "“Nguyễn Thị Bảo Ngọc” thành "
                  "“Nguyễn Thị Bảo Ngân”", "Căn cứ: Giấy chứng sinh số 15/GCS")


def test_marriage_and_death_documents(world, register):
    wedding = register("marriage", marriage())
    text = pdf_text(documents.render_pdf(wedding, documents.CERTIFICATE))
    assert_in_pdf(text, "GIẤY CHỨNG NHẬN KẾT HÔN", "BÊN NAM", "LÊ MINH TUẤN", "BÊN NỮ",
                  "PHẠM THỊ THU HÀ", "02/09/2000", "087300013579", "Xã Tân Hồng, Đồng Tháp")
    from tests.civil.conftest import death

    gone = register("death", death())
    text = pdf_text(documents.render_pdf(gone, documents.CERTIFICATE))
    assert_in_pdf(text, "TRÍCH LỤC KHAI TỬ", "(Bản chính)", "VÕ VĂN LỢI", "05 giờ 30 phút",
                  "Ngày hai mươi, tháng tư, năm hai nghìn không trăm hai mươi sáu",
                  "Tại nhà, Phường Hồng Ngự", "Bệnh già", "Võ Thị Hoa (Con)")
    assert documents.file_name(gone, "certificate") == "trich-luc-khai-tu-01-2026-so-1.pdf"


def test_documents_are_vietnamese_when_english_is_active(world, register):
    """Extracts and certificates are official documents: always in Vietnamese."""
    from django.utils import translation

    from cchc.civil.models import EntryKind, NoteKind

    entry = register("birth", birth())
    correct(world, entry, {"child.full_name": "Nguyễn Thị Bảo Ngân"},
            basis="Giấy chứng sinh số 15/GCS")
    with translation.override("en"):
        english = [str(EntryKind.NORMAL.label), str(NoteKind.CORRECTION.label)]
        text = pdf_text(documents.render_pdf(entry, documents.EXTRACT, today=d("2026-06-01")))
    assert english[0] != "Đúng hạn" and english[1] != "Cải chính hộ tịch"
    assert_in_pdf(text, "TRÍCH LỤC KHAI SINH", "Loại đăng ký: Đúng hạn",
                  "Cải chính hộ tịch ngày 04/05/2026")
    assert english[0] not in text and english[1] not in text
