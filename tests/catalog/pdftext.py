"""Text of a PDF made by WeasyPrint, for assertions: pypdf when it is installed, else a small
reader of the ToUnicode maps and text operators that WeasyPrint writes."""

import re
import zlib

_OBJECT = re.compile(rb"(\d+) 0 obj(.*?)endobj", re.S)
_STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
_TOKENS = re.compile(rb"(/[^\s/<>\[\]()]+)\s+[-\d.]+\s+Tf|<([0-9a-fA-F]*)>|\b(ET|Td|TD|T\*)\b")


def pdf_text(data: bytes) -> str:
    try:
        from pypdf import PdfReader
    except ImportError:
        return _fallback_text(data)
    import io

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(data)).pages)


def page_count(data: bytes) -> int:
    return sum(len(re.findall(rb"/Type\s*/Page\b(?!s)", body)) for body, _c in _objects(data).values())


def _objects(data: bytes) -> dict[int, tuple[bytes, bytes | None]]:
    objects = {}
    for match in _OBJECT.finditer(data):
        body = match.group(2)
        stream = _STREAM.search(body)
        content = None
        if stream:
            content = stream.group(1)
            if b"FlateDecode" in body[: stream.start()]:
                content = zlib.decompress(content)
        objects[int(match.group(1))] = (body, content)
        if content is not None and b"/ObjStm" in body:
            first = int(re.search(rb"/First\s+(\d+)", body).group(1))
            numbers = [int(n) for n in content[:first].split()]
            pairs = list(zip(numbers[0::2], numbers[1::2], strict=True))
            for index, (number, offset) in enumerate(pairs):
                end = pairs[index + 1][1] if index + 1 < len(pairs) else len(content) - first
                objects[number] = (content[first + offset:first + end], None)
    return objects


def _cmap(text: bytes) -> dict[str, str]:
    mapping = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", text, re.S):
        for src, dst in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            mapping[src.decode().upper()] = bytes.fromhex(dst.decode()).decode("utf-16-be")
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", text, re.S):
        for start, end, dst in re.findall(rb"<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>\s*<([0-9a-fA-F]+)>", block):
            width = len(start)
            first = int(dst, 16)
            for offset, code in enumerate(range(int(start, 16), int(end, 16) + 1)):
                mapping[f"{code:0{width}X}"] = chr(first + offset)
    return mapping


def _fallback_text(data: bytes) -> str:
    objects = _objects(data)
    fonts = {}
    for body, _content in objects.values():
        for name, number in re.findall(rb"(/[^\s/<>\[\]()]+)\s+(\d+) 0 R", body):
            font = objects.get(int(number))
            if font and b"/Font" in font[0]:
                unicode_ref = re.search(rb"/ToUnicode\s+(\d+) 0 R", font[0])
                if unicode_ref and int(unicode_ref.group(1)) in objects:
                    fonts[name] = _cmap(objects[int(unicode_ref.group(1))][1] or b"")
    lines = []
    for _body, content in objects.values():
        if content is None or b"Tf" not in content:
            continue
        current: dict[str, str] = {}
        line = []
        for match in _TOKENS.finditer(content):
            font, hexstring, operator = match.groups()
            if font:
                current = fonts.get(font, {})
            elif hexstring is not None:
                width = 4 if any(len(k) == 4 for k in current) else 2
                text = hexstring.decode().upper()
                line.extend(current.get(text[i:i + width], "") for i in range(0, len(text), width))
            elif operator:
                if line:
                    lines.append("".join(line))
                line = []
        if line:
            lines.append("".join(line))
    return "\n".join(lines)


def font_names(data: bytes) -> set[str]:
    """Base font names, without the subset prefix ("ABCDEF+LiberationSerif" -> "LiberationSerif")."""
    names = set()
    for body, _content in _objects(data).values():
        for name in re.findall(rb"/BaseFont\s*/([^\s/<>\[\]]+)", body):
            names.add(name.decode("latin-1").split("+", 1)[-1])
    return names
