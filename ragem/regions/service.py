"""Looking up the regions of Kota Serang (used by the API, citizens' profiles and plugins)."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from ragem.errors import NotFound
from ragem.extensions import db
from ragem.regions.models import Region

REGION_NOT_FOUND = {"id": "Wilayah tidak ditemukan.", "en": "Region not found."}


def get_region(code: Any) -> Region | None:
    """The region with Kemendagri code ``code``, or ``None`` (also for a non-string code)."""
    if not isinstance(code, str) or not code:
        return None
    return db.session.get(Region, code)


def is_kelurahan(code: Any) -> bool:
    """Whether ``code`` is the Kemendagri code of a kelurahan of Kota Serang."""
    region = get_region(code)
    return region is not None and region.level == "kelurahan"


def _require(code: str) -> Region:
    region = get_region(code)
    if region is None:
        raise NotFound(message=REGION_NOT_FOUND, details={"code": code})
    return region


def _as_dict(region: Region) -> dict[str, Any]:
    return {
        "code": region.code,
        "bps_code": region.bps_code,
        "name": region.name,
        "level": region.level,
        "parent_code": region.parent_code,
    }


def region_tree() -> list[dict[str, Any]]:
    """The roots (Kota Serang) with nested ``children`` down to the kelurahan, ordered by code.

    The whole table is 74 rows, so one query and an in-memory build beat any recursive SQL.
    """
    nodes: dict[str, dict[str, Any]] = {}
    roots = []
    for region in db.session.scalars(select(Region).order_by(Region.code)):
        node = {**_as_dict(region), "children": []}
        nodes[region.code] = node
    for node in nodes.values():
        parent = nodes.get(node["parent_code"]) if node["parent_code"] else None
        (parent["children"] if parent else roots).append(node)
    return roots


def list_regions(parent: str | None = None, level: str | None = None) -> list[Region]:
    """Regions filtered by ``parent`` and/or ``level``, ordered by code.

    ``parent`` alone: its direct children. With ``level`` too: every region under ``parent`` at
    that level (so ``parent=36.73&level=kelurahan`` lists all 67 kelurahan).

    :raises NotFound: ``parent`` is not a known region.
    """
    stmt = select(Region).order_by(Region.code)
    if parent is not None:
        _require(parent)
        if level is None:
            stmt = stmt.where(Region.parent_code == parent)
        else:
            # Kemendagri codes are hierarchical (36.73 > 36.73.01 > 36.73.01.1001), so "under"
            # is a prefix match; ``parent`` is a validated, existing code with no LIKE wildcards.
            stmt = stmt.where(Region.code.like(f"{parent}.%"))
    if level is not None:
        stmt = stmt.where(Region.level == level)
    return list(db.session.scalars(stmt))


def region_detail(code: str) -> dict[str, Any]:
    """One region with its parent code and its direct children.

    :raises NotFound: no region has this code.
    """
    region = _require(code)
    children = db.session.scalars(select(Region).where(Region.parent_code == code).order_by(Region.code))
    return {**_as_dict(region), "children": [_as_dict(child) for child in children]}
