"""The ``tdkt`` command line: serve, demo, users and tokens, org units, projections.

The CLI acts as the *system* (it runs on the server with access to the store), so it can create
the root unit and the first administrator.
"""

from __future__ import annotations

import json
import os
import sys
import time
from datetime import date
from pathlib import Path
from typing import Annotated
from uuid import UUID

import typer

from domain.catalog import BODIES, RECIPIENT_KINDS, catalog
from domain.dates import parse_day
from domain.errors import DomainError
from domain.money import dong_in_words, format_dong
from domain.schedules import shipped_release
from projections.registry import GROUP_NAMES, UNIT_LEVEL
from services import demo as demo_data
from services import representations as rep
from services.app import Runtime
from services.authz import SYSTEM
from services.cli_emulation import emulation_cli
from services.config import load_settings
from services.money_report import schedule_differences
from services.presentation import catalogue as present_catalogue

cli = typer.Typer(help="TĐKT — thi đua, khen thưởng (event-sourced).", no_args_is_help=True)
user_cli = typer.Typer(help="Người dùng, vai trò, mã truy cập.", no_args_is_help=True)
org_cli = typer.Typer(help="Đơn vị và cây tổ chức.", no_args_is_help=True)
cli.add_typer(user_cli, name="user")
cli.add_typer(org_cli, name="org")
money_cli = typer.Typer(help="Biểu mức tiền thưởng: lương cơ sở, hệ số, mức riêng của đơn vị.",
                        no_args_is_help=True)
cli.add_typer(money_cli, name="schedules")
cert_cli = typer.Typer(help="Giấy chứng nhận, văn bản quyết định.", no_args_is_help=True)
cli.add_typer(cert_cli, name="certificates")
decisions_cli = typer.Typer(help="Quyết định khen thưởng: nhập các quyết định đã có từ tệp.",
                            no_args_is_help=True)
cli.add_typer(decisions_cli, name="decisions")
personal_cli = typer.Typer(help="Dữ liệu cá nhân niêm phong: khóa chủ, xoay khóa, xóa theo yêu "
                                "cầu.", no_args_is_help=True)
cli.add_typer(personal_cli, name="personal-data")
catalog_cli = typer.Typer(help="Danh mục hình thức khen thưởng: xem, thêm, sửa, bãi bỏ.")
cli.add_typer(catalog_cli, name="catalog")
cli.add_typer(emulation_cli, name="emulation")


def _runtime() -> Runtime:
    return Runtime(load_settings())


def _print(value) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2, default=str))


def _fail(error: DomainError) -> None:
    typer.echo(f"Lỗi [{error.code}]: {error.message}", err=True)
    raise typer.Exit(code=2)


def _day(text: str | date) -> date:
    """The parser of every date the CLI takes (``parser=_day``): a bad date is a usage error —
    exit code 2 and a Vietnamese sentence naming the option — before any work is done."""
    if isinstance(text, date):
        return text
    try:
        return parse_day(text)
    except DomainError:
        raise typer.BadParameter(
            f"ngày «{text}» phải là ngày có thật dạng YYYY-MM-DD, từ 1900 đến 2100") from None


def _id(text: str | UUID) -> UUID:
    """The parser of every id the CLI takes: a malformed id is a usage error, like a bad date."""
    if isinstance(text, UUID):
        return text
    try:
        return UUID(str(text).strip())
    except ValueError:
        raise typer.BadParameter(f"mã «{text}» không hợp lệ (cần dạng UUID)") from None


def _load_demo(rt: Runtime, tokens_file: Path | None) -> None:
    result = demo_data.load(rt)
    typer.echo("Đã nạp dữ liệu mẫu (hội nghị Bắc Từ Liêm 9/1/2024, Bắc Kạn 24/6/2024).")
    typer.echo(f"Mật khẩu của mọi người dùng mẫu: {demo_data.DEMO_PASSWORD}")
    lines = [f"{user}\t{token}" for user, token in result["tokens"].items()]
    for line in lines:
        typer.echo(f"  {line}")
    if tokens_file is not None:
        # live credentials: readable by their owner only (0600), whatever the directory
        tokens_file.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(tokens_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.fchmod(fd, 0o600)  # an existing file too
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write("\n".join(lines) + "\n")
        typer.echo(f"Mã truy cập (Bearer) đã ghi vào {tokens_file}")


def _upgrade(rt: Runtime) -> None:
    """Before serving: record this release's legal money data where it is not yet (one event),
    and bring the read models up to date (embedded mode)."""
    if rt.prepare() is not None:
        typer.echo(f"Đã nạp biểu mức tiền thưởng của bản phát hành {shipped_release()}.")


@cli.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Địa chỉ lắng nghe")] = None,
    port: Annotated[int | None, typer.Option(help="Cổng")] = None,
    demo: Annotated[bool, typer.Option(help="Nạp dữ liệu mẫu nếu kho còn trống")] = False,
    workers: Annotated[int, typer.Option(help="Số tiến trình (chỉ PostgreSQL)")] = 1,
    access_log: Annotated[bool, typer.Option(help="Ghi nhật ký từng yêu cầu")] = True,
) -> None:
    """Chạy API và trang web."""
    import uvicorn

    settings = load_settings()
    with Runtime(settings) as rt:
        if demo:
            if not demo_data.is_loaded(rt):
                _load_demo(rt, settings.data_dir / "demo-tokens.txt")
            else:
                typer.echo("Kho đã có dữ liệu; bỏ qua nạp dữ liệu mẫu.")
        _upgrade(rt)
    if workers > 1 and settings.store == "sqlite":
        typer.echo("SQLite: chạy một tiến trình.", err=True)
        workers = 1
    # The app (and each worker) reads its settings from the environment: the address it serves
    # on is then the default base of links when TDKT_PUBLIC_URL is not set.
    host, port = host or settings.host, port or settings.port
    os.environ["TDKT_HOST"], os.environ["TDKT_PORT"] = host, str(port)
    uvicorn.run(
        "services.api:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=access_log,
        # X-Forwarded-Proto / -For are believed only when TDKT_TRUST_PROXY says a proxy in front
        # sets them (uvicorn would otherwise believe them from 127.0.0.1)
        proxy_headers=settings.trust_proxy,
        forwarded_allow_ips="*" if settings.trust_proxy else None,
        # an idle connection is closed after TDKT_KEEPALIVE_SECONDS; beyond
        # TDKT_MAX_CONNECTIONS at once a process answers 503 instead of queueing without end
        # (a body that arrives too slowly: services.http.limits, 408)
        timeout_keep_alive=int(max(1, settings.keepalive_seconds)),
        limit_concurrency=settings.max_connections,
        timeout_graceful_shutdown=30,
    )


