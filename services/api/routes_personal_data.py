"""Personal data on request: find a person by citizen ID or public id, and erase her personal
data (``services.erasure``). The citizen ID travels in the body, never in an address (which
logs keep)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from pydantic import Field

from services import erasure
from services.api.deps import ActorDep, RuntimeDep, command_result
from services.api.schemas import Body

router = APIRouter(prefix="/api", tags=["Dữ liệu cá nhân"])


class PersonIn(Body):
    citizen_id: str | None = Field(default=None, max_length=20,
                                   description="Số CCCD/CMND (12 hoặc 9 chữ số)")
    recipient_id: str | None = Field(default=None, max_length=40,
                                     description="Mã người được khen thưởng (`r-…`) của sổ")


class ErasureIn(PersonIn):
    reason: str = Field(max_length=1000, description="Lý do (ví dụ: đơn đề nghị ngày …)")


def person_body(person: erasure.Person) -> dict[str, Any]:
    """The person as the erasure shows her: name as published and her records, never her
    personal data."""
    return {
        "name": person.name,
        "personal_data_held": person.has_key,
        "records": person.records,
        "award_lines": [{"decision_id": r["decision_id"], "line_no": r["line_no"],
                         "decision_number": r["number"], "decided_on": r["decided_on"],
                         "award_kind": r["award_kind"], "period": r["period"]}
                        for r in person.lines],
        "nominations": [{"id": r["nomination_id"], "award_kind": r["award_kind"],
                         "period": r["period"], "status": r["status"]}
                        for r in person.nominations],
        "unit_ids": person.unit_ids,
    }


@router.post("/personal-data/lookup", summary="Tìm người (trước khi xóa dữ liệu cá nhân)")
def lookup(body: PersonIn, rt: RuntimeDep, actor: ActorDep):
    """Quản trị viên có quyền ở mọi đơn vị của các hồ sơ nêu tên người đó."""
    return person_body(erasure.find_person(rt, actor, body.citizen_id, body.recipient_id))


@router.post("/personal-data/erasures", status_code=201,
             summary="Xóa dữ liệu cá nhân của một người (hủy khóa; khen thưởng vẫn giữ)")
def erase(body: ErasureIn, rt: RuntimeDep, actor: ActorDep):
    saved, person = erasure.erase(rt, actor, body.reason, body.citizen_id, body.recipient_id)
    return command_result(rt, saved, {"id": str(saved.id), "erased": True,
                                      **person_body(person), "personal_data_held": False},
                          status=201)
