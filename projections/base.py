"""Base class for read models: a view turns events into rows; the runner feeds it.

A view declares its tables' DDL and a ``version``; when the version in the code differs from the
one recorded in the tracking table, the runner drops the view's tables and projects from zero.
Handlers are looked up by event class; an event a view does not handle is skipped.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, ClassVar
from uuid import UUID

from projections.db import Cursor

Handler = Callable[[Cursor, Any, int], None]


class View:
    name: ClassVar[str]
    version: ClassVar[int] = 1
    tables: ClassVar[tuple[str, ...]] = ()

    def __init__(self) -> None:
        self.handlers: dict[type, Handler] = self.build_handlers()

    def build_handlers(self) -> dict[type, Handler]:
        return {}

    def ddl(self, dialect: str) -> list[str]:
        raise NotImplementedError

    def apply_batch(self, cur: Cursor, items: list[tuple[int, Any]]) -> None:
        """Apply events in log order. Override to batch writes; the default is row by row."""
        handlers = self.handlers
        for position, event in items:
            handler = handlers.get(type(event))
            if handler is not None:
                handler(cur, event, position)


def sid(value: UUID | str | None) -> str | None:
    return None if value is None else str(value)


def iso(value: date | datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def loads(value: str | None) -> Any:
    return None if value is None else json.loads(value)
