"""Checks for uploaded files: photos are decoded and re-encoded (EXIF, GPS and anything hidden
dropped), documents are accepted by content, not by name. Both return a clean name and bytes or
raise `UploadRejected` with a Chinese message. Files are stored under MEDIA_ROOT (DATA_DIR/uploads)
and served only through views that check the user's scope — never as public static files.
"""

from __future__ import annotations

import io
import re
import unicodedata
from dataclasses import dataclass

from dudao.core.exceptions import DomainError

MAX_PHOTO_BYTES = 15 * 1024 * 1024  # what a phone camera produces
MAX_PHOTO_SIDE = 2048  # stored photos are scaled down to this longest side
MAX_PIXELS = 60_000_000  # refuse decompression bombs
MAX_DOCUMENT_BYTES = 20 * 1024 * 1024

# Accepted documents: extension → (magic prefix, MIME type).
DOCUMENT_TYPES: dict[str, tuple[bytes, str]] = {
    "pdf": (b"%PDF-", "application/pdf"),
    "docx": (
        b"PK\x03\x04",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": (b"PK\x03\x04", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    "jpg": (b"\xff\xd8\xff", "image/jpeg"),
    "jpeg": (b"\xff\xd8\xff", "image/jpeg"),
    "png": (b"\x89PNG\r\n\x1a\n", "image/png"),
}


class UploadRejected(DomainError):
    code = "upload_rejected"
    status_code = 422


@dataclass(frozen=True)
class CleanFile:
    name: str
    content: bytes
    content_type: str
    width: int = 0
    height: int = 0


def safe_name(name: str, default: str = "file") -> str:
    """A file name without paths, control characters or shell-hostile characters."""
    name = unicodedata.normalize("NFC", name).replace("\\", "/").rsplit("/", 1)[-1]
    name = re.sub(r"[\x00-\x1f<>:\"|?*]", "", name).strip(" .")
    return name[:120] or default


def clean_photo(data: bytes, name: str = "photo.jpg") -> CleanFile:
    """Decode a JPEG/PNG/WebP photo, apply its orientation, scale it down and re-encode it as
    JPEG without any metadata. Anything that is not a decodable image is refused."""
    from PIL import Image, ImageOps

    if not data:
        raise UploadRejected("照片文件为空。")
    if len(data) > MAX_PHOTO_BYTES:
        raise UploadRejected(f"照片过大（上限 {MAX_PHOTO_BYTES // 1024 // 1024} MB）。")
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    too_many_pixels = f"图片像素过多（上限 {MAX_PIXELS // 10_000:,} 万像素），已拒绝。"
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.format not in {"JPEG", "PNG", "WEBP", "MPO"}:
                raise UploadRejected("只能上传 JPG、PNG 或 WebP 格式的照片。")
            width, height = probe.size
            if width * height > MAX_PIXELS:  # Pillow only warns below twice its limit
                raise UploadRejected(too_many_pixels)
            probe.verify()
        with Image.open(io.BytesIO(data)) as opened:
            opened.load()
            img = ImageOps.exif_transpose(opened).convert("RGB")
            img.thumbnail((MAX_PHOTO_SIDE, MAX_PHOTO_SIDE))
            out = io.BytesIO()
            img.save(out, "JPEG", quality=85, optimize=True)  # no exif= → no metadata
            width, height = img.size
    except UploadRejected:
        raise
    except (KeyboardInterrupt, SystemExit):
        raise
    except Image.DecompressionBombError as exc:
        raise UploadRejected(too_many_pixels) from exc
    except Exception as exc:
        # Pillow reports a broken file in many ways: UnidentifiedImageError, OSError (truncated),
        # SyntaxError (a PNG chunk with a bad CRC), ValueError, struct.error, EOFError,
        # IndexError, DecompressionBombError, MemoryError … all mean the same to the user.
        raise UploadRejected("文件不是有效的图片，无法读取。") from exc
    stem = safe_name(name, "photo").rsplit(".", 1)[0] or "photo"
    return CleanFile(f"{stem}.jpg", out.getvalue(), "image/jpeg", width, height)


def clean_document(data: bytes, name: str) -> CleanFile:
    """Accept a PDF, Word, Excel or image file whose content matches its extension."""
    name = safe_name(name)
    ext = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    allowed = "、".join(sorted({e.upper() for e in DOCUMENT_TYPES if e != "jpeg"}))
    if ext not in DOCUMENT_TYPES:
        raise UploadRejected(f"不支持的文件类型「{ext or '无扩展名'}」，只能上传 {allowed} 文件。")
    if not data:
        raise UploadRejected("文件为空。")
    if len(data) > MAX_DOCUMENT_BYTES:
        raise UploadRejected(f"文件过大（上限 {MAX_DOCUMENT_BYTES // 1024 // 1024} MB）。")
    magic, mime = DOCUMENT_TYPES[ext]
    if not data.startswith(magic):
        raise UploadRejected(f"文件内容与扩展名 .{ext} 不符，已拒绝。")
    if ext in {"jpg", "jpeg", "png"}:
        photo = clean_photo(data, name)
        return photo
    return CleanFile(name, data, mime)
