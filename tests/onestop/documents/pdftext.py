"""Text of a generated PDF for assertions: pypdf if installed, else poppler's pdftotext, else
the small ToUnicode reader of the catalog tests (set CCHC_TEST_PDF_READER=fallback to force
it). Extractors disagree on where lines break, so the text is compared without whitespace."""

import io
import os
import re
import shutil
import subprocess


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def pdf_text(data: bytes) -> str:
    """The PDF's text with all whitespace removed."""
    reader = os.environ.get("CCHC_TEST_PDF_READER", "")
    try:
        from pypdf import PdfReader
    except ImportError:
        PdfReader = None
    if PdfReader is not None and not reader:
        text = "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)
    elif shutil.which("pdftotext") and reader != "fallback":
        text = subprocess.run(["pdftotext", "-raw", "-enc", "UTF-8", "-", "-"], input=data,
                              capture_output=True, check=True).stdout.decode()
    else:
        from tests.catalog.pdftext import pdf_text as fallback

        text = fallback(data)
    return squash(text)


def assert_in_pdf(text: str, *expected: str):
    missing = [item for item in expected if squash(item) not in text]
    assert not missing, f"not in the PDF: {missing}"


def page_count(data: bytes) -> int:
    from tests.catalog.pdftext import page_count as count

    return count(data)
