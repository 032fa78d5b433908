"""``tdkt emulation …``: clusters, their boards and members' reports, movements — read from the
store the environment configures (as every ``tdkt`` command), as the system (no grant needed).

    tdkt emulation clusters [--json]
    tdkt emulation board CLUSTER YEAR [--xlsx FILE] [--pdf FILE] [--json]
    tdkt emulation proposals CLUSTER YEAR [--json]
    tdkt emulation report CLUSTER YEAR UNIT [--json]
    tdkt emulation movements [--json]

CLUSTER is a cluster's id or a part of its name (without diacritics, any case) naming one
cluster; UNIT a member's unit id or a part of its name on the board.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any
from uuid import UUID

import typer

from domain.emulation.cluster import proposals as proposals_of
from domain.errors import DomainError
from domain.text import fold
from projections.emulation import EmulationRows
from projections.queries import Page
from services.app import Runtime
from services.authz import SYSTEM
from services.config import load_settings
from services.emulation import present
from services.emulation.documents import board_pdf, board_xlsx

emulation_cli = typer.Typer(help="Thi đua: cụm, khối thi đua, bảng kết quả, phong trào.",
                            no_args_is_help=True)

JsonOption = Annotated[bool, typer.Option("--json", help="In dạng JSON")]
ClusterArg = Annotated[str, typer.Argument(help="Mã hoặc một phần tên cụm, khối thi đua")]
YearArg = Annotated[int, typer.Argument(help="Năm của giao ước", min=2000, max=2100)]


def _runtime() -> Runtime:
    return Runtime(load_settings())


def _print(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _fail(error: DomainError) -> None:
    typer.echo(f"Lỗi [{error.code}]: {error.message}", err=True)
    raise typer.Exit(code=2)


def _name(rt: Runtime):
    def name(unit_id: Any) -> str:
        try:
            return rt.app.tree.unit_state(UUID(str(unit_id))).name
        except (DomainError, ValueError):
            return str(unit_id)
    return name


def _every_cluster(rt: Runtime) -> list[dict[str, Any]]:
    rt.runner.catch_up()
    return EmulationRows(rt.db).clusters(scope=None, page=Page.everything(10_000))["items"]


def _cluster_id(rt: Runtime, text: str) -> UUID:
    try:
        return UUID(text.strip())
    except ValueError:
        pass
    wanted = fold(text)
    found = [c for c in _every_cluster(rt) if wanted in fold(c["name"])]
    if len(found) != 1:
        names = "; ".join(c["name"] for c in found[:5])
        raise typer.BadParameter(
            f"«{text}» không chỉ đúng một cụm, khối thi đua"
            + (f" (khớp: {names})" if found else " (không khớp cụm nào)"))
    return UUID(found[0]["cluster_id"])


@emulation_cli.command("clusters")
def clusters(as_json: JsonOption = False) -> None:
    """Các cụm, khối thi đua: đơn vị quản lý, từng năm với cụm trưởng và số thành viên."""
    with _runtime() as rt:
        name = _name(rt)
        items = [{**c, "managing_unit_name": name(c["managing_unit_id"]),
                  "years": [{**y, "lead_name": name(y["lead_unit_id"])} for y in c["years"]]}
                 for c in _every_cluster(rt)]
        if as_json:
            _print(items)
            return
        if not items:
            typer.echo("Chưa có cụm, khối thi đua nào.")
        for c in items:
            typer.echo(f"{c['cluster_id']}  {c['name']} — quản lý: {c['managing_unit_name']}")
            for y in c["years"]:
                typer.echo(f"    năm {y['year']}: {y['active_count']} thành viên, cụm trưởng "
                           f"{y['lead_name']}")


def _board(rt: Runtime, cluster: str, year: int) -> dict[str, Any]:
    found, covenant, grid = rt.app.emulation.clusters.board(SYSTEM, _cluster_id(rt, cluster),
                                                              year)
    return present.board(grid, covenant, found)


def board_text(board: dict[str, Any]) -> list[str]:
    """The board in lines: each indicator's counts, then each member's row."""
    lines = [f"{board['cluster_name']} — {board['title']} ({board['status_label']})"]
    for column in board["indicators"]:
        count = column["count"]
        parts = [f"đạt {count['text']}"]
        if count["applies_text"]:
            parts.insert(0, count["applies_text"])
        if count["sum"] is not None:
            parts.append(f"tổng {count['sum_text']}")
        if count["values_text"]:
            parts.append(count["values_text"])
        lines.append(f"  Chỉ tiêu {column['code']}: " + "; ".join(parts))
        lines.extend(f"    {s['what']}: {s['summary']}" for s in column["stated"])
    for row in board["rows"]:
        cells = ", ".join(f"{code}: {cell['text']}" for code, cell in row["cells"].items())
        extra = ""
        if row["total"]:
            extra = f" — {row['total']['text']} điểm"
            if row["rank"]:
                extra += f", hạng {row['rank']['position_text']}"
        lines.append(f"  {row['name']}: {cells}{extra}")
    return lines


@emulation_cli.command("board")
def board(
    cluster: ClusterArg,
    year: YearArg,
    xlsx: Annotated[Path | None, typer.Option("--xlsx", help="Ghi bảng kết quả ra tệp Excel")]
    = None,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Ghi báo cáo tổng hợp ra tệp PDF")]
    = None,
    as_json: JsonOption = False,
) -> None:
    """Bảng kết quả của giao ước một năm: số đạt từng chỉ tiêu, tổng, xếp hạng."""
    with _runtime() as rt:
        try:
            shown = _board(rt, cluster, year)
        except DomainError as error:
            _fail(error)
            return
        if xlsx is not None:
            xlsx.write_bytes(board_xlsx(shown))
            typer.echo(f"Đã ghi {xlsx}")
        if pdf is not None:
            pdf.write_bytes(board_pdf(shown))
            typer.echo(f"Đã ghi {pdf}")
        if as_json:
            _print(shown)
        elif xlsx is None and pdf is None:
            typer.echo("\n".join(board_text(shown)))


@emulation_cli.command("proposals")
def proposals(cluster: ClusterArg, year: YearArg, as_json: JsonOption = False) -> None:
    """Đề nghị khen thưởng theo thứ hạng, trong giới hạn của giao ước."""
    with _runtime() as rt:
        try:
            found, covenant, grid = rt.app.emulation.clusters.board(
                SYSTEM, _cluster_id(rt, cluster), year)
        except DomainError as error:
            _fail(error)
            return
        shown = present.proposals(proposals_of(grid, covenant), covenant, found, len(grid.rows))
        if as_json:
            _print(shown)
            return
        if not shown["items"]:
            typer.echo("Không có đề nghị (giao ước không chấm điểm, không có quy định đề nghị, "
                       "hoặc chưa đủ điểm).")
        for p in shown["items"]:
            typer.echo(f"  hạng {p['rank']}: {p['name']} — {p['award_title']} "
                       f"({p['status_label']}). {p['reason']}")


@emulation_cli.command("report")
def report(cluster: ClusterArg, year: YearArg,
           unit: Annotated[str, typer.Argument(help="Mã đơn vị hoặc một phần tên trên bảng")],
           as_json: JsonOption = False) -> None:
    """Báo cáo của một thành viên: kết quả (kèm lịch sử), điểm."""
    with _runtime() as rt:
        clusters_ = rt.app.emulation.clusters
        try:
            found = clusters_.cluster(_cluster_id(rt, cluster))
            members = clusters_.members_of(found, year)
        except DomainError as error:
            _fail(error)
            return
        try:
            unit_id = UUID(unit.strip())
        except ValueError:
            matches = [u for u, name in members.items() if fold(unit) in fold(name)]
            if len(matches) != 1:
                raise typer.BadParameter(f"«{unit}» không chỉ đúng một thành viên") from None
            unit_id = matches[0]
        try:
            found, covenant, record = clusters_.member_report(SYSTEM, found.id, year, unit_id)
        except DomainError as error:
            _fail(error)
            return
        shown = present.report(record, covenant, found, unit_id, _name(rt))
        if as_json:
            _print(shown)
            return
        typer.echo(f"{shown['name']} — giao ước năm {year}")
        for r in shown["results"]:
            typer.echo(f"  Chỉ tiêu {r['indicator_code']}: {r['text']} ({r['evaluation_label']}; "
                       f"{r['status_label']})")
            if r["evidence"]:
                typer.echo(f"      minh chứng: {r['evidence']}")
        if shown["total"]:
            typer.echo(f"  Tổng điểm: {shown['total']['text']}")


@emulation_cli.command("movements")
def movements(as_json: JsonOption = False) -> None:
    """Các phong trào thi đua: đơn vị phát động, thời gian, số đơn vị tham gia, đăng ký."""
    with _runtime() as rt:
        rt.runner.catch_up()
        items = EmulationRows(rt.db).movements(scope=None,
                                               page=Page.everything(10_000))["items"]
        if as_json:
            _print(items)
            return
        if not items:
            typer.echo("Chưa có phong trào thi đua nào.")
        name = _name(rt)
        for m in items:
            typer.echo(f"{m['movement_id']}  {m['title']} — {name(m['unit_id'])}, "
                       f"{m['starts_on']} – {m['ends_on']}: {m['participants']} đơn vị tham "
                       f"gia, {m['registrations']} đăng ký")
