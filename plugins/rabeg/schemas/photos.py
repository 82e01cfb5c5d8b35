"""What the photo routes accept and answer, and how a complaint's photos are shown."""
from __future__ import annotations

from marshmallow import fields, validate

from ragem import toolkit
from ragem.toolkit import FromModel

from plugins.rabeg import photos


def _link(file_id: str) -> str:
    """A signed link to a stored file that works for a few minutes: photos are never public files."""
    return toolkit.signed_url(file_id, photos.URL_TTL_SECONDS)


#: The computed fields of every photo schema: signed links to the picture and to its thumbnail.
LINKS = {
    "url": lambda photo: _link(photo.file_id),
    "thumbnail_url": lambda photo: _link(photo.thumbnail_file_id) if photo.thumbnail_file_id else None,
}



class PhotoUploadSchema(toolkit.BaseSchema):
    """``POST /photos``: one JPEG or PNG photo in the multipart field ``file``."""

    file = toolkit.FilePart(required=True, metadata={"description": "JPEG or PNG, judged by its bytes; EXIF/GPS removed"})


class PhotoUploadedSchema(FromModel, toolkit.BaseSchema):
    """A stored photo, waiting to be attached to a complaint or response by its id."""

    computed = LINKS

    id = fields.Integer(required=True)
    content_type = fields.String(required=True, metadata={"example": "image/jpeg"})
    url = fields.String(required=True, metadata={"description": "signed link, valid a few minutes"})
    thumbnail_url = fields.String(allow_none=True, metadata={"description": "signed link to a JPEG <= 320 px"})


class PhotoSchema(FromModel, toolkit.BaseSchema):
    """A photo of a complaint (``report``) or of an officer's response (``response``)."""

    computed = LINKS

    id = fields.Integer(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(("report", "response")))
    url = fields.String(required=True, metadata={"description": "signed link, valid a few minutes"})
    thumbnail_url = fields.String(allow_none=True)
    hidden = fields.Boolean(metadata={"description": "moderated: shown to the OPD's staff only"})
