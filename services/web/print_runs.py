"""Print runs started from the pages: the PDF is laid out in a background thread, so that a run
of thousands of certificates shows its progress and the person may leave and come back.

The serials are recorded before a run starts (in the request, where a refusal can still be shown
in the form); a run only lays the pages out. Runs live in this process's memory, keyed by an
unguessable id and visible to the user who started them only; each PDF waits in a temporary
file for ``KEEP_SECONDS`` after it is made. One run lays out at a time (``_LAYOUT``): Typst keeps
a core busy, and the server has few. With several server processes (``tdkt serve --workers``),
the status page must reach the process that started the run (sticky sessions).
"""

from __future__ import annotations

import logging
import secrets
import shutil
import tempfile
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from domain.errors import DomainError, NotFound
from services import printing

log = logging.getLogger(__name__)

KEEP_SECONDS = 2 * 3600
_LAYOUT = threading.BoundedSemaphore(1)

QUEUED, QR, LAYOUT, DONE, FAILED = "queued", "qr", "layout", "done", "failed"


@dataclass
class PrintRun:
    id: str
    owner: str
    title: str
    back: str  # the page the run was started from
    total: int
    serials: list[str]  # "1–4/2024 (Trung ương Hội …)": what the register gave
    filename: str
    status: str = QUEUED
    made: int = 0  # QR codes made so far
    error: str = ""
    path: Path | None = None
    size: int = 0
    started: float = field(default_factory=time.time)
    finished: float | None = None
    done_event: threading.Event = field(default_factory=threading.Event, repr=False)

    @property
    def finished_ok(self) -> bool:
        return self.status == DONE

    @property
    def running(self) -> bool:
        return self.status not in (DONE, FAILED)

    @property
    def percent(self) -> int:
        if self.status == DONE:
            return 100
        if not self.total:
            return 0
        return min(90, self.made * 90 // self.total)  # the last tenth: the layout itself


class PrintRuns:
    """The runs of one app (``runs_of``)."""

    def __init__(self) -> None:
        self._runs: dict[str, PrintRun] = {}
        self._lock = threading.Lock()
        self._folder = Path(tempfile.mkdtemp(prefix="tdkt-print-runs-"))
        weakref.finalize(self, shutil.rmtree, self._folder, True)

    def start(self, *, owner: str, title: str, back: str, serials: list[str], filename: str,
              make_contexts: Callable[[], list[dict[str, Any]]], total: int, mode: str,
              printer: str, offset: tuple[float, float]) -> PrintRun:
        self._expire()
        run = PrintRun(id=secrets.token_urlsafe(16), owner=owner, title=title, back=back,
                       total=total, serials=serials, filename=filename)
        with self._lock:
            self._runs[run.id] = run
        thread = threading.Thread(target=self._lay_out, name=f"tdkt-print-{run.id[:6]}",
                                  args=(run, make_contexts, mode, printer, offset), daemon=True)
        thread.start()
        return run

    def get(self, run_id: str, owner: str) -> PrintRun:
        """The run, for the user who started it; anyone else: not found (ids are not shared)."""
        self._expire()
        with self._lock:
            run = self._runs.get(run_id)
        if run is None or run.owner != owner:
            raise NotFound(what="lượt in này (lượt in chỉ được giữ trong 2 giờ)")
        return run

    def _lay_out(self, run: PrintRun, make_contexts: Callable[[], list[dict[str, Any]]],
                 mode: str, printer: str, offset: tuple[float, float]) -> None:
        try:
            with _LAYOUT:
                run.status = QR
                contexts = make_contexts()

                def progress(count: int) -> None:
                    run.made += count
                    if run.made >= run.total:
                        run.status = LAYOUT

                pdf = printing.certificates_pdf(contexts, mode=mode, printer=printer,
                                                progress=progress, offset=offset)
            path = self._folder / f"{run.id}.pdf"
            path.write_bytes(pdf)
            run.path, run.size, run.status = path, len(pdf), DONE
        except DomainError as error:
            run.error, run.status = str(error.message), FAILED
        except Exception:
            log.exception("print run %s failed", run.id)
            run.error, run.status = "Lỗi khi dựng tệp PDF.", FAILED
        finally:
            run.finished = time.time()
            run.done_event.set()

    def _expire(self) -> None:
        now = time.time()
        with self._lock:
            old = [r for r in self._runs.values()
                   if r.finished is not None and now - r.finished > KEEP_SECONDS]
            for run in old:
                del self._runs[run.id]
        for run in old:
            if run.path is not None:
                run.path.unlink(missing_ok=True)


_CREATE = threading.Lock()


def runs_of(app: Any) -> PrintRuns:
    """The print runs of this FastAPI app (made on first use)."""
    with _CREATE:
        runs = getattr(app.state, "print_runs", None)
        if runs is None:
            runs = app.state.print_runs = PrintRuns()
        return runs
