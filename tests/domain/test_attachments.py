"""The attachment rules that need no store: file names, download names, numbering."""

from __future__ import annotations

import pytest

from domain.attachments import (
    PDF,
    PNG,
    AttachmentDuplicate,
    AttachmentKindInvalid,
    UnknownAttachment,
    clean_file_name,
    download_name,
    find_attachment,
    next_attachment,
)


@pytest.mark.parametrize(("raw", "clean"), [
    ("C:\\Users\\hoa\\Ba\u0301o ca\u0301o.pdf", "Báo cáo.pdf"),
    ("../../etc/passwd", "passwd"),
    ("a\x00b\x07c\u202e.pdf", "abc.pdf"),
    ('bao "cao".pdf', "bao 'cao'.pdf"),
    ("", "tep"),
    ("...", "tep"),
    ("x" * 300 + ".docx", "x" * 145 + ".docx"),
])
def test_file_names_are_cleaned(raw, clean):
    assert clean_file_name(raw) == clean


@pytest.mark.parametrize(("name", "media", "expected"), [
    ("anh.pdf", PNG, "anh.png"), ("bao-cao.pdf", PDF, "bao-cao.pdf"), ("tep", PDF, "tep.pdf"),
    ("anh.JPEG", "image/jpeg", "anh.JPEG"), ("a.b.c", PDF, "a.b.pdf"),
])
def test_download_names_follow_the_content(name, media, expected):
    assert download_name(name, media) == expected


def test_numbering_duplicates_and_lookup():
    item = next_attachment([], 4, sha256="a" * 64, size=10, media_type=PDF, file_name="a.pdf",
                           kind="khac", title=" Tiêu  đề ")
    assert item["no"] == 5 and item["title"] == "Tiêu đề"
    with pytest.raises(AttachmentDuplicate):
        next_attachment([item], 5, sha256="a" * 64, size=10, media_type=PDF, file_name="b.pdf",
                        kind="khac", title="")
    with pytest.raises(AttachmentKindInvalid):
        next_attachment([], 0, sha256="b" * 64, size=10, media_type=PDF, file_name="b.pdf",
                        kind="bang_khen", title="")
    assert find_attachment([item], "5") is item and find_attachment([item], "A" * 64) is item
    for ref in ("4", "9" * 40, "", "abc", "²", "٥"):
        with pytest.raises(UnknownAttachment):
            find_attachment([item], ref)
