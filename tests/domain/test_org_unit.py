"""The OrgUnit aggregate as dated history, without a store.

The service (``services.orgs``) keeps parents' child links in step with their children; here the
tests do that by hand with ``attach_child`` / ``detach_child`` where a rule depends on them.
"""

from __future__ import annotations

import unicodedata
from datetime import date
from uuid import uuid4

import pytest

from domain.errors import (
    InvalidLevel,
    LevelAbolished,
    OrgUnitDateInvalid,
    OrgUnitNotActive,
    ValidationFailed,
)
from domain.org import ACTIVE, DISSOLVED, MERGED, OrgUnit

FOUNDED = date(1930, 10, 20)
OLD = date(2014, 4, 1)
REFORM = date(2025, 7, 1)
LAST_DISTRICT_DAY = date(2025, 6, 30)


def establish(name: str, level: str, parent: OrgUnit | None = None, on: date = OLD) -> OrgUnit:
    """A unit established on ``on``, linked under ``parent`` as the service would do."""
    unit = OrgUnit.establish(
        unit_id=uuid4(),
        name=name,
        level=level,
        parent=parent.state_on(on) if parent is not None else None,
        code=None,
        on=on,
        actor="test",
    )
    if parent is not None:
        parent.attach_child(unit.id, on, "test")
    return unit


def move(unit: OrgUnit, new_parent: OrgUnit, old_parent: OrgUnit, on: date) -> None:
    new_state = new_parent.state_on(on)
    assert new_state is not None
    unit.move(new_state, on, "test")
    old_parent.detach_child(unit.id, on, "test")
    new_parent.attach_child(unit.id, on, "test")


@pytest.fixture
def tree() -> dict[str, OrgUnit]:
    """central → Hà Nội (province) → Bắc Từ Liêm (district) → Xuân Đỉnh, Cổ Nhuế 1 (communes)."""
    root = establish("Trung ương Hội LHPN Việt Nam", "central", on=FOUNDED)
    hanoi = establish("Hội LHPN TP Hà Nội", "province", root, date(1946, 1, 1))
    btl = establish("Hội LHPN quận Bắc Từ Liêm", "district", hanoi, OLD)
    xd = establish("Hội LHPN phường Xuân Đỉnh", "commune", btl, OLD)
    cn1 = establish("Hội LHPN phường Cổ Nhuế 1", "commune", btl, OLD)
    return {"root": root, "hanoi": hanoi, "btl": btl, "xd": xd, "cn1": cn1}


# -- reading a date ----------------------------------------------------------------------------


def test_state_before_establishment_is_none_and_from_it_on_is_the_created_state(tree):
    xd, btl = tree["xd"], tree["btl"]
    assert xd.state_on(date(2014, 3, 31)) is None
    state = xd.state_on(OLD)
    assert state is not None
    assert state.name == "Hội LHPN phường Xuân Đỉnh"
    assert state.level == "commune"
    assert state.parent_id == btl.id
    assert state.status == ACTIVE and state.is_active
    assert state.established_on == OLD and state.ended_on is None
    assert state.successor_id is None
    # name_on a date before the unit existed falls back to its latest name.
    assert xd.name_on(date(2000, 1, 1)) == "Hội LHPN phường Xuân Đỉnh"


def test_state_follows_dated_changes(tree):
    xd, btl, hanoi = tree["xd"], tree["btl"], tree["hanoi"]
    xd.rename("Hội LHPN phường Xuân Đỉnh mới", date(2020, 1, 1), "test")
    move(xd, hanoi, btl, REFORM)

    assert xd.state_on(date(2019, 12, 31)).name == "Hội LHPN phường Xuân Đỉnh"
    assert xd.state_on(date(2020, 1, 1)).name == "Hội LHPN phường Xuân Đỉnh mới"
    assert xd.state_on(LAST_DISTRICT_DAY).parent_id == btl.id
    assert xd.state_on(REFORM).parent_id == hanoi.id
    assert xd.latest_state().parent_id == hanoi.id
    assert xd.latest_state().name == "Hội LHPN phường Xuân Đỉnh mới"
    # The parents' dated child links agree with the child's own timeline.
    assert xd.id in btl.children_on(LAST_DISTRICT_DAY)
    assert xd.id not in btl.children_on(REFORM)
    assert xd.id not in hanoi.children_on(LAST_DISTRICT_DAY)
    assert xd.id in hanoi.children_on(REFORM)


