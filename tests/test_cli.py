"""The ``tdkt`` command line on SQLite and PostgreSQL, configured only through the environment."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any
from uuid import UUID

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from domain.errors import Unauthenticated
from projections.queries import Page
from services.api import create_app
from services.app import Runtime
from services.authz import SYSTEM
from services.config import load_settings
from tests.conftest import run_cli
from tests.helpers import dump

PASSWORD = "mat-khau-123"


@pytest.fixture
def tdkt(cli_env):
    runner = CliRunner()

    def invoke(*args: str, code: int = 0):
        return run_cli(runner, args, code)

    return invoke


@pytest.fixture
def runtime(cli_env) -> Iterator[Any]:
    """Open a Runtime on the CLI's configuration (after the CLI has run)."""
    opened: list[Runtime] = []

    def open_runtime() -> Runtime:
        rt = Runtime(load_settings())
        opened.append(rt)
        return rt

    yield open_runtime
    for rt in opened:
        rt.close()


def last_line(text: str) -> str:
    return text.strip().splitlines()[-1].strip()


def status(tdkt) -> dict[str, Any]:
    return json.loads(tdkt("status").stdout)


def test_org_units_and_tree(tdkt, runtime):
    root = last_line(
        tdkt(
            "org",
            "add",
            "Trung ương Hội LHPN Việt Nam",
            "--level",
            "central",
            "--on",
            "1930-10-20",
            "--code",
            "TW",
        ).stdout
    )
    hanoi = last_line(
        tdkt(
            "org",
            "add",
            "Hội LHPN TP Hà Nội",
            "--level",
            "province",
            "--parent",
            root,
            "--on",
            "1946-01-01",
        ).stdout
    )
    assert str(UUID(root)) == root and str(UUID(hanoi)) == hanoi

    tree = tdkt("org", "tree", "--as-of", "2024-01-09").stdout
    lines = tree.splitlines()
    assert "2024-01-09" in lines[0]
    assert lines[1].startswith("Trung ương Hội LHPN Việt Nam") and root in lines[1]
    assert lines[2].startswith("  Hội LHPN TP Hà Nội") and hanoi in lines[2]
    # Before Hà Nội's Union existed the tree has only the root.
    early = tdkt("org", "tree", "--as-of", "1940-01-01").stdout
    assert "Hà Nội" not in early and root in early

    rt = runtime()
    unit = rt.app.tree.org_unit(UUID(hanoi))
    assert unit.state_on(date(2024, 1, 1)).parent_id == UUID(root)


def test_user_add_prints_a_working_token(tdkt, runtime):
    root = last_line(tdkt("org", "add", "Trung ương Hội", "--level", "central").stdout)
    token = last_line(
        tdkt(
            "user",
            "add",
            "tw.vanphong",
            "--name",
            "Văn phòng TW Hội",
            "--password",
            PASSWORD,
            "--grant",
            f"approver:{root}",
            "--grant",
            f"reviewer:{root}:chair",
        ).stdout
    )
    rt = runtime()
    actor = rt.app.users.authenticate(token)
    assert actor.username == "tw.vanphong"
    assert {(g.role, str(g.unit_id), g.chair) for g in actor.grants} == {
        ("approver", root, False),
        ("reviewer", root, True),
    }

    # Through the HTTP API as well, with the token and with the password.
    with TestClient(create_app(rt)) as client:
        me = client.get("/api/me", headers={"Authorization": f"Bearer {token}"})
        assert me.status_code == 200, me.text
        assert me.json()["full_name"] == "Văn phòng TW Hội"
        login = client.post(
            "/api/auth/token", json={"username": "tw.vanphong", "password": PASSWORD}
        )
        assert login.status_code == 200, login.text

    # `user token` issues another token, also valid; both stay valid.
    second = last_line(tdkt("user", "token", "tw.vanphong", "--label", "máy chủ").stdout)
    assert second != token
    rt2 = runtime()
    assert rt2.app.users.authenticate(second).username == "tw.vanphong"
    assert rt2.app.users.authenticate(token).username == "tw.vanphong"
    with pytest.raises(Unauthenticated):
        rt2.app.users.authenticate(second[:-2] + ("aa" if not second.endswith("aa") else "bb"))


