"""Personal data at rest: citizen IDs and birth dates sealed in the stored events, one key per
person, so that deleting the key erases the data (crypto-shredding) while the award stays.

**What is sealed.** Every dict in a stored event's state that carries ``citizen_id`` or
``birth_date`` (a recipient, wherever it sits: a nomination, a decision's lines, a registration,
an idempotency answer) has those values replaced, as the event is stored, by an envelope
``enc1:<subject>:<ciphertext>`` (``domain.recipients.SEALED``). The rest of the event — name as
published, birth year, unit, award, decision — stays as it was. Nothing decrypts when events are
read back: aggregates, read models and the rebuilt views hold the envelopes, and only what is
shown to a reader whose grants cover the person is opened (``services.read_policy.Privacy``).
So the log, the read models and backups hold no plaintext identifier, a rebuild gives the same
rows, and a store opened without its keys still works and adds up to the same totals.

**Keys.** Each person (*subject*) has a data key: 32 random bytes, AES-256-GCM, kept in the table
``personal_keys`` (SQLite: its own file ``personal-keys.sqlite``, written durably; PostgreSQL:
the read models' schema, which no rebuild touches), *wrapped* (encrypted) by the master key
``TDKT_PERSONAL_DATA_KEY`` (from the environment; without it, the file ``personal.key`` of
``TDKT_DATA_DIR``, 0600). The subject is an HMAC-SHA256 of the person's identity (``cccd:<id>``,
or the folded name with the birth year) under an *index key* kept in the same table and wrapped
the same way; it is also the identity key of a person with a citizen ID (``cccd:<subject>``), so
claims, totals and the once-per-lifetime rules work on it without the key. Each envelope is
bound to its subject and field (associated data), so it cannot be moved to another person.

**Erasure.** ``erase(subject)`` deletes the person's data key: every envelope of that person, in
the log, the read models and every backup taken afterwards, can no longer be opened. Processes
forget cached keys after ``CACHE_SECONDS``.

**Rotation.** Set the new master key in ``TDKT_PERSONAL_DATA_KEY`` and the old one in
``TDKT_PERSONAL_DATA_KEY_PREVIOUS``, run ``tdkt personal-data rotate`` (re-wraps every data key
and the index key; the events are untouched), then drop the previous key.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from domain.recipients import SEALED, is_sealed, sealed_subject
from domain.text import fold
from projections.db import SQLiteViewDB, ViewDB
from services.config import SQLITE, Settings
from services.secret_key import key_from_file

PERSONAL_FIELDS = ("citizen_id", "birth_date")
KEY_TABLE = "personal_keys"
INDEX_SUBJECT = "#index"
CACHE_SECONDS = 60.0
DDL = (f"CREATE TABLE IF NOT EXISTS {KEY_TABLE} (subject TEXT PRIMARY KEY,"
       " key_id TEXT NOT NULL, wrapped TEXT NOT NULL, created_at TEXT NOT NULL)")


class PersonalKeyMismatch(RuntimeError):
    """The master key given does not open this store's keys (wrong or missing key)."""


def master_key(value: str) -> bytes:
    """The master key from its text: 64 hex digits or 32 bytes in (URL-safe) base64."""
    text = value.strip()
    try:
        raw = bytes.fromhex(text) if len(text) == 64 else _unb64(text)
    except ValueError:
        raw = b""
    if len(raw) != 32:
        raise ValueError("TDKT_PERSONAL_DATA_KEY must be 32 bytes: 64 hex digits or base64")
    return raw


def new_master_key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).decode("ascii").rstrip("=")


def key_id(master: bytes) -> str:
    return hashlib.sha256(b"tdkt-personal-master|" + master).hexdigest()[:16]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode("ascii").rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def identity(recipient: dict[str, Any]) -> str:
    """The identity a recipient's data key is chosen by: her citizen ID where known, else her
    folded name with the birth year (or the unit), as ``domain.recipients.Recipient.key``."""
    citizen_id = recipient.get("citizen_id")
    if citizen_id and not is_sealed(citizen_id):
        return f"cccd:{citizen_id}"
    name = fold(str(recipient.get("name") or ""))
    year = recipient.get("birth_year")
    born = recipient.get("birth_date")
    if year is None and isinstance(born, date):
        year = born.year
    elif year is None and isinstance(born, str) and not is_sealed(born) and born[:4].isdigit():
        year = int(born[:4])
    if year is not None:
        return f"person:{name}|{year}"
    return f"person:{name}|unit:{recipient.get('unit_id')}"


