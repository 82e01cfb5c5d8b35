"""The dashboard's "open items": each service's own count of the work waiting for this staff member."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Mapping

from flask import current_app

from ragem.extensions import db
from ragem.hooktypes import OpenItems

log = logging.getLogger("ragem.console")


@dataclass(frozen=True)
class OpenItemsLine:
    """One service's line on the dashboard; ``count`` is ``None`` when its hook failed."""

    slug: str
    service: Mapping[str, str]
    label: Mapping[str, str] | None
    count: int | None


def _valid(answer) -> bool:
    return (isinstance(answer, OpenItems) and isinstance(answer.count, int) and not isinstance(answer.count, bool)
            and answer.count >= 0 and isinstance(answer.label, Mapping))


def open_items(account) -> list[OpenItemsLine]:
    """Every started service's ``ragem_open_items`` answer for ``account``, by slug (the hook's combination rule).

    Switched-off services are asked too: their queue still waits. ``None`` leaves a service out;
    a plugin that raises or answers something else than ``OpenItems`` gets a line without a count.
    """
    registry = current_app.extensions["ragem.plugins"]
    lines = []
    for record in registry.services():
        if not registry.impls("ragem_open_items", record):
            continue
        try:
            answer = registry.call_one(record, "ragem_open_items", user=account)
        except Exception:  # noqa: BLE001 - one plugin's bug must not take the dashboard down
            db.session.rollback()
            log.exception("ragem_open_items failed", extra={"plugin": record.name})
            answer = False
        if answer is None:
            continue
        if not _valid(answer):
            if answer is not False:
                log.warning("ragem_open_items answered no OpenItems", extra={"plugin": record.name})
            lines.append(OpenItemsLine(record.slug, record.info.name, None, None))
            continue
        lines.append(OpenItemsLine(record.slug, record.info.name, answer.label, answer.count))
    return lines
