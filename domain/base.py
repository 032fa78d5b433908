"""Shared building blocks for aggregates: stable ids and topics.

Every aggregate and event class carries an explicit ``TOPIC`` ("tdkt.<module>:<Class>"), so that
renaming or moving a Python class never orphans stored events.
"""

from __future__ import annotations

from uuid import UUID, uuid5

# Namespace for deterministic ids (guards, users). Never change it: stored ids depend on it.
TDKT_NAMESPACE = UUID("5b0f4a86-3c1e-4a51-9a7e-2f1d8a6c0b17")


def stable_id(*parts: str) -> UUID:
    """A deterministic id for an invariant's key, e.g. ``stable_id("user", "admin")``."""
    return uuid5(TDKT_NAMESPACE, "\x1f".join(parts))


def topic(module: str, name: str) -> str:
    return f"tdkt.{module}:{name}"
