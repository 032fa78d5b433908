"""Configuration, only from environment variables (documented in the README), with safe defaults.

The embedded default is SQLite files in ``TDKT_DATA_DIR``. ``DATABASE_URL=postgresql://…`` (or the
eventsourcing ``PERSISTENCE_MODULE=eventsourcing.postgres`` + ``POSTGRES_*`` variables) switches the
event store and the read models to PostgreSQL.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlparse

SQLITE, POSTGRES = "sqlite", "postgres"


@dataclass(frozen=True)
class Settings:
    store: str = SQLITE
    data_dir: Path = Path("data")
    pg: dict[str, str] = field(default_factory=dict)  # POSTGRES_* for eventsourcing
    projections: str = "inline"  # inline: project right after each command; worker: separate
    read_wait_seconds: float = 5.0  # how long a query waits for the caller's last write
    projection_batch: int = 1000  # events per read-model transaction
    host: str = "127.0.0.1"
    port: int = 8000
    public_url: str = ""  # TDKT_PUBLIC_URL; empty: links follow the request, else host:port
    # Sessions of the pages (services/http/sessions.py): a signed cookie, ended by logout,
    # after an idle time and after an absolute lifetime.
    secret_key: str = field(default="", repr=False)  # TDKT_SECRET_KEY; empty: generated once
    trust_proxy: bool = False  # TDKT_TRUST_PROXY: honour X-Forwarded-Proto / X-Forwarded-For
    session_max_hours: float = 8.0  # TDKT_SESSION_MAX_HOURS: absolute lifetime
    session_idle_minutes: float = 60.0  # TDKT_SESSION_IDLE_MINUTES: idle timeout
    # Sign-in throttling: failures allowed per account and per client address in the window.
    login_max_failures: int = 5  # TDKT_LOGIN_MAX_FAILURES
    login_max_failures_address: int = 20  # TDKT_LOGIN_MAX_FAILURES_ADDRESS
    login_window_minutes: float = 15.0  # TDKT_LOGIN_WINDOW_MINUTES
    # Attachments (services/attachments.py): blobs by content hash, outside the event log.
    attachments_dir: Path | None = None  # TDKT_ATTACHMENTS_DIR; None: <data_dir>/attachments
    attachment_max_mb: float = 10.0  # TDKT_ATTACHMENT_MAX_MB: largest file accepted
    # Idempotency-Key (services/http/idempotency.py): how long a key is remembered.
    idempotency_hours: float = 24.0  # TDKT_IDEMPOTENCY_HOURS
    # Credentials (services/users.py, services/security.py) and limits at the edge
    # (services/http/limits.py).
    token_days: float = 90.0  # TDKT_TOKEN_DAYS: lifetime (and longest) of an API token
    hash_concurrency: int = 2  # TDKT_HASH_CONCURRENCY: argon2 computations at once (process)
    hash_wait_seconds: float = 10.0  # TDKT_HASH_WAIT_SECONDS: wait for one, then 429
    max_body_mb: float = 2.0  # TDKT_MAX_BODY_MB: largest request body (uploads: attachments')
    body_timeout_seconds: float = 30.0  # TDKT_BODY_TIMEOUT_SECONDS: longest wait for body data
    keepalive_seconds: float = 5.0  # TDKT_KEEPALIVE_SECONDS: idle connection kept (serve)
    max_connections: int = 256  # TDKT_MAX_CONNECTIONS: beyond, 503 (per process; serve)
    # Personal data at rest (services/personal_data.py): the master key wrapping each person's
    # key; empty: the file personal.key of the data directory, generated once.
    personal_data_key: str = field(default="", repr=False)  # TDKT_PERSONAL_DATA_KEY
    personal_data_key_previous: str = field(default="", repr=False)  # …_PREVIOUS (rotation)

    @property
    def attachments_path(self) -> Path:
        return self.attachments_dir or self.data_dir / "attachments"

    @property
    def attachment_max_bytes(self) -> int:
        return int(self.attachment_max_mb * 1024 * 1024)

    @property
    def max_body_bytes(self) -> int:
        return int(self.max_body_mb * 1024 * 1024)

    @property
    def public_base_url(self) -> str:
        """The base of links made outside any request (the CLI): the configured public URL, or
        where ``tdkt serve`` listens (``TDKT_HOST``/``TDKT_PORT``, which ``serve`` sets)."""
        if self.public_url:
            return self.public_url
        host = "127.0.0.1" if self.host in ("", "0.0.0.0", "::") else self.host
        return f"http://[{host}]:{self.port}" if ":" in host else f"http://{host}:{self.port}"

    def link_base(self, request_base: str | None = None) -> str:
        """The base of links (certificate QR codes, verification URLs): the configured public
        URL; otherwise the address the request came to (scheme, host and port, as the client
        used it); outside a request, ``public_base_url``."""
        if self.public_url:
            return self.public_url
        if request_base:
            return request_base.rstrip("/")
        return self.public_base_url

    @property
    def events_path(self) -> Path:
        return self.data_dir / "events.sqlite"

    @property
    def views_path(self) -> Path:
        return self.data_dir / "views.sqlite"

    def eventsourcing_env(self) -> dict[str, str]:
        if self.store == SQLITE:
            from projections.db import owner_only_file  # 0700 directory, 0600 database

            owner_only_file(self.events_path)
            return {
                "PERSISTENCE_MODULE": "eventsourcing.sqlite",
                "SQLITE_DBNAME": str(self.events_path),
                "SQLITE_LOCK_TIMEOUT": "30",
            }
        return {
            "PERSISTENCE_MODULE": "eventsourcing.postgres",
            # large saves (decisions of thousands of lines) without psycopg's pipeline mode
            "APPLICATION_RECORDER_TOPIC": "services.pgstore:BulkSafeApplicationRecorder",
            **self.pg,
        }

    def pg_conninfo(self) -> str:
        pg = self.pg
        parts = {
            "dbname": pg.get("POSTGRES_DBNAME", "tdkt"),
            "host": pg.get("POSTGRES_HOST", "127.0.0.1"),
            "port": pg.get("POSTGRES_PORT", "5432"),
            "user": pg.get("POSTGRES_USER", "postgres"),
        }
        if pg.get("POSTGRES_PASSWORD"):
            parts["password"] = pg["POSTGRES_PASSWORD"]
        return " ".join(f"{k}={_quote(v)}" for k, v in parts.items())

    @property
    def pg_schema(self) -> str | None:
        return self.pg.get("POSTGRES_SCHEMA") or None


def _quote(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def pg_env_from_url(url: str) -> dict[str, str]:
    """Translate ``postgresql://user:pass@host:port/db?schema=x`` into eventsourcing's variables."""
    parsed = urlparse(url)
    if parsed.scheme not in ("postgres", "postgresql", "postgresql+psycopg"):
        raise ValueError(f"DATABASE_URL must be a postgresql:// URL, not {parsed.scheme!r}")
    env = {
        "POSTGRES_DBNAME": unquote(parsed.path.lstrip("/")) or "postgres",
        "POSTGRES_HOST": parsed.hostname or "127.0.0.1",
        "POSTGRES_PORT": str(parsed.port or 5432),
        "POSTGRES_USER": unquote(parsed.username or "postgres"),
        "POSTGRES_PASSWORD": unquote(parsed.password or ""),
    }
    for item in filter(None, parsed.query.split("&")):
        key, _, value = item.partition("=")
        if key == "schema" and value:
            env["POSTGRES_SCHEMA"] = unquote(value)
    return env


