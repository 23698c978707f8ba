"""Uploaded photos are re-encoded without metadata; documents are accepted by content."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from dudao.core import uploads
from dudao.core.uploads import UploadRejected, clean_document, clean_photo, safe_name


def _jpeg(size: tuple[int, int] = (64, 48), *, exif: bool = False, orientation: int = 1) -> bytes:
    img = Image.new("RGB", size, (200, 30, 30))
    out = io.BytesIO()
    data = Image.Exif()
    if exif:
        data[0x010F] = "PhoneMaker"  # Make
        data[0x0112] = orientation  # Orientation
        data[0x8825] = {2: (34.0, 45.0, 0.0)}  # GPS IFD
    img.save(out, "JPEG", exif=data.tobytes() if exif else b"")
    return out.getvalue()


def test_it_re_encodes_a_photo_without_any_metadata() -> None:
    cleaned = clean_photo(_jpeg(exif=True), "IMG_0001.JPG")
    assert (cleaned.name, cleaned.content_type) == ("IMG_0001.jpg", "image/jpeg")
    with Image.open(io.BytesIO(cleaned.content)) as img:
        assert dict(img.getexif()) == {}
        assert img.info.get("exif") is None


def test_it_applies_the_orientation_before_dropping_it() -> None:
    cleaned = clean_photo(_jpeg((64, 48), exif=True, orientation=6))
    assert (cleaned.width, cleaned.height) == (48, 64)


def test_it_scales_a_large_photo_down(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "MAX_PHOTO_SIDE", 32)
    cleaned = clean_photo(_jpeg((128, 64)))
    assert (cleaned.width, cleaned.height) == (32, 16)


def test_it_accepts_png_and_stores_jpeg() -> None:
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 0, 0)).save(out, "PNG")
    assert clean_photo(out.getvalue(), "a.png").name == "a.jpg"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "照片文件为空。"),
        (b"GIF89a" + b"\x00" * 20, "文件不是有效的图片，无法读取。"),
        (b"<svg xmlns='http://www.w3.org/2000/svg'/>", "文件不是有效的图片，无法读取。"),
        (_jpeg()[:40], "文件不是有效的图片，无法读取。"),
    ],
)
def test_it_refuses_what_is_not_a_photo(data: bytes, message: str) -> None:
    with pytest.raises(UploadRejected) as caught:
        clean_photo(data)
    assert caught.value.message == message


def test_it_refuses_an_oversized_photo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "MAX_PHOTO_BYTES", 100)
    with pytest.raises(UploadRejected, match="照片过大"):
        clean_photo(_jpeg())


def test_it_refuses_a_decompression_bomb(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "MAX_PIXELS", 1000)
    with pytest.raises(UploadRejected, match="像素过多"):
        clean_photo(_jpeg((200, 200)))


def test_it_accepts_a_document_whose_content_matches_its_extension() -> None:
    cleaned = clean_document(b"%PDF-1.7\n...", "../../整改报告.pdf")
    assert (cleaned.name, cleaned.content_type) == ("整改报告.pdf", "application/pdf")


@pytest.mark.parametrize(
    ("data", "name", "message"),
    [
        (
            b"MZ\x90\x00",
            "报告.exe",
            "不支持的文件类型「exe」，只能上传 DOCX、JPG、PDF、PNG、XLSX 文件。",
        ),
        (
            b"%PDF",
            "报告",
            "不支持的文件类型「无扩展名」，只能上传 DOCX、JPG、PDF、PNG、XLSX 文件。",
        ),
        (b"MZ\x90\x00", "报告.pdf", "文件内容与扩展名 .pdf 不符，已拒绝。"),
        (b"", "报告.pdf", "文件为空。"),
    ],
)
def test_it_refuses_a_forbidden_or_disguised_document(data: bytes, name: str, message: str) -> None:
    with pytest.raises(UploadRejected) as caught:
        clean_document(data, name)
    assert caught.value.message == message


def test_it_refuses_an_oversized_document(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "MAX_DOCUMENT_BYTES", 10)
    with pytest.raises(UploadRejected, match="文件过大"):
        clean_document(b"%PDF-1.7" + b"x" * 20, "a.pdf")


def test_it_makes_file_names_safe() -> None:
    assert safe_name("C:\\Users\\a\\照片<1>.jpg") == "照片1.jpg"
    assert safe_name(" .. ") == "file"
