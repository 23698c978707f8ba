"""Hostile .xlsx files refused before any library parses them.

A spreadsheet is a zip of XML parts. Nothing it declares is trusted: sizes, dimensions and
counts are measured on the bytes themselves, streaming, with hard limits, before python-calamine
sees the file (calamine builds a dense grid from the first to the farthest cell, so a 5 KB file
holding A1 and XFD1048576 asks it for hundreds of GB and the Rust side aborts the process).

`inspect_xlsx(data)` inflates every member itself from the raw deflate stream (never through
`ZipInfo.file_size`), stopping as soon as a member yields more bytes than it declared (a lying
zip), more than its cap, or the workbook more than the total cap; it checks each member's CRC,
refuses encrypted members, unknown compression, duplicate names, nested archives, DTDs and
entity declarations (billion laughs), and measures every worksheet's real extent from its cell
references: the farthest row and column, and rows × columns, must stay within the limits below.
It raises `ImportRejected` with a Chinese file-level message, and returns the opened zip.

Two ways of reading the cell references, the second only when the first cannot decide:
* fast: every `<c …>` start tag of the part has the canonical form the Office writers produce
  (`<c r="B7" s="1" t="s">`: `r` first, double quotes, unprefixed attributes); then a regex on
  whole start tags reads exactly what an XML parser would;
* exact: otherwise the part is parsed with expat (no DTD allowed), every `c` and `row` element
  of any prefix is followed, and cells without `r` are placed after the previous one, as readers
  do (an upper bound, never an under-estimate).
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from xml.parsers import expat

from dudao.core.imports import ImportRejected

# --- Limits (measured on the inflated bytes, never taken from the file) ------------------------
MAX_MEMBERS = 1_000  # parts in the zip (an Excel workbook has a few dozen)
MAX_SHEET_PART_BYTES = 256 * 1024 * 1024  # one worksheet or the shared strings, inflated
MAX_OTHER_PART_BYTES = 32 * 1024 * 1024  # any other part (styles, images …), inflated
MAX_UNCOMPRESSED_BYTES = 400 * 1024 * 1024  # all parts together, inflated
MAX_SHEET_ROWS = 200_100  # farthest row of any sheet (imports take 200,000 data rows)
MAX_SHEET_COLUMNS = 1_000  # farthest column of any sheet (ALL)
MAX_SHEET_CELLS = 5_000_000  # farthest row × farthest column: the dense grid a reader builds
MAX_SHARED_STRINGS = 5_000_000  # entries of the shared strings table
EXCEL_ROWS = 1_048_576
EXCEL_COLUMNS = 16_384

CHUNK = 1024 * 1024
MAX_CARRY = 1024 * 1024  # an unfinished tag longer than this is left to the exact reader

CORRUPT = "文件已损坏，无法作为 Excel（.xlsx）读取。"
NOT_WORKBOOK = "文件不是 Excel（.xlsx）工作簿（可能是改了扩展名的其他文件）。"
TOO_BIG = "文件解压后过大，已拒绝。"
LYING = "文件已损坏（压缩数据解压后的大小与文件中记录的不符），已拒绝。"
NESTED = (
    "工作簿中嵌入了压缩包或其他 Office 文件（{name}），已拒绝。请把数据复制到新的工作簿后再上传。"
)
ENTITY = "文件含有 XML 文档类型或实体声明（DOCTYPE/ENTITY），Excel 不会生成这样的文件，已拒绝。"
TOO_MANY_PARTS = "文件中的条目过多，不像 Excel 工作簿，已拒绝。"
ENCRYPTED = "文件已加密，请取消密码后再上传。"
BAD_REF = "工作表中有无效的单元格位置「{ref}」，文件已损坏。"
TOO_MANY_STRINGS = "文件中的文本条目过多（超过 {limit:,} 条），已拒绝。"
EXTENT = (
    "工作表的数据范围过大：最远的单元格为 {ref}（{rows:,} 行 × {cols:,} 列）。"
    "上限为 {max_rows:,} 行、{max_cols:,} 列、共 {max_cells:,} 个单元格。"
    "请删除多余的行和列（或把数据复制到新的工作簿）后再上传。"
)

_ENTITY_RE = re.compile(rb"<!\s*(?:DOCTYPE|ENTITY)", re.I)
# A prefixed cell, row or shared string (`<x:c>`): left to the exact reading.
_PREFIXED_HINT_RE = re.compile(rb":(?:c|row|si)[\s/>]")
_PREFIXED_RE = re.compile(rb"<[A-Za-z_][\w.\-]*:(?:c|row|si)[\s/>]")
# Every `<c` start tag; canonical ones (`<c r="B7"` then a space, '/' or '>') give their row.
_CELL_RE = re.compile(rb'<c r="([A-Z]{1,3})0*([1-9][0-9]{0,6})"[\s/>]')
# A `<c` start tag that is not canonical: `r="B7"` first, then only double-quoted attributes
# whose names neither start with r nor carry a prefix. A second `r` (malformed XML) must not
# hide in a tag read quickly: calamine takes the last one (pinned by a test, in a subprocess).
_CELL_TAIL = rb'"(?:\s+[a-qs-zA-Z_][\w.\-]*="[^"<]*")*\s*/?>'
_NON_CANONICAL_CELL_RE = re.compile(
    rb'<c(?! r="[A-Z]{1,3}0*[1-9][0-9]{0,6}' + _CELL_TAIL + rb")[\s/>]"
)
# The same, or a canonical cell past row 99,999: one search rules both out in the usual case.
_UNUSUAL_CELL_RE = re.compile(rb'<c(?! r="[A-Z]{1,3}0*[1-9][0-9]{0,4}' + _CELL_TAIL + rb")[\s/>]")
# A cell whose row number has at least `d` digits.
_ROW_DIGITS_RE = {
    d: re.compile(rb'<c r="[A-Z]{1,3}0*[1-9][0-9]{%d}' % (d - 1)) for d in range(1, 8)
}
MIN_CELL_BYTES = len(b'<c r="A1"/>')  # the shortest canonical cell
_WIDE_COLUMN_RE = re.compile(rb'<c r="([A-Z]{2,3})[0-9]')
_DIMENSION_RE = re.compile(rb"<(?:[A-Za-z_][\w.\-]*:)?dimension\s+ref\s*=\s*[\"']([^\"']*)[\"']")
_REF_RE = re.compile(r"\$?([A-Z]{1,3})\$?([0-9]{1,7})")
_ARCHIVE_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"\xd0\xcf\x11\xe0", b"7z\xbc\xaf", b"Rar!")


def refuse(message: str) -> ImportRejected:
    return ImportRejected.whole_file(message)


def column_index(letters: str | bytes) -> int:
    """'A' → 1, 'XFD' → 16384."""
    n = 0
    for ch in letters.encode() if isinstance(letters, str) else letters:
        n = n * 26 + ch - 64
    return n


def _letters(index: int) -> str:
    out = ""
    while index:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def _position(ref: str) -> tuple[int, int]:
    """(row, column), both 1-based, of a cell reference such as 'B7'; refuse what Excel can't
    address (row 0, beyond XFD or row 1,048,576, lower case, entities …)."""
    match = _REF_RE.fullmatch(ref)
    if match is None:
        raise refuse(BAD_REF.format(ref=ref[:20]))
    row, col = int(match[2]), column_index(match[1])
    if not (1 <= row <= EXCEL_ROWS and 1 <= col <= EXCEL_COLUMNS):
        raise refuse(BAD_REF.format(ref=ref[:20]))
    return row, col


@dataclass
class Extent:
    """The farthest row and column a sheet part reaches, and how many cells it holds."""

    rows: int = 0
    cols: int = 0
    cells: int = 0

    def reach(self, row: int, col: int) -> None:
        self.rows = max(self.rows, row)
        self.cols = max(self.cols, col)

    def over(self) -> bool:
        return (
            self.rows > MAX_SHEET_ROWS
            or self.cols > MAX_SHEET_COLUMNS
            or self.rows * self.cols > MAX_SHEET_CELLS
            or self.cells > MAX_SHEET_CELLS
        )

    def check(self) -> None:
        if self.over():
            raise refuse(
                EXTENT.format(
                    ref=f"{_letters(self.cols)}{self.rows}",
                    rows=self.rows,
                    cols=self.cols,
                    max_rows=MAX_SHEET_ROWS,
                    max_cols=MAX_SHEET_COLUMNS,
                    max_cells=MAX_SHEET_CELLS,
                )
            )


class _NeedsExactReading(Exception):
    """The fast reading met a start tag it cannot read exactly."""


class _NeedsPreciseCounting(Exception):
    """The fast reading's upper bounds exceed a limit: count exactly before refusing."""


