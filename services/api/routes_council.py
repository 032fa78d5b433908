"""The council's records: criteria per award kind, and the minutes of a council meeting (biên bản
họp Hội đồng Thi đua – Khen thưởng) as PDF and DOCX generated from the events (issue 16).

* ``GET /api/council/criteria?unit_id=[&award_kind=]``: how the unit's council scores each kind
  (anyone whose grants cover the unit); ``PUT /api/council/criteria``: set it (the unit's awards
  office: approver or admin over it; or the chair of the unit's own council).
* A member's ballot, scored or not, is ``POST /api/nominations/{id}/votes`` (``VoteIn``: a
  score per criterion ``scores: {"1": 35, "2": 28}`` where the council defines criteria).
* ``GET /api/council/nominations/{id}/reviews``: every round of review, votes, recusals and the
  chair's conclusion, from the events (whoever may read the nomination).
* ``GET /api/council/queue?unit_id=``: what waits for the council, with the reader's own ballot.
* ``GET /api/council/minutes[.pdf|.docx]?unit_id=&submission_id=&closed_on=``: the minutes.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from fastapi import APIRouter, Query
from fastapi.responses import Response
from pydantic import Field, StrictInt

from domain.council import MODES
from services import minutes
from services.api.choices import one_of
from services.api.deps import ActorDep, FreshDep, PageDep, RuntimeDep, command_result, listing
from services.api.openapi import DOCX, PDF
from services.api.schemas import Body, Day, Name
from services.council import Council
from services.http.downloads import content_disposition
from services.read_policy import readable_nomination

router = APIRouter(prefix="/api", tags=["Đề nghị khen thưởng"])

Mode = one_of(MODES)


class CriterionIn(Body):
    name: Name
    max: Annotated[StrictInt, Field(ge=1, le=1000)]


class CriteriaIn(Body):
    unit_id: UUID
    award_kind: Annotated[str, Field(max_length=100)]
    mode: Mode  # type: ignore[valid-type]
    criteria: Annotated[list[CriterionIn], Field(default_factory=list, max_length=20)]
    max: Annotated[StrictInt, Field(ge=1, le=100)] | None = None
    expected_version: Annotated[StrictInt, Field(ge=0, le=10**9)] | None = None


@router.get("/council/criteria", summary="Tiêu chí chấm điểm của Hội đồng theo hình thức")
def get_criteria(rt: RuntimeDep, actor: ActorDep, unit_id: UUID,
                 award_kind: Annotated[str | None, Query(max_length=100)] = None):
    council = Council(rt)
    unit = rt.app.tree.referenced_unit(unit_id)
    rt.app.authz.require_read(actor, unit.id)
    if award_kind:
        return council.criteria_view(unit.id, award_kind)
    return {"unit_id": str(unit.id), "items": council.criteria_of_unit(unit.id)}


@router.put("/council/criteria",
            summary="Đặt tiêu chí chấm điểm (văn phòng, quản trị, Chủ tịch Hội đồng)")
def set_criteria(body: CriteriaIn, rt: RuntimeDep, actor: ActorDep):
    council = Council(rt)
    saved = council.set_criteria(
        actor, unit_id=body.unit_id, award_kind=body.award_kind, mode=body.mode,
        criteria=[c.model_dump() for c in body.criteria], maximum=body.max,
        expected_version=body.expected_version)
    return command_result(rt, saved, council.criteria_view(body.unit_id, body.award_kind))


@router.get("/council/nominations/{nomination_id}/reviews",
            summary="Các vòng xét của đề nghị: phiếu, điểm, xin không tham gia, kết luận")
def reviews(nomination_id: UUID, rt: RuntimeDep, actor: ActorDep):
    nomination = readable_nomination(rt, actor, nomination_id)
    return {"id": str(nomination.id), **Council(rt).reviews(nomination)}


@router.get("/council/queue", summary="Đề nghị chờ Hội đồng xét, kèm phiếu của tôi")
def queue(rt: RuntimeDep, actor: ActorDep, fresh: FreshDep, page: PageDep, unit_id: UUID):
    return listing(Council(rt).queue(actor, unit_id, page), fresh)


def _minutes(rt, actor, unit_id: UUID, submission_id: UUID | None, closed_on) -> dict[str, Any]:
    return Council(rt).minutes(actor, unit_id=unit_id, submission_id=submission_id,
                               closed_on=closed_on)


MinutesQuery = dict(description="Tờ trình có các đề nghị được xét")


@router.get("/council/minutes", summary="Biên bản họp Hội đồng TĐKT (dữ liệu)")
def minutes_data(rt: RuntimeDep, actor: ActorDep, unit_id: UUID,
                 submission_id: Annotated[UUID | None, Query(**MinutesQuery)] = None,
                 closed_on: Annotated[Day | None, Query(description="Ngày kết luận")] = None):
    return _minutes(rt, actor, unit_id, submission_id, closed_on)


@router.get("/council/minutes.{fmt}", summary="Biên bản họp Hội đồng TĐKT (PDF, DOCX)",
            response_class=Response,
            responses={200: {"content": {PDF: {"schema": {"type": "string", "format": "binary"}},
                                         DOCX: {"schema": {"type": "string",
                                                           "format": "binary"}}}}})
def minutes_file(fmt: Literal["pdf", "docx"], rt: RuntimeDep, actor: ActorDep, unit_id: UUID,
                 submission_id: Annotated[UUID | None, Query(**MinutesQuery)] = None,
                 closed_on: Annotated[Day | None, Query(description="Ngày kết luận")] = None):
    document = _minutes(rt, actor, unit_id, submission_id, closed_on)
    day = document["meeting_date"].replace("/", "-")
    filename = f"bien-ban-hop-hoi-dong-{day}.{fmt}"
    if fmt == "pdf":
        body, media = minutes.minutes_pdf(document), PDF
    else:
        body, media = minutes.minutes_docx(document), DOCX
    return Response(body, media_type=media,
                    headers={"Content-Disposition": content_disposition(filename)})
