"""`cchc backup` / `cchc restore`: a round trip with real records (dossiers, register entries,
an uploaded file) compared by row counts and checksums; corrupted archives are refused."""

import hashlib
import io
import json
import shutil
import tarfile
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection

from cchc.civil import services as civil
from cchc.civil.models import RegisterEntry
from cchc.core import backup
from cchc.onestop import services as onestop
from cchc.onestop.models import Dossier, DossierDocument
from cchc.onestop.uploads import attach_documents
from cchc.org.models import User
from tests.civil.conftest import at, birth, build_world, death

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + bytes(range(256)) * 8


@pytest.fixture
def media(tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.DATA_DIR = tmp_path
    return settings.MEDIA_ROOT


def make_records():
    world = build_world()
    entries = [civil.register_directly(event_type="birth", data=birth(), agency=world.desk,
                                       actor=world.officer, at=at("2026-04-24 09:00")),
               civil.register_directly(event_type="death", data=death(), agency=world.desk,
                                       actor=world.officer, at=at("2026-04-24 10:00"))]
    dossier = onestop.receive_dossier(
        agency=world.desk, procedure=entries[0].dossier.procedure,
        applicant={"name": "Nguyễn Văn An", "id_number": "087090001234", "phone": "0912345678",
                   "email": "an@example.org", "address": "Phường Hồng Ngự, Đồng Tháp"},
        actor=world.desk_officer, at=at("2026-04-24 11:00"))
    [document] = attach_documents(dossier, [SimpleUploadedFile("giay-to.pdf", PDF,
                                                               content_type="application/pdf")])
    return document


def snapshot():
    """What must survive: row counts, the registered facts, the file's bytes."""
    document = DossierDocument.objects.get()
    return {
        "dossiers": sorted(Dossier.objects.values_list("code", "status", "applicant_name")),
        "entries": sorted(RegisterEntry.objects.values_list("book__volume", "number", "full_name")),
        "users": User.objects.count(),
        "file": (document.file.name, hashlib.sha256(document.file.read()).hexdigest()),
    }


def members(path: Path) -> dict[str, bytes]:
    with tarfile.open(path) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar}


def rewrite(path: Path, out: Path, change):
    """Copy the archive, passing every member through ``change(name, data)`` (None drops it)."""
    with tarfile.open(out, "w:gz") as dst:
        for name, data in members(path).items():
            data = change(name, data)
            if data is None:
                continue
            info = tarfile.TarInfo(name)
            info.size = len(data)
            dst.addfile(info, io.BytesIO(data))


@pytest.mark.django_db(transaction=True)
def test_round_trip_restores_the_same_records_and_files(media, tmp_path):
    document = make_records()
    before = snapshot()
    assert before["dossiers"] and len(before["entries"]) == 2
    archive = tmp_path / "b.tar.gz"
    out = io.StringIO()
    call_command("backup", output=archive, stdout=out)
    assert "Đã sao lưu vào" in out.getvalue()

    content = members(archive)
    manifest = json.loads(content["manifest.json"])
    method = manifest["database"]["method"]
    assert method == ("sqlite-backup" if connection.vendor == "sqlite" else "pg_dump")
    assert set(content) == {*manifest["files"], "manifest.json"}
    for name, meta in manifest["files"].items():
        assert hashlib.sha256(content[name]).hexdigest() == meta["sha256"]
    assert content["media/" + document.file.name] == PDF
    assert manifest["counts"]["onestop_dossier"] == len(before["dossiers"])
    assert manifest["counts"]["civil_registerentry"] == 2

    # Lose data and the file, then restore over it.
    Dossier.objects.update(applicant_name="ĐÃ BỊ SỬA")
    User.objects.create(username="nguoi-moi")
    shutil.rmtree(media)
    with pytest.raises(CommandError, match="đã có dữ liệu.*--force"):
        call_command("restore", archive, stdout=io.StringIO())

    out = io.StringIO()
    call_command("restore", archive, force=True, stdout=out)
    assert "mã SHA-256 khớp" in out.getvalue() and "Khôi phục xong" in out.getvalue()
    assert "khớp với bản sao lưu" in out.getvalue()
    assert snapshot() == before


@pytest.mark.django_db(transaction=True)
def test_dumpdata_method_round_trip(media, tmp_path):
    make_records()
    before = snapshot()
    archive = tmp_path / "j.tar.gz"
    call_command("backup", output=archive, method="dumpdata", stdout=io.StringIO())
    assert "database/cchc.json" in members(archive)
    Dossier.objects.update(applicant_name="ĐÃ BỊ SỬA")
    shutil.rmtree(media)
    out = io.StringIO()
    call_command("restore", archive, force=True, stdout=out)
    assert "Khôi phục xong" in out.getvalue()
    assert snapshot() == before


