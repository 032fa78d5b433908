"""Demo data rebuilt from the seed articles (shared/seeds): facts as stated, nothing forced.

* Seed 004 — Hội LHPN quận Bắc Từ Liêm, conference of 9/1/2024 summing up 2023:
  Bằng khen TW Hội (4 collectives, 1 individual) and Bằng khen Hội LHPN TP Hà Nội (4 cơ sở Hội,
  2 individuals) and 15 Kỷ niệm chương, all with no stated amount; UBND quận: 16 collectives and
  30 individuals, 33.840.000 đ; Hội LHPN quận: 33 collectives and 61 individuals, 34.800.000 đ;
  announced total 73.640.000 đ (the stated decisions add up to 68.640.000 đ; the article does not
  say where the other 5.000.000 đ came from, and the demo does not invent it).
* Seed 002 — Hội LHPN tỉnh Bắc Kạn, 24/6/2024: 4 full-time officials received Bằng khen TW Hội
  for 2023 (no amount stated).
* Seed 000 — the Red River Delta emulation cluster (Cụm thi đua các tỉnh Đồng bằng sông Hồng),
  2023: the 9 provinces' Union units, Trung ương Hội managing, Quảng Ninh leading; the covenant's
  8 indicators; each province's results as the article states them — and only those
  (``domain.emulation.seed_red_river_2023``), each confirmed by the lead, with the sentence it
  comes from as its evidence; the figure stated for the whole cluster (13.747 families). The
  board computes every count the article gives from these results. The article gives no dates
  for the signing and the opening: the demo uses 1/1/2023 for both; the covenant closes at the
  cluster's conference of 8/11/2023.
* The 2025-07-01 reform, simplified for illustration: Bắc Từ Liêm's wards move under Hà Nội (some
  merged), the district is dissolved; Bắc Kạn merges into Thái Nguyên, Thái Bình into Hưng Yên.

People's names, decision numbers and per-recipient amounts are invented (the articles give
none): every such person carries "(minh họa)" in the position field, and each decision says so.
The per-recipient amounts add up exactly to each decision total the article states (e.g. the
illustrative internal rates 500.000 đ per collective and 300.000 đ per individual for the
Hội LHPN quận decision).
"""

from __future__ import annotations

from datetime import date
from typing import Any
from uuid import UUID

from domain.emulation import seed_red_river_2023 as red_river
from services.app import Runtime
from services.authz import SYSTEM, Actor

DEMO_PASSWORD = "demo-tdkt-2024"
ILLUSTRATIVE = "(minh họa)"
NOTE = (
    "Dữ liệu minh họa dựng lại từ bài báo; số quyết định, tên người và số tiền từng người "
    "là giả định, tổng số tiền đúng như bài báo nêu."
)
BTL_WARDS = [
    "Cổ Nhuế 1",
    "Cổ Nhuế 2",
    "Đông Ngạc",
    "Đức Thắng",
    "Liên Mạc",
    "Minh Khai",
    "Phú Diễn",
    "Phúc Diễn",
    "Tây Tựu",
    "Thượng Cát",
    "Thụy Phương",
    "Xuân Đỉnh",
    "Xuân Tảo",
]
# 2025-07-01 (illustrative): source ward → ward it merged into.
BTL_MERGERS = {
    "Xuân Tảo": "Xuân Đỉnh",
    "Đức Thắng": "Đông Ngạc",
    "Thụy Phương": "Đông Ngạc",
    "Phúc Diễn": "Phú Diễn",
    "Liên Mạc": "Thượng Cát",
    "Minh Khai": "Tây Tựu",
    "Cổ Nhuế 1": "Cổ Nhuế 2",
}
_SURNAMES = [
    "Nguyễn",
    "Trần",
    "Lê",
    "Phạm",
    "Hoàng",
    "Vũ",
    "Đặng",
    "Bùi",
    "Đỗ",
    "Ngô",
    "Dương",
    "Lý",
]
_MIDDLE = ["Thị", "Thị Thu", "Thị Hồng", "Thị Minh", "Thị Thanh", "Thị Ngọc", "Thị Kim"]
_GIVEN = [
    "Lan",
    "Hoa",
    "Hương",
    "Nhung",
    "Hằng",
    "Mai",
    "Thảo",
    "Ngân",
    "Yến",
    "Trang",
    "Hạnh",
    "Phương",
    "Loan",
    "Dung",
    "Oanh",
    "Thủy",
    "Huệ",
    "Liên",
    "Nga",
    "Vân",
    "Hà",
]


