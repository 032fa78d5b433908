"""Evidence files of emulation results (minh chứng kèm kết quả — issue 19): a cluster member's
report or a movement participant's registration.

The bytes are kept by the blob store of the nominations' attachments (``services.attachments``:
one file per content, named by its SHA-256, the type read from the content, the same limits);
the event log keeps references only — a result's ``attachments`` are ``EvidenceFile``s (SHA-256,
file name, media type, size) of ``domain.emulation.indicators``.

* **Upload** (``upload``): the office that reports the results (the member's, the
  participant's) while results are accepted (the covenant open, the movement active). The file
  is checked and stored, and noted as uploaded for that report (a small JSON note beside the
  blobs: ``evidence/<report id>/<sha256>.json`` with the name, type and size found), nothing is
  recorded in the log yet. The answer's ``ref`` (the SHA-256) is what a result then names.
* **Naming files** (``files``): a result's ``attachments`` are refs of files uploaded for this
  very report or already on one of its results (any version): a hash alone, known from
  elsewhere, never brings another record's file in. Not naming them keeps the current files.
* **Download** (``open``): whoever may read the report; only files on one of its results (any
  version, so that the history's links work); any other ref is a 404.
"""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable, Iterable
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any, BinaryIO
from uuid import UUID

from fastapi.responses import StreamingResponse

from domain import attachments as att
from domain.emulation.cluster import report_id
from domain.emulation.errors import ReportUnknown
from domain.emulation.indicators import EvidenceFile, Result, ResultLog
from domain.errors import UnknownReference
from services.app import Runtime
from services.attachments import BlobStore, chunks, megabytes, size_label
from services.authz import Actor
from services.emulation.common import require, require_reader
from services.http.downloads import content_disposition

NOTES = "evidence"  # under the blob store's root: evidence/<record id>/<sha256>.json
MAX_FILES_PER_POST = 10


@dataclass(frozen=True)
class Upload:
    """A file of a page's form: its name and a readable source."""

    file_name: str
    source: BinaryIO


@dataclass
class Place:
    """Where evidence files belong: a member report or a movement registration."""

    record_id: UUID  # the report's (registration's) id, known before it exists
    log: ResultLog | None  # None: nothing reported yet
    reporters: list[UUID | None]  # whose office reports (uploads)
    leads: list[UUID | None]  # whose office confirms and corrects
    readers: list[UUID | None]  # any grant over one of them reads
    require_open: Callable[[], None]  # results accepted now, else the domain's refusal
    url: str  # the API's path of its evidence: ``{url}/{ref}``


def file_view(found: EvidenceFile, url: str | None = None) -> dict[str, Any]:
    """An evidence file as the API and the pages show it."""
    label = att.MEDIA_TYPES.get(found.media_type, ("", found.media_type))[1]
    return {**found.as_dict(), "ref": found.sha256, "type_label": label,
            "size_label": size_label(found.size),
            "download_name": att.download_name(found.file_name, found.media_type),
            **({"url": f"{url}/{found.sha256}"} if url else {})}


def known_files(log: ResultLog | None) -> dict[str, EvidenceFile]:
    """Every file on a result of ``log``, any version, by SHA-256."""
    out: dict[str, EvidenceFile] = {}
    for entry in (log.results.values() if log is not None else ()):
        for version in entry["versions"]:
            for found in Result.from_dict(version["result"]).files:
                out.setdefault(found.sha256, found)
    return out


