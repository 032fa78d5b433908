"""Attachments of a nomination or a submission (tệp đính kèm: báo cáo thành tích, biên bản họp,
tóm tắt thành tích…): the rules shared by both aggregates. Pure: no I/O.

The file's bytes live outside the event log, in a content-addressed blob store
(``services.attachments``); the events (``Nomination.AttachmentAdded``,
``Submission.AttachmentAdded``, ``…AttachmentRemoved``) record the reference: the SHA-256 of the
content, its size, the media type found from the content, the original file name (NFC, no path,
no control characters), the kind, an optional title and who. Each attachment of an aggregate has
a number (``no``, 1, 2, … never reused); a removed one leaves the list, its events stay.
"""

from __future__ import annotations

import re
from typing import Any

from domain.errors import Conflict, Invalid, NotFound, ValidationFailed
from domain.text import nfc

KINDS = {
    "bao_cao_thanh_tich": "Báo cáo thành tích",
    "bien_ban_hop": "Biên bản họp",
    "tom_tat_thanh_tich": "Tóm tắt thành tích",
    "khac": "Khác",
}
PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
JPEG = "image/jpeg"
PNG = "image/png"
# media type → (extension of a download, label)
MEDIA_TYPES = {
    PDF: (".pdf", "PDF"),
    DOCX: (".docx", "Word (DOCX)"),
    XLSX: (".xlsx", "Excel (XLSX)"),
    JPEG: (".jpg", "Ảnh JPEG"),
    PNG: (".png", "Ảnh PNG"),
}
ACCEPT = ".pdf,.docx,.xlsx,.jpg,.jpeg,.png"
MAX_PER_RECORD = 50  # attachments in force on one nomination or submission
MAX_FILE_NAME = 150
MAX_TITLE = 200
SHA256 = re.compile(r"^[0-9a-f]{64}$")
_PATH = re.compile(r"^.*[/\\]")


# -- refusals -----------------------------------------------------------------------------------


class AttachmentTypeRefused(Invalid):
    code = "attachment.type_not_allowed"
    message_template = (
        "Tệp không đúng định dạng cho phép: nội dung tệp phải là PDF, Word (DOCX), Excel (XLSX) "
        "hoặc ảnh JPG/PNG (kiểm tra theo nội dung, không theo tên tệp).")


class AttachmentTooLarge(Invalid):
    code = "attachment.too_large"
    message_template = "Tệp quá lớn: tối đa {max_mb} MB mỗi tệp."


class AttachmentEmpty(Invalid):
    code = "attachment.empty"
    message_template = "Chưa chọn tệp, hoặc tệp rỗng."


class AttachmentKindInvalid(Invalid):
    code = "attachment.kind_invalid"
    message_template = (
        "Loại tài liệu «{kind}» không hợp lệ: chọn báo cáo thành tích, biên bản họp, tóm tắt "
        "thành tích hoặc khác.")


class UnknownAttachment(NotFound):
    # ``not_found``: the path names the record, the attachment is a part of it
    code = "not_found"
    message_template = "Không tìm thấy tệp đính kèm «{ref}» của hồ sơ này (có thể đã được gỡ)."


class AttachmentBlobMissing(NotFound):
    code = "attachment.blob_missing"
    message_template = (
        "Nội dung của tệp đính kèm «{file_name}» không còn trong kho lưu trữ tệp (có thể đã bị "
        "xóa khỏi máy chủ). Xin báo quản trị để khôi phục từ bản sao lưu.")


class AttachmentDuplicate(Conflict):
    code = "attachment.duplicate"
    message_template = "Tệp này (cùng nội dung) đã được đính kèm: «{file_name}» (số {no})."


class TooManyAttachments(Conflict):
    code = "attachment.too_many"
    message_template = "Hồ sơ đã có {count} tệp đính kèm, tối đa {max} tệp."


class AttachmentsClosed(Conflict):
    code = "attachment.closed"
    message_template = (
        "Không thể thêm hoặc gỡ tệp đính kèm khi hồ sơ ở trạng thái «{status_label}».")


