"""Schemas of the profile API."""
from __future__ import annotations

from marshmallow import fields

from ragem.schemas import BaseSchema


class ProfileSummarySchema(BaseSchema):
    """The citizen's overview: one section per available service, keyed by its slug."""

    sections = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(),
        required=True,
        metadata={"description": "service slug -> the section that service contributes", "example": {"rabeg": {"open": 2}}},
    )
