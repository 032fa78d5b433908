"""``tdkt backup``, ``tdkt restore`` and ``tdkt verify`` on SQLite and PostgreSQL, through the CLI
in-process (configured only by the environment, as tests/test_cli.py does); and the owner-only
permissions of the files the service creates."""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import threading
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import psycopg
import pytest

from projections.db import owner_only_dir
from projections.runner import Runner
from services import backup as backups
from services.app import Runtime, default_views
from services.attachments import Attachments
from services.authz import SYSTEM
from services.config import POSTGRES, SQLITE, Settings
from services.personal_data import KEY_FILE
from services.secret_key import load_secret
from tests.conftest import _conninfo, make_settings
from tests.helpers import World, dump, nomination_body


def pdf(tag: str) -> bytes:
    return b"%PDF-1.4\n1 0 obj <<>> endobj\n% " + tag.encode() + b"\ntrailer <<>>\n%%EOF\n"


def same_master_key(source: Settings, target: Settings) -> None:
    """The target installation is given the source's personal-data master key (kept apart from
    backups, as an operator keeps it), without which a restore is refused."""
    key = source.data_dir / KEY_FILE
    owner_only_dir(target.data_dir)
    (target.data_dir / KEY_FILE).write_text(key.read_text("ascii"), "ascii")
    (target.data_dir / KEY_FILE).chmod(0o600)


@pytest.fixture
def fresh(store, tmp_path, pg_server, rt) -> Iterator[Settings]:
    """A second, empty store of the same kind (its own directory; its own schema), with the
    source's master key."""
    if store == SQLITE:
        target = make_settings(SQLITE, tmp_path / "fresh", None, None)
        same_master_key(rt.settings, target)
        yield target
        return
    schema = f"r_{uuid.uuid4().hex[:16]}"
    conninfo = _conninfo(pg_server.env, pg_server.database)
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    target = make_settings(POSTGRES, tmp_path / "fresh", pg_server, schema)
    same_master_key(rt.settings, target)
    yield target
    with psycopg.connect(conninfo, autocommit=True) as conn:
        conn.execute(f"DROP SCHEMA IF EXISTS {schema} CASCADE")


def attach(rt: Runtime, world: World, tag: str) -> str:
    """A nomination with a PDF attached through the service; returns the file's SHA-256."""
    body = nomination_body(world)
    unit = body.pop("proposing_unit_id")
    saved = rt.after(rt.app.nominations.draft_nomination(
        world.actor("xd.nom"), proposing_unit_id=uuid.UUID(unit), data=body))
    stored, _ = Attachments(rt).add(world.actor("xd.nom"), "nomination", saved.id,
                                    io.BytesIO(pdf(tag)), file_name="to-trinh.pdf",
                                    kind="bao_cao_thanh_tich")
    rt.after(stored)
    return hashlib.sha256(pdf(tag)).hexdigest()


