"""Past decisions imported from one file (``services.past_imports``), on both stores: three
decisions of 2019, 2022 and 2024 in the template, one sheet each, one of them with bad rows —
the dry run names every mistake by sheet and row and records nothing; the import records the two
good decisions, all or nothing per decision; the same file again records nothing new; a person
already in the registry is the same person (her history holds both awards); a namesake of
another birth year is shown for the office to check; a CSV list with a decision-number column;
a row whose decision is unknown holds back its sheet."""

from __future__ import annotations

import io
import json
from datetime import date, datetime
from uuid import UUID

import pytest
from openpyxl import load_workbook

from domain.errors import RoleRequired, ValidationFailed
from projections.queries import Page
from services import past_imports
from services.past_imports import PastImports, read_file
from tests.helpers import World
from tests.test_cli import tdkt  # noqa: F401 (the command line tests' fixture)

UBND = "UBND quận Bắc Từ Liêm"
XD, CN1, NT = "Hội LHPN phường Xuân Đỉnh", "Hội LHPN phường Cổ Nhuế 1", "Hội LHPN xã Nông Thượng"
BLOCK_ROWS = {name: i for i, name in enumerate(past_imports.BLOCK_FIELDS, start=1)}
FIELDS = [name for name, _, _ in past_imports.COLUMNS]


def workbook(sheets: dict[str, tuple[dict, list[dict]]]) -> bytes:
    """The template filled in: one sheet per decision, its header block and its rows."""
    book = load_workbook(io.BytesIO(past_imports.template()))
    model = book["Quyết định 1"]
    for title, (block, rows) in sheets.items():
        sheet = book.copy_worksheet(model)
        sheet.title = title
        for name, value in block.items():
            sheet.cell(row=BLOCK_ROWS[name], column=3, value=value)
        for n, row in enumerate(rows, start=1):
            sheet.append([n, *(row.get(name) for name in FIELDS)])
    del book["Quyết định 1"]
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def person(name: str, year: int | str, unit: str, **extra) -> dict:
    return {"name": name, "kind": "cá nhân", "gender": "Nữ", "birth_year": year, "unit": unit,
            **extra}


def three_decisions() -> bytes:
    outside = {"issuer_body": "cơ quan nhà nước", "issuer_level": "quận, huyện, thị xã",
               "issuer_name": UBND, "signer_name": "Nguyễn Văn An", "signer_title": "Chủ tịch"}
    return workbook({
        "2019": ({**outside, "number": "35/QĐ-UBND", "decided_on": datetime(2019, 12, 20),
                  "subject": "Về việc khen thưởng phong trào thi đua năm 2019"}, [
            person("Đỗ Thị Thu", 1975, CN1, award_kind="Giấy khen UBND quận/huyện",
                   period="2019", achievement="Tuyến phố nở hoa", amount=500_000),
            {"kind": "tập thể", "unit": XD, "award_kind": "giay_khen_ubnd_huyen",
             "period": "2019", "achievement": "Phong trào thi đua", "amount": "1.000.000"},
            person("Nguyễn Thị Lan", 1982, XD, award_kind="giay_khen_ubnd_huyen",
                   period="2019", mode="Quyết định không ghi số tiền"),
        ]),
        "2022": ({"number": "12/QĐ-HPN", "decided_on": "10/01/2022",
                  "issuer_name": "Hội LHPN quận Bắc Từ Liêm", "signer_name": "Lê Thị Hương"}, [
            person("Phạm Thị Hoa", 1985, XD, award_kind="Giấy khen Hội LHPN", period="2021",
                   amount=300_000),
            person("Trần Thị Mai", "19x5", XD, award_kind="Giấy khen Hội LHPN", period="2021"),
            person("Hà Thị Nga", 1970, NT, award_kind="Giấy khen Hội LHPN", period="2021"),
        ]),
        "2024": ({**outside, "number": "5/QĐ-UBND", "decided_on": "15/01/2024"}, [
            person("Vũ Thị Hạnh", 1990, CN1, award_kind="giay_khen_ubnd_huyen", period="2023",
                   amount=600_000, citizen_id="001190012345"),
            person("Bùi Thị Yến", 1988, XD, award_kind="giay_khen_ubnd_huyen", period="2023",
                   amount=600_000),
        ]),
    })


