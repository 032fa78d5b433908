"""Award decisions, revocations and ceremonies."""

from __future__ import annotations

from typing import Annotated
from uuid import UUID

from fastapi import APIRouter, Path, Query

from domain.decision import AwardDecision
from services import representations as rep
from services.api.deps import ActorDep, FreshDep, PageDep, RuntimeDep, command_result, listing
from services.api.schemas import (
    CeremonyDecisionIn,
    CeremonyIn,
    CeremonyPatch,
    DecisionIn,
    MapKindIn,
    RevokeIn,
)
from services.app import Runtime
from services.authz import Actor
from services.presentation import announcements
from services.read_policy import Privacy

router = APIRouter(prefix="/api", tags=["Quyết định và trao thưởng"])


def _decision_body(rt: Runtime, actor: Actor, decision: AwardDecision) -> dict:
    """The decision as JSON, without identity keys, and without the personal data of
    recipients outside the reader's grants (``services.read_policy``)."""
    return Privacy(rt, actor).decision(rep.decision(decision), decision)


def _decision_answer(rt: Runtime, actor: Actor, saved, status: int = 200):
    body = _decision_body(rt, actor, rt.app.decisions.decision(saved.id))
    return command_result(
        rt,
        saved,
        body,
        status=status,
        location=f"/api/decisions/{saved.id}" if status == 201 else None,
    )


@router.get("/decisions", summary="Danh sách quyết định khen thưởng")
def list_decisions(
    rt: RuntimeDep,
    actor: ActorDep,
    fresh: FreshDep,
    page: PageDep,
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
    issuer_unit_id: UUID | None = None,
    recorded_by_unit_id: UUID | None = None,
    q: Annotated[str | None, Query(max_length=100)] = None,
):
    result = rt.queries.decisions(
        year=year,
        issuer_unit_id=str(issuer_unit_id) if issuer_unit_id else None,
        recorded_by_unit_id=str(recorded_by_unit_id) if recorded_by_unit_id else None,
        q=q,
        page=page,
    )
    return listing(result, fresh)


@router.post(
    "/decisions",
    status_code=201,
    summary="Ban hành quyết định (hoặc ghi nhận quyết định của cơ quan ngoài Hội)",
)
def issue_decision(body: DecisionIn, rt: RuntimeDep, actor: ActorDep):
    saved = rt.app.decisions.issue_decision(actor, body.to_draft())
    return _decision_answer(rt, actor, saved, 201)


@router.get("/decisions/{decision_id}", summary="Một quyết định với danh sách kèm theo")
def get_decision(decision_id: UUID, rt: RuntimeDep, actor: ActorDep):
    return _decision_body(rt, actor, rt.app.decisions.decision(decision_id))


@router.get("/decisions/{decision_id}/history", summary="Nhật ký của quyết định")
def decision_history(decision_id: UUID, rt: RuntimeDep, actor: ActorDep):
    decision = rt.app.decisions.decision(decision_id)
    events = Privacy(rt, actor).decision(rep.history(rt.app.history(decision_id)), decision)
    return {"id": str(decision_id), "events": events}


@router.post("/decisions/{decision_id}/revoke", summary="Hủy bỏ toàn bộ quyết định")
def revoke_decision(decision_id: UUID, body: RevokeIn, rt: RuntimeDep, actor: ActorDep):
    saved = rt.app.decisions.revoke_decision(
        actor, decision_id, revoked_on=body.revoked_on, ground=body.ground, reason=body.reason
    )
    return _decision_answer(rt, actor, saved)


@router.post(
    "/decisions/{decision_id}/lines/{line_no}/revoke",
    summary="Hủy bỏ khen thưởng của một người/tập thể trong quyết định",
)
def revoke_line(
    decision_id: UUID,
    line_no: Annotated[int, Path(ge=1, le=1_000_000)],
    body: RevokeIn,
    rt: RuntimeDep,
    actor: ActorDep,
):
    saved = rt.app.decisions.revoke_decision(
        actor,
        decision_id,
        revoked_on=body.revoked_on,
        ground=body.ground,
        reason=body.reason,
        line_no=line_no,
    )
    return _decision_answer(rt, actor, saved)