def test_retroactive_rename_entered_after_a_later_rename(tree):
    xd = tree["xd"]
    xd.rename("Tên năm 2022", date(2022, 1, 1), "test")
    # Entered later, but effective earlier: it must slot in before the 2022 rename.
    xd.rename("Tên năm 2018", date(2018, 1, 1), "test")

    assert xd.state_on(date(2017, 12, 31)).name == "Hội LHPN phường Xuân Đỉnh"
    assert xd.state_on(date(2018, 1, 1)).name == "Tên năm 2018"
    assert xd.state_on(date(2021, 12, 31)).name == "Tên năm 2018"
    assert xd.state_on(date(2022, 1, 1)).name == "Tên năm 2022"
    assert xd.latest_state().name == "Tên năm 2022"


def test_changes_of_the_same_date_apply_in_recording_order(tree):
    xd = tree["xd"]
    xd.rename("Thứ nhất", date(2021, 5, 1), "test")
    xd.rename("Thứ hai", date(2021, 5, 1), "test")
    assert xd.state_on(date(2021, 5, 1)).name == "Thứ hai"


# -- the end of a unit -------------------------------------------------------------------------


def test_merge_ends_the_unit_and_names_its_successor(tree):
    cn1, xd, btl = tree["cn1"], tree["xd"], tree["btl"]
    cn1.merge_into(xd.state_on(REFORM), REFORM, "test")
    before, after = cn1.state_on(LAST_DISTRICT_DAY), cn1.state_on(REFORM)
    assert before.status == ACTIVE and before.successor_id is None
    assert after.status == MERGED and not after.is_active
    assert after.successor_id == xd.id
    assert after.ended_on == REFORM
    # A merged unit keeps its last name and parent.
    assert after.name == "Hội LHPN phường Cổ Nhuế 1" and after.parent_id == btl.id
    assert cn1.ended_on() == REFORM


def test_dissolve_ends_the_unit(tree):
    cn1 = tree["cn1"]
    cn1.dissolve(REFORM, unicodedata.normalize("NFD", "Sắp xếp lại"), "test")
    assert cn1.state_on(LAST_DISTRICT_DAY).status == ACTIVE
    state = cn1.state_on(REFORM)
    assert state.status == DISSOLVED and state.ended_on == REFORM
    assert state.successor_id is None
    assert cn1.timeline[-1]["reason"] == "Sắp xếp lại"


@pytest.mark.parametrize("end", ["merge", "dissolve"])
def test_merge_and_dissolve_must_be_the_last_change(tree, end):
    cn1, xd = tree["cn1"], tree["xd"]
    cn1.rename("Tên mới", date(2025, 8, 1), "test")
    with pytest.raises(OrgUnitDateInvalid) as caught:
        if end == "merge":
            cn1.merge_into(xd.state_on(REFORM), REFORM, "test")
        else:
            cn1.dissolve(REFORM, "", "test")
    assert caught.value.code == "org_unit.invalid_date"
    assert cn1.ended_on() is None
    # On the date of the last change (or after it) ending is allowed.
    cn1.dissolve(date(2025, 8, 1), "", "test")
    assert cn1.state_on(date(2025, 8, 1)).status == DISSOLVED
    assert cn1.state_on(date(2025, 7, 31)).name == "Hội LHPN phường Cổ Nhuế 1"


def test_a_child_attached_later_blocks_an_earlier_end(tree):
    xd = tree["xd"]
    later_child = establish("Chi hội tổ dân phố số 1", "branch", xd, date(2025, 9, 1))
    with pytest.raises(OrgUnitDateInvalid):
        xd.dissolve(REFORM, "", "test")
    assert later_child.id in xd.children_on(date(2025, 9, 1))