def expected_views(rt: Runtime, until: int) -> dict:
    """The source's read models rebuilt from its log up to ``until``, in scratch tables."""
    with backups.scratch_views(rt) as scratch:
        Runner(rt.app, scratch, default_views()).catch_up(until=until)
        return dump(scratch, default_views())


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_backup_taken_while_commands_are_recorded_restores_to_the_same_read_models(
        rt, world, tdkt, fresh, tmp_path):
    sha = attach(rt, world, "hồ sơ 1")
    written, stop, failures = [0], threading.Event(), []

    def writer() -> None:
        try:
            while not stop.is_set():
                rt.after(rt.app.orgs.create_unit(
                    SYSTEM, name=f"Chi hội phụ nữ số {written[0] + 1}", level="commune",
                    parent_id=world.units["btl"], established_on=date(2020, 1, 1)))
                written[0] += 1
        except Exception as error:  # pragma: no cover - reported below
            failures.append(error)

    def wait_for(count: int) -> None:
        while written[0] < count and not failures:
            stop.wait(0.01)

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        wait_for(5)
        before = written[0]
        out = tdkt(rt.settings, "backup", str(tmp_path / "sao-luu")).stdout
        after = written[0]
        wait_for(after + 5)
    finally:
        stop.set()
        thread.join()
    assert not failures
    assert before >= 5 and written[0] >= after + 5  # commands recorded before and after it
    manifest = json.loads((tmp_path / "sao-luu" / "manifest.json").read_text("utf-8"))
    head = manifest["max_notification_id"]
    assert f"nhật ký đến vị trí {head}" in out
    assert 0 < head < rt.app.max_position()  # the writer went on after the copy
    assert manifest["store"] == rt.settings.store and manifest["seals"] > 0
    assert manifest["tables"][manifest["events_table"]] == len(
        rt.app.recorder.select_notifications(start=None, limit=10**9, stop=head))
    assert manifest["files"][f"attachments/{sha[:2]}/{sha}"]["sha256"] == sha

    tdkt(fresh, "restore", str(tmp_path / "sao-luu"))
    with Runtime(fresh) as restored:
        assert restored.app.max_position() == head
        assert dump(restored.db, default_views()) == expected_views(rt, head)
        seals = "SELECT position, seal FROM event_seals WHERE position <= ? ORDER BY position"
        with rt.db.read() as cur, restored.db.read() as theirs:
            kept = cur.execute(seals, (head,)).fetchall()
            assert kept and theirs.execute(seals, (head,)).fetchall() == kept
        blob = fresh.attachments_path / sha[:2] / sha
        assert blob.read_bytes() == pdf("hồ sơ 1")
        # the restored store goes on: new events follow the restored ones
        saved = restored.after(restored.app.orgs.create_unit(
            SYSTEM, name="Chi hội sau khôi phục", level="commune",
            parent_id=world.units["btl"], established_on=date(2020, 1, 1)))
        assert saved.position > head
    assert "Khớp" in tdkt(fresh, "verify").stdout