def test_status_and_project_once(tdkt, monkeypatch):
    monkeypatch.setenv("TDKT_PROJECTIONS", "worker")
    tdkt("org", "add", "Trung ương Hội", "--level", "central")
    before = status(tdkt)
    assert before["store"] == load_settings().store
    assert before["head"] >= 1
    assert before["views"]
    assert all(v["head"] == before["head"] for v in before["views"].values())
    assert any(v["behind"] > 0 for v in before["views"].values())

    projected = tdkt("project", "--once").stdout
    assert "sự kiện" in projected
    after = status(tdkt)
    assert after["head"] == before["head"]
    assert all(v["behind"] == 0 for v in after["views"].values())
    assert all(v["position"] == after["head"] for v in after["views"].values())
    # Nothing left to do: a second pass reports nothing.
    assert tdkt("project", "--once").stdout.strip() == ""


def totals(rt: Runtime) -> dict[str, Any]:
    rt.runner.catch_up()
    q = rt.queries
    decisions = q.decisions(page=Page(limit=500))
    return {
        "decisions": sorted(
            (d["number"], d["total_amount"], d["not_stated_lines"]) for d in decisions["items"]
        ),
        "ceremonies": sorted((c["held_on"], c["decision_count"]) for c in q.ceremonies()["items"]),
        "nominations": sorted((n["status"], n["recipient_name"]) for n in q.nominations()["items"]),
        "users": [u["username"] for u in q.users(page=Page(limit=500))["items"]],
        "units_2024": q.units_on(date(2024, 1, 9))["total"],
        "units_2026": q.units_on(date(2026, 1, 1))["total"],
    }


def test_demo_loads_once_and_rebuild_keeps_the_views(tdkt, runtime, tmp_path):
    tokens_file = tmp_path / "tokens.txt"
    out = tdkt("demo", "--tokens-file", str(tokens_file)).stdout
    assert "Đã nạp dữ liệu mẫu" in out
    tokens = dict(line.split("\t") for line in tokens_file.read_text("utf-8").splitlines())
    assert "admin" in tokens

    again = tdkt("demo", code=1)
    assert "không nạp lại" in again.stderr

    rt = runtime()
    assert rt.app.users.authenticate(tokens["admin"]).username == "admin"
    before = totals(rt)
    # The seed 004 amounts, as stated in the article.
    amounts = {number: amount for number, amount, _ in before["decisions"]}
    assert amounts["35/QĐ-UBND"] == 33_840_000 and amounts["02/QĐ-HPN"] == 34_800_000
    assert amounts["1520/QĐ-ĐCT"] is None  # the article states no amount
    # every decision's certificates printed, some twice: the registers are views too
    decisions = [d["decision_id"] for d in rt.queries.decisions(page=Page(limit=500))["items"]]
    for decision_id in decisions:
        _, saved = rt.app.certificates.print_certificates(SYSTEM, [UUID(decision_id)])
        rt.after(saved)
    _, saved = rt.app.certificates.print_certificates(
        SYSTEM, [UUID(decisions[0])], reprint_reason="Hỏng")
    rt.after(saved)
    head = rt.app.max_position()
    views = dump(rt.db, rt.runner.views)
    assert views["certificate_books"] and views["certificates"]
    rt.close()

    rebuilt = tdkt("rebuild").stdout
    assert "Xong" in rebuilt
    after_status = status(tdkt)
    assert all(v["position"] == head for v in after_status["views"].values())
    again = runtime()
    assert totals(again) == before
    assert dump(again.db, again.runner.views) == views  # every row of every view


def test_domain_errors_exit_2_with_a_vietnamese_message(tdkt):
    root = last_line(tdkt("org", "add", "Trung ương Hội", "--level", "central").stdout)

    second_root = tdkt("org", "add", "Trung ương Hội thứ hai", "--level", "central", code=2)
    assert "Lỗi [org_unit.root_exists]" in second_root.stderr
    assert "Cây tổ chức đã có đơn vị gốc" in second_root.stderr

    ghost = tdkt("user", "token", "khong.co.ai", code=2)
    assert "Lỗi [user.not_found]" in ghost.stderr
    assert "Không tìm thấy người dùng" in ghost.stderr

    tdkt("user", "add", "an.nguyen", "--password", PASSWORD, "--grant", f"admin:{root}")
    taken = tdkt("user", "add", "an.nguyen", "--password", PASSWORD, code=2)
    assert "Lỗi [user.username_taken]" in taken.stderr
    assert "đã được dùng" in taken.stderr

    role = tdkt("user", "add", "binh.tran", "--grant", f"thu_truong:{root}", code=2)
    assert "user.invalid_role" in role.stderr
    assert "Vai trò" in role.stderr