@pytest.mark.parametrize("change", ["rename", "move", "merge", "dissolve", "attach"])
@pytest.mark.parametrize("on", [REFORM, date(2026, 1, 1)])
def test_no_change_on_or_after_the_end(tree, change, on):
    cn1, xd, hanoi = tree["cn1"], tree["xd"], tree["hanoi"]
    cn1.merge_into(xd.state_on(REFORM), REFORM, "test")
    version = cn1.version
    with pytest.raises(OrgUnitNotActive) as caught:
        if change == "rename":
            cn1.rename("Tên sau khi sáp nhập", on, "test")
        elif change == "move":
            cn1.move(hanoi.state_on(on), on, "test")
        elif change == "merge":
            cn1.merge_into(xd.state_on(on), on, "test")
        elif change == "dissolve":
            cn1.dissolve(on, "", "test")
        else:
            cn1.attach_child(uuid4(), on, "test")
    assert caught.value.code == "org_unit.not_active"
    assert cn1.version == version


def test_a_retroactive_rename_before_the_end_is_still_allowed(tree):
    cn1, xd = tree["cn1"], tree["xd"]
    cn1.merge_into(xd.state_on(REFORM), REFORM, "test")
    cn1.rename("Hội LHPN phường Cổ Nhuế Một", date(2020, 1, 1), "test")
    assert cn1.state_on(date(2020, 1, 1)).name == "Hội LHPN phường Cổ Nhuế Một"
    assert cn1.state_on(REFORM).name == "Hội LHPN phường Cổ Nhuế Một"
    assert cn1.state_on(REFORM).status == MERGED


def test_no_change_before_establishment(tree):
    xd = tree["xd"]
    with pytest.raises(OrgUnitDateInvalid):
        xd.rename("Quá sớm", date(2014, 3, 31), "test")


def test_merge_into_itself_or_into_an_ended_unit_is_refused(tree):
    cn1, xd = tree["cn1"], tree["xd"]
    with pytest.raises(OrgUnitDateInvalid):
        xd.merge_into(xd.state_on(REFORM), REFORM, "test")
    xd.dissolve(date(2025, 1, 1), "", "test")
    with pytest.raises(OrgUnitNotActive):
        cn1.merge_into(xd.state_on(REFORM), REFORM, "test")


# -- children ----------------------------------------------------------------------------------


def test_dissolve_is_refused_while_children_remain(tree):
    btl, hanoi, xd, cn1 = tree["btl"], tree["hanoi"], tree["xd"], tree["cn1"]
    assert btl.children_on(date(2014, 3, 31)) == set()
    assert btl.children_on(REFORM) == {xd.id, cn1.id}
    with pytest.raises(OrgUnitDateInvalid) as caught:
        btl.dissolve(REFORM, "Bỏ cấp huyện", "test")
    assert "trực thuộc" in caught.value.message

    move(xd, hanoi, btl, REFORM)
    assert btl.children_on(REFORM) == {cn1.id}
    with pytest.raises(OrgUnitDateInvalid):
        btl.dissolve(REFORM, "Bỏ cấp huyện", "test")

    cn1.merge_into(xd.state_on(REFORM), REFORM, "test")
    btl.detach_child(cn1.id, REFORM, "test")
    assert btl.children_on(REFORM) == set()
    assert btl.children_on(LAST_DISTRICT_DAY) == {xd.id, cn1.id}
    btl.dissolve(REFORM, "Bỏ cấp huyện", "test")
    assert btl.state_on(REFORM).status == DISSOLVED
    assert btl.state_on(LAST_DISTRICT_DAY).status == ACTIVE