@cli.command()
def demo(
    tokens_file: Annotated[Path | None, typer.Option(help="Ghi mã truy cập ra tệp")] = None,
) -> None:
    """Nạp dữ liệu mẫu vào kho trống."""
    with _runtime() as rt:
        if demo_data.is_loaded(rt):
            typer.echo("Kho đã có cây tổ chức; không nạp lại dữ liệu mẫu.", err=True)
            raise typer.Exit(code=1)
        _load_demo(rt, tokens_file)


@cli.command()
def project(
    once: Annotated[bool, typer.Option(help="Cập nhật một lần rồi dừng")] = False,
    interval: Annotated[float, typer.Option(help="Giây giữa hai lần hỏi nhật ký")] = 0.2,
) -> None:
    """Tiến trình cập nhật các bảng đọc (projection worker)."""
    with _runtime() as rt:
        while True:
            applied = rt.runner.catch_up()
            if applied:
                typer.echo(f"{applied} sự kiện → vị trí {rt.runner.position()}")
            if once:
                return
            if not applied:
                time.sleep(interval)


@cli.command()
def rebuild(
    views: Annotated[
        list[str] | None, typer.Argument(help="Tên bảng đọc (mặc định: tất cả)")
    ] = None,
) -> None:
    """Dựng lại bảng đọc từ đầu nhật ký, bên cạnh bảng đang dùng (có thanh tiến độ); chỉ
    chuyển sang khi đã dựng xong, lỗi giữa chừng không ảnh hưởng bảng đang dùng."""
    with _runtime() as rt:
        head = rt.app.max_position()
        with typer.progressbar(length=max(head, 1), label="Dựng lại") as bar:
            done = [0]

            def progress(position: int, total: int) -> None:
                bar.update(position - done[0])
                done[0] = position

            try:
                rt.runner.rebuild(views or None, progress)
            except ValueError as error:
                typer.echo(f"Lỗi: {error}", err=True)
                raise typer.Exit(code=2) from None
        typer.echo(f"Xong: {rt.runner.positions()}")


@cli.command()
def status() -> None:
    """Vị trí nhật ký và độ trễ các bảng đọc."""
    with _runtime() as rt:
        _print(
            {"store": rt.settings.store, "head": rt.app.max_position(), "views": rt.runner.lag()}
        )


# -- backup, restore, verify (services.backup) ---------------------------------------------


@cli.command("backup")
def backup_cmd(
    target: Annotated[Path, typer.Argument(help="Thư mục mới (hoặc trống) để ghi bản sao lưu")],
) -> None:
    """Sao lưu nhất quán khi dịch vụ đang chạy: nhật ký sự kiện, tệp đính kèm, manifest.json
    (bảng đọc không cần: dựng lại khi khôi phục)."""
    from services import backup as backups

    with _runtime() as rt:
        try:
            manifest = backups.backup(rt, target)
        except backups.BackupError as error:
            typer.echo(f"Lỗi: {error}", err=True)
            raise typer.Exit(code=1) from None
    typer.echo(f"Đã sao lưu kho {manifest['store']} vào {target}: nhật ký đến vị trí "
               f"{manifest['max_notification_id']}, {manifest['attachments']} tệp đính kèm.")
    for table, rows in sorted(manifest["tables"].items()):
        typer.echo(f"  {table}: {rows} dòng")


@cli.command("restore")
def restore_cmd(
    source: Annotated[Path, typer.Argument(help="Thư mục bản sao lưu (có manifest.json)")],
    force: Annotated[bool, typer.Option(
        "--force", help="Ghi đè cả kho đã có dữ liệu (chỉ dùng cho kho thử)")] = False,
) -> None:
    """Khôi phục bản sao lưu vào kho trống (dừng dịch vụ trước), rồi dựng lại các bảng đọc."""
    from services import backup as backups

    try:
        done = backups.restore(load_settings(), source, force=force)
    except backups.BackupError as error:
        typer.echo(f"Lỗi: {error}", err=True)
        raise typer.Exit(code=1) from None
    typer.echo(f"Đã khôi phục {done.events} sự kiện (đến vị trí {done.max_notification_id}), "
               f"{done.attachments} tệp đính kèm; đã dựng lại các bảng đọc.")