@router.post(
    "/decisions/{decision_id}/lines/{line_no}/kind",
    summary="Đối chiếu hình thức ghi theo văn bản của một dòng với danh mục",
)
def map_line_kind(
    decision_id: UUID,
    line_no: Annotated[int, Path(ge=1, le=1_000_000)],
    body: MapKindIn,
    rt: RuntimeDep,
    actor: ActorDep,
):
    saved = rt.app.decisions.map_line_kind(
        actor, decision_id, line_no, award_kind=body.award_kind, reason=body.reason
    )
    return _decision_answer(rt, actor, saved)


# -- ceremonies --------------------------------------------------------------------------------


def _ceremony_body(rt: Runtime, ceremony_id: UUID) -> dict:
    """The ceremony (``rep.ceremony``) with its host — the managing Union unit and the outside
    body that hosts it, if any — and each announced figure beside what the decisions give."""
    ceremony = rt.app.ceremonies.ceremony(ceremony_id)
    decisions = [rt.app.decisions.decision(d) for d in ceremony.decision_ids]
    body = rep.ceremony(ceremony, decisions)
    body["host_unit_name"] = rt.app.tree.unit_state(ceremony.host_unit_id, ceremony.held_on).name
    body["host_body"] = announcements.host_body(ceremony.host_body)
    body["announced_figures"] = announcements.comparisons(ceremony.announced_figures,
                                                          body["totals"])
    return body


@router.get("/ceremonies", summary="Danh sách buổi trao thưởng")
def list_ceremonies(
    rt: RuntimeDep,
    actor: ActorDep,
    fresh: FreshDep,
    page: PageDep,
    year: Annotated[int | None, Query(ge=1900, le=2200)] = None,
    host_unit_id: UUID | None = None,
):
    result = rt.queries.ceremonies(
        year=year, host_unit_id=str(host_unit_id) if host_unit_id else None, page=page
    )
    return listing(result, fresh)


@router.post("/ceremonies", status_code=201, summary="Lập buổi trao thưởng")
def plan_ceremony(body: CeremonyIn, rt: RuntimeDep, actor: ActorDep):
    data = body.model_dump()
    saved = rt.app.ceremonies.plan_ceremony(actor, data)
    return command_result(
        rt, saved, _ceremony_body(rt, saved.id), status=201, location=f"/api/ceremonies/{saved.id}"
    )


@router.get("/ceremonies/{ceremony_id}",
            summary="Buổi trao thưởng với tổng tiền và số liệu công bố đối chiếu")
def get_ceremony(ceremony_id: UUID, rt: RuntimeDep, actor: ActorDep):
    return _ceremony_body(rt, ceremony_id)


@router.get("/ceremonies/{ceremony_id}/history", summary="Nhật ký của buổi trao thưởng")
def ceremony_history(ceremony_id: UUID, rt: RuntimeDep, actor: ActorDep):
    rt.app.ceremonies.ceremony(ceremony_id)
    return {"id": str(ceremony_id), "events": rep.history(rt.app.history(ceremony_id))}


@router.patch("/ceremonies/{ceremony_id}",
              summary="Sửa thông tin, cơ quan chủ trì, ghi số liệu công bố")
def change_ceremony(ceremony_id: UUID, body: CeremonyPatch, rt: RuntimeDep, actor: ActorDep):
    changes = body.model_dump(include=body.model_fields_set - {"expected_version"})
    if "announced_total" in changes and "announced_source" not in changes:
        changes["announced_source"] = None
    saved = rt.app.ceremonies.change_ceremony(actor, ceremony_id, changes, body.expected_version)
    return command_result(rt, saved, _ceremony_body(rt, ceremony_id))


@router.post("/ceremonies/{ceremony_id}/decisions", summary="Thêm quyết định được trao")
def add_decision(ceremony_id: UUID, body: CeremonyDecisionIn, rt: RuntimeDep, actor: ActorDep):
    saved = rt.app.ceremonies.add_ceremony_decision(
        actor, ceremony_id, body.decision_id, body.expected_version
    )
    return command_result(rt, saved, _ceremony_body(rt, ceremony_id))


@router.delete(
    "/ceremonies/{ceremony_id}/decisions/{decision_id}",
    summary="Bỏ quyết định khỏi buổi trao thưởng",
)
def remove_decision(ceremony_id: UUID, decision_id: UUID, rt: RuntimeDep, actor: ActorDep):
    saved = rt.app.ceremonies.remove_ceremony_decision(actor, ceremony_id, decision_id)
    return command_result(rt, saved, _ceremony_body(rt, ceremony_id))