def test_move_is_refused_before_an_existing_later_move(tree):
    xd, btl, hanoi, root = tree["xd"], tree["btl"], tree["hanoi"], tree["root"]
    other_district = establish("Hội LHPN quận Nam Từ Liêm", "district", hanoi, OLD)
    move(xd, hanoi, btl, REFORM)
    with pytest.raises(OrgUnitDateInvalid) as caught:
        xd.move(other_district.state_on(date(2020, 1, 1)), date(2020, 1, 1), "test")
    assert caught.value.code == "org_unit.invalid_date"
    # A move on or after the last one is fine.
    other_province = establish("Hội LHPN tỉnh Bắc Ninh", "province", root, date(1997, 1, 1))
    move(xd, other_province, hanoi, date(2026, 1, 1))
    assert xd.state_on(date(2025, 12, 31)).parent_id == hanoi.id
    assert xd.state_on(date(2026, 1, 1)).parent_id == other_province.id


@pytest.mark.parametrize("end", ["merge", "dissolve"])
def test_move_is_refused_before_a_later_end(tree, end):
    """The end detached the unit from the parent it had then; a move before it would leave the
    new parent with a child link that is never closed (it could then never be dissolved)."""
    cn1, xd, hanoi = tree["cn1"], tree["xd"], tree["hanoi"]
    if end == "merge":
        cn1.merge_into(xd.state_on(REFORM), REFORM, "test")
    else:
        cn1.dissolve(REFORM, "", "test")
    with pytest.raises(OrgUnitDateInvalid):
        cn1.move(hanoi.state_on(date(2020, 1, 1)), date(2020, 1, 1), "test")


def test_no_child_can_be_attached_to_a_unit_that_ends_later(tree):
    """The child would still hang under the parent after the parent's end."""
    xd = tree["xd"]
    xd.dissolve(REFORM, "", "test")
    with pytest.raises(OrgUnitDateInvalid):
        xd.attach_child(uuid4(), date(2020, 1, 1), "test")
    assert xd.children_on(REFORM) == set()


# -- levels ------------------------------------------------------------------------------------


def test_a_district_unit_cannot_be_created_from_the_reform_on(tree):
    hanoi = tree["hanoi"]
    last = establish("Hội LHPN huyện Mê Linh", "district", hanoi, LAST_DISTRICT_DAY)
    assert last.state_on(LAST_DISTRICT_DAY).level == "district"
    with pytest.raises(LevelAbolished) as caught:
        establish("Hội LHPN huyện Sóc Sơn", "district", hanoi, REFORM)
    assert caught.value.code == "org_unit.level_abolished"
    assert caught.value.details["until"] == "2025-06-30"


def test_no_unit_can_be_created_under_a_district_from_the_reform_on(tree):
    btl = tree["btl"]
    establish("Hội LHPN phường Thụy Phương", "commune", btl, LAST_DISTRICT_DAY)
    with pytest.raises(LevelAbolished) as caught:
        establish("Hội LHPN phường mới", "commune", btl, REFORM)
    assert caught.value.code == "org_unit.level_abolished"
    with pytest.raises(LevelAbolished):
        establish("Chi hội mới", "branch", btl, date(2026, 1, 1))


def test_no_unit_can_be_moved_under_a_district_from_the_reform_on(tree):
    hanoi, btl, root = tree["hanoi"], tree["btl"], tree["root"]
    other = establish("Hội LHPN phường Phúc Xá", "commune", hanoi, OLD)
    with pytest.raises(LevelAbolished) as caught:
        other.move(btl.state_on(REFORM), REFORM, "test")
    assert caught.value.code == "org_unit.level_abolished"
    move(other, btl, hanoi, LAST_DISTRICT_DAY)
    assert other.state_on(LAST_DISTRICT_DAY).parent_id == btl.id
    assert root.children_on(REFORM) == {hanoi.id}


@pytest.mark.parametrize(
    ("level", "parent_key"),
    [
        ("commune", "xd"),  # same level
        ("province", "xd"),  # higher than its parent
        ("district", "btl"),
        ("central", "root"),
    ],
)
def test_a_child_must_be_deeper_than_its_parent(tree, level, parent_key):
    with pytest.raises(InvalidLevel) as caught:
        establish("Đơn vị sai cấp", level, tree[parent_key], date(2020, 1, 1))
    assert caught.value.code == "org_unit.invalid_level"