@dataclass
class _FastScan:
    """Streaming regex reading of one part: cells, declared dimension, shared strings, DTDs."""

    extent: Extent = field(default_factory=Extent)
    precise: bool = False  # exact row and column figures (slower, for large sheets)
    count_strings: bool = True
    strings: int = 0
    first: bool = True
    carry: bytes = b""
    tail: bytes = b""  # the last bytes seen, so that a split '<!DOCTYPE' is still found

    def feed(self, chunk: bytes, *, final: bool = False) -> None:
        buffer = self.carry + chunk
        # Comments and CDATA are fine; a document type or entity declaration is not.
        if _ENTITY_RE.search(self.tail + buffer[:32]) or _ENTITY_RE.search(buffer):
            raise refuse(ENTITY)
        self.tail = buffer[-16:]
        cut = len(buffer) if final else buffer.rfind(b"<")
        if cut < 0 or len(buffer) - cut > MAX_CARRY:
            cut = len(buffer)
        head, self.carry = buffer[:cut], buffer[cut:]
        if not head:
            return
        if b":" in head and _PREFIXED_HINT_RE.search(head) and _PREFIXED_RE.search(head):
            raise _NeedsExactReading
        if b"<c" in head:
            self._cells(head)
        if self.first and b"<dimension" in head:  # a claim, checked where writers put it
            for dim in _DIMENSION_RE.findall(head):
                _check_dimension(dim.decode("ascii", "replace"))
        self.first = False
        if self.count_strings:
            self.strings += head.count(b"<si")  # an upper bound of the `<si>` entries
        if self.strings > MAX_SHARED_STRINGS:
            raise refuse(TOO_MANY_STRINGS.format(limit=MAX_SHARED_STRINGS))

    def _cells(self, head: bytes) -> None:
        unusual = _UNUSUAL_CELL_RE.search(head) is not None
        if unusual and _NON_CANONICAL_CELL_RE.search(head):
            raise _NeedsExactReading
        if self.precise:
            self._precise_cells(head)
            return
        # Upper bounds without a Python object per cell (a search per figure): the cells the
        # bytes can hold, the widest column letters, the longest row number (only as many
        # digits as needed to stay within the limits). Exact figures are counted only if a
        # bound exceeds a limit.
        self.extent.cells += len(head) // MIN_CELL_BYTES
        wide = set(_WIDE_COLUMN_RE.findall(head))
        self.extent.cols = max(self.extent.cols, max(map(column_index, wide)) if wide else 26)
        if unusual:  # canonical, so a row past 99,999: near the limit, count exactly
            raise _NeedsPreciseCounting
        for digits in range(5, 0, -1):
            bound = Extent(max(self.extent.rows, 10**digits - 1), self.extent.cols, 0)
            if not bound.over():
                self.extent.rows = bound.rows
                break
            if _ROW_DIGITS_RE[digits].search(head):
                raise _NeedsPreciseCounting
        else:
            raise _NeedsPreciseCounting
        if self.extent.over():
            raise _NeedsPreciseCounting

    def _precise_cells(self, head: bytes) -> None:
        cells = _CELL_RE.findall(head)
        if not cells:
            return
        letters, digits = (set(values) for values in zip(*cells, strict=True))
        self.extent.cells += len(cells)
        self.extent.reach(max(map(int, digits)), max(map(column_index, letters)))
        if self.extent.rows > EXCEL_ROWS or self.extent.cols > EXCEL_COLUMNS:
            raise refuse(BAD_REF.format(ref=f"{_letters(self.extent.cols)}{self.extent.rows}"))
        self.extent.check()