@dataclass
class _Cached:
    key: bytes
    at: float


class PersonalData:
    """The keys of one store, and sealing and opening with them."""

    def __init__(self, db: ViewDB, master: bytes, previous: bytes | None = None,
                 owns_db: bool = False) -> None:
        self.db = db
        self.owns_db = owns_db
        self._masters = {key_id(master): master}
        if previous is not None:
            self._masters.setdefault(key_id(previous), previous)
        self._current = key_id(master)
        self._lock = threading.Lock()
        self._cache: dict[str, _Cached] = {}
        with db.write() as cur:
            cur.execute(DDL)
        try:
            self._index = self._data_keys([INDEX_SUBJECT], create=True,
                                          strict=True)[INDEX_SUBJECT]
        except InvalidTag:
            raise PersonalKeyMismatch("the master key does not open this store's keys") from None

    def close(self) -> None:
        if self.owns_db:
            self.db.close()

    # -- subjects -----------------------------------------------------------------------------

    def pseudonym(self, text: str) -> str:
        """A stable pseudonym of ``text`` (128 bits of an HMAC under the index key)."""
        return hmac.new(self._index, text.encode("utf-8"), hashlib.sha256).hexdigest()[:32]

    def subject_of(self, recipient: dict[str, Any]) -> str:
        """The person's subject: that of her sealed citizen ID where it is sealed already (a
        stored recipient with a birth date still in clear), else the pseudonym of her
        identity."""
        citizen_id = recipient.get("citizen_id")
        if is_sealed(citizen_id):
            return sealed_subject(str(citizen_id))
        return self.pseudonym(identity(recipient))

    def subject_of_key(self, recipient_key: str) -> str:
        """The subject behind an identity key (``Recipient.key``)."""
        if recipient_key.startswith("cccd:") and len(recipient_key) == 37:
            return recipient_key[5:]
        return self.pseudonym(recipient_key)

    # -- sealing ------------------------------------------------------------------------------

    def conceal(self, state: Any) -> Any:
        """``state`` with every personal value sealed (a copy where anything changed)."""
        found: list[dict[str, Any]] = []
        _collect(state, found)
        if not found:
            return state
        subjects = {id(d): self.subject_of(d) for d in found}
        keys = self._data_keys(set(subjects.values()), create=True)
        sealed: dict[int, dict[str, Any]] = {}
        for d in found:
            subject = subjects[id(d)]
            copy = dict(d)
            for field in PERSONAL_FIELDS:
                value = d.get(field)
                if value is None or is_sealed(value):
                    continue
                text = value.isoformat() if isinstance(value, date) else str(value)
                nonce = os.urandom(12)
                data = AESGCM(keys[subject]).encrypt(nonce, text.encode("utf-8"),
                                                     f"{subject}|{field}".encode())
                copy[field] = f"{SEALED}{subject}:{_b64(nonce + data)}"
            sealed[id(d)] = copy
        return _replace(state, sealed)

    def reveal(self, value: Any) -> Any:
        """``value`` with every envelope opened; one whose key was erased becomes None and its
        dict says ``personal_data_erased``."""
        envelopes: list[str] = []
        _envelopes(value, envelopes)
        if not envelopes:
            return value
        keys = self._data_keys({sealed_subject(e) for e in envelopes}, create=False)
        return _open(value, keys)

    # -- keys ---------------------------------------------------------------------------------

    def erase(self, subject: str) -> bool:
        """Delete the subject's data key; True when there was one."""
        with self._lock:
            self._cache.pop(subject, None)
        with self.db.write() as cur:
            cur.execute(f"DELETE FROM {KEY_TABLE} WHERE subject = ?", (subject,))
            return cur.rowcount > 0

    def has_key(self, subject: str) -> bool:
        return bool(self._data_keys([subject], create=False))

    def rotate(self) -> int:
        """Re-wrap every key under the current master key; the number re-wrapped."""
        count = 0
        with self.db.write() as cur:
            rows = cur.execute(f"SELECT subject, key_id, wrapped FROM {KEY_TABLE}"
                               " WHERE key_id <> ?", (self._current,)).fetchall()
            for row in rows:
                # a key wrapped by neither configured master key stops the rotation: it would be
                # lost with the previous key
                plain = self._unwrap(row["subject"], row["key_id"], row["wrapped"])
                cur.execute(f"UPDATE {KEY_TABLE} SET key_id = ?, wrapped = ? WHERE subject = ?",
                            (self._current, self._wrap(row["subject"], plain), row["subject"]))
                count += 1
        return count

    def _data_keys(self, subjects: Iterable[str], create: bool, strict: bool = False
                   ) -> dict[str, bytes]:
        now = time.monotonic()
        wanted = set(subjects)
        found: dict[str, bytes] = {}
        with self._lock:
            for subject in wanted:
                hit = self._cache.get(subject)
                if hit is not None and now - hit.at < CACHE_SECONDS:
                    found[subject] = hit.key
        missing = sorted(wanted - found.keys())
        if missing:
            found.update(self._load(missing, strict))
            new = [s for s in missing if s not in found]
            if new and create:
                made = {s: os.urandom(32) for s in new}
                at = datetime.now(UTC).isoformat(timespec="seconds")
                with self.db.write() as cur:
                    cur.executemany(
                        f"INSERT INTO {KEY_TABLE} (subject, key_id, wrapped, created_at)"
                        " VALUES (?, ?, ?, ?) ON CONFLICT (subject) DO NOTHING",
                        [(s, self._current, self._wrap(s, k), at) for s, k in made.items()])
                found.update(self._load(new, strict))  # another process may have been first
            with self._lock:
                for subject in missing:
                    if subject in found:
                        self._cache[subject] = _Cached(found[subject], now)
        return found

    def _load(self, subjects: list[str], strict: bool = False) -> dict[str, bytes]:
        """The data keys of ``subjects`` that exist. A key this process cannot unwrap (wrapped
        by a master key it was not given, e.g. by a process already rotated) leaves its person
        unreadable here, not the whole answer; ``strict`` (the index key, at start) refuses."""
        out: dict[str, bytes] = {}
        with self.db.read() as cur:
            for start in range(0, len(subjects), 500):
                chunk = subjects[start:start + 500]
                marks = ", ".join("?" for _ in chunk)
                for row in cur.execute(f"SELECT subject, key_id, wrapped FROM {KEY_TABLE}"
                                       f" WHERE subject IN ({marks})", chunk).fetchall():
                    try:
                        out[row["subject"]] = self._unwrap(row["subject"], row["key_id"],
                                                           row["wrapped"])
                    except (PersonalKeyMismatch, InvalidTag):
                        if strict:
                            raise
        return out

    def _wrap(self, subject: str, key: bytes) -> str:
        nonce = os.urandom(12)
        return _b64(nonce + AESGCM(self._masters[self._current]).encrypt(
            nonce, key, f"wrap|{subject}".encode()))

    def _unwrap(self, subject: str, wrapped_by: str, wrapped: str) -> bytes:
        master = self._masters.get(wrapped_by)
        if master is None:
            raise PersonalKeyMismatch(
                "the personal-data keys of this store are wrapped by another master key: set "
                "TDKT_PERSONAL_DATA_KEY (and TDKT_PERSONAL_DATA_KEY_PREVIOUS while rotating)")
        return _unwrap(master, subject, wrapped)


