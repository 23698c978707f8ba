"""A corpus of hostile upload files, generated in code (nothing binary is committed).

Workbooks are written part by part so that every byte is under the test's control:
`workbook(rows)` is a valid minimal .xlsx; the other builders bend one thing at a time.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from collections.abc import Callable, Sequence
from xml.sax.saxutils import escape

from PIL import Image

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
DECL = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'


def column(index: int) -> str:
    """1 → A, 16384 → XFD."""
    out = ""
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def cell(ref: str, value: object) -> str:
    """One `<c>`: numbers (and raw number text such as '1e300' or 'NaN' given as `Raw`) as
    values, anything else as an inline string."""
    if isinstance(value, Raw):
        return f'<c r="{ref}"><v>{value.text}</v></c>'
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f'<c r="{ref}"><v>{value!r}</v></c>'
    return f'<c r="{ref}" t="inlineStr"><is><t>{escape(str(value))}</t></is></c>'


class Raw:
    """A number cell's literal text, written as is (`<v>1e300</v>`)."""

    def __init__(self, text: str) -> None:
        self.text = text


def sheet_data(rows: Sequence[Sequence[object]]) -> str:
    out = []
    for r, values in enumerate(rows, start=1):
        cells = "".join(
            cell(f"{column(c)}{r}", v) for c, v in enumerate(values, start=1) if v is not None
        )
        out.append(f'<row r="{r}">{cells}</row>')
    return "".join(out)


def worksheet(body: str, *, dimension: str | None = None, head: str = DECL) -> bytes:
    dim = f'<dimension ref="{dimension}"/>' if dimension else ""
    return (
        f'{head}<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">{dim}'
        f"<sheetData>{body}</sheetData></worksheet>"
    ).encode()