def person(index: int, unit_id: UUID, position: str) -> dict[str, Any]:
    """A deterministic, clearly illustrative person."""
    name = (
        f"{_SURNAMES[index % len(_SURNAMES)]} {_MIDDLE[(index // 3) % len(_MIDDLE)]} "
        f"{_GIVEN[(index * 7) % len(_GIVEN)]}"
    )
    return {
        "kind": "individual",
        "name": name,
        "gender": "female",
        "birth_year": 1960 + (index * 11) % 35,
        "unit_id": str(unit_id),
        "position": f"{position} {ILLUSTRATIVE}",
    }


def group(name: str, unit_id: UUID) -> dict[str, Any]:
    return {"kind": "collective", "name": name, "unit_id": str(unit_id)}


def unit_collective(unit_id: UUID) -> dict[str, Any]:
    return {"kind": "collective", "org_unit_id": str(unit_id)}


# The Red River Delta provinces the tree did not have yet (seed 000): key of the seed, code,
# the date the province (re-)established.
RED_RIVER_UNITS = (
    ("ninh_binh", "NB", date(1992, 4, 1)),
    ("nam_dinh", "ND", date(1997, 1, 1)),
    ("ha_nam", "HNa", date(1997, 1, 1)),
    ("bac_ninh", "BN", date(1997, 1, 1)),
    ("vinh_phuc", "VP", date(1997, 1, 1)),
    ("hai_duong", "HD", date(1997, 1, 1)),
)


def load_red_river(rt: Runtime, actor: Actor, root: UUID, units: dict[str, UUID]) -> UUID:
    """The Red River Delta cluster of 2023 (seed 000): its results recorded as the article
    states them — an inferred one (the ninth province of "8/9") says so in its evidence — and
    confirmed by the lead. Read back through the projections once, at the end."""
    clusters = rt.app.emulation.clusters
    seed = red_river.CLUSTER
    year = seed["year"]
    cluster = clusters.create(actor, name=seed["name"], kind=seed["kind"],
                              managing_unit_id=root).id
    clusters.set_year(actor, cluster, year, lead_unit_id=units[red_river.LEAD],
                      members=[{"unit_id": units[m["key"]], "name": m["name"]}
                               for m in red_river.MEMBERS],
                      reason=red_river.LEAD_SOURCE)
    clusters.put_covenant(actor, cluster, year, {"indicators": list(red_river.INDICATORS),
                                                 "stated_totals": list(red_river.STATED_TOTALS)})
    start = date(year, 1, 1)  # not stated by the article
    for member in red_river.MEMBERS:
        clusters.sign(actor, cluster, year, unit_id=units[member["key"]], on=start)
    clusters.open(actor, cluster, year, start)
    for code, results in red_river.RESULTS.items():
        for item in results:
            evidence = item["source"]
            if item["inferred"]:
                evidence += " (suy ra từ số đếm của bài viết, không được nêu tên)"
            unit_id = units[item["member"]]
            clusters.report(actor, cluster, year, unit_id, code, value=item.get("value"),
                            cases_occurred=item.get("cases_occurred"),
                            outcome=item.get("outcome"), evidence=evidence)
            clusters.confirm(actor, cluster, year, unit_id, code)
    clusters.close(actor, cluster, year, date(2023, 11, 8))  # the cluster's conference
    rt.runner.catch_up()
    return cluster


def is_loaded(rt: Runtime) -> bool:
    return rt.app.tree.root_unit_id() is not None