class Evidence:
    """Evidence files over one runtime: its blob store and limits, the emulation services."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.authz = rt.app.authz
        self.blobs = BlobStore(rt.settings.attachments_path)
        self.max_bytes = rt.settings.attachment_max_bytes

    @property
    def max_mb(self) -> str:
        return megabytes(self.max_bytes)

    # -- where ------------------------------------------------------------------------------

    def in_cluster(self, actor: Actor, cluster_id: UUID, year: int, unit_id: UUID) -> Place:
        """A member's report (404 for a unit that is not a member that year), for one who may
        read the cluster (403 first: an outsider learns nothing of it)."""
        clusters = self.rt.app.emulation.clusters
        cluster = clusters.readable(actor, cluster_id)
        covenant = clusters.covenant(cluster, year)
        if not cluster.is_member(year, unit_id):
            raise ReportUnknown(unit=str(unit_id), year=year)
        return Place(
            record_id=report_id(covenant.id, unit_id),
            log=clusters.report_or_none(covenant, unit_id), reporters=[unit_id],
            leads=[cluster.lead_in(year)],
            readers=[cluster.managing_unit_id, *clusters.every_member(cluster)],
            require_open=covenant.require_open,
            url=f"/api/emulation/clusters/{cluster.id}/covenants/{year}/reports/{unit_id}"
                "/evidence")

    def in_movement(self, actor: Actor, movement_id: UUID, unit_id: UUID) -> Place:
        """A participant's registration (404 when the unit has not registered), for one who
        may read the movement."""
        movements = self.rt.app.emulation.movements
        movement = movements.readable(actor, movement_id)
        registration = movements.registration(movement, unit_id)
        return Place(
            record_id=registration.id, log=registration, reporters=[unit_id],
            leads=[movement.unit_id], readers=[movement.unit_id, *movement.participant_ids],
            require_open=movement.require_active,
            url=f"/api/emulation/movements/{movement.id}/registrations/{unit_id}/evidence")

    # -- uploads ----------------------------------------------------------------------------

    def _note_path(self, place: Place, sha256: str) -> Any:
        return self.blobs.root / NOTES / str(place.record_id) / f"{sha256}.json"

    def _note(self, place: Place, found: EvidenceFile) -> None:
        path = self._note_path(place, found.sha256)
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=path.parent, prefix=".note-")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(found.as_dict(), out, ensure_ascii=False)
        os.replace(name, path)

    def _noted(self, place: Place, sha256: str) -> EvidenceFile | None:
        if not att.SHA256.match(sha256):
            return None
        try:
            data = json.loads(self._note_path(place, sha256).read_text(encoding="utf-8"))
            found = EvidenceFile.from_dict(data)
        except (OSError, ValueError, KeyError, TypeError):
            return None
        handle = self.blobs.open(found.sha256, found.size)
        if handle is None:
            return None
        handle.close()
        return found

    def upload(self, actor: Actor, place: Place, uploads: Iterable[Upload]) -> list[dict[str, Any]]:
        """Check and store the files (all, or none when one is refused); who and when are
        checked before a byte is read. Nothing is recorded in the log."""
        require(self.authz, actor, place.reporters)
        place.require_open()
        items = list(uploads)
        if not items:
            raise att.AttachmentEmpty()
        if len(items) > MAX_FILES_PER_POST:
            raise att.TooManyAttachments(count=len(items), max=MAX_FILES_PER_POST)
        out = []
        with ExitStack() as stack:
            staged = [(item, stack.enter_context(self.blobs.staged(item.source, self.max_bytes)))
                      for item in items]
            for item, found in staged:
                self.blobs.keep(found)
                evidence = EvidenceFile(sha256=found.sha256,
                                        file_name=att.clean_file_name(item.file_name),
                                        media_type=found.media_type, size=found.size)
                self._note(place, evidence)
                out.append(file_view(evidence, place.url))
        return out

    def pending(self, place: Place, refs: Iterable[str]) -> list[dict[str, Any]]:
        """The files of ``refs`` this report knows (on a result, or uploaded for it)."""
        known = known_files(place.log)
        out = []
        for ref in refs:
            found = known.get(ref) or self._noted(place, ref)
            if found is not None:
                out.append(file_view(found))
        return out

    # -- naming files in a result ------------------------------------------------------------

    def files(self, actor: Actor, place: Place, refs: list[str] | None, *, lead: bool = False
              ) -> list[EvidenceFile] | None:
        """The files a result names by their refs (None: not named, the current ones stay),
        once the actor may record it (the reporter's office, or the lead's for a correction).
        A ref neither uploaded for this report nor on one of its results is refused (422)."""
        if refs is None:
            return None
        require(self.authz, actor, place.leads if lead else place.reporters)
        known = known_files(place.log)
        out = []
        for ref in refs:
            text = str(ref).strip().lower()
            found = known.get(text) or self._noted(place, text)
            if found is None:
                raise UnknownReference(what="tệp minh chứng", ref=str(ref)[:80])
            out.append(found)
        return out

    # -- download ---------------------------------------------------------------------------

    def open(self, actor: Actor, place: Place, ref: str) -> tuple[dict[str, Any], BinaryIO]:
        require_reader(self.authz, actor, place.readers)
        found = known_files(place.log).get(str(ref).strip().lower())
        if found is None:
            raise att.UnknownAttachment(ref=str(ref)[:80])
        handle = self.blobs.open(found.sha256, found.size)
        if handle is None:
            raise att.AttachmentBlobMissing(file_name=found.file_name)
        return file_view(found, place.url), handle

    def download(self, actor: Actor, place: Place, ref: str) -> StreamingResponse:
        item, handle = self.open(actor, place, ref)
        return StreamingResponse(chunks(handle), media_type=item["media_type"], headers={
            "Content-Disposition": content_disposition(item["download_name"]),
            "Content-Length": str(item["size"]),
            "X-Content-Type-Options": "nosniff",
            "Cache-Control": "private, no-store",
        })