def earlier_awards(world: World) -> None:
    """What the registry already holds: Đỗ Thị Thu (1975) and Nguyễn Thị Lan (1980)."""
    rt = world.rt
    rt.after(rt.app.decisions.issue_decision(world.actor("btl.appr"), {
        "number": "10/QĐ-UBND", "decided_on": date(2018, 12, 20),
        "issuer": {"body": "government", "level": "district", "name": UBND},
        "recorded_by_unit_id": world.units["btl"], "award_kind": "giay_khen_ubnd_huyen",
        "period": "2018", "lines": [
            {"recipient": {"kind": "individual", "name": "Đỗ Thị Thu", "birth_year": 1975,
                           "unit_id": world.u("cn1")}, "amount": 400_000},
            {"recipient": {"kind": "individual", "name": "Nguyễn Thị Lan", "birth_year": 1980,
                           "unit_id": world.u("xd")}, "amount": 400_000}]}))


def by_number(report) -> dict[str, dict]:
    return {d["number"]: d for d in report.as_dict()["decisions"]}


def history_of(rt, name: str, birth_year: int) -> list[dict]:
    rt.ensure_position(rt.app.max_position())
    [found] = [r for r in rt.registry.recipients(name, Page(limit=50))["items"]
               if r["birth_year"] == birth_year]
    return rt.registry.history(found["key"])["items"]


def test_three_past_decisions_dry_run_then_import_then_again(rt, world):
    earlier_awards(world)
    office = world.actor("btl.appr")
    data = three_decisions()
    head = rt.app.max_position()

    read = read_file(data, "qd-cu.xlsx")
    report = PastImports(rt).dry_run(office, read, world.units["btl"])
    assert rt.app.max_position() == head, "a dry run records nothing"
    shown = by_number(report)
    assert [d["status"] for d in report.as_dict()["decisions"]] == ["ready", "invalid", "ready"]
    first, bad, last = shown["35/QĐ-UBND"], shown["12/QĐ-HPN"], shown["5/QĐ-UBND"]
    assert first["decided_on"] == "2019-12-20" and first["sheet"] == "2019"
    assert first["totals"]["lines"] == 3 and first["totals"]["amount"] == 1_500_000
    assert first["totals"]["lines_without_amount"] == 1
    assert first["issuer"]["name"] == UBND and not first["issuer_in_system"]
    assert last["totals"]["amount"] == 1_200_000 and not last["errors"]
    # the Union unit of the system issues its own decision; its bad rows by sheet and row
    assert bad["issuer_in_system"] and bad["issuer"]["unit_id"] == world.u("btl")
    errors = {(e["sheet"], e["row"]): e["message"] for e in bad["errors"]}
    assert set(errors) == {("2022", 14), ("2022", 15)}, errors
    assert "Năm sinh «19x5» không hợp lệ" in errors[("2022", 14)]
    assert "Không tìm thấy đơn vị «Hội LHPN xã Nông Thượng»" in errors[("2022", 15)]
    # the person already in the registry; the namesake born another year
    [matched] = first["matched"]
    assert (matched["name"], matched["row"]) == ("Đỗ Thị Thu", 13)
    [namesake] = first["candidates"]
    assert (namesake["name"], namesake["birth_year"], namesake["row"]) == \
        ("Nguyễn Thị Lan", 1982, 15)
    [candidate] = namesake["candidates"]
    assert candidate["birth_year"] == 1980 and candidate["unit"] == XD
    summary = report.as_dict()["summary"]
    assert (summary["decisions"], summary["ready"], summary["invalid"]) == (3, 2, 1)

    done = PastImports(rt).run(office, read_file(data, "qd-cu.xlsx"), world.units["btl"])
    shown = by_number(done)
    assert [shown[n]["status"] for n in ("35/QĐ-UBND", "12/QĐ-HPN", "5/QĐ-UBND")] == \
        ["recorded", "invalid", "recorded"]
    assert rt.app.max_position() > head and done.position == rt.app.max_position()
    recorded = rt.app.decisions.decision(UUID(shown["35/QĐ-UBND"]["decision_id"]))
    assert recorded.external and recorded.signer["name"] == "Nguyễn Văn An"
    assert recorded.subject == "Về việc khen thưởng phong trào thi đua năm 2019"
    assert recorded.lines[1].recipient["org_unit_id"] == world.u("xd")
    assert rt.queries.decisions(q="12/QĐ-HPN")["total"] == 0, "all or nothing per decision"
    # Đỗ Thị Thu is one person in the registry: 2018 and 2019
    assert [line["decision"]["number"] for line in history_of(rt, "Đỗ Thị Thu", 1975)] == \
        ["10/QĐ-UBND", "35/QĐ-UBND"]

    # the same file again: its decisions are there already, nothing new
    head = rt.app.max_position()
    again = PastImports(rt).run(office, read_file(data, "qd-cu.xlsx"), world.units["btl"])
    shown = by_number(again)
    assert shown["35/QĐ-UBND"]["status"] == shown["5/QĐ-UBND"]["status"] == "exists"
    assert shown["35/QĐ-UBND"]["existing"]["id"] == str(recorded.id)
    assert shown["12/QĐ-HPN"]["status"] == "invalid"
    assert rt.app.max_position() == head and again.position is None