def load(rt: Runtime) -> dict[str, Any]:
    """Load the demo into an empty store; returns ids and the demo users' tokens."""
    app = rt.app
    if is_loaded(rt):
        raise RuntimeError("the store already has an org tree; the demo loads into an empty one")
    s = SYSTEM

    def unit(name: str, level: str, parent: UUID, on: date, code: str | None = None) -> UUID:
        return rt.after(
            app.orgs.create_unit(
                s, name=name, level=level, parent_id=parent, code=code, established_on=on
            )
        ).id

    root = rt.after(
        app.orgs.create_root(
            s,
            name="Trung ương Hội Liên hiệp Phụ nữ Việt Nam",
            code="TW",
            established_on=date(1930, 10, 20),
        )
    ).id
    hanoi = unit("Hội LHPN thành phố Hà Nội", "province", root, date(1946, 1, 1), "HN")
    backan = unit("Hội LHPN tỉnh Bắc Kạn", "province", root, date(1997, 1, 1), "BK")
    thainguyen = unit("Hội LHPN tỉnh Thái Nguyên", "province", root, date(1997, 1, 1), "TN")
    quangninh = unit("Hội LHPN tỉnh Quảng Ninh", "province", root, date(1963, 10, 30), "QN")
    thaibinh = unit("Hội LHPN tỉnh Thái Bình", "province", root, date(1950, 1, 1), "TB")
    hungyen = unit("Hội LHPN tỉnh Hưng Yên", "province", root, date(1997, 1, 1), "HY")
    delta = {"quang_ninh": quangninh, "thai_binh": thaibinh, "hung_yen": hungyen}
    for key, code, established in RED_RIVER_UNITS:
        name = next(m["unit_name"] for m in red_river.MEMBERS if m["key"] == key)
        delta[key] = unit(name, "province", root, established, code)
    btl = unit("Hội LHPN quận Bắc Từ Liêm", "district", hanoi, date(2014, 4, 1), "BTL")
    wards = {
        name: unit(f"Hội LHPN phường {name}", "commune", btl, date(2014, 4, 1))
        for name in BTL_WARDS
    }
    branch = unit("Chi hội phụ nữ tổ dân phố số 6", "branch", wards["Xuân Tảo"], date(2014, 4, 1))

    # -- users ---------------------------------------------------------------------------------
    users = [
        ("admin", "Quản trị hệ thống", [("admin", root, False)]),
        ("tw.vanphong", "Văn phòng TW Hội", [("approver", root, False)]),
        ("tw.hoidong", "Chủ tịch Hội đồng TĐKT TW Hội", [("reviewer", root, True)]),
        (
            "hanoi.vanphong",
            "Ban Tổ chức Hội LHPN TP Hà Nội",
            [("approver", hanoi, False), ("admin", hanoi, False)],
        ),
        ("hanoi.hoidong", "Chủ tịch Hội đồng TĐKT Hội LHPN Hà Nội", [("reviewer", hanoi, True)]),
        ("hanoi.uyvien", "Ủy viên Hội đồng TĐKT Hội LHPN Hà Nội", [("reviewer", hanoi, False)]),
        ("btl.vanphong", "Văn phòng Hội LHPN quận Bắc Từ Liêm", [("approver", btl, False)]),
        # the Red River Delta cluster of 2023: its lead (Cụm trưởng) and a member
        (
            "quangninh.vanphong",
            "Văn phòng Hội LHPN tỉnh Quảng Ninh",
            [("approver", quangninh, False)],
        ),
        ("thaibinh.vanphong", "Văn phòng Hội LHPN tỉnh Thái Bình", [("approver", thaibinh, False)]),
        (
            "xuandinh.denghi",
            "Cán bộ Hội LHPN phường Xuân Đỉnh",
            [("nominator", wards["Xuân Đỉnh"], False)],
        ),
        (
            "xuandinh.hoidong",
            "Chủ tịch Hội đồng TĐKT phường Xuân Đỉnh",
            [("reviewer", wards["Xuân Đỉnh"], True)],
        ),
    ]
    tokens: dict[str, str] = {}
    for username, full_name, grants in users:
        rt.after(
            app.users.create_user(
                s,
                username=username,
                full_name=full_name,
                password=DEMO_PASSWORD,
                grants=[{"role": r, "unit_id": u, "chair": c} for r, u, c in grants],
            )
        )
        _, tokens[username] = app.users.issue_token(s, username=username, label="demo")
    rt.runner.catch_up()

    # -- seed 004: the Bắc Từ Liêm conference of 9/1/2024 ---------------------------------------
    ward_ids = list(wards.values())
    counter = iter(range(1, 10_000))

    def people(n: int, position: str) -> list[dict[str, Any]]:
        return [person(next(counter), ward_ids[i % len(ward_ids)], position) for i in range(n)]

    def issue(data: dict[str, Any]) -> UUID:
        return rt.after(
            app.decisions.issue_decision(s, {"legal_basis": NOTE, "period": "2023", **data})
        ).id

    tw_lines = [
        {"recipient": unit_collective(wards[w])}
        for w in ("Xuân Đỉnh", "Đông Ngạc", "Thụy Phương", "Cổ Nhuế 2")
    ]
    tw_lines += [{"recipient": r} for r in people(1, "Chủ tịch Hội LHPN phường")]
    d_tw = issue(
        {
            "number": "1520/QĐ-ĐCT",
            "decided_on": date(2023, 12, 20),
            "issuer": {"unit_id": str(root)},
            "signer": {"name": "Hà Thị Nga", "title": "TM. Đoàn Chủ tịch – Chủ tịch"},
            "subject": "Về việc tặng Bằng khen của Đoàn Chủ tịch TW Hội LHPN Việt Nam",
            "achievement": "Đã có thành tích xuất sắc trong thực hiện phong trào thi đua và "
            "nhiệm vụ công tác Hội năm 2023",
            "award_kind": "bang_khen_tw_hoi",
            "lines": tw_lines,
        }
    )
    hn_lines = [
        {"recipient": unit_collective(wards[w])}
        for w in ("Xuân Tảo", "Phú Diễn", "Tây Tựu", "Liên Mạc")
    ]
    hn_lines += [{"recipient": r} for r in people(2, "Phó Chủ tịch Hội LHPN phường")]
    d_hn = issue(
        {
            "number": "215/QĐ-HPN",
            "decided_on": date(2023, 12, 28),
            "issuer": {"unit_id": str(hanoi)},
            "signer": {"name": "Lê Thị Thiên Hương", "title": "TM. Ban Thường vụ – Chủ tịch"},
            "subject": "Về việc tặng Bằng khen của Hội LHPN thành phố Hà Nội",
            "achievement": "Có thành tích xuất sắc trong tổ chức thực hiện nhiệm vụ công tác Hội "
            "năm 2023",
            "award_kind": "bang_khen_hoi_tinh",
            "lines": hn_lines,
        }
    )
    d_knc = issue(
        {
            "number": "1488/QĐ-ĐCT",
            "decided_on": date(2023, 10, 12),
            "issuer": {"unit_id": str(root)},
            "signer": {"name": "Hà Thị Nga", "title": "TM. Đoàn Chủ tịch – Chủ tịch"},
            "subject": "Về việc tặng Kỷ niệm chương “Vì sự phát triển của Phụ nữ Việt Nam”",
            "achievement": "Đã có nhiều đóng góp cho sự nghiệp bình đẳng giới và phát triển "
            "của phụ nữ Việt Nam",
            "award_kind": "ky_niem_chuong_phu_nu",
            "lines": [{"recipient": r} for r in people(15, "Điển hình tiên tiến")],
        }
    )
    ubnd_groups = [
        group(f"Chi hội phụ nữ tổ dân phố số {i + 1}", ward_ids[i % len(ward_ids)])
        for i in range(16)
    ]
    d_ubnd = issue(
        {
            "number": "35/QĐ-UBND",
            "decided_on": date(2024, 1, 5),
            "issuer": {
                "body": "government",
                "level": "district",
                "name": "Ủy ban nhân dân quận Bắc Từ Liêm",
            },
            "recorded_by_unit_id": str(btl),
            "signer": {"name": "Lê Thanh Nam", "title": "Chủ tịch"},
            "subject": "Về việc khen thưởng tập thể, cá nhân có thành tích trong thực hiện mô hình "
            "“Tuyến phố, đoạn đường nở hoa, bích họa” năm 2023",
            "achievement": "Có thành tích trong thực hiện mô hình thi đua “Tuyến phố, đoạn đường "
            "nở hoa, bích họa” trên địa bàn quận Bắc Từ Liêm năm 2023",
            "award_kind": "giay_khen_ubnd_huyen",
            "lines": [{"recipient": g, "amount": 1_440_000} for g in ubnd_groups]
            + [{"recipient": r, "amount": 360_000} for r in people(30, "Hội viên")],
        }
    )
    hpn_groups = [
        group(f"Chi hội phụ nữ khu dân cư số {i + 1}", ward_ids[i % len(ward_ids)])
        for i in range(33)
    ]
    # The article gives only the total (34.800.000 đ for 33 collectives and 61 individuals).
    # These internal rates are an assumption that explains it; they are labelled as such.
    for recipient_kind, amount in (("collective", 500_000), ("individual", 300_000)):
        rt.after(
            app.schedules.set_internal_rate(
                s,
                unit_id=btl,
                award_kind="giay_khen_hoi",
                recipient_kind=recipient_kind,
                effective_from=date(2024, 1, 1),
                amount=amount,
                note="Giả định minh họa: bài báo chỉ nêu tổng 34.800.000 đ",
            )
        )
    d_btl = issue(
        {
            "number": "02/QĐ-HPN",
            "amount_mode": "computed",
            "decided_on": date(2024, 1, 8),
            "issuer": {"unit_id": str(btl)},
            "signer": {"name": "Bùi Thị Trinh", "title": "TM. Ban Thường vụ – Chủ tịch"},
            "subject": "Về việc khen thưởng tập thể, cá nhân có thành tích trong thực hiện các "
            "phong trào thi đua và nhiệm vụ công tác Hội năm 2023",
            "achievement": "Đã có thành tích trong thực hiện các phong trào thi đua và nhiệm vụ "
            "công tác Hội năm 2023",
            "award_kind": "giay_khen_hoi",
            "lines": [{"recipient": g} for g in hpn_groups]
            + [{"recipient": r} for r in people(61, "Hội viên")],
        }
    )
    conference = rt.after(
        app.ceremonies.plan_ceremony(
            s,
            {
                "title": "Hội nghị Tổng kết công tác Hội năm 2023, "
                "phát động phong trào thi đua năm 2024",
                "held_on": date(2024, 1, 9),
                "place": "Quận Bắc Từ Liêm, Hà Nội",
                "host_unit_id": btl,
                "decision_ids": [d_tw, d_hn, d_knc, d_ubnd, d_btl],
                "announced_total": 73_640_000,
                "announced_source": "Báo Phụ nữ Thủ đô (PNTĐ): “Tổng số tiền khen thưởng "
                "tại Hội nghị là: 73.640.000 đồng.”",
            },
        )
    ).id

    # -- seed 002: Bắc Kạn, 24/6/2024 ----------------------------------------------------------
    d_bk = issue(
        {
            "number": "1630/QĐ-ĐCT",
            "decided_on": date(2024, 5, 28),
            "issuer": {"unit_id": str(root)},
            "signer": {"name": "Hà Thị Nga", "title": "TM. Đoàn Chủ tịch – Chủ tịch"},
            "subject": "Về việc tặng Bằng khen của Đoàn Chủ tịch TW Hội LHPN Việt Nam",
            "achievement": "Đã có thành tích xuất sắc trong công tác Hội và phong trào phụ nữ "
            "năm 2023",
            "award_kind": "bang_khen_tw_hoi",
            "lines": [
                {"recipient": person(next(counter), backan, "Cán bộ Hội chuyên trách")}
                for _ in range(4)
            ],
        }
    )
    backan_meeting = rt.after(
        app.ceremonies.plan_ceremony(
            s,
            {
                "title": "Hội nghị Ban Chấp hành Hội LHPN tỉnh mở rộng lần thứ 8, khóa IX",
                "held_on": date(2024, 6, 24),
                "place": "Tỉnh Bắc Kạn",
                "host_unit_id": backan,
                "decision_ids": [d_bk],
            },
        )
    ).id

    # -- seed 000: the Red River Delta cluster, 2023 ---------------------------------------------
    cluster = load_red_river(rt, s, root, delta)

    # -- the 2025-07-01 reform (illustrative) --------------------------------------------------
    reform = date(2025, 7, 1)
    operations: list[dict[str, Any]] = []
    for source, target in BTL_MERGERS.items():
        operations.append({"op": "merge", "unit_ids": [wards[source]], "target_id": wards[target]})
    survivors = [w for w in BTL_WARDS if w not in BTL_MERGERS]
    for name in survivors:
        operations.append({"op": "move", "unit_id": wards[name], "parent_id": hanoi})
    operations.append(
        {
            "op": "dissolve",
            "unit_id": btl,
            "reason": "Kết thúc hoạt động cấp huyện (chính quyền địa phương 2 cấp)",
        }
    )
    operations.append({"op": "merge", "unit_ids": [backan], "target_id": thainguyen})
    operations.append({"op": "merge", "unit_ids": [thaibinh], "target_id": hungyen})
    rt.after(app.orgs.reorganise(s, on=reform, operations=operations))

    # -- live workflow: nominations in several states ------------------------------------------
    xd = wards["Xuân Đỉnh"]
    nominator = app.users.actor_for(app.users.user("xuandinh.denghi"))
    ward_chair = app.users.actor_for(app.users.user("xuandinh.hoidong"))
    submission = rt.after(
        app.nominations.file_submission(
            nominator,
            proposing_unit_id=xd,
            number="12/TTr-HPN",
            title="Tờ trình đề nghị khen thưởng năm 2025",
            submitted_on=date(2025, 11, 20),
            candidates=[
                {
                    "recipient": person(900 + i, xd, "Chi hội trưởng"),
                    "award_kind": "bang_khen_hoi_tinh",
                    "achievement": "Hoàn thành xuất sắc nhiệm vụ công tác Hội năm 2025",
                    "period": "2025",
                }
                for i in range(3)
            ],
        )
    )
    nomination_ids = [UUID(n) for n in (submission.extra or {})["nomination_ids"]]
    for nomination_id in nomination_ids[:2]:
        rt.after(app.nominations.cast_vote(ward_chair, nomination_id, vote="agree"))
        rt.after(app.nominations.close_review(ward_chair, nomination_id, outcome="recommended"))
    rt.after(
        app.nominations.draft_nomination(
            nominator,
            proposing_unit_id=xd,
            data={
                "recipient": {
                    "kind": "collective",
                    "name": "Chi hội phụ nữ tổ dân phố số 6",
                    "unit_id": str(xd),
                },
                "award_kind": "giay_khen_hoi",
                "achievement": "Duy trì mô hình “Tổ dân phố văn hóa kiểu mẫu”",
                "period": "2025",
            },
        )
    )
    rt.runner.catch_up()
    return {
        "root": root,
        "hanoi": hanoi,
        "btl": btl,
        "backan": backan,
        "thainguyen": thainguyen,
        "quangninh": quangninh,
        "thaibinh": thaibinh,
        "hungyen": hungyen,
        "wards": wards,
        "branch": branch,
        "decisions": {
            "tw": d_tw,
            "hanoi": d_hn,
            "knc": d_knc,
            "ubnd": d_ubnd,
            "btl": d_btl,
            "backan": d_bk,
        },
        "ceremonies": {"btl_2024": conference, "backan_2024": backan_meeting},
        "red_river": {"cluster": cluster, "units": delta},
        "nominations": nomination_ids,
        "tokens": tokens,
    }