def test_levels_may_be_skipped_downwards(tree):
    branch = establish("Chi hội trực thuộc", "branch", tree["hanoi"], date(2020, 1, 1))
    assert branch.state_on(date(2020, 1, 1)).parent_id == tree["hanoi"].id


def test_only_the_central_level_is_a_root():
    with pytest.raises(InvalidLevel):
        establish("Hội LHPN tỉnh mồ côi", "province", None, OLD)


def test_an_unknown_level_is_refused(tree):
    with pytest.raises(InvalidLevel):
        establish("Cấp lạ", "ward", tree["hanoi"], OLD)


def test_move_must_keep_the_child_deeper(tree):
    hanoi, xd, root = tree["hanoi"], tree["xd"], tree["root"]
    with pytest.raises(InvalidLevel):
        hanoi.move(xd.state_on(date(2020, 1, 1)), date(2020, 1, 1), "test")
    with pytest.raises(InvalidLevel):
        tree["btl"].move(tree["cn1"].state_on(date(2020, 1, 1)), date(2020, 1, 1), "test")
    assert hanoi.latest_state().parent_id == root.id


def test_move_under_an_ended_parent_is_refused(tree):
    hanoi, xd, root = tree["hanoi"], tree["xd"], tree["root"]
    other = establish("Hội LHPN tỉnh Hà Tây", "province", root, date(1997, 1, 1))
    other.dissolve(date(2008, 8, 1), "Hợp nhất vào Hà Nội", "test")
    with pytest.raises(OrgUnitNotActive):
        xd.move(other.state_on(date(2020, 1, 1)), date(2020, 1, 1), "test")
    assert hanoi.state_on(date(2020, 1, 1)).is_active


# -- names -------------------------------------------------------------------------------------


def test_names_are_nfc_normalised_and_trimmed(tree):
    nfd = unicodedata.normalize("NFD", "Hội LHPN phường Đông Ngạc")
    assert nfd != "Hội LHPN phường Đông Ngạc"
    unit = establish(f"  {nfd}\t ", "commune", tree["btl"], OLD)
    assert unit.state_on(OLD).name == "Hội LHPN phường Đông Ngạc"
    unit.rename(unicodedata.normalize("NFD", "Hội  LHPN phường Đức Thắng"), REFORM, "test")
    assert unit.state_on(REFORM).name == "Hội LHPN phường Đức Thắng"
    assert unicodedata.is_normalized("NFC", unit.state_on(REFORM).name)


def test_code_is_nfc_normalised_and_blank_code_is_none(tree):
    unit = OrgUnit.establish(
        unit_id=uuid4(),
        name="Hội LHPN phường Thượng Cát",
        level="commune",
        parent=tree["btl"].state_on(OLD),
        code=unicodedata.normalize("NFD", " BTL-TC-Đ "),
        on=OLD,
        actor="test",
    )
    assert unit.code == "BTL-TC-Đ"
    blank = OrgUnit.establish(
        unit_id=uuid4(),
        name="Hội LHPN phường Liên Mạc",
        level="commune",
        parent=tree["btl"].state_on(OLD),
        code="   ",
        on=OLD,
        actor="test",
    )
    assert blank.code is None


@pytest.mark.parametrize("name", ["", "   ", "\t\n"])
def test_empty_names_are_refused(tree, name):
    with pytest.raises(ValidationFailed):
        establish(name, "commune", tree["btl"], OLD)
    with pytest.raises(ValidationFailed):
        tree["xd"].rename(name, REFORM, "test")


def test_state_as_dict_carries_labels(tree):
    data = tree["btl"].state_on(OLD).as_dict()
    assert data["level_name"] == "quận, huyện, thị xã"
    assert data["status_label"] == "đang hoạt động"
    assert data["parent_id"] == str(tree["hanoi"].id)
    assert data["established_on"] == "2014-04-01" and data["ended_on"] is None