def test_a_csv_list_with_a_decision_number_column(rt, world):
    office = world.actor("btl.appr")
    text = "\n".join([
        "Danh sách khen thưởng các năm;;;;;;;",
        "STT;Số quyết định;Ngày quyết định;Loại cơ quan ban hành;Cấp cơ quan ban hành;"
        "Cơ quan ban hành;Họ tên;Năm sinh;Đơn vị;Hình thức khen thưởng;Thời gian;Số tiền",
        f"1;20/QĐ-UBND;05/01/2020;cơ quan nhà nước;huyện;{UBND};Lê Thị Bích;1979;{XD};"
        "giay_khen_ubnd_huyen;2019;400.000",
        f"2;;;;;;Ngô Thị Cúc;1981;{CN1};giay_khen_ubnd_huyen;2019;400.000",
        f"3;21/QĐ-UBND;2021-01-08;nhà nước;quận;{UBND};Lê Thị Bích;1979;{XD};"
        "giay_khen_ubnd_huyen;2020;450000",
    ])
    read = read_file("\ufeff".encode() + text.encode(), "ds.csv")
    assert read.kind == "csv" and read.rows == 3
    report = PastImports(rt).run(office, read, world.units["btl"])
    shown = by_number(report)
    assert set(shown) == {"20/QĐ-UBND", "21/QĐ-UBND"}
    assert shown["20/QĐ-UBND"]["status"] == shown["21/QĐ-UBND"]["status"] == "recorded"
    assert shown["20/QĐ-UBND"]["totals"]["amount"] == 800_000
    assert shown["20/QĐ-UBND"]["sheet"] == "Tệp CSV" and shown["20/QĐ-UBND"]["row"] == 3
    assert len(history_of(rt, "Lê Thị Bích", 1979)) == 2

    # comma-separated, without a BOM, the same decisions: recorded already
    comma = text.replace(";", ",").replace("400.000", "400000")
    again = PastImports(rt).dry_run(office, read_file(comma.encode(), "ds.csv"),
                                    world.units["btl"])
    assert {d["status"] for d in again.as_dict()["decisions"]} == {"exists"}