def load_settings(environ: dict[str, str] | None = None) -> Settings:
    env = dict(os.environ if environ is None else environ)
    pg: dict[str, str] = {}
    store = SQLITE
    if env.get("DATABASE_URL"):
        pg = pg_env_from_url(env["DATABASE_URL"])
        store = POSTGRES
    elif env.get("PERSISTENCE_MODULE") == "eventsourcing.postgres":
        pg = {k: v for k, v in env.items() if k.startswith("POSTGRES_")}
        pg.setdefault("POSTGRES_PASSWORD", "")
        store = POSTGRES
    if store == POSTGRES:
        for key in ("POSTGRES_POOL_SIZE", "POSTGRES_MAX_OVERFLOW", "POSTGRES_CONNECT_TIMEOUT"):
            if env.get(key):
                pg[key] = env[key]
        pg.setdefault("POSTGRES_POOL_SIZE", "10")
        pg.setdefault("POSTGRES_MAX_OVERFLOW", "20")
        if env.get("TDKT_PG_SCHEMA"):
            pg["POSTGRES_SCHEMA"] = env["TDKT_PG_SCHEMA"]
    projections = env.get("TDKT_PROJECTIONS", "inline")
    if projections not in ("inline", "worker"):
        raise ValueError("TDKT_PROJECTIONS must be 'inline' or 'worker'")
    host = env.get("TDKT_HOST", "127.0.0.1")
    port = int(env.get("TDKT_PORT", "8000"))
    return Settings(
        store=store,
        data_dir=Path(env.get("TDKT_DATA_DIR", "data")),
        pg=pg,
        projections=projections,
        read_wait_seconds=float(env.get("TDKT_READ_WAIT_SECONDS", "5")),
        projection_batch=max(1, int(env.get("TDKT_PROJECTION_BATCH", "1000"))),
        host=host,
        port=port,
        public_url=(env.get("TDKT_PUBLIC_URL") or "").strip().rstrip("/"),
        secret_key=_secret_key(env.get("TDKT_SECRET_KEY") or ""),
        trust_proxy=_flag(env.get("TDKT_TRUST_PROXY")),
        session_max_hours=_positive(env, "TDKT_SESSION_MAX_HOURS", 8.0),
        session_idle_minutes=_positive(env, "TDKT_SESSION_IDLE_MINUTES", 60.0),
        login_max_failures=int(_positive(env, "TDKT_LOGIN_MAX_FAILURES", 5)),
        login_max_failures_address=int(_positive(env, "TDKT_LOGIN_MAX_FAILURES_ADDRESS", 20)),
        login_window_minutes=_positive(env, "TDKT_LOGIN_WINDOW_MINUTES", 15.0),
        attachments_dir=Path(env["TDKT_ATTACHMENTS_DIR"]) if env.get("TDKT_ATTACHMENTS_DIR")
        else None,
        attachment_max_mb=_positive(env, "TDKT_ATTACHMENT_MAX_MB", 10.0),
        idempotency_hours=_positive(env, "TDKT_IDEMPOTENCY_HOURS", 24.0),
        personal_data_key=(env.get("TDKT_PERSONAL_DATA_KEY") or "").strip(),
        personal_data_key_previous=(env.get("TDKT_PERSONAL_DATA_KEY_PREVIOUS") or "").strip(),
        **credential_settings(env),
    )


