"""Documents a citizen uploads or a desk scans: checked by content, size and type.

Only PDF, JPEG and PNG are accepted, recognised by their first bytes (the name and the
browser's content type are not trusted), at most ``MAX_UPLOAD_BYTES`` each and
``MAX_FILES`` per dossier.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from cchc.errors import InvalidInput

from .models import Dossier, DossierDocument

MAX_UPLOAD_BYTES = 10 * 1024 * 1024
MAX_FILES = 20
SIGNATURES = {
    b"%PDF-": ("application/pdf", ".pdf"),
    b"\xff\xd8\xff": ("image/jpeg", ".jpg"),
    b"\x89PNG\r\n\x1a\n": ("image/png", ".png"),
}


def sniff(head: bytes) -> tuple[str, str] | None:
    for signature, kind in SIGNATURES.items():
        if head.startswith(signature):
            return kind
    return None


def validate_upload(upload, field: str = "documents") -> str:
    """The content type of an acceptable upload; ``InvalidInput`` naming the file otherwise."""
    name = getattr(upload, "name", "") or "?"
    size = getattr(upload, "size", None) or 0
    if size <= 0:
        raise InvalidInput(_("Tệp “%(name)s” rỗng.") % {"name": name}, fields={field: [_("Tệp rỗng.")]})
    if size > MAX_UPLOAD_BYTES:
        raise InvalidInput(
            _("Tệp “%(name)s” vượt quá %(mb)s MB.") % {"name": name, "mb": MAX_UPLOAD_BYTES // (1024 * 1024)},
            fields={field: [_("Tệp quá lớn.")]}, code="file_too_large",
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    kind = sniff(head)
    if kind is None:
        raise InvalidInput(
            _("Tệp “%(name)s” không phải PDF, JPEG hoặc PNG.") % {"name": name},
            fields={field: [_("Chỉ nhận PDF, JPEG, PNG.")]}, code="file_type_not_allowed",
        )
    return kind[0]


@transaction.atomic
def attach_documents(dossier: Dossier, uploads, *, kind: str = "original", names=None) -> list[DossierDocument]:
    """Validate every file first, then store them all (nothing is stored if one is bad)."""
    uploads = list(uploads or [])
    if dossier.documents.count() + len(uploads) > MAX_FILES:
        raise InvalidInput(_("Mỗi hồ sơ có tối đa %(n)s tệp.") % {"n": MAX_FILES}, code="too_many_files")
    types = [validate_upload(upload) for upload in uploads]
    names = list(names or [])
    stored = []
    for index, (upload, content_type) in enumerate(zip(uploads, types, strict=True)):
        label = (names[index] if index < len(names) and names[index] else upload.name)[:300]
        stored.append(DossierDocument.objects.create(
            dossier=dossier, name=label, file=upload, content_type=content_type,
            size=upload.size, kind=kind,
        ))
    return stored