@pytest.fixture
def archive(db, media, tmp_path):
    media.mkdir(parents=True)
    (media / "a.txt").write_bytes(b"tep tai len")
    path = tmp_path / "ok.tar.gz"
    # The test's own transaction holds the database: copy it with the test-friendly method.
    backup.create_backup(path, method="dumpdata")
    return path


@pytest.mark.parametrize("change, message", [
    (lambda n, d: d + b"x" if n == "media/a.txt" else d, "sai mã kiểm tra SHA-256: media/a.txt"),
    (lambda n, d: None if n == "media/a.txt" else d, "thiếu: media/a.txt"),
    (lambda n, d: d.replace(b'"model"', b'"modeL"', 1) if n == "database/cchc.json" else d,
     "sai mã kiểm tra SHA-256: database/cchc.json"),
    (lambda n, d: None if n == "manifest.json" else d, "không có manifest.json"),
    (lambda n, d: b"{not json" if n == "manifest.json" else d, "manifest.json của bản sao lưu"),
])
def test_a_tampered_archive_is_refused_before_anything_changes(archive, tmp_path, change, message):
    bad = tmp_path / "bad.tar.gz"
    rewrite(archive, bad, change)
    User.objects.create(username="canh-bao")
    with pytest.raises(CommandError, match=message):
        call_command("restore", bad, force=True, stdout=io.StringIO())
    assert User.objects.filter(username="canh-bao").exists()  # nothing was touched


def test_an_extra_member_or_a_path_outside_is_refused(archive, tmp_path):
    with tarfile.open(tmp_path / "x.tar", "w") as tar:
        for name, data in [*members(archive).items(), ("media/them.txt", b"x")]:
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    with pytest.raises(CommandError, match="thừa .*media/them.txt"):
        call_command("restore", tmp_path / "x.tar", force=True, stdout=io.StringIO())
    with tarfile.open(tmp_path / "evil.tar", "w") as tar:
        info = tarfile.TarInfo("../../etc/evil")
        info.size = 1
        tar.addfile(info, io.BytesIO(b"x"))
    with pytest.raises(CommandError, match="không hợp lệ"):
        call_command("restore", tmp_path / "evil.tar", force=True, stdout=io.StringIO())
    assert not (tmp_path.parent.parent / "etc" / "evil").exists()


def test_a_truncated_or_foreign_file_is_refused(archive, tmp_path):
    truncated = tmp_path / "cut.tar.gz"
    truncated.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    with pytest.raises(CommandError, match="bị hỏng|cắt cụt"):
        call_command("restore", truncated, force=True, stdout=io.StringIO())
    foreign = tmp_path / "anh.jpg"
    foreign.write_bytes(b"\xff\xd8\xff\xe0 not a tar")
    with pytest.raises(CommandError, match="không phải bản sao lưu của cchc"):
        call_command("restore", foreign, stdout=io.StringIO())
    with pytest.raises(CommandError, match="Không tìm thấy tệp sao lưu"):
        call_command("restore", tmp_path / "khong-co.tar.gz", stdout=io.StringIO())


def test_an_archive_from_a_newer_version_is_refused(archive, tmp_path):
    def newer(name, data):
        if name != "manifest.json":
            return data
        manifest = json.loads(data)
        manifest["migrations"].setdefault("onestop", []).append("9999_from_the_future")
        return json.dumps(manifest).encode()

    bad = tmp_path / "new.tar.gz"
    rewrite(archive, bad, newer)
    with pytest.raises(CommandError, match="phiên bản cchc mới hơn.*9999_from_the_future"):
        call_command("restore", bad, force=True, stdout=io.StringIO())


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_a_sqlite_archive_is_not_restored_into_postgresql(media, tmp_path):
    archive = tmp_path / "b.tar.gz"
    backup.create_backup(archive)

    def as_sqlite(name, data):
        if name == "manifest.json":
            manifest = json.loads(data)
            manifest["database"]["method"] = "sqlite-backup"
            manifest["files"]["database/cchc.sqlite3"] = manifest["files"].pop("database/cchc.pgdump")
            return json.dumps(manifest).encode()
        return data

    with tarfile.open(tmp_path / "s.tar", "w") as tar:
        for name, data in members(archive).items():
            data = as_sqlite(name, data)
            info = tarfile.TarInfo(name.replace("cchc.pgdump", "cchc.sqlite3"))
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    with pytest.raises(CommandError, match="chỉ khôi phục được vào SQLite"):
        call_command("restore", tmp_path / "s.tar", force=True, stdout=io.StringIO())