def _check_dimension(ref: str) -> None:
    """The declared used range is only a claim, but a claim beyond the limits is refused early."""
    declared = Extent()
    for part in ref.split(":")[:2]:
        declared.reach(*_position(part.strip()))
    declared.check()


class _ExactScan:
    """expat reading of one part (any prefixes, any attribute order, cells without `r`)."""

    def __init__(self) -> None:
        self.extent = Extent()
        self.row = 0  # current row (1-based)
        self.col = 0  # last column placed in the current row
        self.strings = 0
        self.parser = expat.ParserCreate()
        self.parser.StartElementHandler = self._start
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._doctype

    @staticmethod
    def _doctype(*_: object) -> None:
        raise refuse(ENTITY)

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        local = name.rpartition(":")[2]
        refs = [v for k, v in attrs.items() if k.rpartition(":")[2] == "r"]
        if local == "row":
            rows = [int(v) if v.isdigit() else -1 for v in refs]
            if any(not 1 <= r <= EXCEL_ROWS for r in rows):
                raise refuse(BAD_REF.format(ref=",".join(refs)[:20]))
            # A row without a number follows the farthest one seen (an upper bound).
            self.row = max(rows) if rows else max(self.row, self.extent.rows) + 1
            self.col = 0
        elif local == "c":
            self.extent.cells += 1
            if refs:
                positions = [_position(v) for v in refs]
                row = max(p[0] for p in positions)
                col = max(p[1] for p in positions)
            else:
                row, col = max(self.row, 1), self.col + 1
            self.col = max(self.col, col)
            self.extent.reach(row, col)
            if self.extent.cells % 4096 == 0:
                self.extent.check()
        elif local == "dimension" and "ref" in attrs:
            _check_dimension(attrs["ref"])
        elif local == "si":
            self.strings += 1
            if self.strings > MAX_SHARED_STRINGS:
                raise refuse(TOO_MANY_STRINGS.format(limit=MAX_SHARED_STRINGS))

    def feed(self, chunk: bytes, *, final: bool = False) -> None:
        self.parser.Parse(chunk, final)
        if final:
            self.extent.check()