def test_a_bad_date_is_a_usage_error_in_vietnamese_in_every_command(tdkt):
    """Every date option and argument goes through one parser: exit 2, the option named, a
    Vietnamese sentence, no traceback, nothing done."""
    unit = str(UUID(int=1))
    commands = [  # (the option or argument, the bad date, the command line)
        ("--on", "2024-02-30",
         ("org", "add", "Trung ương Hội", "--level", "central", "--on", "2024-02-30")),
        ("--as-of", "hôm nay", ("org", "tree", "--as-of", "hôm nay")),
        ("--as-of", "0", ("org", "show", unit, "--as-of", "0")),
        ("--as-of", "2024-13-01", ("registry", "--as-of", "2024-13-01")),
        ("--as-of", "1899-12-31", ("totals", "--as-of", "1899-12-31")),
        ("--as-of", "9/1/2024", ("export", "so.csv", "--as-of", "9/1/2024")),
        ("effective_from", "01/07/2026",
         ("schedules", "base-salary", "01/07/2026", "2530000", "--basis", "NĐ")),
        ("effective_from", "2024",
         ("schedules", "internal-rate", unit, "bang_khen_tw_hoi", "individual", "2024", "500000")),
        ("on", "2024-7-1", ("calc", "bang_khen_tw_hoi", "individual", "2024-7-1", "--unit", unit)),
        ("--on", "2024-02-30", ("catalog", "list", "--on", "2024-02-30")),
        ("--from", "mai", ("catalog", "retire", "giay_khen_hoi", "--from", "mai", "--reason", "X")),
    ]
    for option, bad, args in commands:
        out = tdkt(*args, code=2)
        said = " ".join(out.stderr.replace("│", " ").split())  # unwrap the error box
        assert "Traceback" not in out.output, args
        assert f"'{option}': ngày «{bad}» phải là ngày có thật dạng YYYY-MM-DD, từ 1900 đến" \
               " 2100" in said, (args, said)
    assert "Trung ương Hội" not in tdkt("org", "tree").stdout  # the refused `org add` did nothing


def test_a_malformed_id_is_a_usage_error_in_vietnamese(tdkt):
    """Ids go through one parser too: exit 2, a Vietnamese sentence, no traceback."""
    commands = [  # (the option or argument, the command line)
        ("--parent", ("org", "add", "Phường X", "--level", "commune", "--on", "2024-01-01",
                      "--parent", "bad")),
        ("unit_id", ("org", "show", "bad")),
        ("grant", ("user", "grant", "someone", "approver:bad")),
        ("--decision", ("certificates", "print", "out.pdf", "--decision", "bad")),
        ("--ceremony", ("certificates", "print", "out.pdf", "--ceremony", "bad")),
        ("decision_id", ("certificates", "document", "bad", "qd.pdf")),
    ]
    for option, args in commands:
        out = tdkt(*args, code=2)
        said = " ".join(out.stderr.replace("│", " ").split())
        assert "Traceback" not in out.output, args
        assert "mã «bad» không hợp lệ (cần dạng UUID)" in said, (option, said)


def test_money_from_the_command_line(tdkt):
    root = last_line(tdkt("org", "add", "Trung ương Hội", "--level", "central",
                          "--on", "1930-10-20").stdout)
    shown = tdkt("schedules", "show").stdout
    assert "2.530.000 đ" in shown and "Nghị định 152/2025/NĐ-CP" in shown
    assert "Nghị định 161/2026/NĐ-CP" in shown
    loaded = tdkt("schedules", "load").stdout  # recorded with the root
    assert "Bản phát hành 2026-12 đã được nạp; không có gì mới." in loaded

    answer = tdkt("calc", "bang_khen_tw_hoi", "collective", "2025-07-01", "--unit", root).stdout
    assert answer.startswith("7.020.000 đ — Bảy triệu không trăm hai mươi nghìn đồng")
    assert "2 × 1,5 × 2.340.000 đ = 7.020.000 đ" in answer
    outside = tdkt("calc", "giay_khen_ubnd_xa", "individual", "2024-07-01",
                   "--body", "government", "--level", "commune").stdout
    assert outside.startswith("360.000 đ")

    later = tdkt("calc", "bang_khen_tw_hoi", "individual", "2026-07-01", "--unit", root).stdout
    assert later.startswith("3.800.000 đ")  # 1,5 × 2.530.000 = 3.795.000 → 3.800.000
    tdkt("schedules", "base-salary", "2027-07-01", "2800000", "--basis", "NĐ (giả định)")
    assert "(chưa xác minh)" in tdkt("schedules", "show").stdout
    report = tdkt("schedules", "differences").stdout
    assert "Đã kiểm tra 0 dòng tính theo biểu mức; 0 dòng khác." in report
    assert json.loads(tdkt("schedules", "differences", "--json").stdout)["total"] == 0

    refused = tdkt("calc", "khong_co", "individual", "2024-07-01", "--unit", root, code=2)
    assert "Lỗi [award_kind.unknown]" in refused.stderr
    assert "Một triệu không trăm linh một nghìn đồng" in tdkt("words", "1001000").stdout
    zero = tdkt("schedules", "base-salary", "2026-07-01", "0", "--basis", "x", code=2)
    assert "Lỗi [validation.invalid]" in zero.stderr


