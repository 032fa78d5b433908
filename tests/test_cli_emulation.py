"""``tdkt emulation …`` (services/cli_emulation.py) over the demo's Red River Delta cluster, on
SQLite and PostgreSQL, configured through the environment only (as ``tests/test_cli.py``)."""

from __future__ import annotations

import io
import json
from datetime import date

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from services import demo
from services.app import Runtime
from services.cli_emulation import emulation_cli
from services.config import load_settings


@pytest.fixture
def emulation(cli_env, clock):
    clock.today = date(2026, 11, 23)
    with Runtime(load_settings(), clock=clock) as rt:
        demo.load(rt)
    runner = CliRunner()

    def invoke(*args: str, code: int = 0) -> str:
        result = runner.invoke(emulation_cli, list(args))
        assert result.exit_code == code, (args, result.exit_code, result.output)
        return result.output

    return invoke


def test_the_red_river_board_from_the_command_line(emulation, tmp_path):
    listed = emulation("clusters")
    assert "Cụm thi đua các tỉnh Đồng bằng sông Hồng" in listed
    assert "năm 2023: 9 thành viên, cụm trưởng Hội LHPN tỉnh Quảng Ninh" in listed
    text = emulation("board", "dong bang song hong", "2023")
    assert "Chỉ tiêu 2: đạt 8/9; tổng 18 hợp tác xã; Quảng Ninh 04" in text
    assert "Chỉ tiêu 3: 4/9 tỉnh có trường hợp xảy ra; đạt 4/4" in text
    assert "13.747 gia đình" in text
    target = tmp_path / "bang.xlsx"
    emulation("board", "Đồng bằng sông Hồng", "2023", "--xlsx", str(target))
    rows = [[c.value for c in row] for row in load_workbook(io.BytesIO(
        target.read_bytes())).active.iter_rows()]
    assert ["Kết quả (số đạt)", None, "9/9", "8/9", "4/4", "9/9", "6/9", "9/9", "9/9",
            "5/9"] in rows
    shown = json.loads(emulation("board", "hong", "2023", "--json"))
    assert shown["indicators"][4]["count"]["text"] == "6/9"
    report = emulation("report", "hong", "2023", "ha nam")
    assert "Chỉ tiêu 2: 0 (không đạt; đã xác nhận)" in report
    assert "Không có đề nghị" in emulation("proposals", "hong", "2023")
    assert "Lỗi [emulation.covenant_not_found]" in emulation("board", "hong", "2024", code=2)
    assert "không chỉ đúng một cụm" in emulation("board", "không có", "2023", code=2)
    assert "Chưa có phong trào" in emulation("movements")