def parts(
    sheet_xml: bytes,
    *,
    sheet: str = "Sheet1",
    shared_strings: bytes | None = None,
    extra: dict[str, bytes] | None = None,
) -> dict[str, bytes]:
    """The parts of a one-sheet workbook."""
    shared_rel = (
        f'<Relationship Id="rId2" Type="{REL_NS}/sharedStrings" Target="sharedStrings.xml"/>'
        if shared_strings is not None
        else ""
    )
    out = {
        "[Content_Types].xml": (
            f'{DECL}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" '
            'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/xl/workbook.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>'
        ).encode(),
        "_rels/.rels": (
            f'{DECL}<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" '
            f'Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ).encode(),
        "xl/workbook.xml": (
            f'{DECL}<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}"><sheets>'
            f'<sheet name="{escape(sheet)}" sheetId="1" r:id="rId1"/></sheets></workbook>'
        ).encode(),
        "xl/_rels/workbook.xml.rels": (
            f'{DECL}<Relationships xmlns="{PKG_REL_NS}"><Relationship Id="rId1" '
            f'Type="{REL_NS}/worksheet" Target="worksheets/sheet1.xml"/>{shared_rel}'
            "</Relationships>"
        ).encode(),
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    if shared_strings is not None:
        out["xl/sharedStrings.xml"] = shared_strings
    out.update(extra or {})
    return out


def zip_parts(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def workbook(rows: Sequence[Sequence[object]], *, sheet: str = "Sheet1") -> bytes:
    """A valid minimal workbook holding `rows` from A1."""
    return zip_parts(parts(worksheet(sheet_data(rows)), sheet=sheet))


# --- Hostile workbooks ---------------------------------------------------------------------------


def dimension_bomb(*, declare: bool = True, prefix: str = "") -> bytes:
    """A1 and XFD1048576: a few hundred bytes asking a dense reader for 17 billion cells.
    `declare=False` leaves out `<dimension>`; `prefix` writes the cells as `<x:c>`."""
    if prefix:
        body = (
            f'<{prefix}:row r="1"><{prefix}:c r="A1"><{prefix}:v>1</{prefix}:v></{prefix}:c>'
            f'</{prefix}:row><{prefix}:row r="1048576"><{prefix}:c r="XFD1048576">'
            f"<{prefix}:v>1</{prefix}:v></{prefix}:c></{prefix}:row>"
        )
        xml = (
            f'{DECL}<{prefix}:worksheet xmlns:{prefix}="{MAIN_NS}"><{prefix}:sheetData>{body}'
            f"</{prefix}:sheetData></{prefix}:worksheet>"
        ).encode()
    else:
        body = (
            '<row r="1"><c r="A1"><v>1</v></c></row>'
            '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'
        )
        xml = worksheet(body, dimension="A1:XFD1048576" if declare else None)
    return zip_parts(parts(xml))


def attribute_trick_bomb() -> bytes:
    """The far reference hidden behind an attribute holding a quote and '>' (a regex that
    reads tags loosely sees A1)."""
    body = (
        '<row r="1"><c r="A1"><v>1</v></c><c foo="x\' r=\'A1\'>" r="XFD1048576"><v>1</v></c></row>'
    )
    return zip_parts(parts(worksheet(body)))


def rowless_cells_bomb(columns: int = 5_000) -> bytes:
    """Cells without `r`: readers place each after the previous one."""
    body = '<row r="1">' + "<c><v>1</v></c>" * columns + "</row>"
    return zip_parts(parts(worksheet(body)))


def _deflate(pieces: Sequence[tuple[bytes, int]], *, crc_of: int = -1) -> tuple[bytes, int, int]:
    """(raw deflate stream, inflated size, crc32) of each piece repeated its count of times.
    Every piece is compressed once after a full flush, so repeating its compressed bytes
    repeats it: 600 MB of padding costs a millisecond. The CRC covers the first `crc_of`
    inflated bytes (all of them by default)."""
    out = []
    size = 0
    crc = 0
    for number, (piece, count) in enumerate(pieces):
        compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
        last = number == len(pieces) - 1
        block = compressor.compress(piece) + compressor.flush(
            zlib.Z_FINISH if last else zlib.Z_FULL_FLUSH
        )
        if last and count != 1:
            raise ValueError("the last piece is written once")
        out.append(block * count)
        for _ in range(count):
            if crc_of < 0 or size < crc_of:
                take = piece if crc_of < 0 else piece[: crc_of - size]
                crc = zlib.crc32(take, crc)
            size += len(piece)
    return b"".join(out), size, crc


def lying_zip(inflated_mb: int = 64, *, declared: int = 4096, honest_crc: bool = False) -> bytes:
    """The worksheet declares `declared` bytes but inflates to `inflated_mb` MB (a valid sheet
    padded with whitespace). By default its CRC is that of the first `declared` bytes, so a
    reader that stops at the declared size finds nothing wrong."""
    xml = worksheet(sheet_data([["a", 1]]))
    cut = xml.index(b"<sheetData>") + len(b"<sheetData>")
    pieces = [(xml[:cut], 1), (b" " * 1024 * 1024, inflated_mb), (xml[cut:], 1)]
    stream, _, crc = _deflate(pieces, crc_of=-1 if honest_crc else declared)
    data = zip_parts(parts(b"PLACEHOLDER-SHEET"))
    return _replace_member(data, "xl/worksheets/sheet1.xml", stream, declared, crc)


def _replace_member(data: bytes, name: str, stream: bytes, size: int, crc: int) -> bytes:
    """Rewrite the zip with member `name`'s compressed data, sizes and CRC replaced (both the
    local header and the central directory say `size`)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    central = []
    for info in source.infolist():
        raw_name = info.filename.encode()
        if info.filename == name:
            body, usize, crc32 = stream, size, crc
        else:
            body = _raw_member(data, info)
            usize, crc32 = info.file_size, info.CRC
        offset = out.tell()
        out.write(
            struct.pack(
                "<4sHHHHHIIIHH",
                b"PK\x03\x04",
                20,
                0,
                zipfile.ZIP_DEFLATED,
                0,
                0x21,
                crc32,
                len(body),
                usize,
                len(raw_name),
                0,
            )
        )
        out.write(raw_name)
        out.write(body)
        central.append(
            struct.pack(
                "<4sHHHHHHIIIHHHHHII",
                b"PK\x01\x02",
                20,
                20,
                0,
                zipfile.ZIP_DEFLATED,
                0,
                0x21,
                crc32,
                len(body),
                usize,
                len(raw_name),
                0,
                0,
                0,
                0,
                0,
                offset,
            )
            + raw_name
        )
    start = out.tell()
    for entry in central:
        out.write(entry)
    size_cd = out.tell() - start
    out.write(
        struct.pack(
            "<4sHHHHIIH", b"PK\x05\x06", 0, 0, len(central), len(central), size_cd, start, 0
        )
    )
    return out.getvalue()


def _raw_member(data: bytes, info: zipfile.ZipInfo) -> bytes:
    offset = info.header_offset
    name_len, extra_len = struct.unpack_from("<HH", data, offset + 26)
    start = offset + 30 + name_len + extra_len
    if info.compress_type == zipfile.ZIP_DEFLATED:
        return data[start : start + info.compress_size]
    return zlib.compress(data[start : start + info.compress_size])[2:-4]


def honest_zip_bomb(inflated_mb: int = 600) -> bytes:
    """A worksheet that honestly declares more than the workbook limit."""
    xml = worksheet("")
    cut = xml.index(b"<sheetData>")
    pieces = [(xml[:cut], 1), (b" " * 1024 * 1024, inflated_mb), (xml[cut:], 1)]
    stream, size, crc = _deflate(pieces, crc_of=0)
    return _replace_member(zip_parts(parts(b"x")), "xl/worksheets/sheet1.xml", stream, size, crc)


def nested_zip() -> bytes:
    """A workbook carrying another zip (here a small one; in the wild, 42.zip)."""
    inner = zip_parts({"bomb.txt": b"0" * 1_000_000})
    return zip_parts(
        parts(worksheet(sheet_data([["a"]])), extra={"xl/embeddings/oleObject1.bin": inner})
    )


def billion_laughs() -> bytes:
    """XML entity expansion in the worksheet."""
    entities = '<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{("&lol;" if i == 1 else f"&lol{i - 1};") * 10}">' for i in range(1, 10)
    )
    head = f'<?xml version="1.0"?><!DOCTYPE worksheet [{entities}]>'
    body = '<row r="1"><c r="A1" t="inlineStr"><is><t>&lol9;</t></is></c></row>'
    return zip_parts(parts(worksheet(body, head=head)))


def huge_shared_strings(count: int = 6_000_000) -> bytes:
    """A shared strings table of millions of (empty) entries: a few KB compressed."""
    strings = (
        f'{DECL}<sst xmlns="{MAIN_NS}" count="{count}" uniqueCount="{count}">'.encode()
        + b"<si><t/></si>" * count
        + b"</sst>"
    )
    return zip_parts(parts(worksheet(sheet_data([["a"]])), shared_strings=strings))


def utf16_sheet() -> bytes:
    """A worksheet in UTF-16 hides its tags from a byte-level reading."""
    xml = worksheet(sheet_data([["a", 1]]), head='<?xml version="1.0" encoding="UTF-16"?>')
    return zip_parts(parts(xml.decode().encode("utf-16")))


def not_a_zip() -> bytes:
    return b"%PDF-1.7\n" + b"0" * 2000


def truncated(data: bytes | None = None) -> bytes:
    data = data or workbook([["a", 1]] * 50)
    return data[: len(data) // 2]


def zip_without_end() -> bytes:
    data = workbook([["a", 1]])
    return data[: data.rfind(b"PK\x05\x06")]


# Every hostile workbook that must be refused as a whole file (name → bytes factory).
HOSTILE_WORKBOOKS: dict[str, Callable[[], bytes]] = {
    "dimension bomb": dimension_bomb,
    "dimension bomb without <dimension>": lambda: dimension_bomb(declare=False),
    "dimension bomb with prefixed tags": lambda: dimension_bomb(prefix="x"),
    "far cell behind an attribute trick": attribute_trick_bomb,
    "cells without r": rowless_cells_bomb,
    "lying zip": lying_zip,
    "lying zip with the true CRC": lambda: lying_zip(honest_crc=True),
    "honest zip bomb": honest_zip_bomb,
    "nested zip": nested_zip,
    "billion laughs": billion_laughs,
    "huge shared strings": huge_shared_strings,
    "UTF-16 sheet": utf16_sheet,
    "not a zip": not_a_zip,
    "truncated zip": truncated,
    "zip without its end record": zip_without_end,
}

# These make a dense reader allocate hundreds of GB: a test lets them meet calamine only in a
# subprocess with an address-space limit, so a regression fails the test, not the test run.
DENSE_BOMBS = frozenset(
    {
        "dimension bomb",
        "dimension bomb without <dimension>",
        "dimension bomb with prefixed tags",
        "far cell behind an attribute trick",
    }
)

# Cell values no import may turn into a server error.
HOSTILE_NUMBERS = (Raw("1e300"), Raw("-1e300"), Raw("1e24"), Raw("NaN"), Raw("INF"), "1e300")


# --- Hostile images ------------------------------------------------------------------------------


def png(size: tuple[int, int] = (16, 16)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 200, 10)).save(out, "PNG")
    return out.getvalue()


def png_with_bad_crc() -> bytes:
    """A PNG whose IDAT chunk CRC is wrong: it opens, and verify() raises SyntaxError."""
    data = bytearray(png())
    at = data.index(b"IDAT")
    length = struct.unpack(">I", data[at - 4 : at])[0]
    crc_at = at + 4 + length
    data[crc_at : crc_at + 4] = bytes(b ^ 0xFF for b in data[crc_at : crc_at + 4])
    return bytes(data)


def png_with_bad_header_crc() -> bytes:
    data = bytearray(png())
    data[29:33] = b"\x00\x00\x00\x00"  # IHDR CRC
    return bytes(data)


def truncated_jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (256, 256), (200, 30, 30)).save(out, "JPEG")
    data = out.getvalue()
    return data[: len(data) * 2 // 3]


def png_bomb(side: int = 12_000) -> bytes:
    """A small PNG declaring side × side pixels (144 M, over the limit but under Pillow's
    own error threshold of twice its warning limit)."""
    raw = zlib.compress(b"\x00" * (side // 8 + 1) * side, 9)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body))
            + kind
            + body
            + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", raw) + chunk(b"IEND", b"")


HOSTILE_IMAGES: dict[str, Callable[[], bytes]] = {
    "PNG with a bad CRC": png_with_bad_crc,
    "PNG with a bad header CRC": png_with_bad_header_crc,
    "truncated JPEG": truncated_jpeg,
    "PNG pixel bomb": png_bomb,
}
