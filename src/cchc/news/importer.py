"""Import of existing articles (from an older portal) from a JSONL file or a folder of .json
and .html files.

An item: ``title``, ``date`` (YYYY-MM-DD or ISO datetime, local time), ``category`` (slug or
name of a category), ``unit`` (key era:code, e.g. pre2025:868), ``body`` (plain text, paragraphs
separated by blank lines, or HTML), optional ``summary`` (default: the body's first sentences),
``credits`` ("BT: … + Ảnh: …") or ``author``/``photo_credit``, ``tags`` (list or comma
separated). An .html file carries them in ``<title>`` and ``<meta name="…" content="…">`` with
the body in ``<body>``. HTML is reduced to the rich-text features the editor allows.
Items are checked first: with any error nothing is written, unless ``skip_bad``. An item whose
article already exists (same unit, title and date) is skipped, so importing twice adds nothing.
"""

import datetime
import html
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from wagtail.admin.rich_text.converters.editor_html import EditorHTMLConverter

from cchc.errors import DomainError
from cchc.org.models import AdministrativeUnit
from cchc.org.selectors import UNIT_KEY_RE
from cchc.textfold import fold

from . import services
from .models import RICH_TEXT_FEATURES, ArticlePage, CategoryIndexPage, NewsHomePage

MAX_TITLE = 255


class FileError(DomainError):
    code = "import_file_error"


@dataclass
class ItemError:
    where: str  # "dòng 3" or a file name
    field: str
    message: str

    def __str__(self):
        return _("%(where)s, trường %(field)s: %(message)s") % {
            "where": self.where, "field": self.field, "message": self.message}


@dataclass
class ImportReport:
    created: int = 0
    skipped_existing: int = 0
    errors: list[ItemError] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)


