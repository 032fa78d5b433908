"""Emulation (thi đua): clusters and their covenants (``clusters``), movements (``movements``)
and title registrations (``registrations``) over the pure domain of ``domain.emulation``.

``Emulation`` is the area ``TdktApplication`` composes (``app.emulation``); who may do what is
written at the top of each module and in ``services.emulation.common``. Answers as the API gives
them are in ``services.emulation.present``; the board's XLSX and PDF in
``services.emulation.documents``.
"""

from __future__ import annotations

from services.authz import Authorizer
from services.emulation.clusters import Clusters
from services.emulation.movements import Movements
from services.emulation.registrations import History, TitleRegistrations, no_history
from services.nominations import Nominations
from services.orgs import OrgTree
from services.store import Store


class Emulation:
    def __init__(self, store: Store, tree: OrgTree, authz: Authorizer, nominations: Nominations,
                 history: History = no_history) -> None:
        self.clusters = Clusters(store, tree, authz, nominations)
        self.movements = Movements(store, tree, authz)
        self.registrations = TitleRegistrations(store, tree, authz, nominations, history)


__all__ = ["Emulation"]