@cli.command("verify")
def verify_cmd(
    as_json: Annotated[bool, typer.Option("--json", help="In dạng JSON")] = False,
) -> None:
    """Kiểm tra nhật ký và bảng đọc: tính lại chuỗi niêm phong từ các sự kiện đã lưu (in đầu
    chuỗi và chỗ hỏng đầu tiên nếu có sự kiện bị sửa, xóa hay chen vào), rồi dựng lại các bảng
    đọc từ nhật ký vào bảng tạm và so với bảng đang dùng (mã băm từng bảng đọc, chỗ khác đầu
    tiên). Mã thoát 0 khi cả hai khớp, 1 khi không."""
    from services import backup as backups

    with _runtime() as rt:
        rt.runner.sealer.seal()  # what was recorded since the last catch-up
        seals = rt.runner.sealer.verify()
        report = backups.verify(rt)
    if as_json:
        _print({**report.as_dict(), "seals": {
            "intact": seals.intact, "checked": seals.checked, "head": seals.head,
            "head_position": seals.head_position, "break_position": seals.break_position,
            "break_kind": seals.break_kind}})
    else:
        typer.echo(seals.sentence())
        for view in report.views:
            mark = "khớp" if view.equal else "KHÁC"
            typer.echo(f"{view.name:14} vị trí {view.position:>8}  {view.rows:>9} dòng  "
                       f"{view.live[:16]}  {view.rebuilt[:16]}  {mark}")
        first = report.first_difference
        if first is None:
            typer.echo("Khớp: mọi bảng đọc dựng lại từ nhật ký giống hệt bảng đang dùng.")
        else:
            what = "các cột" if first["what"] == "columns" else "dòng"
            typer.echo(f"Khác đầu tiên — bảng đọc {first['view']}, bảng {first['table']}:")
            typer.echo(f"  {what} đang dùng: {_short(first['live'])}")
            typer.echo(f"  {what} dựng lại: {_short(first['rebuilt'])}")
    if not report.equal or not seals.intact:
        raise typer.Exit(code=1)


# -- personal data at rest (services.personal_data, services.erasure) --------------------------


@personal_cli.command("new-key")
def personal_new_key() -> None:
    """In một khóa chủ mới (đặt vào TDKT_PERSONAL_DATA_KEY; giữ ngoài các bản sao lưu)."""
    from services.personal_data import new_master_key

    typer.echo(new_master_key())


@personal_cli.command("rotate")
def personal_rotate() -> None:
    """Bọc lại mọi khóa cá nhân bằng khóa chủ mới (TDKT_PERSONAL_DATA_KEY), mở bằng khóa cũ
    (TDKT_PERSONAL_DATA_KEY_PREVIOUS). Các sự kiện không đổi."""
    with _runtime() as rt:
        count = rt.personal.rotate()
    typer.echo(f"Đã bọc lại {count} khóa bằng khóa chủ mới. Có thể bỏ "
               "TDKT_PERSONAL_DATA_KEY_PREVIOUS.")


@personal_cli.command("erase")
def personal_erase(
    reason: Annotated[str, typer.Option("--reason", help="Lý do (đơn đề nghị ngày …)")],
    citizen_id: Annotated[str | None, typer.Option("--citizen-id", help="Số CCCD")] = None,
    recipient_id: Annotated[str | None, typer.Option(
        "--recipient", help="Mã người được khen thưởng (r-…) của sổ")] = None,
) -> None:
    """Xóa dữ liệu cá nhân (số CCCD, ngày sinh) của một người: hủy khóa của người đó; khen
    thưởng (họ tên, hình thức, quyết định) vẫn giữ."""
    from services import erasure

    with _runtime() as rt:
        try:
            _, person = erasure.erase(rt, SYSTEM, reason, citizen_id, recipient_id)
        except DomainError as error:
            _fail(error)
    typer.echo(f"Đã xóa dữ liệu cá nhân của {person.name} ({person.records} hồ sơ nêu tên).")


def _short(text: str | None, limit: int = 400) -> str:
    if text is None:
        return "(không có)"
    return text if len(text) <= limit else text[:limit] + "…"


# -- the award catalogue ----------------------------------------------------------------------
# ``tdkt catalog`` alone lists the kinds (as it always did); its subcommands read one kind with
# its history and record additions, changes and retirements as the system (services.catalogue).


def _list_kinds(on: date | None = None, include_retired: bool = False,
                as_json: bool = False) -> None:
    with _runtime() as rt:
        rt.app.catalogue.refresh()
        items = present_catalogue.kinds(on, include_retired)
    if as_json:
        _print(items)
        return
    for item in items:
        dates = []
        if item["effective_from"]:
            dates.append(f"từ {item['effective_from']}")
        if item["retired_from"]:
            dates.append(f"bãi bỏ từ {item['retired_from']}")
        suffix = f"  ({', '.join(dates)})" if dates else ""
        typer.echo(f"{item['code']:32} {item['title']}{suffix}")


@catalog_cli.callback(invoke_without_command=True)
def show_catalog(context: typer.Context) -> None:
    """Danh mục hình thức khen thưởng (không kèm lệnh con: in danh mục hiện hành)."""
    if context.invoked_subcommand is None:
        _list_kinds()


@catalog_cli.command("list")
def catalog_list(
    on: Annotated[date | None, typer.Option(
        "--on", help="Danh mục như ngày này (YYYY-MM-DD)", parser=_day)] = None,
    include_retired: Annotated[bool, typer.Option(
        "--all", help="Kèm các hình thức đã bãi bỏ hoặc chưa có hiệu lực")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="In dạng JSON")] = False,
) -> None:
    """In các hình thức khen thưởng đang dùng (hoặc như một ngày)."""
    _list_kinds(on, include_retired, as_json)