# --- Zip members -------------------------------------------------------------------------------


def _member_data_span(data: bytes, info: zipfile.ZipInfo) -> tuple[int, int]:
    """Start and end of a member's compressed bytes, from its local header."""
    offset = info.header_offset
    if offset < 0 or data[offset : offset + 4] != b"PK\x03\x04":
        raise refuse(CORRUPT)
    name_len, extra_len = struct.unpack_from("<HH", data, offset + 26)
    start = offset + 30 + name_len + extra_len
    end = start + info.compress_size
    if end > len(data):
        raise refuse(CORRUPT)
    return start, end


def inflate(data: bytes, info: zipfile.ZipInfo, *, cap: int) -> Iterator[bytes]:
    """Yield a member's inflated bytes in chunks, never more than it declared nor than `cap`;
    refuse a short, long or corrupt stream (CRC checked at the end)."""
    if info.flag_bits & 0x1:
        raise refuse(ENCRYPTED)
    if info.file_size > cap:
        raise refuse(TOO_BIG)
    start, end = _member_data_span(data, info)
    if info.compress_type == zipfile.ZIP_STORED:
        if info.compress_size != info.file_size:
            raise refuse(LYING)
        chunks = _stored(data, start, end)
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        chunks = _deflated(data, start, end, info.file_size)
    else:
        raise refuse(CORRUPT)
    crc = 0
    for chunk in chunks:
        crc = zlib.crc32(chunk, crc)
        yield chunk
    if crc != info.CRC:
        raise refuse(CORRUPT)


def _stored(data: bytes, start: int, end: int) -> Iterator[bytes]:
    view = memoryview(data)
    for pos in range(start, end, CHUNK):
        yield bytes(view[pos : min(pos + CHUNK, end)])


def _deflated(data: bytes, start: int, end: int, declared: int) -> Iterator[bytes]:
    """Inflate the raw deflate stream at data[start:end], CHUNK bytes of output at a time,
    refusing as soon as it yields more than `declared` (the lying zip costs nothing)."""
    view = memoryview(data)
    inflater = zlib.decompressobj(-15)
    pos = start
    produced = 0
    while not inflater.eof:
        if inflater.unconsumed_tail:
            source = inflater.unconsumed_tail
        elif pos < end:
            source = bytes(view[pos : min(pos + CHUNK, end)])
            pos += CHUNK
        else:
            source = b""
        try:
            chunk = inflater.decompress(source, CHUNK)
        except zlib.error as exc:
            raise refuse(CORRUPT) from exc
        if not chunk and not source:
            break  # input exhausted before the end of the stream
        produced += len(chunk)
        if produced > declared:
            raise refuse(LYING)
        if chunk:
            yield chunk
    if not inflater.eof:
        raise refuse(CORRUPT)
    if produced != declared:
        raise refuse(LYING)


_DECLARED_ENCODING_RE = re.compile(rb"\s*<\?xml[^>]*?encoding\s*=\s*[\"']([^\"']*)[\"']")
_TARGET_RE = re.compile(rb"\bTarget\s*=\s*[\"']([^\"']*)[\"']")
_RELATIONSHIP_RE = re.compile(rb"<[^<>]*\bTarget\b[^<]*")


def _looks_like_xml(first: bytes) -> bool:
    return first.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<")


