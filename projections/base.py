"""Base class for read models: a view turns events into rows; the runner feeds it.

A view declares its tables' DDL and a ``version``; when the version in the code differs from the
one recorded in the tracking table, the runner drops the view's tables and projects from zero.
The tables a view owns are read from its DDL (``table_names``), never listed by hand: a table
added to the DDL is dropped and rebuilt with the rest. Handlers are looked up by event class; an
event a view does not handle is skipped.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, datetime
from typing import Any, ClassVar
from uuid import UUID

from projections.db import Cursor

Handler = Callable[[Cursor, Any, int], None]
_CREATE_TABLE = re.compile(
    r"\s*CREATE\s+(?:VIRTUAL\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([A-Za-z_][A-Za-z0-9_]*)",
    re.IGNORECASE,
)


class View:
    name: ClassVar[str]
    version: ClassVar[int] = 1

    def __init__(self) -> None:
        self.handlers: dict[type, Handler] = self.build_handlers()

    def build_handlers(self) -> dict[type, Handler]:
        return {}

    def ddl(self, dialect: str) -> list[str]:
        raise NotImplementedError

    def table_names(self, dialect: str) -> tuple[str, ...]:
        """Every table the view's DDL creates, in creation order."""
        return tuple(m.group(1) for statement in self.ddl(dialect)
                     if (m := _CREATE_TABLE.match(statement)))

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