@catalog_cli.command("show")
def catalog_show(
    code: Annotated[str, typer.Argument(help="Mã hình thức")],
    on: Annotated[date | None, typer.Option(
        "--on", help="Hình thức như ngày này (YYYY-MM-DD)", parser=_day)] = None,
) -> None:
    """In một hình thức (JSON) và lịch sử của nó."""
    with _runtime() as rt:
        rt.app.catalogue.refresh()
        try:
            _print(present_catalogue.kind_with_history(code, on))
        except DomainError as error:
            _fail(error)


def _read_json(path: Path) -> dict:
    """A JSON object from a file; a usage error (exit 2, in Vietnamese) otherwise."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise typer.BadParameter(f"không đọc được tệp «{path}»: {error.strerror}") from None
    except (ValueError, UnicodeDecodeError):
        raise typer.BadParameter(f"tệp «{path}» không phải JSON hợp lệ (UTF-8)") from None
    if not isinstance(data, dict):
        raise typer.BadParameter(f"tệp «{path}» phải chứa một đối tượng JSON")
    return data


def _body(model, data: dict, path: Path):
    """The file read as the API reads the same body (``services.api.schemas``): unknown fields,
    wrong types and bad dates refused, field by field, in Vietnamese (exit 2)."""
    from pydantic import ValidationError

    from services.api.errors import field_problems

    try:
        return model.model_validate(data)
    except ValidationError as error:
        problems = "; ".join(f"{problem['field']}: {problem['message']}"
                             for problem in field_problems(list(error.errors()))[:5])
        typer.echo(f"Lỗi [validation.invalid]: tệp «{path}» không hợp lệ — {problems}", err=True)
        raise typer.Exit(code=2) from None


def _recorded_kind(rt: Runtime, saved, code: str, done: str) -> None:
    rt.after(saved)
    kind = present_catalogue.kind_answer(code)
    dates = f"từ {kind['effective_from']}" if kind["effective_from"] else ""
    if kind["retired_from"]:
        dates = f"bãi bỏ từ {kind['retired_from']}"
    typer.echo(f"{done}: {code} — {kind['title']} ({dates}).")


@catalog_cli.command("add")
def catalog_add(
    file: Annotated[Path, typer.Argument(help="Tệp JSON: code, title, category, recipients, "
                                               "deciders, money…, effective_from, until, reason")],
) -> None:
    """Thêm một hình thức vào danh mục (từ một tệp JSON: các trường như thân của
    POST /api/catalog/award-kinds)."""
    from services.api.routes_catalogue import DEFINITION_FIELDS
    from services.api.schemas import AwardKindIn

    body = _body(AwardKindIn, _read_json(file), file)
    definition = body.model_dump(mode="json", include=set(DEFINITION_FIELDS), exclude_none=True)
    with _runtime() as rt:
        try:
            saved = rt.app.catalogue.add_kind(SYSTEM, code=body.code, definition=definition,
                                              effective_from=body.effective_from,
                                              until=body.until, reason=body.reason)
            _recorded_kind(rt, saved, body.code.strip(), "Đã thêm")
        except DomainError as error:
            _fail(error)


@catalog_cli.command("change")
def catalog_change(
    code: Annotated[str, typer.Argument(help="Mã hình thức")],
    file: Annotated[Path, typer.Argument(help="Tệp JSON: các trường thay đổi, effective_from "
                                               "(sớm nhất là ngày mai), reason")],
) -> None:
    """Sửa một hình thức từ một ngày (sớm nhất là ngày mai)."""
    from services.api.routes_catalogue import DEFINITION_FIELDS
    from services.api.schemas import AwardKindChangeIn

    body = _body(AwardKindChangeIn, _read_json(file), file)
    changes = body.model_dump(mode="json", include=set(DEFINITION_FIELDS), exclude_none=True)
    with _runtime() as rt:
        try:
            saved = rt.app.catalogue.change_kind(SYSTEM, code=code, changes=changes,
                                                 effective_from=body.effective_from,
                                                 reason=body.reason)
            _recorded_kind(rt, saved, code, "Đã sửa")
        except DomainError as error:
            _fail(error)


@catalog_cli.command("retire")
def catalog_retire(
    code: Annotated[str, typer.Argument(help="Mã hình thức")],
    effective_from: Annotated[date, typer.Option(
        "--from", help="Ngày bãi bỏ (YYYY-MM-DD, sớm nhất là ngày mai)", parser=_day)],
    reason: Annotated[str, typer.Option("--reason", help="Lý do (số văn bản…)")],
) -> None:
    """Bãi bỏ một hình thức từ một ngày (sớm nhất là ngày mai)."""
    with _runtime() as rt:
        try:
            saved = rt.app.catalogue.retire_kind(SYSTEM, code=code,
                                                 effective_from=effective_from, reason=reason)
            _recorded_kind(rt, saved, code, "Đã bãi bỏ")
        except DomainError as error:
            _fail(error)


# -- users ------------------------------------------------------------------------------------


def _parse_grant(text: str) -> dict:
    parts = text.split(":")
    if len(parts) not in (2, 3):
        raise typer.BadParameter("dạng vai_trò:mã_đơn_vị[:chair]")
    return {"role": parts[0], "unit_id": _id(parts[1]),
            "chair": len(parts) == 3 and parts[2] == "chair"}


@user_cli.command("add")
def user_add(
    username: str,
    full_name: Annotated[str, typer.Option("--name", help="Họ tên")] = "",
    password: Annotated[str | None, typer.Option(help="Mật khẩu (≥ 8 ký tự)")] = None,
    grant: Annotated[list[str] | None, typer.Option(help="vai_trò:mã_đơn_vị[:chair]")] = None,
    token: Annotated[bool, typer.Option(help="Cấp luôn mã truy cập API")] = True,
    unit: Annotated[str | None, typer.Option(
        help="Mã đơn vị của người dùng (mặc định: đơn vị của vai trò đầu tiên, hoặc đơn vị gốc)"
    )] = None,
) -> None:
    """Tạo người dùng (và in mã truy cập)."""
    with _runtime() as rt:
        try:
            grants = [_parse_grant(g) for g in grant or []]
            rt.after(
                rt.app.users.create_user(
                    SYSTEM,
                    username=username,
                    full_name=full_name,
                    password=password,
                    grants=grants,
                    home_unit_id=unit or (None if grants else rt.app.tree.root_unit_id()),
                )
            )
            if token:
                saved, value = rt.app.users.issue_token(SYSTEM, username=username, label="cli")
                rt.after(saved)
                typer.echo(value)
        except DomainError as error:
            _fail(error)


@user_cli.command("grant")
def user_grant(username: str, grant: str) -> None:
    """Giao vai trò: vai_trò:mã_đơn_vị[:chair]."""
    parsed = _parse_grant(grant)
    with _runtime() as rt:
        try:
            rt.after(
                rt.app.users.grant_role(
                    SYSTEM,
                    username=username,
                    role=parsed["role"],
                    unit_id=parsed["unit_id"],
                    chair=parsed["chair"],
                )
            )
        except DomainError as error:
            _fail(error)


@user_cli.command("token")
def user_token(username: str, label: str = "cli") -> None:
    """Cấp mã truy cập API mới cho người dùng."""
    with _runtime() as rt:
        try:
            saved, value = rt.app.users.issue_token(SYSTEM, username=username, label=label)
            rt.after(saved)
            typer.echo(value)
        except DomainError as error:
            _fail(error)


@user_cli.command("list")
def user_list() -> None:
    with _runtime() as rt:
        rt.runner.catch_up()
        _print(rt.queries.users(q=None)["items"])


# -- org units --------------------------------------------------------------------------------


@org_cli.command("add")
def org_add(
    name: str,
    level: Annotated[str, typer.Option(help=", ".join(catalog().levels))],
    parent: Annotated[UUID | None, typer.Option(help="Mã đơn vị cấp trên", parser=_id)] = None,
    on: Annotated[date | None, typer.Option(
        help="Ngày thành lập (YYYY-MM-DD; mặc định: hôm nay, giờ Việt Nam)", parser=_day)] = None,
    code: Annotated[str | None, typer.Option(help="Ký hiệu ngắn")] = None,
) -> None:
    """Thành lập đơn vị (cấp Trung ương: đơn vị gốc)."""
    with _runtime() as rt:
        established = on or rt.app.today()
        try:
            if parent is None:
                saved = rt.app.orgs.create_root(
                    SYSTEM, name=name, code=code, established_on=established)
            else:
                saved = rt.app.orgs.create_unit(
                    SYSTEM,
                    name=name,
                    level=level,
                    parent_id=parent,
                    code=code,
                    established_on=established,
                )
            rt.after(saved)
            typer.echo(str(saved.id))
        except DomainError as error:
            _fail(error)


@org_cli.command("tree")
def org_tree(
    as_of: Annotated[date | None, typer.Option(help="Ngày (YYYY-MM-DD)", parser=_day)] = None,
) -> None:
    """In cây tổ chức tại một ngày."""
    with _runtime() as rt:
        rt.runner.catch_up()
        on = as_of or rt.app.today()

        def show(nodes, depth=0):
            for node in nodes:
                typer.echo(f"{'  ' * depth}{node['name']}  [{node['level']}]  {node['id']}")
                show(node["children"], depth + 1)

        typer.echo(f"Cây tổ chức ngày {on.isoformat()}:")
        show(rt.queries.tree_on(on))


@org_cli.command("show")
def org_show(
    unit_id: Annotated[UUID, typer.Argument(parser=_id)],
    as_of: Annotated[date | None, typer.Option(help="Ngày (YYYY-MM-DD)", parser=_day)] = None,
) -> None:
    with _runtime() as rt:
        on = as_of or rt.app.today()
        try:
            _print(rep.unit(rt.app.tree.org_unit(unit_id), on))
        except DomainError as error:
            _fail(error)


# -- registry ---------------------------------------------------------------------------------


def _registry_filter(q, unit, year, as_of, as_of_position, ceremony=None, status="active"):
    from projections.registry import RegistryFilter

    return RegistryFilter(q=q, unit_id=unit, year=year, ceremony_id=ceremony, status=status,
                          as_of=as_of, as_of_position=as_of_position)


@cli.command("registry")
def registry_cmd(
    q: Annotated[
        str | None, typer.Option(help="Tên, hoặc đầu một từ trong tên (không dấu cũng được)")
    ] = None,
    unit: Annotated[str | None, typer.Option(help="Mã đơn vị (gồm đơn vị trực thuộc)")] = None,
    year: int | None = None,
    as_of: Annotated[date | None, typer.Option(help="Đúng như tại ngày (YYYY-MM-DD)",
                                               parser=_day)] = None,
    as_of_position: int | None = None,
    limit: int = 50,
) -> None:
    """Sổ khen thưởng: ai được khen gì, quyết định nào, bao nhiêu tiền."""
    from projections.queries import Page

    with _runtime() as rt:
        rt.runner.catch_up()
        f = _registry_filter(q, unit, year, as_of, as_of_position)
        found = rt.registry.lines(f, Page(limit=limit))
        for line in found["items"]:
            typer.echo(f"{line['recipient']['name']:32} {line['award_title'][:40]:40} "
                       f"{line['decision']['number']:14} {line['amount_text']:>16}")
        typer.echo(f"({len(found['items'])}/{found['total']} dòng)")
        typer.echo(rt.registry.totals(f)["total"]["summary"])


@cli.command("totals")
def totals_cmd(
    by: Annotated[str, typer.Option(help=", ".join(GROUP_NAMES))] = "issuer",
    level: Annotated[str, typer.Option(help="với --by unit: cấp đơn vị")] = UNIT_LEVEL,
    unit: str | None = None,
    year: int | None = None,
    ceremony: str | None = None,
    as_of: Annotated[date | None, typer.Option(help="Đúng như tại ngày (YYYY-MM-DD)",
                                               parser=_day)] = None,
    as_of_position: int | None = None,
) -> None:
    """Tổng hợp số tập thể, cá nhân, số tiền theo nhóm."""
    if by not in GROUP_NAMES:
        raise typer.BadParameter(f"--by phải là một trong: {', '.join(GROUP_NAMES)}")
    with _runtime() as rt:
        rt.runner.catch_up()
        f = _registry_filter(None, unit, year, as_of, as_of_position, ceremony)
        found = rt.registry.totals(f, by, level)
        for group in found["groups"]:
            typer.echo(group["summary"])
        typer.echo(found["total"]["summary"])


@cli.command("export")
def export_cmd(
    out: Annotated[Path, typer.Argument(help="Tệp ra: .xlsx hoặc .csv")],
    unit: str | None = None,
    year: int | None = None,
    ceremony: str | None = None,
    as_of: Annotated[date | None, typer.Option(help="Đúng như tại ngày (YYYY-MM-DD)",
                                               parser=_day)] = None,
    as_of_position: int | None = None,
) -> None:
    """Xuất sổ khen thưởng ra XLSX hoặc CSV."""
    from projections.queries import Page
    from services import exports

    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("xlsx", "csv"):
        raise typer.BadParameter("tệp ra phải có đuôi .xlsx hoặc .csv")
    with _runtime() as rt:
        rt.runner.catch_up()
        f = _registry_filter(None, unit, year, as_of, as_of_position, ceremony)
        found = rt.registry.lines(f, Page.everything(10_000_000))
        table = exports.registry_table("Sổ khen thưởng", found["items"], rt.registry.totals(f))
        out.write_bytes(exports.to_xlsx(table) if fmt == "xlsx" else exports.to_csv(table))
        typer.echo(f"Đã ghi {found['total']} dòng vào {out}")


# -- certificates ---------------------------------------------------------------------------


@cert_cli.command("print")
def certificates_print(
    out: Annotated[Path, typer.Argument(help="Tệp PDF ra")],
    decision: Annotated[list[UUID] | None, typer.Option(help="Mã quyết định (nhiều lần được)",
                                                        parser=_id)]
    = None,
    ceremony: Annotated[UUID | None, typer.Option(help="Mã buổi trao thưởng", parser=_id)] = None,
    mode: Annotated[str, typer.Option(help="full (in cả mẫu) hoặc overlay (in lên phôi)")]
    = "full",
    printer: str = "default",
    reason: Annotated[str | None, typer.Option(help="Lý do in lại")] = None,
) -> None:
    """In giấy chứng nhận (một PDF): cấp số vào sổ, rồi dựng trang, có thanh tiến độ."""
    from services import printing

    with _runtime() as rt:
        try:
            ids = list(decision or [])
            if ceremony:
                ids += list(rt.app.ceremonies.ceremony(ceremony).decision_ids)
            items, saved = rt.app.certificates.print_certificates(
                SYSTEM, ids, reprint_reason=reason)
            if saved is not None:
                rt.after(saved)
            contexts = rt.app.certificates.certificate_contexts(items,
                                                   verify_base=rt.settings.public_base_url)
            with typer.progressbar(length=len(contexts), label="Dựng trang") as bar:
                pdf = printing.certificates_pdf(contexts, mode=mode, printer=printer,
                                                progress=bar.update)
        except DomainError as error:
            _fail(error)
        except ValueError:
            raise typer.BadParameter("mã không hợp lệ") from None
        out.write_bytes(pdf)
        serials = [c["serial"] for c in contexts]
        typer.echo(f"Đã in {len(contexts)} trang (số vào sổ {min(serials)}–{max(serials)}) "
                   f"vào {out}")


@cert_cli.command("document")
def decision_document_cmd(
    decision_id: Annotated[UUID, typer.Argument(parser=_id)],
    out: Annotated[Path, typer.Argument(help="Tệp ra: .pdf hoặc .docx")],
) -> None:
    """Văn bản quyết định kèm danh sách (PDF hoặc DOCX)."""
    from services import documents, printing

    fmt = out.suffix.lower().lstrip(".")
    if fmt not in ("pdf", "docx"):
        raise typer.BadParameter("tệp ra phải có đuôi .pdf hoặc .docx")
    with _runtime() as rt:
        try:
            found = rt.app.decisions.decision(decision_id)
        except DomainError as error:
            _fail(error)
        document = documents.decision_document(found, rt.app.certificates.place_of(found),
                                               rt.app.certificates.revocations(found))
        body = printing.decision_pdf(document) if fmt == "pdf" else \
            documents.decision_docx(document)
        out.write_bytes(body)
        typer.echo(f"Đã ghi {out}")


# -- money ------------------------------------------------------------------------------------


@money_cli.command("show")
def schedules_show() -> None:
    """In mức lương cơ sở và các bảng hệ số đang ghi."""
    with _runtime() as rt:
        shown = rep.schedules(rt.app.schedules.money_schedules())
        typer.echo("Mức lương cơ sở:")
        for base in shown["base_salaries"]:
            mark = "" if base["verified"] else "  (chưa xác minh)"
            typer.echo(f"  từ {base['effective_from']}: {base['amount_text']}  "
                       f"{base['legal_basis']}{mark}")
        typer.echo("Bảng hệ số:")
        for period in shown["periods"]:
            typer.echo(f"  từ {period['effective_from']}: {period['title']} "
                       f"({len(period['rules'])} mức)")
        policy = ("chỉ nhận mức cao nhất" if shown["highest_title_only"]
                  else "nhận đủ từng danh hiệu")
        typer.echo(f"Nhiều danh hiệu cùng thành tích: {policy}")


@money_cli.command("load")
def schedules_load() -> None:
    """Ghi những mức, bảng hệ số mới có trong bản phát hành (không ghi lại cái đã có)."""
    with _runtime() as rt:
        try:
            current = rt.app.schedules.legal_schedule()
            before = current.version if current else 0
            saved = rt.after(rt.app.schedules.load_shipped_schedules(SYSTEM))
            if saved.version == before:
                typer.echo(f"Bản phát hành {shipped_release()} đã được nạp; không có gì mới.")
                return
            last = rt.app.history(saved.id)[-1]
            typer.echo(f"Đã nạp bản phát hành {shipped_release()}: "
                       f"{len(getattr(last, 'base_salaries', {}))} mức lương cơ sở, "
                       f"{len(getattr(last, 'periods', {}))} bảng hệ số thay đổi.")
        except DomainError as error:
            _fail(error)


@money_cli.command("differences")
def schedules_differences(
    year: Annotated[int | None, typer.Option(help="Chỉ các quyết định của năm này")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="In dạng JSON")] = False,
) -> None:
    """Các dòng đã tính tiền theo quy định mà nay tính lại ra số khác (không sửa gì)."""
    with _runtime() as rt:
        rt.runner.catch_up()
        report = schedule_differences(rt, SYSTEM, year=year, limit=10**9)
        if as_json:
            _print(report)
            return
        typer.echo(f"Đã kiểm tra {report['lines_checked']} dòng tính theo biểu mức; "
                   f"{report['total']} dòng khác.")
        for item in report["items"]:
            now = item["amount_now_text"] or "không còn mức"
            typer.echo(f"  QĐ {item['decision_number']} ngày {item['decided_on']}, dòng "
                       f"{item['line_no']}: {item['recipient_name']} — {item['award_title']}: "
                       f"đã ghi {item['recorded_amount_text']}, nay {now}")
        if report["total"]:
            sign = "thiếu" if report["difference_total"] > 0 else "thừa"
            typer.echo(f"Tổng chênh lệch: {sign} {report['difference_total_text']}")


@money_cli.command("base-salary")
def schedules_base_salary(
    effective_from: Annotated[date, typer.Argument(help="Ngày áp dụng (YYYY-MM-DD)",
                                                   parser=_day)],
    amount: Annotated[int, typer.Argument(help="Mức lương cơ sở (đồng)")],
    legal_basis: Annotated[str, typer.Option("--basis", help="Căn cứ (số nghị định)")],
    verified: Annotated[bool, typer.Option(help="Đã đối chiếu văn bản gốc")] = False,
    note: str = "",
) -> None:
    """Ghi mức lương cơ sở mới từ một ngày."""
    with _runtime() as rt:
        try:
            rt.after(rt.app.schedules.set_base_salary(
                SYSTEM, effective_from=effective_from, amount=amount,
                legal_basis=legal_basis, verified=verified, note=note))
            typer.echo("Đã ghi.")
        except DomainError as error:
            _fail(error)


@money_cli.command("internal-rate")
def schedules_internal_rate(
    unit_id: Annotated[str, typer.Argument(help="Mã đơn vị Hội ban hành")],
    award_kind: str,
    recipient_kind: Annotated[str, typer.Argument(help=", ".join(RECIPIENT_KINDS))],
    effective_from: Annotated[date, typer.Argument(help="Ngày áp dụng (YYYY-MM-DD)",
                                                   parser=_day)],
    amount: Annotated[int, typer.Argument(help="Mức thưởng (đồng)")],
    note: str = "",
) -> None:
    """Ghi mức thưởng riêng của một đơn vị Hội cho một hình thức."""
    with _runtime() as rt:
        try:
            rt.after(rt.app.schedules.set_internal_rate(
                SYSTEM, unit_id=unit_id, award_kind=award_kind, recipient_kind=recipient_kind,
                effective_from=effective_from, amount=amount, note=note))
            typer.echo("Đã ghi.")
        except DomainError as error:
            _fail(error)


@cli.command("calc")
def calc(
    award_kind: str,
    recipient_kind: Annotated[str, typer.Argument(help=", ".join(RECIPIENT_KINDS))],
    on: Annotated[date, typer.Argument(help="Ngày quyết định (YYYY-MM-DD)", parser=_day)],
    unit: Annotated[str | None, typer.Option(help="Mã đơn vị Hội ban hành")] = None,
    body: Annotated[str | None, typer.Option(help=" hoặc ".join(BODIES))] = None,
    level: Annotated[str | None, typer.Option(help="Cấp của cơ quan ban hành")] = None,
) -> None:
    """Tính thử số tiền thưởng: bao nhiêu, vì sao (không ghi gì)."""
    with _runtime() as rt:
        try:
            issuer = {"unit_id": unit} if unit else {"body": body or "", "level": level or "",
                                                     "name": f"{body or ''} {level or ''}"}
            q, resolved = rt.app.schedules.calculate(
                award_kind=award_kind, recipient_kind=recipient_kind, issuer=issuer, on=on)
        except DomainError as error:
            _fail(error)
        answer = rep.quote(q, resolved, on, award_kind, recipient_kind)
        if answer["amount_text"]:
            typer.echo(f"{answer['amount_text']} — {answer['in_words']}")
        elif answer["maximum_text"]:
            typer.echo(f"Tối đa {answer['maximum_text']}")
        else:
            typer.echo("Không có mức theo quy định")
        typer.echo(answer["explanation"])


@cli.command("words")
def words(amount: int) -> None:
    """Đọc số tiền thành chữ: 73640000 → Bảy mươi ba triệu sáu trăm bốn mươi nghìn đồng."""
    try:
        typer.echo(f"{format_dong(amount)}: {dong_in_words(amount)}")
    except ValueError:
        raise typer.BadParameter("số tiền phải là số nguyên không âm") from None


# -- past decisions imported from a file (services.past_imports) ----------------------------


def _recording_unit(rt: Runtime, text: str | None) -> UUID:
    """``--unit``: an id, or a unit's code or name today; none: the root (the CLI is the
    system, over the whole tree)."""
    from domain.text import fold
    from projections.queries import Page

    if not text:
        root = rt.app.tree.root_unit_id()
        if root is None:
            raise typer.BadParameter("chưa có cây tổ chức")
        return root
    try:
        return UUID(text.strip())
    except ValueError:
        pass
    rt.ensure_position(rt.app.max_position())
    units = rt.queries.units_on(rt.app.today(), page=Page.everything(100_000))["items"]
    found = {u["id"] for u in units if fold(text) in (fold(u["name"]), fold(u.get("code") or ""))}
    if len(found) != 1:
        why = "nhiều đơn vị cùng tên; hãy ghi mã" if found else "không tìm thấy đơn vị"
        raise typer.BadParameter(f"«{text}»: {why}")
    return UUID(found.pop())


@decisions_cli.command("import")
def decisions_import(
    file: Annotated[Path, typer.Argument(help="Tệp XLSX (theo mẫu) hoặc CSV UTF-8",
                                         exists=True, dir_okay=False, readable=True)],
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Chỉ kiểm tra, không ghi gì")]
    = False,
    unit: Annotated[str | None, typer.Option(
        help="Đơn vị Hội ghi nhận (mã UUID, mã đơn vị hoặc tên); mặc định Trung ương Hội")]
    = None,
    as_json: Annotated[bool, typer.Option("--json", help="In kết quả dạng JSON")] = False,
) -> None:
    """Nhập các quyết định khen thưởng đã có từ tệp (nhiều quyết định một tệp): kiểm tra mọi
    hàng, rồi ghi trọn từng quyết định hợp lệ. Mã thoát 1 khi có quyết định không ghi được."""
    from services import past_imports as past

    with _runtime() as rt:
        recording = _recording_unit(rt, unit)
        with file.open("rb") as handle:
            data = handle.read(past.MAX_UPLOAD_BYTES + 1)
        try:
            read = past.read_file(data, file.name)
            imports = past.PastImports(rt)
            report = (imports.dry_run if dry_run else imports.run)(SYSTEM, read, recording)
        except DomainError as error:
            _fail(error)
        shown = report.as_dict()
        if as_json:
            _print(shown)
        else:
            _print_import(shown)
        if shown["summary"]["invalid"] or shown["summary"]["refused"]:
            raise typer.Exit(code=1)


def _print_import(shown: dict) -> None:
    for problem in shown["errors"]:
        typer.echo(f"Lỗi — trang «{problem['sheet']}»"
                   + (f", hàng {problem['row']}" if problem["row"] else "")
                   + f": {problem['message']}")
    for d in shown["decisions"]:
        day = date.fromisoformat(d["decided_on"]).strftime("%d/%m/%Y") if d["decided_on"] \
            else "?"
        totals = d["totals"] or {}
        money = format_dong(totals["amount"]) if totals.get("amount") is not None else \
            "không ghi số tiền"
        what = f"{totals['lines']} dòng, {money}" if totals else f"{d['rows']} hàng"
        typer.echo(f"[{d['status_label']}] Số {d['number']} ngày {day} — "
                   f"{d['issuer']['name']}: {what}")
        for problem in d["errors"]:
            typer.echo(f"    trang «{problem['sheet']}», hàng {problem['row']}: "
                       f"{problem['message']}")
        for c in d["candidates"]:
            others = "; ".join(f"{o['name']} ({o['birth_year'] or '?'}, {o['unit']})"
                               for o in c["candidates"])
            typer.echo(f"    trùng tên — hàng {c['row']} {c['name']} ({c['birth_year'] or '?'})"
                       f": trong sổ có {others}")
    s = shown["summary"]
    head = "Kiểm tra (không ghi gì)" if shown["dry_run"] else "Đã nhập"
    typer.echo(f"{head}: {s['decisions']} quyết định — {s['ready']} sẽ ghi, {s['recorded']} đã "
               f"ghi, {s['exists']} đã có, {s['invalid']} có lỗi, {s['refused']} không ghi được.")


def main() -> None:
    try:
        cli()
    except DomainError as error:  # pragma: no cover - safety net
        typer.echo(f"Lỗi [{error.code}]: {error.message}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