# -- cleaning -----------------------------------------------------------------------------------


def clean_kind(kind: Any) -> str:
    value = str(kind or "").strip()
    if value not in KINDS:
        raise AttachmentKindInvalid(kind=value[:50])
    return value


def clean_title(title: Any) -> str:
    text = nfc(str(title or ""))
    if len(text) > MAX_TITLE:
        raise ValidationFailed(reason=f"tiêu đề tệp quá dài (tối đa {MAX_TITLE} ký tự)")
    return text


def clean_file_name(name: Any) -> str:
    """The name as the user's computer gave it: NFC, without a path, without control or
    invisible characters, at most ``MAX_FILE_NAME`` characters (the extension kept); "tep" when
    nothing is left. Never used to decide the type."""
    text = nfc(_PATH.sub("", str(name or "")))
    text = text.replace('"', "'").strip(" .") or "tep"
    if len(text) > MAX_FILE_NAME:
        stem, dot, ext = text.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            text = stem[: MAX_FILE_NAME - len(ext) - 1].rstrip() + "." + ext
        else:
            text = text[:MAX_FILE_NAME].rstrip()
    return text


def download_name(file_name: str, media_type: str) -> str:
    """The file name of a download: the original stem with the extension of the type its content
    has ("anh.pdf" holding a PNG downloads as "anh.png")."""
    ext = MEDIA_TYPES.get(media_type, (".bin", ""))[0]
    stem, dot, old = file_name.rpartition(".")
    if not dot or not stem or len(old) > 10:
        stem = file_name
    if ext == ".jpg" and old.lower() in ("jpg", "jpeg"):
        return file_name
    return f"{stem}{ext}"


# -- the list kept by an aggregate --------------------------------------------------------------


def next_attachment(
    current: list[dict[str, Any]] | tuple[dict[str, Any], ...],
    last_no: int,
    *,
    sha256: str,
    size: int,
    media_type: str,
    file_name: str,
    kind: str,
    title: str,
) -> dict[str, Any]:
    """The data of the next ``AttachmentAdded`` event, checked against the list in force."""
    if not SHA256.match(sha256 or "") or media_type not in MEDIA_TYPES or size <= 0:
        raise AttachmentTypeRefused()
    for item in current:
        if item["sha256"] == sha256:
            raise AttachmentDuplicate(file_name=item["file_name"], no=item["no"])
    if len(current) >= MAX_PER_RECORD:
        raise TooManyAttachments(count=len(current), max=MAX_PER_RECORD)
    return {
        "no": last_no + 1,
        "sha256": sha256,
        "size": int(size),
        "media_type": media_type,
        "file_name": clean_file_name(file_name),
        "kind": clean_kind(kind),
        "title": clean_title(title),
    }


def find_attachment(
    current: list[dict[str, Any]] | tuple[dict[str, Any], ...], ref: Any
) -> dict[str, Any]:
    """An attachment in force by its number ("3") or its content hash (64 hex digits)."""
    text = str(ref or "").strip().lower()
    for item in current:
        if (text.isascii() and text.isdigit() and len(text) < 10 and item["no"] == int(text)) or \
                item["sha256"] == text:
            return item
    raise UnknownAttachment(ref=str(ref)[:80])


def added(event: Any, current: list[dict[str, Any]] | tuple[dict[str, Any], ...]
          ) -> list[dict[str, Any]]:
    """The list after an ``AttachmentAdded`` event (its own time and author kept)."""
    return [*current, {
        "no": event.no,
        "sha256": event.sha256,
        "size": event.size,
        "media_type": event.media_type,
        "file_name": event.file_name,
        "kind": event.kind,
        "title": event.title,
        "added_by": event.actor,
        "added_at": event.timestamp.isoformat(),
    }]


def removed(event: Any, current: list[dict[str, Any]] | tuple[dict[str, Any], ...]
            ) -> list[dict[str, Any]]:
    return [item for item in current if item["no"] != event.no]
