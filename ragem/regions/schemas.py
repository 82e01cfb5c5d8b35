"""Schemas of the regions API."""
from __future__ import annotations

from marshmallow import fields, validate

from ragem.regions.models import LEVELS
from ragem.schemas import BaseSchema

# Kemendagri codes: 36.73 (kota), 36.73.01 (kecamatan), 36.73.01.1001 (kelurahan/desa).
CODE_PATTERN = r"^\d{2}\.\d{2}(\.\d{2}(\.\d{4})?)?$"


class RegionQuerySchema(BaseSchema):
    """Filters of ``GET /api/v1/regions``; without any, the whole tree is returned."""

    parent = fields.String(
        validate=validate.Regexp(CODE_PATTERN, error="Not a Kemendagri region code (e.g. 36.73.01)."),
        metadata={
            "description": "Kemendagri code of a region: lists its direct children, or with `level` "
            "every region under it at that level",
            "example": "36.73.01",
        },
    )
    level = fields.String(
        validate=validate.OneOf(LEVELS),
        metadata={"description": "only regions of this level"},
    )


class RegionSchema(BaseSchema):
    """A region of Kota Serang."""

    code = fields.String(required=True, metadata={"description": "Kemendagri code", "example": "36.73.01.1001"})
    bps_code = fields.String(
        required=True, allow_none=True, metadata={"description": "BPS code (the city and kecamatan only)"}
    )
    name = fields.String(required=True, metadata={"example": "Serang"})
    level = fields.String(required=True, validate=validate.OneOf(LEVELS))
    parent_code = fields.String(
        required=True, allow_none=True, metadata={"description": "Kemendagri code of the parent (null for the city)"}
    )


class RegionNodeSchema(RegionSchema):
    """A region in the tree, with the regions under it."""

    children = fields.List(
        fields.Nested(lambda: RegionNodeSchema()),
        metadata={"description": "present only in the full tree (no filter given)"},
    )


class RegionListSchema(BaseSchema):
    """Regions: the tree's root (Kota Serang) with nested children, or a flat filtered list."""

    items = fields.List(fields.Nested(RegionNodeSchema), required=True)


class RegionDetailSchema(RegionSchema):
    """One region with its direct children (flat)."""

    children = fields.List(fields.Nested(RegionSchema), required=True)
