"""The award catalogue the office manages: reading it from the log, and recording changes.

The domain reads the catalogue in use through ``domain.catalog.catalog()``; this area installs
the one the event log gives. It does so when the application starts, after each change it
records, and before each request (``refresh``: one indexed query when nothing changed), so that
another process's change is seen at the next request.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from domain.award_catalogue import CATALOGUE_ID, AwardCatalogue
from domain.catalog import Catalog, KindVersion, catalog, install_catalog, installed_owner
from domain.errors import ConcurrentChange, UnknownAwardKind, ValidationFailed
from services.authz import SYSTEM, Actor, Authorizer
from services.orgs import OrgTree
from services.store import Saved, Store


class Catalogue:
    def __init__(self, store: Store, tree: OrgTree, authz: Authorizer) -> None:
        self.store = store
        self.tree = tree
        self.authz = authz
        self._version = 0
        self._day: date | None = None

    # -- reading ------------------------------------------------------------------------------

    def aggregate(self) -> AwardCatalogue | None:
        return self.store.load_or_none(AwardCatalogue, CATALOGUE_ID)

    def refresh(self) -> Catalog:
        """Install the catalogue the log gives, when it changed since this process last read
        it (or another application in this process installed its own)."""
        if installed_owner() is self and self._day == self.store.today():
            newer = list(self.store.events.get(CATALOGUE_ID, gt=self._version, limit=1))
            if not newer:
                return catalog()
        return self._install(self.aggregate())

    def _install(self, aggregate: AwardCatalogue | None) -> Catalog:
        self._version = aggregate.version if aggregate else 0
        self._day = self.store.today()
        install_catalog(aggregate.snapshot(self._day) if aggregate else None, owner=self)
        return catalog()

    def history(self, code: str) -> tuple[KindVersion, ...]:
        current = self.refresh()
        if code not in current.history:
            raise UnknownAwardKind(award_kind=code)
        return current.history[code]

    # -- recording ----------------------------------------------------------------------------

    def _require_root_admin(self, actor: Actor) -> None:
        root = self.tree.root_unit_id()
        if root is None:
            raise ValidationFailed(reason="chưa có đơn vị gốc (Trung ương Hội)")
        self.authz.require(actor, "admin", root)

    def _for_change(self, actor: Actor) -> AwardCatalogue:
        self._require_root_admin(actor)
        found = self.aggregate()
        if found is None:  # a store created before the catalogue was events
            found = AwardCatalogue.start(actor=actor.username)
            found.load_release(actor=actor.username)
        return found

    def _commit(self, aggregate: AwardCatalogue) -> Saved:
        saved = self.store.commit(aggregate)
        self._install(aggregate)
        return saved

    def upgrade(self) -> Saved | None:
        """At start-up: record this release's shipped kinds where the log does not have them
        yet (one event, by the system); nothing before the root exists (creating it records
        them) or when they are recorded already."""
        if self.tree.root_unit_id() is None:
            self.refresh()
            return None
        for _attempt in range(3):
            found = self.aggregate() or AwardCatalogue.start(actor=SYSTEM.username)
            found.load_release(actor=SYSTEM.username)
            if not found.pending_events:
                self._install(found)
                return None
            try:
                return self._commit(found)
            except ConcurrentChange:
                continue
        self.refresh()
        return None

    def add_kind(self, actor: Actor, *, code: str, definition: dict[str, Any],
                 effective_from: date, until: date | None = None, reason: str = "") -> Saved:
        found = self._for_change(actor)
        found.add_kind(code=code, definition=definition, effective_from=effective_from,
                       until=until, reason=reason, actor=actor.username)
        return self._commit(found)

    def change_kind(self, actor: Actor, *, code: str, changes: dict[str, Any],
                    effective_from: date, reason: str) -> Saved:
        found = self._for_change(actor)
        found.change_kind(code=code, changes=changes, effective_from=effective_from,
                          reason=reason, actor=actor.username, today=self.store.today())
        return self._commit(found)

    def retire_kind(self, actor: Actor, *, code: str, effective_from: date,
                    reason: str) -> Saved:
        found = self._for_change(actor)
        found.retire_kind(code=code, effective_from=effective_from, reason=reason,
                          actor=actor.username, today=self.store.today())
        return self._commit(found)