def test_restore_refuses_a_store_that_has_data_and_a_damaged_backup(rt, world, tdkt, fresh,
                                                                     tmp_path):
    tdkt(rt.settings, "backup", str(tmp_path / "b"))
    # the source itself is not empty: refused, nothing changed
    head = rt.app.max_position()
    refused = tdkt(rt.settings, "restore", str(tmp_path / "b"), code=1)
    assert "chỉ khôi phục vào kho trống" in refused.output and "--force" in refused.output
    assert rt.app.max_position() == head
    # a backup into a directory that already has files is refused too
    again = tdkt(rt.settings, "backup", str(tmp_path / "b"), code=1)
    assert "thư mục mới" in again.output
    # a file changed after the backup: refused before anything is written
    manifest = json.loads((tmp_path / "b" / "manifest.json").read_text("utf-8"))
    events = tmp_path / "b" / (
        "events.sqlite" if rt.settings.store == SQLITE
        else f"events/{manifest['events_table']}.copy")
    damaged = bytearray(events.read_bytes())
    damaged[len(damaged) // 2] ^= 0x01
    original = bytes(events.read_bytes())
    events.write_bytes(bytes(damaged))
    broken = tdkt(fresh, "restore", str(tmp_path / "b"), code=1)
    assert "SHA-256 không khớp" in broken.output
    with Runtime(fresh) as target:
        assert target.app.max_position() == 0
    events.write_bytes(original)
    # --force replaces a scratch store that has data
    with Runtime(fresh) as target:
        World.build(target)
    tdkt(fresh, "restore", str(tmp_path / "b"), code=1)
    tdkt(fresh, "restore", "--force", str(tmp_path / "b"))
    with Runtime(fresh) as target:
        assert target.app.max_position() == head
        assert dump(target.db, default_views()) == dump(rt.db, default_views())


def test_verify_is_equal_on_a_healthy_store_and_finds_a_changed_read_model_row(rt, world, tdkt):
    attach(rt, world, "hồ sơ 2")
    healthy = tdkt(rt.settings, "verify")
    assert "Khớp" in healthy.stdout and "KHÁC" not in healthy.stdout
    report = json.loads(tdkt(rt.settings, "verify", "--json").stdout)
    assert report["equal"] is True and report["first_difference"] is None
    assert {v["name"] for v in report["views"]} == {v.name for v in default_views()}
    assert all(v["live_digest"] == v["rebuilt_digest"] for v in report["views"])

    with rt.db.write() as cur:
        cur.execute("UPDATE org_units SET latest_name = ? WHERE unit_id = ?",
                    ("Tên sửa tay", world.u("xd")))
    changed = tdkt(rt.settings, "verify", code=1)
    assert "Khác đầu tiên — bảng đọc org_units, bảng org_units" in changed.stdout
    assert "Tên sửa tay" in changed.stdout and "Hội LHPN phường Xuân Đỉnh" in changed.stdout
    report = json.loads(tdkt(rt.settings, "verify", "--json", code=1).stdout)
    assert report["equal"] is False
    states = {v["name"]: v["live_digest"] == v["rebuilt_digest"] for v in report["views"]}
    assert states.pop("org_units") is False and all(states.values())
    assert report["first_difference"]["table"] == "org_units"
    # no scratch table or file is left behind
    if rt.settings.store == SQLITE:
        assert sorted(p.name for p in rt.settings.data_dir.glob("views.verify*")) == []
    else:
        with rt.db.read() as cur:
            left = cur.scalar("SELECT COUNT(*) FROM information_schema.schemata "
                              "WHERE schema_name LIKE ?", (f"{rt.settings.pg_schema}_verify%",))
        assert left == 0


def test_data_files_secrets_and_backups_are_owner_only(store, tmp_path, pg_server, pg_schema,
                                                        tdkt):
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    if store == SQLITE:  # files left world-readable by an older release are tightened
        (data / "events.sqlite").touch(mode=0o644)
        os.chmod(data / "events.sqlite", 0o644)
    settings = make_settings(store, tmp_path, pg_server if store == POSTGRES else None,
                             pg_schema)
    with Runtime(settings) as rt:
        world = World.build(rt)
        sha = attach(rt, world, "hồ sơ 3")
        load_secret(rt.settings, rt.db)
        if store == SQLITE:
            assert mode(data) == 0o700
            for name in ("events.sqlite", "events.sqlite-wal", "views.sqlite",
                         "views.sqlite-wal", "secret.key", "personal.key"):
                assert mode(data / name) == 0o600, name
        root = settings.attachments_path
        assert mode(root) == 0o700 and mode(root / sha[:2]) == 0o700
        assert mode(root / sha[:2] / sha) == 0o600
    tdkt(settings, "backup", str(tmp_path / "b"))
    made = [tmp_path / "b", *(tmp_path / "b").rglob("*")]
    assert len(made) >= 4
    for path in made:
        assert mode(path) == (0o700 if path.is_dir() else 0o600), path
    # restored files too
    target = make_settings(SQLITE, tmp_path / "r", None, None)
    if store == SQLITE:
        same_master_key(settings, target)
        tdkt(target, "restore", str(tmp_path / "b"))
        for path in [target.data_dir, *target.data_dir.rglob("*")]:
            assert mode(path) == (0o700 if path.is_dir() else 0o600), path


def test_the_demo_tokens_file_is_owner_only(store, tmp_path, pg_server, pg_schema, tdkt):
    settings = make_settings(store, tmp_path, pg_server if store == POSTGRES else None,
                             pg_schema)
    tokens = tmp_path / "ra" / "demo-tokens.txt"
    tdkt(settings, "demo", "--tokens-file", str(tokens))
    assert mode(tokens) == 0o600
    assert all("\t" in line for line in tokens.read_text("utf-8").splitlines())


def test_a_restore_without_the_master_key_is_refused_before_anything_is_written(
        rt, world, tdkt, fresh, tmp_path):
    tdkt(rt.settings, "backup", str(tmp_path / "b"))
    (fresh.data_dir / KEY_FILE).write_text(os.urandom(32).hex() + "\n", "ascii")
    refused = tdkt(fresh, "restore", str(tmp_path / "b"), code=1)
    assert "Khóa dữ liệu cá nhân" in refused.output and "personal.key" in refused.output
    with Runtime(fresh) as target:
        assert target.app.max_position() == 0
