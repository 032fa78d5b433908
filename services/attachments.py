"""Attachments of nominations and submissions: the blob store, the content checks, the commands.

* **Blob store.** A file's bytes are stored once per content, named by their SHA-256, under
  ``Settings.attachments_path`` (``TDKT_ATTACHMENTS_DIR``, default ``<TDKT_DATA_DIR>/attachments``,
  for SQLite and PostgreSQL alike): ``ab/abcdef…``. An upload is copied to a temporary file in
  ``.tmp/`` of the same directory while its hash is computed and its size counted (refused as
  soon as it passes the limit), checked, then renamed into place atomically; identical content
  already there is not written again. Blobs are never deleted by the service: removing an
  attachment is an event, and the same content may be attached elsewhere.
* **Content checks** (``sniff``): the type is read from the bytes, never from the file name —
  ``%PDF-``, the PNG signature, the JPEG start of image, or a ZIP whose ``[Content_Types].xml``
  declares a WordprocessingML (DOCX) or SpreadsheetML (XLSX) main part that the archive holds.
* **Who.** Reading (list, download) follows the read policy of the nomination or submission
  (``services.read_policy``). Adding and removing: nominators over the proposing unit while a
  nomination is a draft or returned; approvers and admins over the proposing unit while it is a
  draft, returned, under review or recommended (e.g. the council's minutes); a submission has no
  status: the same people, at any time.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO
from uuid import UUID

from domain import attachments as att
from domain.nomination import Nomination
from domain.submission import Submission
from projections.db import owner_only_dir
from services.app import Runtime
from services.authz import Actor
from services.read_policy import readable_nomination, readable_submission
from services.store import Saved

CHUNK = 64 * 1024
OWNERS = ("nomination", "submission")
OFFICE_ROLES = ("approver", "admin")
_CONTENT_TYPES_MAX = 512 * 1024
_OOXML_MAIN = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": att.DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": att.XLSX,
}


# -- content checks ------------------------------------------------------------------------------


def sniff(path: Path) -> str | None:
    """The media type of the file's content, or None when it is not one we accept."""
    with open(path, "rb") as handle:
        head = handle.read(8)
    if head.startswith(b"%PDF-"):
        return att.PDF
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return att.PNG
    if head.startswith(b"\xff\xd8\xff"):
        return att.JPEG
    if head.startswith(b"PK\x03\x04"):
        return _ooxml(path)
    return None


