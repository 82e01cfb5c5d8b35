"""Schemas of the file API."""
from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import ValidationError, fields, validate
from werkzeug.datastructures import FileStorage as UploadedFile

from ragem.schemas import BaseSchema, UtcDateTime
from ragem.storage.service import PURPOSE_PATTERN


class FileField(Upload):
    """A file part of a multipart body (a plain text field with the same name is refused)."""

    def _deserialize(self, value, attr, data, **kwargs):
        if not isinstance(value, UploadedFile):
            raise ValidationError("Expected a file part (multipart/form-data with a filename).")
        return value


class FilePart(Upload):
    """One file part of a multipart body, for a plugin's upload route: a plain text field with the
    same name is refused, and so is a second file (read, not dropped in silence)."""

    #: Read every part with this name, so a second file is refused instead of dropped in silence.
    is_multiple = True

    def _deserialize(self, value, attr, data, **kwargs):
        if isinstance(value, (list, tuple)):
            if len(value) != 1:
                raise ValidationError("One file per upload; send each file in its own request.")
            value = value[0]
        if not isinstance(value, UploadedFile):
            raise ValidationError("Expected a file part (multipart/form-data with a filename).")
        return value


class FileUploadSchema(BaseSchema):
    """``POST /api/v1/files``: a multipart body with the file and, optionally, its purpose."""

    file = FileField(required=True, metadata={"description": "JPEG, PNG or WebP photo, or a PDF"})
    purpose = fields.String(
        load_default="upload",
        validate=validate.Regexp(PURPOSE_PATTERN, error="1-40 lowercase letters, digits, '.', '_' or '-'."),
        metadata={"description": "what the file is for, e.g. rabeg.photo", "example": "rabeg.photo"},
    )


class StoredFileSchema(BaseSchema):
    """A stored file and a short-lived link to it."""

    id = fields.String(required=True, metadata={"format": "uuid"})
    content_type = fields.String(required=True, metadata={"example": "image/jpeg"})
    size = fields.Integer(required=True, metadata={"description": "bytes stored (after metadata removal)"})
    sha256 = fields.String(required=True)
    purpose = fields.String(required=True)
    created_at = UtcDateTime(required=True)
    url = fields.String(
        required=True,
        metadata={"description": "signed path that opens the file without logging in until it expires"},
    )
    url_expires_in = fields.Integer(required=True, metadata={"description": "seconds the url stays valid"})


class FileAccessQuerySchema(BaseSchema):
    """A signed link's query (both or neither; without them the caller must be logged in)."""

    expires = fields.Integer(
        validate=validate.Range(min=0, max=2**40),
        metadata={"description": "unix time the signed link stops working"},
    )
    signature = fields.String(
        validate=validate.Length(max=128),
        metadata={"description": "HMAC-SHA256 (hex) of the file id and expires"},
    )
