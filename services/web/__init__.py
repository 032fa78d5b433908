"""Server-rendered pages (Jinja2) for people: sign in, work queues, nominations with their
actions, decisions, ceremonies with the reconciliation of totals, the org tree on any date, the
registry, the calculator, certificates.

Pages stand on the API's machinery: the same runtime and session token
(``services.http.deps``), the same read policy (``services.read_policy``), the same status for
each refusal (``services.http.errors``). The session is an API token in a signed, expiring,
HTTP-only cookie (``services.http.sessions``); every form carries a CSRF token
(``{{ csrf_input() }}``, ``services.web.csrf``); no inline style or script (the
Content-Security-Policy of ``services.http.headers``).

To add a page: put it in the ``pages_*`` module of its area (or a new one, included below), with
a router from ``page_router()``, ``actor: SignedInDep`` for a signed-in user, and let refusals
raise — ``install`` answers them with the error page (or the sign-in form).

| module | pages |
|---|---|
| ``pages_session`` | ``/login``, ``/logout``, ``/`` (work queues) |
| ``pages_workflow`` | ``/nominations``, ``/nominations/new``, ``/nominations/{id}``, ``…/edit``, |
|  | ``…/withdraw``, actions (submit, vote with scores, recuse, close) |
| ``pages_submissions`` | ``/submissions``, ``/submissions/{id}``, ``/submissions/new``, |
|  | ``/submissions/compose[/edit, /file]``, ``/submissions/import-template.xlsx`` |
| ``pages_attachments`` | ``/{nominations,submissions}/{id}/attachments/…`` (upload, download, |
|  | removal after a confirmation) |
| ``pages_council`` | ``/council`` (queue with my ballot, criteria, minutes), |
|  | ``/council/criteria``, ``/council/minutes`` |
| ``pages_decisions`` | ``/decisions``, ``/decisions/{id}`` (history, documents, exports); the |
|  | office's ``/decisions/queue``, ``/decisions/new``, ``/decisions/outside``, |
|  | ``/decisions/compose[/edit, /issue]``, ``/decisions/import-template.xlsx``, |
|  | ``/decisions/{id}/revoke`` |
| ``pages_imports`` | ``/decisions/imports`` (past decisions from XLSX/CSV: upload, dry run, |
|  | ``/confirm``), ``/decisions/imports/template.xlsx`` |
| ``pages_ceremonies`` | ``/ceremonies``, ``/ceremonies/new``, ``/ceremonies/{id}/…``, payments |
| ``pages_registry`` | ``/org``, ``/registry``, ``/registry/recipients`` (search), ``…/{key}`` |
| ``pages_money`` | ``/calculator``, ``/schedules/differences`` |
| ``pages_certificates`` | ``/verify/{token}`` (public), ``/certificates/preview`` |
| ``pages_printing`` | ``/{decisions,ceremonies}/{id}/certificates``, ``/certificates/runs/…`` |
| ``pages_users`` | ``/admin`` (administration), ``/users…``, ``/password`` (her own) |
| ``pages_units`` | ``/units…`` (create, rename, move, merge, dissolve, reorganise) |
| ``pages_schedules`` | ``/schedules…`` (base salaries, coefficient tables, issuers' rates) |
| ``pages_catalogue`` | ``/catalog``, ``/catalog/{code}`` (card, history), ``/catalog/new``, |
|  | ``/catalog/{code}/change``, ``/catalog/{code}/retire`` (root admin, after a review) |
| ``pages_dashboard`` | ``/dashboard`` |
| ``pages_audit`` | ``/audit`` (who did what, when and why; filters, CSV) |
| ``pages_personal_data`` | ``/personal-data/erase[/check]`` (a person's personal data erased on |
|  | request, after a check page), ``/personal-data/erasures/{id}`` (what was done) |
| ``pages_emulation`` | ``/emulation`` (clusters, movements, title registrations), |
|  | ``/emulation/clusters/new``, ``/emulation/clusters/{id}[/years, /rename]``, |
|  | ``…/years/{year}/{join,merge,lead}[/check]`` (mid-year changes), the board |
|  | ``…/{id}/{year}`` with ``…/sign/{unit}``, ``…/open``, ``…/close``, ``…/propose`` |
| ``pages_covenant_config`` | ``…/{id}/{year}/covenant[/{part}]`` (indicators, points table, |
|  | classes, proposal rules, figures stated for the whole cluster) |
| ``pages_cluster_reports`` | a member's report ``…/{year}/reports/{unit}`` (results with |
|  | evidence files, confirm, correct), ``…/evidence/{ref}`` |
| ``pages_cluster_scores`` | ``…/reports/{unit}/scores/{item}/{self,cross,lead}``, |
|  | ``…/agree[/check]``, ``…/deductions/{rule}[/check]``, ``…/{year}/scores/cross`` |
| ``pages_movements`` | ``/emulation/movements/new``, ``/emulation/movements/{id}`` (board, |
|  | registration, ``…/close``), ``…/units/{unit}`` (a participant's results, own targets) |
| ``pages_movement_edit`` | ``…/movements/{id}/indicators[/check]``, ``…/participants[/check]`` |
| ``pages_registrations`` | ``/emulation/registrations/new``, ``/emulation/registrations/{id}`` |
|  | (entries, ``…/entries/{n}/withdraw``, ``…/close``, ``…/nominate``) |
"""

from __future__ import annotations

from fastapi import APIRouter

from services.web import (
    pages_attachments,
    pages_audit,
    pages_catalogue,
    pages_ceremonies,
    pages_certificates,
    pages_cluster_reports,
    pages_cluster_scores,
    pages_council,
    pages_covenant_config,
    pages_dashboard,
    pages_decisions,
    pages_emulation,
    pages_imports,
    pages_money,
    pages_movement_edit,
    pages_movements,
    pages_personal_data,
    pages_printing,
    pages_registrations,
    pages_registry,
    pages_schedules,
    pages_session,
    pages_submissions,
    pages_units,
    pages_users,
    pages_workflow,
)
from services.web.errors import install
from services.web.templating import page_message, templates

router = APIRouter(include_in_schema=False)
router.include_router(pages_session.router)
router.include_router(pages_workflow.router)
router.include_router(pages_submissions.router)
router.include_router(pages_attachments.router)
router.include_router(pages_council.router)
router.include_router(pages_imports.router)  # /decisions/imports before /decisions/{id}
router.include_router(pages_decisions.router)
router.include_router(pages_ceremonies.router)
router.include_router(pages_registry.router)
router.include_router(pages_money.router)
router.include_router(pages_certificates.router)
router.include_router(pages_printing.router)
router.include_router(pages_users.router)
router.include_router(pages_units.router)
router.include_router(pages_schedules.router)
router.include_router(pages_catalogue.router)
router.include_router(pages_dashboard.router)
router.include_router(pages_covenant_config.router)  # …/{year}/covenant before …/{action}
router.include_router(pages_emulation.router)
router.include_router(pages_cluster_reports.router)
router.include_router(pages_cluster_scores.router)  # scores, agreed scores, deductions
router.include_router(pages_movements.router)
router.include_router(pages_movement_edit.router)  # …/indicators, …/participants (issue 19)
router.include_router(pages_registrations.router)
router.include_router(pages_audit.router)  # /audit (issue 18)
router.include_router(pages_personal_data.router)  # /personal-data/… (issue 18)

__all__ = ["install", "page_message", "router", "templates"]
