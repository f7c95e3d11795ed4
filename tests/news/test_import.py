import json

import pytest
from django.core.management import CommandError, call_command

from cchc.news.importer import import_articles
from cchc.news.models import ArticlePage

pytestmark = pytest.mark.django_db

GOOD = {"title": "Huyện Tam Nông niêm yết thủ tục", "date": "2022-07-19",
        "category": "tin-hoat-dong", "unit": "pre2025:868",
        "body": "Đoạn một.\n\nĐoạn hai.", "credits": "BT: Hữu Phước + Ảnh: Văn Út",
        "tags": ["niêm yết"]}


def write_jsonl(path, items):
    path.write_text("\n".join(json.dumps(i, ensure_ascii=False) if isinstance(i, dict) else i
                              for i in items), encoding="utf-8")
    return path


def test_jsonl_import_keeps_date_unit_credits(portal, tmp_path):
    html = dict(GOOD, title="Bài HTML", category="Tuyên truyền cải cách hành chính",
                body="<p>Có <b>đậm</b></p><script>alert(1)</script>", unit="2025:29955")
    report = import_articles(write_jsonl(tmp_path / "a.jsonl", [GOOD, html]))
    assert (report.created, report.errors) == (2, [])
    article = ArticlePage.objects.get(title=GOOD["title"])
    assert article.live and article.unit == portal["units"]["d"]
    assert article.first_published_at.date().isoformat() == "2022-07-19"
    assert (article.author, article.photo_credit) == ("Hữu Phước", "Văn Út")
    assert article.category.slug == "tin-hoat-dong"
    assert [t.name for t in article.tags.all()] == ["niêm yết"]
    assert article.summary == "Đoạn một. Đoạn hai."
    body = ArticlePage.objects.get(title="Bài HTML").body[0].value.source
    assert "<b>đậm</b>" in body and "script" not in body
    again = import_articles(tmp_path / "a.jsonl")
    assert (again.created, again.skipped_existing) == (0, 2)


def test_errors_name_the_line_and_the_field_and_nothing_is_written(portal, tmp_path):
    path = write_jsonl(tmp_path / "bad.jsonl", [
        GOOD,
        dict(GOOD, title="", date="19/07/2022"),
        "{không phải json",
        dict(GOOD, title="Sai đơn vị", unit="pre2025:999", category="khong-co"),
    ])
    report = import_articles(path)
    messages = [str(e) for e in report.errors]
    assert "dòng 2, trường title: thiếu tiêu đề" in messages
    assert any(m.startswith("dòng 2, trường date:") for m in messages)
    assert any(m.startswith("dòng 3, trường *: không phải JSON hợp lệ") for m in messages)
    assert any(m.startswith("dòng 4, trường unit: không có đơn vị pre2025:999") for m in messages)
    assert any(m.startswith("dòng 4, trường category:") for m in messages)
    assert report.rejected == ["dòng 2", "dòng 3", "dòng 4"]
    assert not ArticlePage.objects.exists()


def test_skip_bad_imports_the_good_items(portal, tmp_path):
    path = write_jsonl(tmp_path / "bad.jsonl", [GOOD, dict(GOOD, body="")])
    report = import_articles(path, skip_bad=True)
    assert report.created == 1 and report.rejected == ["dòng 2"]


def test_folder_of_json_and_html(portal, tmp_path):
    (tmp_path / "1.json").write_text(json.dumps(GOOD, ensure_ascii=False), encoding="utf-8")
    (tmp_path / "2.html").write_text(
        '<html><head><title>Xã Tân Hồng tuyên truyền</title>'
        '<meta name="date" content="2026-03-30"><meta name="category" content="tuyen-truyen-cchc">'
        '<meta name="unit" content="2025:29926"><meta name="credits" content="BT: Kim Ngân">'
        '</head><body><p>Nội dung.</p></body></html>', encoding="utf-8")
    (tmp_path / "3.html").write_text("<html><head><title>Thiếu ngày</title></head>"
                                     "<body><p>x</p></body></html>", encoding="utf-8")
    report = import_articles(tmp_path, skip_bad=True)
    assert report.created == 2
    assert any(str(e).startswith("3.html, trường date") for e in report.errors)
    article = ArticlePage.objects.get(title="Xã Tân Hồng tuyên truyền")
    assert article.unit == portal["units"]["b"] and article.author == "Kim Ngân"


def test_command(portal, tmp_path, capsys):
    bad = write_jsonl(tmp_path / "bad.jsonl", [GOOD, dict(GOOD, date="")])
    with pytest.raises(CommandError) as excinfo:
        call_command("import-articles", str(bad))
    assert "Không nạp gì" in str(excinfo.value)
    assert "dòng 2, trường date" in capsys.readouterr().err
    assert not ArticlePage.objects.exists()
    call_command("import-articles", str(bad), "--skip-bad")
    assert "Đã nạp 1 bài" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("import-articles", str(tmp_path / "khong-co.jsonl"))
