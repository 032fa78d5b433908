"""Nominations, submissions and council reviews."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Query

from services import representations as rep
from services.api.deps import ActorDep, FreshDep, PageDep, RuntimeDep, command_result, listing
from services.api.schemas import (
    CloseReviewIn,
    NominationIn,
    NominationPatch,
    RecuseIn,
    SubmissionIn,
    VersionIn,
    VoteIn,
    WithdrawIn,
)
from services.app import Runtime
from services.read_policy import (
    nomination_scope,
    opened,
    readable_nomination,
    readable_submission,
)

router = APIRouter(prefix="/api", tags=["Đề nghị khen thưởng"])


def _answer(rt: Runtime, saved, status: int = 200):
    nomination = rt.app.nominations.nomination(saved.id)
    return command_result(
        rt,
        saved,
        opened(rt, rep.nomination(nomination)),
        status=status,
        location=f"/api/nominations/{saved.id}" if status == 201 else None,
    )


@router.get("/nominations", summary="Danh sách đề nghị khen thưởng")
def list_nominations(
    rt: RuntimeDep,
    actor: ActorDep,
    fresh: FreshDep,
    page: PageDep,
    status: str | None = None,
    proposing_unit_id: UUID | None = None,
    review_unit_id: UUID | None = None,
    award_kind: str | None = None,
    submission_id: UUID | None = None,
    q: Annotated[str | None, Query(max_length=200, description="Tìm theo tên, không dấu")] = None,
):
    result = rt.queries.nominations(
        status=status,
        proposing_unit_id=str(proposing_unit_id) if proposing_unit_id else None,
        review_unit_id=str(review_unit_id) if review_unit_id else None,
        unit_ids=nomination_scope(rt, actor),
        award_kind=award_kind,
        submission_id=str(submission_id) if submission_id else None,
        q=q,
        page=page,
    )
    return listing(result, fresh)


@router.post("/nominations", status_code=201, summary="Lập đề nghị khen thưởng (bản nháp)")
def create_nomination(body: NominationIn, rt: RuntimeDep, actor: ActorDep):
    data = body.model_dump(exclude={"proposing_unit_id"}, mode="json")
    saved = rt.app.nominations.draft_nomination(
        actor, proposing_unit_id=body.proposing_unit_id, data=data
    )
    return _answer(rt, saved, 201)


@router.get("/nominations/{nomination_id}", summary="Một đề nghị khen thưởng")
def get_nomination(nomination_id: UUID, rt: RuntimeDep, actor: ActorDep):
    return opened(rt, rep.nomination(readable_nomination(rt, actor, nomination_id)))


@router.get("/nominations/{nomination_id}/history", summary="Nhật ký của đề nghị")
def nomination_history(nomination_id: UUID, rt: RuntimeDep, actor: ActorDep):
    readable_nomination(rt, actor, nomination_id)
    return {"id": str(nomination_id),
            "events": opened(rt, rep.history(rt.app.history(nomination_id)))}


@router.patch("/nominations/{nomination_id}", summary="Sửa đề nghị (bản nháp hoặc bị trả lại)")
def edit_nomination(nomination_id: UUID, body: NominationPatch, rt: RuntimeDep, actor: ActorDep):
    data = body.model_dump(exclude_unset=True, exclude={"expected_version"}, mode="json")
    saved = rt.app.nominations.edit_nomination(actor, nomination_id, data, body.expected_version)
    return _answer(rt, saved)


@router.post("/nominations/{nomination_id}/submit", summary="Trình Hội đồng TĐKT")
def submit_nomination(
    nomination_id: UUID, rt: RuntimeDep, actor: ActorDep, body: VersionIn | None = None
):
    saved = rt.app.nominations.submit_nomination(
        actor, nomination_id, body.expected_version if body else None
    )
    return _answer(rt, saved)


@router.post("/nominations/{nomination_id}/withdraw", summary="Rút đề nghị")
def withdraw_nomination(
    nomination_id: UUID, rt: RuntimeDep, actor: ActorDep, body: WithdrawIn | None = None
):
    body = body or WithdrawIn()
    saved = rt.app.nominations.withdraw_nomination(
        actor, nomination_id, body.reason, body.expected_version
    )
    return _answer(rt, saved)


@router.post("/nominations/{nomination_id}/votes", summary="Bỏ phiếu (thành viên Hội đồng)")
def vote(nomination_id: UUID, body: VoteIn, rt: RuntimeDep, actor: ActorDep):
    saved = rt.app.nominations.cast_vote(
        actor, nomination_id, vote=body.vote, comment=body.comment, score=body.score,
        scores=body.scores)
    return _answer(rt, saved)


@router.post("/nominations/{nomination_id}/recusal", summary="Xin không tham gia xét")
def recuse(nomination_id: UUID, rt: RuntimeDep, actor: ActorDep, body: RecuseIn | None = None):
    saved = rt.app.nominations.recuse(actor, nomination_id, reason=(body or RecuseIn()).reason)
    return _answer(rt, saved)


@router.post(
    "/nominations/{nomination_id}/close-review", summary="Kết luận xét duyệt (Chủ tịch Hội đồng)"
)
def close_review(nomination_id: UUID, body: CloseReviewIn, rt: RuntimeDep, actor: ActorDep):
    saved = rt.app.nominations.close_review(
        actor,
        nomination_id,
        outcome=body.outcome,
        reason=body.reason,
        expected_version=body.expected_version,
    )
    return _answer(rt, saved)


# -- submissions -------------------------------------------------------------------------------


@router.post("/submissions", status_code=201, summary="Tờ trình kèm danh sách đề nghị")
def file_submission(body: SubmissionIn, rt: RuntimeDep, actor: ActorDep):
    saved = rt.app.nominations.file_submission(
        actor,
        proposing_unit_id=body.proposing_unit_id,
        number=body.number,
        title=body.title,
        submitted_on=body.submitted_on,
        candidates=[c.model_dump(mode="json") for c in body.candidates],
    )
    return command_result(
        rt,
        saved,
        rep.submission(rt.app.nominations.submission(saved.id)),
        status=201,
        location=f"/api/submissions/{saved.id}",
    )


@router.get("/submissions", summary="Danh sách tờ trình")
def list_submissions(rt: RuntimeDep, actor: ActorDep, fresh: FreshDep, page: PageDep):
    return listing(rt.queries.submissions(unit_ids=nomination_scope(rt, actor), page=page), fresh)


@router.get("/submissions/{submission_id}", summary="Một tờ trình")
def get_submission(submission_id: UUID, rt: RuntimeDep, actor: ActorDep):
    return rep.submission(readable_submission(rt, actor, submission_id))