def _unwrap(master: bytes, subject: str, wrapped: str) -> bytes:
    raw = _unb64(wrapped)
    return AESGCM(master).decrypt(raw[:12], raw[12:], f"wrap|{subject}".encode())


# -- walking event states and answers -----------------------------------------------------------


def _collect(value: Any, found: list[dict[str, Any]]) -> None:
    if isinstance(value, dict):
        if any(value.get(f) is not None and not is_sealed(value.get(f)) for f in PERSONAL_FIELDS):
            found.append(value)
        for item in value.values():
            _collect(item, found)
    elif isinstance(value, list | tuple):
        for item in value:
            _collect(item, found)


def _walk(value: Any, on_dict: Any) -> Any:
    """``value`` rebuilt with each dict (at any depth) replaced by ``on_dict(dict)``."""
    if isinstance(value, dict):
        return on_dict(value)
    if isinstance(value, list):
        return [_walk(v, on_dict) for v in value]
    if isinstance(value, tuple):
        return tuple(_walk(v, on_dict) for v in value)
    return value


def _replace(value: Any, sealed: dict[int, dict[str, Any]]) -> Any:
    return _walk(value, lambda d: {k: _replace(v, sealed)
                                   for k, v in sealed.get(id(d), d).items()})


def _envelopes(value: Any, found: list[str]) -> None:
    if isinstance(value, dict):
        for item in value.values():
            _envelopes(item, found)
    elif isinstance(value, list | tuple):
        for item in value:
            _envelopes(item, found)
    elif is_sealed(value):
        found.append(value)