class _HTMLArticle(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.meta, self.title, self._in_title = {}, "", False
        self._body_start = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "meta" and attrs.get("name"):
            self.meta[attrs["name"].strip().lower()] = attrs.get("content") or ""
        elif tag == "title":
            self._in_title = True

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def read_html(text: str) -> dict:
    parser = _HTMLArticle()
    parser.feed(text)
    match = re.search(r"<body[^>]*>(.*)</body>", text, re.S | re.I)
    item = {k: v for k, v in parser.meta.items()
            if k in {"date", "category", "unit", "summary", "credits", "author",
                     "photo_credit", "tags"}}
    item["title"] = parser.title.strip()
    item["body"] = (match.group(1) if match else text).strip()
    return item


def read_items(path: Path) -> list[tuple[str, dict | None, str | None]]:
    """(where, item or None, reading error or None) for each item in ``path``."""
    if not path.exists():
        raise FileError(_("Không tìm thấy %(path)s.") % {"path": path})
    items = []
    if path.is_dir():
        files = sorted(p for p in path.iterdir() if p.suffix.lower() in {".json", ".html", ".htm"})
        if not files:
            raise FileError(_("Thư mục %(path)s không có tệp .json hoặc .html.") % {"path": path})
        for file in files:
            try:
                text = file.read_text(encoding="utf-8")
                item = json.loads(text) if file.suffix.lower() == ".json" else read_html(text)
                items.append((file.name, item, None))
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                items.append((file.name, None, _("không đọc được tệp (%(e)s)") % {"e": exc}))
        return items
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except UnicodeDecodeError:
        raise FileError(_("Tệp %(path)s không phải văn bản UTF-8.") % {"path": path}) from None
    for number, line in enumerate(lines, 1):
        if not line.strip():
            continue
        where = _("dòng %(n)s") % {"n": number}
        try:
            items.append((where, json.loads(line), None))
        except json.JSONDecodeError as exc:
            items.append((where, None, _("không phải JSON hợp lệ (%(e)s)") % {"e": exc.msg}))
    return items


def _text_to_html(text: str) -> str:
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    return "".join(f"<p>{html.escape(p).replace(chr(10), '<br/>')}</p>" for p in paragraphs)


def _summary(body_html: str) -> str:
    text = re.sub(r"\s+", " ", strip_tags(body_html.replace("</p>", "</p> "))).strip()
    sentences = re.split(r"(?<=[.!?…])\s+", text)
    summary = ""
    for sentence in sentences:
        if len(summary) + len(sentence) > 400:
            break
        summary = f"{summary} {sentence}".strip()
    return summary or text[:400]


def _parse_date(value) -> datetime.datetime:
    text = str(value or "").strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        parsed = datetime.datetime.combine(datetime.date.fromisoformat(text), datetime.time(8, 0))
    else:
        parsed = datetime.datetime.fromisoformat(text)
    if timezone.is_naive(parsed):
        parsed = parsed.replace(tzinfo=timezone.get_current_timezone())
    return parsed


def clean_item(where: str, item, home: NewsHomePage, categories: dict) -> tuple[dict | None, list]:
    errors = []

    def error(name, message):
        errors.append(ItemError(where, name, message))

    if not isinstance(item, dict):
        error("*", _("mỗi mục phải là một đối tượng JSON"))
        return None, errors
    title = str(item.get("title") or "").strip()
    if not title:
        error("title", _("thiếu tiêu đề"))
    elif len(title) > MAX_TITLE:
        error("title", _("tiêu đề dài quá %(n)s ký tự") % {"n": MAX_TITLE})
    published_at = None
    try:
        published_at = _parse_date(item.get("date"))
        if published_at > timezone.now():
            error("date", _("ngày đăng ở tương lai"))
            published_at = None
    except (ValueError, TypeError):
        error("date", _("thiếu hoặc sai ngày đăng “%(v)s” (dùng YYYY-MM-DD)") % {"v": item.get("date") or ""})
    category = categories.get(fold(str(item.get("category") or "")))
    if category is None:
        error("category", _("không có chuyên mục “%(v)s” (có: %(all)s)") % {
            "v": item.get("category") or "",
            "all": ", ".join(sorted({c.slug for c in categories.values()}))})
    unit = None
    key = str(item.get("unit") or "").strip()
    match = UNIT_KEY_RE.match(key)
    if not match:
        error("unit", _("thiếu hoặc sai mã đơn vị “%(v)s” (dùng thời kỳ:mã, ví dụ pre2025:868)")
              % {"v": key})
    else:
        unit = AdministrativeUnit.objects.filter(era=match["era"] or "2025", code=match["code"]).first()
        if unit is None:
            error("unit", _("không có đơn vị %(v)s") % {"v": key})
    body = item.get("body")
    if not isinstance(body, str) or not body.strip():
        error("body", _("thiếu nội dung"))
        body_html = ""
    else:
        looks_html = item.get("format") == "html" or bool(re.search(r"<[a-zA-Z][^>]*>", body))
        raw = body if looks_html else _text_to_html(body)
        body_html = EditorHTMLConverter(features=RICH_TEXT_FEATURES).to_database_format(raw)
        if not strip_tags(body_html).strip():
            error("body", _("nội dung trống sau khi lọc HTML"))
    author, photo = str(item.get("author") or "").strip(), str(item.get("photo_credit") or "").strip()
    if item.get("credits"):
        author, photo = ArticlePage.parse_credits(str(item["credits"]))
    if len(author) > 200 or len(photo) > 200:
        error("credits", _("tên tác giả hoặc nguồn ảnh dài quá 200 ký tự"))
    tags = item.get("tags") or []
    if isinstance(tags, str):
        tags = [t.strip() for t in tags.split(",")]
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        error("tags", _("từ khóa phải là danh sách chuỗi"))
        tags = []
    summary = str(item.get("summary") or "").strip() or _summary(body_html)
    if len(summary) > 1000:
        error("summary", _("tóm tắt dài quá 1000 ký tự"))
    if errors:
        return None, errors
    return {"title": title, "published_at": published_at, "category": category, "unit": unit,
            "body": [{"type": "paragraph", "value": body_html}], "summary": summary,
            "author": author, "photo_credit": photo, "tags": [t for t in tags if t.strip()]}, []


def import_articles(path: Path, *, skip_bad: bool = False, user=None) -> ImportReport:
    home = NewsHomePage.objects.order_by("path").first()
    if home is None:
        raise FileError(_("Chưa có cổng tin: hãy tạo cổng tin (cchc demo hoặc quản trị) trước."))
    categories = {}
    for category in CategoryIndexPage.objects.child_of(home):
        categories[fold(category.slug)] = category
        categories[fold(category.title)] = category
    report = ImportReport()
    valid = []
    for where, item, read_error in read_items(Path(path)):
        if read_error:
            report.errors.append(ItemError(where, "*", read_error))
            report.rejected.append(where)
            continue
        cleaned, errors = clean_item(where, item, home, categories)
        if errors:
            report.errors.extend(errors)
            report.rejected.append(where)
        else:
            valid.append(cleaned)
    if report.errors and not skip_bad:
        return report
    with transaction.atomic():
        for data in valid:
            section = services.ensure_unit_section(home, data.pop("unit"))
            day = timezone.localtime(data["published_at"]).date()
            if ArticlePage.objects.child_of(section).filter(
                    title=data["title"], first_published_at__date=day).exists():
                report.skipped_existing += 1
                continue
            services.publish_article(section, user=user, **data)
            report.created += 1
    return report
