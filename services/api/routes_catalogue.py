"""The award catalogue: the kinds as on a date with their history, the choices its forms offer,
and the root unit's admin adding, changing and retiring kinds (``services.catalogue``).

A change or a retirement takes effect from tomorrow at the earliest, so that no recorded decision
reads a kind other than the one of its date; a new kind may start on any date from 1945."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from services.api.deps import ActorDep, RuntimeDep, command_result
from services.api.schemas import (
    AwardKindChangeIn,
    AwardKindIn,
    AwardKindRetirementIn,
    Day,
)
from services.app import Runtime
from services.presentation import catalogue as present
from services.store import Saved

router = APIRouter(prefix="/api", tags=["Danh mục khen thưởng"])

KindCode = Annotated[str, Path(max_length=100, description="Mã hình thức khen thưởng")]
OnDay = Annotated[Day | None, Query(
    description="Danh mục như ngày này (YYYY-MM-DD); mặc định: danh mục hiện hành")]
# What a kind's definition may say, as the bodies name it (everything but the dates and reason).
DEFINITION_FIELDS = ("title", "short_title", "category", "recipients", "deciders",
                     "named_deciders", "frequency", "per_issuer", "money", "money_table",
                     "certificate", "source", "verified")


def _recorded(rt: Runtime, saved: Saved, code: str):
    body = {**present.kind_with_history(code), "version": saved.version}
    return command_result(rt, saved, body, status=201,
                          location=f"/api/catalog/award-kinds/{code}")


# -- reading ------------------------------------------------------------------------------------


@router.get("/catalog/award-kinds", summary="Danh mục hình thức, danh hiệu khen thưởng")
def award_kinds(
    actor: ActorDep,
    on: OnDay = None,
    include_retired: Annotated[bool, Query(
        description="Kèm các hình thức đã bãi bỏ (hoặc chưa có hiệu lực) vào ngày đó")] = False,
):
    """Các hình thức đang dùng (như ngày `on` nếu có), mỗi hình thức kèm ngày có hiệu lực của
    phiên bản đang hiện (`effective_from`, null: có từ danh mục ban đầu), ngày bãi bỏ
    (`retired_from`) và `in_force`."""
    return {"on": on.isoformat() if on else None,
            "items": present.kinds(on, include_retired)}


@router.get("/catalog/options", summary="Các lựa chọn của biểu mẫu danh mục khen thưởng")
def options(actor: ActorDep):
    """Nhóm, số lần, cách tính tiền, bảng hệ số theo quy định, mẫu giấy, loại cơ quan, cấp và
    đối tượng: mỗi loại một danh sách `{code, label}`."""
    return present.options()


@router.get("/catalog/award-kinds/{code}", summary="Một hình thức khen thưởng và lịch sử của nó")
def award_kind(code: KindCode, actor: ActorDep, on: OnDay = None):
    """Hình thức như ngày `on` (mặc định: phiên bản mới nhất) và `history`: các phiên bản theo
    ngày có hiệu lực (ban đầu, thêm, sửa, bãi bỏ), mỗi bước kèm lý do và người ghi."""
    return present.kind_with_history(code, on)


# -- recording (the root unit's admin) ----------------------------------------------------------


@router.post("/catalog/award-kinds", status_code=201,
             summary="Thêm hình thức khen thưởng vào danh mục (quản trị Trung ương)")
def add_award_kind(body: AwardKindIn, rt: RuntimeDep, actor: ActorDep):
    """Chỉ quản trị của đơn vị gốc. Mã đã có: 409 `award_kind.exists`; nội dung không hợp lệ:
    422 `catalogue.kind_invalid`."""
    definition = body.model_dump(mode="json", include=set(DEFINITION_FIELDS),
                                 exclude_none=True)
    saved = rt.app.catalogue.add_kind(
        actor, code=body.code, definition=definition, effective_from=body.effective_from,
        until=body.until, reason=body.reason)
    return _recorded(rt, saved, body.code.strip())


@router.post("/catalog/award-kinds/{code}/changes", status_code=201,
             summary="Sửa một hình thức khen thưởng từ một ngày (quản trị Trung ương)")
def change_award_kind(code: KindCode, body: AwardKindChangeIn, rt: RuntimeDep, actor: ActorDep):
    """Các trường gửi lên thay cho phiên bản mới nhất, từ `effective_from` (sớm nhất là ngày
    mai, nếu không: 422 `catalogue.change_not_future`)."""
    present.history_of(code)
    changes = body.model_dump(mode="json", include=set(DEFINITION_FIELDS), exclude_none=True)
    saved = rt.app.catalogue.change_kind(actor, code=code, changes=changes,
                                         effective_from=body.effective_from, reason=body.reason)
    return _recorded(rt, saved, code)


@router.post("/catalog/award-kinds/{code}/retirement", status_code=201,
             summary="Bãi bỏ một hình thức khen thưởng từ một ngày (quản trị Trung ương)")
def retire_award_kind(code: KindCode, body: AwardKindRetirementIn, rt: RuntimeDep,
                      actor: ActorDep):
    """Từ `effective_from` (sớm nhất là ngày mai) không quyết định, đề nghị hình thức này được
    nữa (422 `award_kind.not_in_force`); các quyết định đã ghi giữ nguyên."""
    present.history_of(code)
    saved = rt.app.catalogue.retire_kind(actor, code=code, effective_from=body.effective_from,
                                         reason=body.reason)
    return _recorded(rt, saved, code)
