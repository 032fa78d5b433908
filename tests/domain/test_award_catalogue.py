"""The award catalogue as events (issue 17): the shipped kinds are its first event; the office
adds, changes and retires kinds with effective dates; each date reads the kind as it was then,
and no change reaches back before tomorrow — so nothing already decided can move."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.award_catalogue import AwardCatalogue, clean_definition
from domain.catalog import CATEGORY_LABELS, shipped_catalog
from domain.errors import (
    AwardKindExists,
    AwardKindNotInForce,
    CatalogueChangeInPast,
    CatalogueKindInvalid,
)

TODAY = date(2026, 12, 3)
PRAISE = {
    "title": "Biểu dương của Ban Thường vụ Hội LHPN xã",
    "short_title": "Biểu dương Hội xã",
    "category": "bieu_duong",
    "recipients": ["household", "individual"],
    "deciders": {"union": ["commune"]},
    "money": "none",
    "certificate": "chung_nhan",
    "source": "Hướng dẫn thi đua, khen thưởng của Hội LHPN Việt Nam",
}


def started() -> AwardCatalogue:
    register = AwardCatalogue.start(actor="admin")
    register.load_release(actor="admin")
    return register


def with_praise() -> AwardCatalogue:
    register = started()
    register.add_kind(code="bieu_duong_hoi_xa", definition=PRAISE,
                      effective_from=date(2020, 1, 1), until=None, reason="", actor="admin")
    return register


def test_the_shipped_kinds_are_the_first_event_and_loading_again_records_nothing():
    register = started()
    assert register.snapshot().kinds.keys() == shipped_catalog().kinds.keys()
    shipped = shipped_catalog().kind("bang_khen_tw_hoi")
    assert register.snapshot().kind("bang_khen_tw_hoi") == shipped
    register.collect_events()
    register.load_release(actor="admin")
    assert register.pending_events == []


def test_an_added_kind_reads_back_in_force_from_its_date():
    catalogue = with_praise().snapshot()
    kind = catalogue.kind("bieu_duong_hoi_xa")
    assert (kind.category, kind.family, kind.money, kind.recipients) == (
        "bieu_duong", "form", "none", ("individual", "household"))
    assert kind.decided_by("union", "commune") and not kind.decided_by("union", "province")
    assert "bieu_duong_hoi_xa" in catalogue.kinds
    assert catalogue.in_force("bieu_duong_hoi_xa", date(2019, 12, 31)) is None
    with pytest.raises(AwardKindNotInForce, match="chỉ có từ ngày 01/01/2020"):
        catalogue.require_in_force("bieu_duong_hoi_xa", date(2019, 12, 31))
    assert catalogue.require_in_force("bieu_duong_hoi_xa", date(2020, 1, 1)) == kind


def test_a_kind_of_the_past_with_its_last_day():
    register = started()
    register.add_kind(code="giay_khen_cu", definition={**PRAISE, "category": "giay_khen",
                                                       "title": "Giấy khen (mẫu cũ)"},
                      effective_from=date(2010, 1, 1), until=date(2017, 12, 31),
                      reason="hồ sơ cũ", actor="admin")
    catalogue = register.snapshot()
    assert catalogue.in_force("giay_khen_cu", date(2017, 12, 31)) is not None
    assert catalogue.in_force("giay_khen_cu", date(2018, 1, 1)) is None
    assert "giay_khen_cu" not in catalogue.kinds  # not offered now
    assert catalogue.kind("giay_khen_cu").title == "Giấy khen (mẫu cũ)"  # old records read


def test_a_change_takes_effect_from_its_date_and_earlier_dates_keep_the_old_kind():
    register = with_praise()
    tomorrow = TODAY + timedelta(days=1)
    register.change_kind(code="bieu_duong_hoi_xa",
                         changes={"title": "Biểu dương của Hội LHPN xã", "money": "decided"},
                         effective_from=tomorrow, reason="đổi tên theo hướng dẫn mới",
                         actor="admin", today=TODAY)
    catalogue = register.snapshot()
    before, after = (catalogue.kind("bieu_duong_hoi_xa", on) for on in (TODAY, tomorrow))
    assert (before.title, before.money) == ("Biểu dương của Ban Thường vụ Hội LHPN xã", "none")
    assert (after.title, after.money) == ("Biểu dương của Hội LHPN xã", "decided")
    assert catalogue.kind("bieu_duong_hoi_xa") == after
    steps = catalogue.history["bieu_duong_hoi_xa"]
    assert [s.effective_from for s in steps] == [date(2020, 1, 1), tomorrow]
    assert steps[1].reason == "đổi tên theo hướng dẫn mới"


def test_a_shipped_kind_changed_keeps_its_shipped_definition_before_the_change():
    register = started()
    tomorrow = TODAY + timedelta(days=1)
    register.change_kind(code="giai_thuong_nguyen_thi_dinh",
                         changes={"recipients": ["individual", "collective"]},
                         effective_from=tomorrow, reason="giải cho tập thể", actor="admin",
                         today=TODAY)
    catalogue = register.snapshot()
    assert not catalogue.kind("giai_thuong_nguyen_thi_dinh", TODAY).allows("collective")
    assert catalogue.kind("giai_thuong_nguyen_thi_dinh", tomorrow).allows("collective")
    assert catalogue.history["giai_thuong_nguyen_thi_dinh"][0].shipped


def test_retirement_from_a_date():
    register = with_praise()
    tomorrow = TODAY + timedelta(days=1)
    register.retire_kind(code="bieu_duong_hoi_xa", effective_from=tomorrow,
                         reason="gộp vào Giấy khen", actor="admin", today=TODAY)
    catalogue = register.snapshot()
    assert catalogue.require_in_force("bieu_duong_hoi_xa", TODAY)
    with pytest.raises(AwardKindNotInForce, match="đã bãi bỏ"):
        catalogue.require_in_force("bieu_duong_hoi_xa", tomorrow)
    assert "bieu_duong_hoi_xa" not in catalogue.kinds
    assert catalogue.kind("bieu_duong_hoi_xa", tomorrow).title == PRAISE["title"]
    with pytest.raises(CatalogueKindInvalid, match="đã bãi bỏ"):
        register.retire_kind(code="bieu_duong_hoi_xa", effective_from=tomorrow,
                             reason="lần nữa", actor="admin", today=TODAY)


@pytest.mark.parametrize("on", [TODAY, TODAY - timedelta(days=400)])
def test_no_change_or_retirement_reaches_back_to_today_or_earlier(on):
    register = with_praise()
    with pytest.raises(CatalogueChangeInPast) as refused:
        register.change_kind(code="bieu_duong_hoi_xa", changes={"title": "Tên khác"},
                             effective_from=on, reason="sửa", actor="admin", today=TODAY)
    assert "04/12/2026" in refused.value.message
    with pytest.raises(CatalogueChangeInPast):
        register.retire_kind(code="bieu_duong_hoi_xa", effective_from=on, reason="bỏ",
                             actor="admin", today=TODAY)


@pytest.mark.parametrize(("changes", "says"), [
    ({"category": "bang_khen"}, "không đổi được nhóm"),
    ({"recipients": ["everyone"]}, "đối tượng"),
    ({"deciders": {"union": ["village"]}}, "cấp «village»"),
    ({"deciders": {"church": ["central"]}}, "loại cơ quan «church»"),
    ({"money": "legal"}, "bảng hệ số"),
    ({"money": "legal", "money_table": "no_such_table"}, "bảng hệ số"),
    ({"frequency": "weekly"}, "số lần"),
    ({"certificate": "poster"}, "mẫu giấy"),
    ({"title": "x" * 301}, "quá dài"),
])
def test_a_change_that_is_not_a_kind_is_refused_and_changes_nothing(changes, says):
    register = with_praise()
    version = register.version
    with pytest.raises(CatalogueKindInvalid, match=says):
        register.change_kind(code="bieu_duong_hoi_xa", changes=changes,
                             effective_from=TODAY + timedelta(days=1), reason="thử",
                             actor="admin", today=TODAY)
    assert register.version == version


def test_codes_are_unique_and_well_formed():
    register = with_praise()
    with pytest.raises(AwardKindExists):
        register.add_kind(code="bang_khen_tw_hoi", definition=PRAISE,
                          effective_from=date(2020, 1, 1), until=None, reason="", actor="a")
    with pytest.raises(CatalogueKindInvalid, match="mã hình thức"):
        register.add_kind(code="Biểu dương", definition=PRAISE,
                          effective_from=date(2020, 1, 1), until=None, reason="", actor="a")


def test_a_legal_money_rule_names_a_table_of_the_periods():
    definition = clean_definition({**PRAISE, "category": "bang_khen", "money": "legal",
                                   "money_table": "giay_khen"})
    assert definition["money_rules"] == {"*": "giay_khen"} and not definition["no_money"]


def test_a_change_naming_only_a_legal_table_moves_the_kind_onto_it():
    register = started()
    register.change_kind(code="bang_khen_tw_hoi", changes={"money_table": "giay_khen"},
                         effective_from=TODAY + timedelta(days=1), reason="Quy chế mới",
                         actor="admin", today=TODAY)
    kind = register.snapshot().kind("bang_khen_tw_hoi")
    assert kind.money_rules == {"*": "giay_khen"} and kind.money == "legal"


def test_a_change_to_a_shipped_kind_that_changes_nothing_is_refused():
    register = started()
    shipped = shipped_catalog().kind("bang_khen_co_quan_khac")
    version = register.version
    with pytest.raises(CatalogueKindInvalid, match="không có gì thay đổi"):
        register.change_kind(code="bang_khen_co_quan_khac",
                             changes={"title": shipped.title, "deciders": dict(shipped.deciders)},
                             effective_from=TODAY + timedelta(days=1), reason="Như cũ",
                             actor="admin", today=TODAY)
    assert register.version == version


def test_a_shipped_kinds_wording_of_its_deciders_stays_while_its_deciders_do():
    register = started()
    register.change_kind(code="bang_khen_co_quan_khac", changes={"source": "Luật TĐKT (sửa)"},
                         effective_from=TODAY + timedelta(days=1), reason="Căn cứ mới",
                         actor="admin", today=TODAY)
    kept = register.snapshot().kind("bang_khen_co_quan_khac")
    assert kept.extra["deciders_text"] == shipped_catalog().kind(
        "bang_khen_co_quan_khac").extra["deciders_text"]
    register.change_kind(code="bang_khen_co_quan_khac",
                         changes={"deciders": {"front": ["province"]}},
                         effective_from=TODAY + timedelta(days=2), reason="Chỉ Mặt trận tỉnh",
                         actor="admin", today=TODAY)
    assert "deciders_text" not in register.snapshot().kind("bang_khen_co_quan_khac").extra


# -- the property: whatever the office records, what a date up to today read stays ---------

_titles = st.text(alphabet="abcdefghiklmnopqrstuvxyĐđàáạảãâầấậẩẫ ", min_size=3, max_size=30)
_steps = st.lists(
    st.tuples(st.sampled_from(["change", "retire"]), st.integers(min_value=1, max_value=900),
              _titles, st.sampled_from(sorted(set(CATEGORY_LABELS) - {"as_stated"}))),
    max_size=6)


@settings(max_examples=60, deadline=None)
@given(steps=_steps, probes=st.lists(st.integers(min_value=-3000, max_value=0), min_size=1,
                                     max_size=5))
def test_catalogue_changes_never_alter_what_an_earlier_date_reads(steps, probes):
    register = with_praise()
    shipped = started()
    days = [TODAY + timedelta(days=p) for p in probes]
    before = {(code, on): (register.snapshot().kind(code, on),
                           register.snapshot().in_force(code, on) is not None)
              for code in ("bieu_duong_hoi_xa", "bang_khen_tw_hoi") for on in days}
    today = TODAY
    for action, ahead, title, _category in steps:
        on = today + timedelta(days=ahead)
        for code in ("bieu_duong_hoi_xa", "bang_khen_tw_hoi"):
            try:
                if action == "change":
                    register.change_kind(code=code, changes={"title": title.strip() or "abc"},
                                         effective_from=on, reason="đổi", actor="a",
                                         today=today)
                else:
                    register.retire_kind(code=code, effective_from=on, reason="bỏ", actor="a",
                                         today=today)
            except CatalogueKindInvalid:
                pass  # nothing changed, or already retired
    after = register.snapshot()
    for (code, on), (kind, in_force) in before.items():
        assert after.kind(code, on) == kind
        assert (after.in_force(code, on) is not None) == in_force
    assert shipped.snapshot().kinds.keys() <= after.history.keys()
