"""The demo's Red River Delta cluster of 2023, read back through the API, against the counts the
article states (seed 000, "Cụm thi đua các tỉnh Đồng bằng sông Hồng: Đổi mới, sáng tạo trong
triển khai hoạt động Hội", 08/11/2023). The expected numbers are the article's, written here —
never taken from the demo or the seed module; the board computes them from recorded results."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient

from services import demo
from services.api import create_app
from tests.helpers import ok

PROVINCES = {"Quảng Ninh", "Ninh Bình", "Hưng Yên", "Bắc Ninh", "Nam Định", "Vĩnh Phúc",
             "Hải Dương", "Thái Bình", "Hà Nam"}
# "Có 8/9 tỉnh thành lập HTX (Quảng Ninh 04; Ninh Bình 03; Hưng Yên 03; Bắc Ninh 02, Nam Định
# 02; Vĩnh Phúc 02; Hải Dương 01; Thái Bình 01)"
COOPERATIVES = {"Quảng Ninh": "4", "Ninh Bình": "3", "Hưng Yên": "3", "Bắc Ninh": "2",
                "Nam Định": "2", "Vĩnh Phúc": "2", "Hải Dương": "1", "Thái Bình": "1"}
# "4/9 tỉnh có trường hợp xảy ra và 100% các nạn nhân đã được Hội hỗ trợ … (Nam Định, Hải
# Dương, Bắc Ninh, Quảng Ninh)"
WITH_CASES = {"Nam Định", "Hải Dương", "Bắc Ninh", "Quảng Ninh"}
# "6/9 tỉnh đạt chỉ tiêu không còn cơ sở thu hút hội viên dưới 60% (Hà Nam, Bắc Ninh, Hải
# Dương, Vĩnh Phúc, Nam Định, Thái Bình)"
MEMBERSHIP = {"Hà Nam", "Bắc Ninh", "Hải Dương", "Vĩnh Phúc", "Nam Định", "Thái Bình"}
# "5/9 tỉnh đạt và vượt chỉ tiêu đề xuất chính sách (Bắc Ninh, Nam Định, Hưng Yên, Hải Dương,
# Quảng Ninh)"
POLICIES = {"Bắc Ninh", "Nam Định", "Hưng Yên", "Hải Dương", "Quảng Ninh"}


@pytest.fixture
def api(rt, clock):
    clock.today = date(2026, 11, 23)
    loaded = demo.load(rt)
    with TestClient(create_app(rt)) as client:
        client.headers["Authorization"] = f"Bearer {loaded['tokens']['admin']}"
        yield client, loaded


def test_the_red_river_delta_board_reproduces_the_articles_counts(api):
    client, loaded = api
    [cluster] = ok(client.get("/api/emulation/clusters"))["items"]
    assert cluster["name"] == "Cụm thi đua các tỉnh Đồng bằng sông Hồng"
    assert cluster["managing_unit_id"] == str(loaded["root"])
    [year] = cluster["years"]
    assert (year["year"], year["member_count"]) == (2023, 9)
    assert year["lead_name"] == "Hội LHPN tỉnh Quảng Ninh"  # "Cụm trưởng Cụm thi đua"

    board = ok(client.get(f"/api/emulation/clusters/{cluster['id']}/covenants/2023/board"))
    assert {r["name"] for r in board["rows"]} == PROVINCES and board["noun"] == "tỉnh"
    assert len(board["indicators"]) == 8
    count = {c["code"]: c["count"] for c in board["indicators"]}
    for code in count:  # nothing the article does not give is counted, nothing is unknown
        assert count[code]["unknown"] == 0, code

    assert count["1"]["text"] == "9/9"  # "9/9 tỉnh đạt chỉ tiêu"
    assert count["2"]["text"] == "8/9"  # "Có 8/9 tỉnh thành lập HTX"
    cells = {r["name"]: r["cells"] for r in board["rows"]}
    assert {n: c["2"]["value"] for n, c in cells.items() if c["2"]["value"] != "0"} == \
        COOPERATIVES
    assert count["2"]["sum"] == "18" and count["2"]["sum_text"] == "18 hợp tác xã"
    assert count["2"]["values_text"].startswith("Quảng Ninh 04; Hưng Yên 03; Ninh Bình 03")
    assert count["3"]["applies_text"] == "4/9 tỉnh có trường hợp xảy ra"
    assert count["3"]["text"] == "4/4"  # "100% các nạn nhân đã được Hội hỗ trợ"
    assert set(count["3"]["achieved_names"]) == WITH_CASES
    assert count["4"]["text"] == "9/9"  # "100% cơ sở Hội tại các tỉnh đăng ký …"
    [stated] = board["indicators"][3]["stated"]
    assert stated["value"] == "13747" and stated["text"] == "13.747 gia đình"
    assert stated["member_sum"] is None  # never spread over the provinces
    assert count["5"]["text"] == "6/9" and set(count["5"]["achieved_names"]) == MEMBERSHIP
    assert count["6"]["text"] == "9/9"  # "9/9 đơn vị đều đạt và vượt chỉ tiêu nhiệm kỳ"
    assert count["7"]["text"] == "9/9"  # "100% các tỉnh đạt chỉ tiêu …"
    assert count["8"]["text"] == "5/9" and set(count["8"]["achieved_names"]) == POLICIES
    assert cells["Bắc Ninh"]["8"]["text"] == "đạt (không nêu số liệu)"
    assert count["8"]["sum"] is None  # the article gives no figure per province

    # every result recorded as reported, then confirmed by the lead, with its sentence
    report = ok(client.get(f"/api/emulation/clusters/{cluster['id']}/covenants/2023/reports/"
                           f"{loaded['red_river']['units']['ha_nam']}"))
    cooperatives = report["results"][1]
    assert cooperatives["status"] == "confirmed" and cooperatives["value"] == "0"
    assert "8/9" in cooperatives["evidence"] and "suy ra" in cooperatives["evidence"]
    assert not report["scores"]  # the article gives no points: nothing ranked, nothing proposed
    proposals = ok(client.get(f"/api/emulation/clusters/{cluster['id']}/covenants/2023/"
                              "proposals"))
    assert proposals["items"] == []
    [covenant] = ok(client.get("/api/emulation/covenants"))["items"]
    assert (covenant["status"], covenant["signed"], covenant["results"], covenant["confirmed"]) \
        == ("closed", 9, 72, 72)


def test_the_emulation_read_model_rebuilt_from_zero_equals_the_live_one(api, rt):
    """Beside the demo's cluster: a year with a join, a merger and a new lead; a movement with a
    registration; a title registration closed and nominated — then a rebuild from the log."""
    from projections.runner import Runner
    from services.app import default_views
    from services.authz import SYSTEM
    from tests.helpers import dump

    _, loaded = api
    app = rt.app
    units = loaded["red_river"]["units"]
    clusters = app.emulation.clusters
    cluster = loaded["red_river"]["cluster"]
    clusters.set_year(SYSTEM, cluster, 2025, members=[
        {"unit_id": units[k]} for k in ("thai_binh", "hung_yen", "ha_nam", "ninh_binh")],
        lead_unit_id=units["thai_binh"])
    clusters.add_member(SYSTEM, cluster, 2025, unit_id=units["nam_dinh"], on=date(2025, 3, 1))
    clusters.merge_member(SYSTEM, cluster, 2025, from_unit_id=units["thai_binh"],
                          into_unit_id=units["hung_yen"], on=date(2025, 7, 1))
    clusters.set_lead(SYSTEM, cluster, 2025, unit_id=units["ninh_binh"], on=date(2025, 9, 1))
    movement = app.emulation.movements.launch(
        SYSTEM, unit_id=loaded["root"], title="Phong trào thử", year=2025,
        indicators=[{"code": "1", "text": "Hộ thoát nghèo", "target": "10"}],
        participant_ids=[units["ha_nam"], units["nam_dinh"]]).id
    app.emulation.movements.register(SYSTEM, movement, unit_id=units["ha_nam"])
    registrations = app.emulation.registrations
    opened = registrations.open(SYSTEM, unit_id=units["ha_nam"], year=2025).id
    registrations.add_entry(SYSTEM, opened, award_kind="lao_dong_tien_tien", recipient={
        "kind": "individual", "name": "Phạm Thị Thu", "birth_year": 1982,
        "position": "Chủ tịch Hội (minh họa)"})
    registrations.close(SYSTEM, opened, date(2025, 12, 1))
    rt.after(registrations.nominate(SYSTEM, opened))
    views = [v for v in rt.runner.views if v.name == "emulation"]
    live = dump(rt.db, views)
    assert live["emulation_cluster_years"] and live["emulation_title_registrations"]
    fresh = Runner(app, rt.db, default_views(), batch_size=7)
    fresh.rebuild()
    assert dump(rt.db, views) == live
    listed = ok(api[0].get("/api/emulation/clusters"))["items"][0]["years"]
    assert [(y["year"], y["member_count"], y["active_count"], y["lead_unit_id"])
            for y in listed] == [(2023, 9, 9, str(units["quang_ninh"])),
                                 (2025, 5, 4, str(units["ninh_binh"]))]