def test_serve_loads_the_release_into_an_older_store_before_serving(tdkt, runtime, monkeypatch):
    import uvicorn

    from domain.schedules import LEGAL_SCHEDULE_ID, LegalSchedule
    from tests.helpers import load_previous_release

    with monkeypatch.context() as previous:  # the store as the previous release left it
        previous.setattr(LegalSchedule, "load_shipped", load_previous_release)
        root = last_line(tdkt("org", "add", "Trung ương Hội", "--level", "central",
                              "--on", "1930-10-20").stdout)
    question = ("calc", "bang_khen_tw_hoi", "individual", "2026-09-15", "--unit", root)
    assert tdkt(*question).stdout.startswith("3.510.000 đ")
    served: list[dict[str, Any]] = []
    monkeypatch.setattr(uvicorn, "run", lambda *args, **kwargs: served.append(kwargs))
    out = tdkt("serve").stdout
    assert "Đã nạp biểu mức tiền thưởng của bản phát hành 2026-12." in out and served
    assert tdkt(*question).stdout.startswith("3.800.000 đ")
    assert "Đã nạp" not in tdkt("serve").stdout and len(served) == 2
    events = runtime().app.history(LEGAL_SCHEDULE_ID)
    assert [type(e).__name__ for e in events].count("ReleaseLoaded") == 1


def test_schedule_differences_from_the_command_line(tdkt, runtime):
    tdkt("demo")
    clean = tdkt("schedules", "differences").stdout
    assert "; 0 dòng khác." in clean
    checked = json.loads(tdkt("schedules", "differences", "--json").stdout)["lines_checked"]
    assert checked >= 94  # the district Union's 33 + 61 lines at its own rates
    rt = runtime()
    [btl] = [u["id"] for u in rt.queries.units_on(date(2024, 1, 9), q="Bắc Từ Liêm")["items"]
             if u["level"] == "district"]
    rt.close()
    # The office learns that its collectives' rate was 600.000 đ from 2024-01-01.
    tdkt("schedules", "internal-rate", btl, "giay_khen_hoi", "collective", "2024-01-01",
         "600000")
    report = tdkt("schedules", "differences").stdout
    assert f"Đã kiểm tra {checked} dòng tính theo biểu mức; 33 dòng khác." in report
    assert "đã ghi 500.000 đ, nay 600.000 đ" in report
    assert "Tổng chênh lệch: thiếu 3.300.000 đ" in report
    assert "; 0 dòng khác." in tdkt("schedules", "differences", "--year", "2025").stdout


def test_certificates_and_documents_from_the_command_line(tdkt, runtime, tmp_path):
    tdkt("demo")
    rt = runtime()
    decisions = {d["number"]: d["decision_id"] for d in rt.queries.decisions()["items"]}
    rt.close()
    pdf = tmp_path / "bk.pdf"
    printed = tdkt("certificates", "print", str(pdf), "--decision", decisions["1520/QĐ-ĐCT"]).stdout
    assert "Đã in 5 trang (số vào sổ 1–5)" in printed
    from pypdf import PdfReader

    assert len(PdfReader(pdf).pages) == 5
    refused = tdkt("certificates", "print", str(pdf), "--decision", decisions["1520/QĐ-ĐCT"],
                   code=2)
    assert "certificate.reprint_reason_required" in refused.stderr
    docx = tmp_path / "qd.docx"
    tdkt("certificates", "document", decisions["02/QĐ-HPN"], str(docx))
    from docx import Document

    text = "\n".join(p.text for p in Document(docx).paragraphs)
    assert "Ba mươi bốn triệu tám trăm nghìn đồng" in text