def _open(value: Any, keys: dict[str, bytes]) -> Any:
    def opened(d: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        erased = False
        for k, v in d.items():
            if is_sealed(v):
                out[k] = _open_envelope(v, k, keys)
                erased = erased or out[k] is None
            else:
                out[k] = _open(v, keys)
        if erased:
            out["personal_data_erased"] = True
        return out

    return _walk(value, opened)


def _open_envelope(envelope: str, field: str, keys: dict[str, bytes]) -> str | None:
    subject = sealed_subject(envelope)
    key = keys.get(subject)
    if key is None:
        return None
    raw = _unb64(envelope.rsplit(":", 1)[1])
    try:
        return AESGCM(key).decrypt(raw[:12], raw[12:], f"{subject}|{field}".encode()).decode()
    except (InvalidTag, ValueError):
        return None


KEY_FILE = "personal.key"


KEYS_DB_FILE = "personal-keys.sqlite"


class SQLiteKeyDB(SQLiteViewDB):
    """The keys' own SQLite file: unlike the read models (rebuildable, ``synchronous=NORMAL``)
    a key lost to a power cut would make its person's data unreadable for ever, and deleting
    ``views.sqlite`` to rebuild the read models must not touch the keys."""

    def _connection(self) -> Any:
        conn = super()._connection()
        conn.execute("PRAGMA synchronous=FULL")
        return conn


def open_key_db(settings: Settings, views: ViewDB) -> ViewDB:
    """Where the keys are: SQLite, their own file beside the store's; PostgreSQL, the read
    models' schema (a table that no rebuild touches)."""
    if settings.store == SQLITE:
        return SQLiteKeyDB(settings.data_dir / KEYS_DB_FILE)
    return views


def open_personal_data(settings: Settings, db: ViewDB) -> PersonalData:
    """The store's personal-data keys under the configured master key (or the data directory's
    ``personal.key``, generated once, owner-only)."""
    text = _master_text(settings)
    previous = settings.personal_data_key_previous
    keys = open_key_db(settings, db)
    try:
        return PersonalData(keys, master_key(text), master_key(previous) if previous else None,
                            owns_db=keys is not db)
    except BaseException:
        if keys is not db:
            keys.close()
        raise


def _master_text(settings: Settings) -> str:
    return settings.personal_data_key or key_from_file(settings.data_dir / KEY_FILE)


def check_master(settings: Settings, rows: Iterable[tuple[str, ...]]) -> None:
    """Raise ``PersonalKeyMismatch`` unless the configured master key (or the previous one)
    opens the index key among ``rows`` (subject, key id, wrapped, created)."""
    masters = [master_key(_master_text(settings))]
    if settings.personal_data_key_previous:
        masters.append(master_key(settings.personal_data_key_previous))
    for subject, wrapped_by, wrapped, *_ in rows:
        if subject != INDEX_SUBJECT:
            continue
        for master in masters:
            if key_id(master) == wrapped_by:
                try:
                    _unwrap(master, subject, wrapped)
                    return
                except InvalidTag:
                    break
        raise PersonalKeyMismatch("the master key does not open these personal-data keys")