def _ooxml(path: Path) -> str | None:
    """DOCX or XLSX: the package's ``[Content_Types].xml`` declares the main document part (and
    the archive holds it). Anything unreadable is simply not accepted."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = {name.lower() for name in archive.namelist()}
            info = archive.getinfo("[Content_Types].xml")
            if info.file_size > _CONTENT_TYPES_MAX:
                return None
            with archive.open(info) as part:
                data = part.read(_CONTENT_TYPES_MAX + 1)
    except Exception:  # a damaged, encrypted or hostile archive: not a document we accept
        return None
    if len(data) > _CONTENT_TYPES_MAX or b"<!DOCTYPE" in data.upper() or b"<!ENTITY" in data:
        return None
    try:
        root = ET.fromstring(data)
    except (ET.ParseError, ValueError):
        return None
    found = set()
    for element in root:
        if not str(element.tag).endswith("Override"):
            continue
        media = _OOXML_MAIN.get(element.get("ContentType", ""))
        part = element.get("PartName", "").lstrip("/").lower()
        if media and part in names:
            found.add(media)
    return found.pop() if len(found) == 1 else None


# -- the blob store ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Staged:
    """An upload copied to a temporary file and checked, not yet in the store."""

    path: Path
    sha256: str
    size: int
    media_type: str


def megabytes(max_bytes: int) -> str:
    return f"{round(max_bytes / (1024 * 1024), 2):g}".replace(".", ",")


class BlobStore:
    """Files by content hash under ``root``: ``root/ab/abcdef…`` (no extension)."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        if not att.SHA256.match(sha256):
            raise ValueError("not a SHA-256")
        return self.root / sha256[:2] / sha256

    @contextmanager
    def staged(self, source: BinaryIO, max_bytes: int) -> Iterator[Staged]:
        """Copy ``source`` to a temporary file, counting and hashing as it goes: refused as soon
        as it passes ``max_bytes``; then its type checked by content. The temporary file is gone
        when the block ends (``keep`` moves it into the store first)."""
        tmp_dir = owner_only_dir(self.root) / ".tmp"  # personal papers: owner only
        tmp_dir.mkdir(mode=0o700, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=tmp_dir, prefix="upload-")
        tmp = Path(name)
        try:
            digest, size = hashlib.sha256(), 0
            with os.fdopen(fd, "wb") as out:
                while chunk := source.read(CHUNK):
                    size += len(chunk)
                    if size > max_bytes:
                        raise att.AttachmentTooLarge(max_mb=megabytes(max_bytes))
                    digest.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            if size == 0:
                raise att.AttachmentEmpty()
            media_type = sniff(tmp)
            if media_type is None:
                raise att.AttachmentTypeRefused()
            yield Staged(tmp, digest.hexdigest(), size, media_type)
        finally:
            tmp.unlink(missing_ok=True)

    def keep(self, staged: Staged) -> Path:
        """Move the staged file into the store (atomically); identical content stays as is."""
        final = self.path(staged.sha256)
        if final.is_file() and final.stat().st_size == staged.size:
            return final
        final.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.replace(staged.path, final)
        return final

    def open(self, sha256: str, size: int) -> BinaryIO | None:
        """The stored content, or None when it is missing (deleted, or not the recorded size)."""
        try:
            handle = open(self.path(sha256), "rb")  # noqa: SIM115 - closed by the caller
        except OSError:
            return None
        if os.fstat(handle.fileno()).st_size != size:
            handle.close()
            return None
        return handle


# -- views ---------------------------------------------------------------------------------------


def size_label(size: int) -> str:
    if size < 1024:
        return f"{size} byte"
    if size < 1024 * 1024:
        return f"{round(size / 1024)} KB"
    return f"{size / (1024 * 1024):.1f} MB".replace(".", ",")


def item_view(owner: str, record_id: UUID, item: dict[str, Any]) -> dict[str, Any]:
    media = att.MEDIA_TYPES.get(item["media_type"], ("", item["media_type"]))
    return {
        **item,
        "kind_label": att.KINDS.get(item["kind"], item["kind"]),
        "type_label": media[1],
        "size_label": size_label(item["size"]),
        "download_name": att.download_name(item["file_name"], item["media_type"]),
        "url": f"/api/{owner}s/{record_id}/attachments/{item['no']}",
    }


# -- the commands and queries ----------------------------------------------------------------------


Record = Nomination | Submission