def credential_settings(environ: dict[str, str] | None = None) -> dict[str, float | int]:
    """The credential and edge settings of ``environ`` (default: the process's environment):
    also read on their own by the parts that hold no ``Settings`` (the process-wide argon2
    bound, ``services.security``)."""
    env = dict(os.environ if environ is None else environ)
    return {
        "token_days": _positive(env, "TDKT_TOKEN_DAYS", 90.0),
        "hash_concurrency": int(_positive(env, "TDKT_HASH_CONCURRENCY", 2)),
        "hash_wait_seconds": _positive(env, "TDKT_HASH_WAIT_SECONDS", 10.0),
        "max_body_mb": _positive(env, "TDKT_MAX_BODY_MB", 2.0),
        "body_timeout_seconds": _positive(env, "TDKT_BODY_TIMEOUT_SECONDS", 30.0),
        "keepalive_seconds": _positive(env, "TDKT_KEEPALIVE_SECONDS", 5.0),
        "max_connections": int(_positive(env, "TDKT_MAX_CONNECTIONS", 256)),
    }


def _flag(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def _positive(env: dict[str, str], name: str, default: float) -> float:
    text = (env.get(name) or "").strip()
    if not text:
        return default
    value = float(text)
    if not value > 0:
        raise ValueError(f"{name} must be a positive number")
    return value


def _secret_key(value: str) -> str:
    value = value.strip()
    if value and len(value) < 32:
        raise ValueError("TDKT_SECRET_KEY must be at least 32 characters (e.g. `openssl rand "
                         "-hex 32`); leave it unset to have one generated and kept")
    return value
