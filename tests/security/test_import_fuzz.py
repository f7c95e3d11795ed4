"""Every ``import-*`` command fed malformed files: a clear Vietnamese error on stderr, a
non-zero exit, no traceback, and nothing written (rows counted before and after).

The commands are run as the console script runs them (``run_from_argv``), so an uncaught
exception would surface here as the exception itself, not as an exit code.
(``load-units`` reads the packaged data set, not a user file.)"""

import json
from unittest import mock

import pytest
from django.core.management import base, load_command_class
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

COMMANDS = {
    "import-dossiers": ("cchc.onestop", ".jsonl"),
    "import-procedures": ("cchc.catalog", ".csv"),
    "import-articles": ("cchc.news", ".jsonl"),
}
VIETNAMESE = set("ăâđêôơưàáạảãèéẹẻẽìíịỉĩòóọỏõùúụủũỳýỵỷỹ")


def counts():
    from wagtail.models import Page

    from cchc.catalog.models import Procedure, ProcedureVersion
    from cchc.onestop.models import Dossier, DossierEvent

    return {"dossiers": Dossier.objects.count(), "events": DossierEvent.objects.count(),
            "procedures": Procedure.objects.count(),
            "versions": ProcedureVersion.objects.count(), "pages": Page.objects.count()}


def run(command, path, capsys):
    app, _suffix = COMMANDS[command]
    cmd = load_command_class(app, command)
    # run_from_argv closes the connections when it ends; inside a test that would drop the
    # test's transaction on PostgreSQL (SQLite in memory ignores it).
    with mock.patch.object(base.connections, "close_all"), \
            pytest.raises(SystemExit) as exit_info:
        cmd.run_from_argv(["cchc", command, str(path), *(
            ["--no-progress"] if command == "import-dossiers" else [])])
    out, err = capsys.readouterr()
    return exit_info.value.code, out, err


def check_refused(command, path, capsys):
    before = counts()
    code, out, err = run(command, path, capsys)
    assert code not in (0, None), (command, path.name, out, err)
    assert "Traceback" not in err
    assert VIETNAMESE & set(err.lower()), err  # a sentence in Vietnamese
    assert counts() == before


VALID_DOSSIER = {"code": "000.10.50.H20-240207-0001", "agency": "000.10.50.H20",
                 "procedure": "1.001612", "applicant": {"name": "Nguyễn Văn A"},
                 "channel": "direct", "received_at": "2024-02-07T09:00:00+07:00",
                 "events": []}

CORRUPT = {
    "empty": b"",
    "blank_lines": b"\n\n   \n",
    "binary": bytes(range(256)) * 8,
    "nul_bytes": b"\x00" * 512,
    "utf16": json.dumps(VALID_DOSSIER, ensure_ascii=False).encode("utf-16"),
    "cp1258": "Nguyễn Văn Ánh, thủ tục đăng ký".encode("cp1258", "replace") + b"\xff\xfe\x81",
    "truncated_json": json.dumps(VALID_DOSSIER, ensure_ascii=False).encode()[:57],
    "json_array_line": b"[1, 2, 3]\n",
    "json_scalars": b"42\nnull\n\"chuoi\"\ntrue\n",
    "wrong_types": json.dumps({**VALID_DOSSIER, "applicant": 7, "events": "x",
                               "received_at": [1], "title": {"a": 1}, "body": 5}).encode(),
    "huge_field": json.dumps({**VALID_DOSSIER, "applicant": {"name": "A" * 2_000_000},
                              "title": "T" * 2_000_000}).encode(),
    "deep_nesting": b"[" * 100_000 + b"]" * 100_000,
    "pdf_renamed": b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n",
    "zip_renamed": b"PK\x03\x04" + b"\x00" * 200,
}


@pytest.mark.parametrize("command", sorted(COMMANDS))
@pytest.mark.parametrize("kind", sorted(CORRUPT))
def test_corrupt_files_are_refused_cleanly(command, kind, tmp_path, capsys, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    path = tmp_path / f"hong{COMMANDS[command][1]}"
    path.write_bytes(CORRUPT[kind])
    check_refused(command, path, capsys)


@pytest.mark.parametrize("command", ["import-procedures"])
@pytest.mark.parametrize("suffix", [".xlsx", ".json"])
@pytest.mark.parametrize("kind", ["binary", "empty", "truncated_json", "zip_renamed"])
def test_procedure_formats_by_suffix(command, suffix, kind, tmp_path, capsys):
    path = tmp_path / f"hong{suffix}"
    path.write_bytes(CORRUPT[kind])
    check_refused(command, path, capsys)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_missing_file(command, tmp_path, capsys):
    check_refused(command, tmp_path / "khong-co.jsonl", capsys)


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_random_bytes(command, tmp_path_factory, capsys):
    @settings(max_examples=12, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(data=st.binary(max_size=400) | st.text(max_size=200).map(str.encode)
           | st.lists(st.dictionaries(st.text(max_size=8), st.text(max_size=8) | st.integers(),
                                      max_size=4), max_size=4)
           .map(lambda rows: "\n".join(json.dumps(r) for r in rows).encode()))
    def inner(data):
        path = tmp_path_factory.mktemp("fuzz") / f"hong{COMMANDS[command][1]}"
        path.write_bytes(data)
        check_refused(command, path, capsys)

    inner()