def test_a_row_whose_decision_is_unknown_holds_back_its_sheet(rt, world):
    office = world.actor("btl.appr")
    book = load_workbook(io.BytesIO(past_imports.template()))
    sheet = book["Quyết định 1"]
    common = ["cơ quan nhà nước", "quận", UBND, None, None]
    sheet.append([1, "40/QĐ-UBND", "01/02/2023", *common, "Đinh Thị Quế", None, None, 1980,
                  None, None, XD, "giay_khen_ubnd_huyen", "2022"])
    sheet.append([2, None, "32/13/2023", *common, "Đinh Thị Sen", None, None, 1981, None, None,
                  XD, "giay_khen_ubnd_huyen", "2022"])
    out = io.BytesIO()
    book.save(out)
    report = PastImports(rt).run(office, read_file(out.getvalue(), "x.xlsx"), world.units["btl"])
    [decision] = report.as_dict()["decisions"]
    assert decision["status"] == "invalid"
    assert {e["row"] for e in decision["errors"]} == {14}
    assert "Ngày quyết định «32/13/2023» không phải ngày có thật" in decision["errors"][0][
        "message"]
    assert rt.queries.decisions(q="40/QĐ-UBND")["total"] == 0


def test_who_may_and_what_is_not_a_list(rt, world):
    data = three_decisions()
    with pytest.raises(RoleRequired):
        PastImports(rt).dry_run(world.actor("xd.nom"), read_file(data), world.units["btl"])
    for junk, words in ((b"", "trống"), (b"\xff\xfe\x00x", "UTF-8"),
                        (b"PK\x03\x04 broken", "không phải bảng tính Excel"),
                        ("Cột A,Cột B\nx,y\n".encode(), "không tìm thấy hàng tiêu đề")):
        with pytest.raises(ValidationFailed) as refused:
            read_file(junk)
        assert words in refused.value.details["reason"]


def test_the_command_line(rt, world, tdkt, tmp_path):  # noqa: F811
    """``tdkt decisions import FILE [--dry-run] [--unit …] [--json]`` (the CLI is the system)."""
    path = tmp_path / "qd-cu.xlsx"
    path.write_bytes(three_decisions())
    head = rt.app.max_position()
    dry = tdkt("decisions", "import", str(path), "--dry-run", "--unit", world.u("btl"), code=1)
    assert "Kiểm tra (không ghi gì): 3 quyết định — 2 sẽ ghi" in dry.stdout
    assert "trang «2022», hàng 14: Năm sinh «19x5» không hợp lệ" in dry.stdout
    assert "[Sẽ ghi nhận] Số 35/QĐ-UBND ngày 20/12/2019 — UBND quận Bắc Từ Liêm: 3 dòng, " \
           "1.500.000 đ" in dry.stdout
    assert rt.app.max_position() == head
    done = tdkt("decisions", "import", str(path), "--unit", "Hội LHPN quận Bắc Từ Liêm", code=1)
    assert "Đã nhập: 3 quyết định — 0 sẽ ghi, 2 đã ghi, 0 đã có, 1 có lỗi" in done.stdout
    assert rt.app.max_position() > head
    again = json.loads(tdkt("decisions", "import", str(path), "--json", "--unit",
                            world.u("btl"), code=1).stdout)
    assert [d["status"] for d in again["decisions"]] == ["exists", "invalid", "exists"]
    missing = tdkt("decisions", "import", str(path), "--unit", "Không Có", code=2)
    assert "không tìm thấy đơn vị" in missing.output


def test_two_decisions_of_the_file_cannot_give_one_achievement_twice(rt, world):
    text = "\n".join([
        "Số quyết định,Ngày quyết định,Loại cơ quan ban hành,Cấp cơ quan ban hành,"
        "Cơ quan ban hành,Họ tên,Năm sinh,Đơn vị,Hình thức khen thưởng,Thời gian",
        f"60/QĐ-UBND,05/01/2020,cơ quan nhà nước,quận,{UBND},Tạ Thị Hằng,1972,{XD},"
        "giay_khen_ubnd_huyen,2019",
        f"61/QĐ-UBND,06/01/2020,cơ quan nhà nước,quận,{UBND},Tạ Thị Hằng,1972,{XD},"
        "giay_khen_ubnd_huyen,2019",
    ])
    report = PastImports(rt).run(world.actor("btl.appr"), read_file(text.encode(), "x.csv"),
                                 world.units["btl"])
    first, second = report.as_dict()["decisions"]
    assert (first["status"], second["status"]) == ("recorded", "invalid")
    [error] = second["errors"]
    assert error["row"] == 3 and "ở quyết định số 60/QĐ-UBND (hàng 2" in error["message"]