def test_the_award_catalogue_from_the_command_line(tdkt, runtime, tmp_path):
    """`tdkt catalog` lists the kinds as it always did; `add`, `change` and `retire` record as
    the system (a change or a retirement from tomorrow at the earliest), `show` prints a kind
    with its history; refusals exit 2 with the code and a Vietnamese message."""
    from datetime import timedelta

    from services.store import vietnam_today

    today = vietnam_today()
    tomorrow = (today + timedelta(days=1)).isoformat()
    tdkt("org", "add", "Trung ương Hội", "--level", "central", "--on", "1930-10-20")
    assert "giay_khen_hoi" in tdkt("catalog").stdout  # the listing, without a subcommand

    kind = tmp_path / "bieu_duong.json"
    kind.write_text(json.dumps({
        "code": "bieu_duong_hoi_xa", "title": "Biểu dương của Ban Thường vụ Hội LHPN xã",
        "category": "bieu_duong", "recipients": ["individual", "household"],
        "deciders": {"union": ["commune"]}, "money": "none",
        "source": "Quy chế thi đua, khen thưởng của Hội", "effective_from": "2025-01-01",
        "reason": "Nghị quyết 12/NQ-ĐCT"}, ensure_ascii=False), encoding="utf-8")
    added = tdkt("catalog", "add", str(kind)).stdout
    assert "Đã thêm: bieu_duong_hoi_xa — Biểu dương của Ban Thường vụ Hội LHPN xã" in added
    listing = tdkt("catalog", "list").stdout
    assert any(line.startswith("bieu_duong_hoi_xa") and "từ 2025-01-01" in line
               for line in listing.splitlines())
    assert "bieu_duong_hoi_xa" not in tdkt("catalog", "list", "--on", "2024-12-31").stdout
    assert "Lỗi [award_kind.exists]" in tdkt("catalog", "add", str(kind), code=2).stderr

    change = tmp_path / "doi_ten.json"
    change.write_text(json.dumps({"title": "Biểu dương của Hội LHPN xã, phường",
                                  "effective_from": tomorrow, "reason": "Sắp xếp cấp xã"},
                                 ensure_ascii=False), encoding="utf-8")
    assert "Đã sửa" in tdkt("catalog", "change", "bieu_duong_hoi_xa", str(change)).stdout

    early = tdkt("catalog", "retire", "bieu_duong_hoi_xa", "--from", today.isoformat(),
                 "--reason", "Quy chế mới", code=2)
    assert "Lỗi [catalogue.change_not_future]" in early.stderr and "ngày mai" in early.stderr
    retired = tdkt("catalog", "retire", "bieu_duong_hoi_xa", "--from", tomorrow,
                   "--reason", "Quy chế mới").stdout
    assert f"bãi bỏ từ {tomorrow}" in retired
    # offered until its last day (today), no longer from tomorrow
    assert "bieu_duong_hoi_xa" in tdkt("catalog", "list").stdout
    assert "bieu_duong_hoi_xa" in tdkt("catalog", "list", "--on", today.isoformat()).stdout
    assert "bieu_duong_hoi_xa" not in tdkt("catalog", "list", "--on", tomorrow).stdout

    shown = json.loads(tdkt("catalog", "show", "bieu_duong_hoi_xa").stdout)
    # the retirement replaced the change recorded for the same date
    assert [(s["effective_from"], s["retired"], s["actor"]) for s in shown["history"]] == [
        ("2025-01-01", False, "system"), (tomorrow, True, "system")]
    assert shown["retired_from"] == tomorrow
    assert "Lỗi [not_found]" in tdkt("catalog", "show", "khong_co", code=2).stderr
    junk = tmp_path / "junk.json"
    junk.write_text("{khong phai json", encoding="utf-8")
    said = " ".join(tdkt("catalog", "add", str(junk), code=2).stderr.replace("│", " ").split())
    assert "không phải JSON hợp lệ" in said
    typo = tmp_path / "typo.json"
    typo.write_text(json.dumps({"titel": "Biểu dương", "effective_from": "2026-02-30",
                                "reason": "Thử"}), encoding="utf-8")
    refused = tdkt("catalog", "change", "giay_khen_hoi", str(typo), code=2).stderr
    assert "Lỗi [validation.invalid]" in refused and "titel: trường không được phép" in refused
    assert "effective_from: ngày phải là ngày có thật" in refused

    rt = runtime()
    history = rt.app.catalogue.history("bieu_duong_hoi_xa")
    assert history[0].actor == "system" and history[-1].kind is None
