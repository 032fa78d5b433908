"""The application and its runtime: event store, authorizer, read models, projection runner.

One ``Runtime`` per process. In the embedded (inline) mode the projections are brought up to date
right after each command, in the same process, so a client always reads its own writes. In the
worker mode a separate ``tdkt project`` process feeds them, and queries wait (briefly) until the
views have reached the position the client last wrote.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any
from uuid import UUID

from domain.recipients import release_pseudonyms, use_pseudonyms
from projections.audit import AuditView
from projections.base import View
from projections.certificates import CertificatesView
from projections.db import PostgresViewDB, SQLiteViewDB, ViewDB
from projections.decisions import CeremoniesView, DecisionsView, UsersView
from projections.emulation import EmulationRows, EmulationView
from projections.nominations import NominationsView
from projections.org_units import OrgUnitsView
from projections.payments import PaymentsView
from projections.runner import Runner
from projections.seal import Sealer
from projections.stated import StatedAwardsView
from services import security
from services.authz import Authorizer
from services.catalogue import Catalogue
from services.ceremonies import Ceremonies
from services.certificates import Certificates
from services.config import SQLITE, Settings, load_settings
from services.decisions import Decisions
from services.emulation import Emulation
from services.nominations import Nominations
from services.orgs import OrgTree, OrgUnits
from services.personal_data import open_personal_data
from services.presentation.queries import Queries
from services.presentation.registry import Registry
from services.schedules import Schedules
from services.store import Saved, Store
from services.users import Users


def _no_certificates(token: str) -> dict[str, Any] | None:
    return None


def _no_history(recipient_key: str, unit_id: UUID) -> list[tuple[int, str]]:
    return []


class TdktApplication(Store):
    """One application over one event store, its areas composed here, once.

    Each area is a plain class that stands on the store and takes what it uses from the areas
    below it; nothing is inherited across areas and nothing is set from outside.
    ``find_certificate`` finds a certificate by its public token (a read model's lookup: the
    runtime passes it; without one, no certificate is found). ``recipient_history`` reads the
    (year, award kind) of a recipient's awards in force, by identity key, for the title
    registrations' prerequisites (the registry's lookup, passed by the runtime likewise).
    """

    def __init__(
        self,
        env: dict[str, str] | None = None,
        clock: Callable[[], date] | None = None,
        find_certificate: Callable[[str], dict[str, Any] | None] = _no_certificates,
        recipient_history: Callable[[str, UUID], list[tuple[int, str]]] = _no_history,
        conceal: Callable[[Any], Any] | None = None,
    ) -> None:
        super().__init__(env=env, clock=clock, conceal=conceal)
        self.tree = OrgTree(self)
        self.authz = Authorizer(self.tree.ancestors)
        self.orgs = OrgUnits(self, self.tree, self.authz)
        self.users = Users(self, self.tree, self.authz)
        self.schedules = Schedules(self, self.tree, self.authz)
        self.catalogue = Catalogue(self, self.tree, self.authz)
        self.catalogue.refresh()
        self.nominations = Nominations(self, self.tree, self.authz)
        self.decisions = Decisions(self, self.tree, self.authz, self.schedules, self.nominations)
        self.ceremonies = Ceremonies(self, self.tree, self.authz, self.decisions)
        self.certificates = Certificates(self, self.tree, self.authz, self.decisions,
                                         find_certificate)
        self.emulation = Emulation(self, self.tree, self.authz, self.nominations,
                                   recipient_history)


def default_views() -> list[View]:
    return [OrgUnitsView(), NominationsView(), DecisionsView(), CeremoniesView(), UsersView(),
            CertificatesView(), PaymentsView(), StatedAwardsView(), EmulationView(),
            AuditView()]


def open_view_db(settings: Settings) -> ViewDB:
    if settings.store == SQLITE:
        return SQLiteViewDB(settings.views_path)
    return PostgresViewDB(settings.pg_conninfo(), schema=settings.pg_schema)


class Runtime:
    def __init__(
        self,
        settings: Settings | None = None,
        clock: Callable[[], date] | None = None,
        views: list[View] | None = None,
    ) -> None:
        self.settings = settings or load_settings()
        self.db = open_view_db(self.settings)
        # personal data sealed at rest, one key per person (services.personal_data)
        try:
            self.personal = open_personal_data(self.settings, self.db)
        except BaseException:  # a wrong master key: refused, nothing left open
            self.db.close()
            raise
        use_pseudonyms(self.personal.pseudonym)
        self.app = TdktApplication(env=self.settings.eventsourcing_env(), clock=clock,
                                   find_certificate=self._find_certificate,
                                   recipient_history=self._recipient_history,
                                   conceal=self.personal.conceal)
        self.app.reveal = self.personal.reveal
        # credentials: the settings' lifetimes, last-used times beside the read models, and
        # the process-wide bound on argon2 work
        users = self.app.users
        users.token_days = self.settings.token_days
        users.session_hours = self.settings.session_max_hours
        users.last_seen.attach(self.db)
        security.configure(self.settings.hash_concurrency, self.settings.hash_wait_seconds)
        self.runner = Runner(
            self.app,
            self.db,
            views if views is not None else default_views(),
            batch_size=self.settings.projection_batch,
            before_catch_up=self.app.catalogue.refresh,
            sealer=Sealer(self.app.recorder, self.db),
        )
        self.queries = Queries(self.db)
        self.registry = Registry(self.db)

    def _find_certificate(self, token: str) -> dict[str, Any] | None:
        self.ensure_position(self.app.max_position())
        return self.queries.certificate_token(token)

    def _recipient_history(self, recipient_key: str, unit_id: UUID) -> list[tuple[int, str]]:
        self.ensure_position(self.app.max_position())
        return EmulationRows(self.db).title_history(recipient_key, unit_id)

    @property
    def inline(self) -> bool:
        return self.settings.projections == "inline"

    def after(self, saved: Saved) -> Saved:
        """Called after each command: in inline mode, project now (read-your-writes)."""
        if self.inline:
            self.runner.catch_up()
        return saved

    def prepare(self) -> Saved | None:
        """Before serving: record this release's legal money data where it is not yet (one
        event; see ``upgrade_schedules``), then, in the embedded mode, bring the read models up
        to date — after a crash or a restore they may be behind the log, and a list must never
        answer stale data as fresh. Returns the release's event when one was recorded."""
        saved = self.app.schedules.upgrade_schedules()
        saved = self.app.catalogue.upgrade() or saved
        if self.inline:
            self.runner.catch_up()
        return saved

    def ensure_position(self, position: int | None) -> bool:
        """Make the views reflect at least ``position``; True when they do."""
        if not position:
            return True
        if self.inline:
            self.runner.catch_up()
            return self.runner.position() >= position
        return self.runner.wait_for(position, self.settings.read_wait_seconds)

    def close(self) -> None:
        release_pseudonyms(self.personal.pseudonym)
        self.personal.close()
        self.db.close()
        self.app.close()

    def __enter__(self) -> Runtime:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()