class Attachments:
    """Attachments over one runtime: its store, its settings, the read policy."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.app = rt.app
        self.blobs = BlobStore(rt.settings.attachments_path)
        self.max_bytes = rt.settings.attachment_max_bytes

    # -- who --------------------------------------------------------------------------------

    def record(self, owner: str, record_id: UUID) -> Record:
        if owner == "nomination":
            return self.app.nominations.nomination(record_id)
        return self.app.nominations.submission(record_id)

    def readable(self, actor: Actor, owner: str, record_id: UUID) -> Record:
        if owner == "nomination":
            return readable_nomination(self.rt, actor, record_id)
        return readable_submission(self.rt, actor, record_id)

    def _as_office(self, actor: Actor, record: Record) -> bool:
        """True for the awards office over the proposing unit, False for a nominator there;
        anyone else is refused (403)."""
        unit = record.proposing_unit_id
        if any(self.app.authz.covers(actor, unit, role) for role in OFFICE_ROLES):
            return True
        self.app.authz.require(actor, "nominator", unit)
        return False

    def may_change(self, actor: Actor, record: Record) -> bool:
        """Whether the actor may add or remove attachments now (the pages' question)."""
        unit = record.proposing_unit_id
        if any(self.app.authz.covers(actor, unit, r) for r in OFFICE_ROLES):
            as_office = True
        elif self.app.authz.covers(actor, unit, "nominator"):
            as_office = False
        else:
            return False
        if isinstance(record, Nomination):
            return record.status in Nomination.ATTACHABLE["office" if as_office else "nominator"]
        return True

    # -- commands ---------------------------------------------------------------------------

    def add(
        self,
        actor: Actor,
        owner: str,
        record_id: UUID,
        source: BinaryIO,
        *,
        file_name: str,
        kind: str,
        title: str = "",
        expected_version: int | None = None,
    ) -> tuple[Saved, dict[str, Any]]:
        """Attach the file read from ``source``: who, state, kind and title are checked before a
        byte is read; size and type while and after copying it; nothing is recorded (and no blob
        kept) when any check fails."""
        record = self.record(owner, record_id)
        as_office = self._as_office(actor, record)
        if isinstance(record, Nomination):
            record.require_attachable(as_office)
        self.app.check_version(record, expected_version)
        data = {"kind": att.clean_kind(kind), "title": att.clean_title(title),
                "file_name": att.clean_file_name(file_name)}
        with self.blobs.staged(source, self.max_bytes) as staged:
            data.update(sha256=staged.sha256, size=staged.size, media_type=staged.media_type)
            if isinstance(record, Nomination):
                item = record.add_attachment(as_office=as_office, actor=actor.username, **data)
            else:
                item = record.add_attachment(actor=actor.username, **data)
            self.blobs.keep(staged)
        saved = self.app.commit(record)
        return saved, item_view(owner, record.id, item)

    def remove(
        self,
        actor: Actor,
        owner: str,
        record_id: UUID,
        ref: str,
        *,
        reason: str = "",
        expected_version: int | None = None,
    ) -> tuple[Saved, int]:
        record = self.record(owner, record_id)
        as_office = self._as_office(actor, record)
        self.app.check_version(record, expected_version)
        if isinstance(record, Nomination):
            no = record.remove_attachment(ref=ref, reason=reason, as_office=as_office,
                                          actor=actor.username)
        else:
            no = record.remove_attachment(ref=ref, reason=reason, actor=actor.username)
        return self.app.commit(record), no

    # -- queries ----------------------------------------------------------------------------

    def items(self, owner: str, record: Record) -> list[dict[str, Any]]:
        return [item_view(owner, record.id, item) for item in record.attached]

    def listing(self, actor: Actor, owner: str, record_id: UUID) -> dict[str, Any]:
        record = self.readable(actor, owner, record_id)
        items = self.items(owner, record)
        return {"id": str(record.id), "version": record.version, "items": items,
                "total": len(items), "max_bytes": self.max_bytes,
                "kinds": att.KINDS, "media_types": sorted(att.MEDIA_TYPES)}

    def open(self, actor: Actor, owner: str, record_id: UUID, ref: str
             ) -> tuple[dict[str, Any], BinaryIO]:
        """An attachment in force and its content, for a reader of the record; a content gone
        from the store is a 404 that says so."""
        record = self.readable(actor, owner, record_id)
        item = item_view(owner, record.id, att.find_attachment(record.attached, ref))
        handle = self.blobs.open(item["sha256"], item["size"])
        if handle is None:
            raise att.AttachmentBlobMissing(file_name=item["file_name"], no=item["no"])
        return item, handle

    def section(self, actor: Actor, owner: str, record: Record) -> dict[str, Any]:
        """What the pages' attachments section shows (``templates/pages/_attachments.html``)."""
        return {
            "owner": owner,
            "base": f"/{owner}s/{record.id}/attachments",
            "version": record.version,
            "items": self.items(owner, record),
            "can_change": self.may_change(actor, record),
            "kinds": att.KINDS,
            "accept": att.ACCEPT,
            "max_mb": megabytes(self.max_bytes),
            "max_count": att.MAX_PER_RECORD,
        }


def chunks(handle: BinaryIO) -> Iterator[bytes]:
    """A download's body, read a chunk at a time; the file closed at the end."""
    with handle:
        while chunk := handle.read(CHUNK):
            yield chunk