def _check_encoding(first: bytes) -> None:
    """Office writes UTF-8; UTF-16 or another encoding would hide tags from the byte-level
    reading, so it is refused."""
    if b"\x00" in first[:4096] or first.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise refuse(CORRUPT)
    declared = _DECLARED_ENCODING_RE.match(first.removeprefix(b"\xef\xbb\xbf"))
    if declared and declared[1].lower() not in {b"utf-8", b"utf8"}:
        raise refuse(CORRUPT)


def _parsed_parts(data: bytes, infos: dict[str, zipfile.ZipInfo]) -> tuple[set[str], set[str]]:
    """Every part a reader may parse as XML (the workbook's relationship targets, resolved in
    every way readers do: absolute, relative to xl/, as written), and those of them a reader
    takes as the shared strings table."""
    rels = infos.get("xl/_rels/workbook.xml.rels")
    if rels is None:
        return set(), set()
    text = b"".join(inflate(data, rels, cap=MAX_OTHER_PART_BYTES))
    parts: set[str] = set()
    strings: set[str] = set()
    for tag in _RELATIONSHIP_RE.findall(text):
        for raw in _TARGET_RE.findall(tag):
            target = raw.decode("utf-8", "replace")
            names = {target, target.lstrip("/"), posixpath.normpath(f"xl/{target}")}
            parts |= names
            if b"sharedstrings" in tag.lower():
                strings |= names
    return parts, strings


def _scan_member(data: bytes, info: zipfile.ZipInfo, parsed: set[str], strings: set[str]) -> None:
    name = info.filename
    cap = MAX_SHEET_PART_BYTES if name.startswith("xl/worksheets/") else MAX_OTHER_PART_BYTES
    if name == "xl/sharedStrings.xml" or name in strings:
        cap = MAX_SHEET_PART_BYTES
    # Worksheets hold no shared strings, unless the workbook names one as its table.
    count_strings = not name.startswith("xl/worksheets/") or name in strings
    chunks = inflate(data, info, cap=cap)
    first = next(chunks, b"")
    if first.startswith(_ARCHIVE_MAGIC):
        raise refuse(NESTED.format(name=name.rsplit("/", 1)[-1][:60]))
    is_xml = name in parsed or name.lower().endswith((".xml", ".rels", ".vml"))
    if not is_xml and not _looks_like_xml(first):
        for _ in chunks:  # still inflated to the end: sizes and CRC are checked
            pass
        return
    if first and not _looks_like_xml(first):
        raise refuse(CORRUPT)
    _check_encoding(first)
    try:
        try:
            _fast_scan(first, chunks, precise=False, count_strings=count_strings)
        except _NeedsPreciseCounting:
            chunks = inflate(data, info, cap=cap)
            _fast_scan(b"", chunks, precise=True, count_strings=count_strings)
    except _NeedsExactReading:
        _exact_scan(data, info, cap)


def _fast_scan(
    first: bytes, chunks: Iterator[bytes], *, precise: bool, count_strings: bool
) -> None:
    scan = _FastScan(precise=precise, count_strings=count_strings)
    scan.feed(first)
    for chunk in chunks:
        scan.feed(chunk)
    scan.feed(b"", final=True)


def _exact_scan(data: bytes, info: zipfile.ZipInfo, cap: int) -> None:
    exact = _ExactScan()
    try:
        for chunk in inflate(data, info, cap=cap):
            exact.feed(chunk)
        exact.feed(b"", final=True)
    except expat.ExpatError as exc:
        raise refuse(CORRUPT) from exc


def inspect_xlsx(data: bytes) -> zipfile.ZipFile:
    """Refuse a hostile or broken workbook (see the module docstring); return the opened zip.
    The caller has already checked that `data` is non-empty, within the upload limit and starts
    like a zip."""
    if data.count(b"PK\x01\x02") > MAX_MEMBERS:
        raise refuse(TOO_MANY_PARTS)
    if data.count(b"PK\x05\x06") != 1:
        raise refuse(CORRUPT)
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError, struct.error) as exc:
        raise refuse(CORRUPT) from exc
    names = [info.filename for info in infos]
    if len(set(names)) != len(names):
        raise refuse(CORRUPT)
    if "xl/workbook.xml" not in names:
        raise refuse(NOT_WORKBOOK)
    declared = sum(info.file_size for info in infos)
    if declared > MAX_UNCOMPRESSED_BYTES:
        raise refuse(TOO_BIG)
    parsed, strings = _parsed_parts(data, {info.filename: info for info in infos})
    for info in infos:
        _scan_member(data, info, parsed, strings)
    return archive
