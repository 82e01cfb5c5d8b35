"""``POST /api/v1/files`` (upload) and ``GET /api/v1/files/<id>`` (owner, admin or signed link)."""
from __future__ import annotations

from flask import Response, g, request

from ragem.auth.guards import current_user, login_required
from ragem.blueprint import BEARER_SECURITY, Blueprint
from ragem.extensions import db
from ragem.schemas import ErrorSchema
from ragem.storage import service
from ragem.storage.detect import IMAGE_TYPES
from ragem.storage.schemas import FileAccessQuerySchema, FileUploadSchema, StoredFileSchema

blp = Blueprint("files", __name__, url_prefix="/api/v1/files", description="Uploaded files")

BINARY = {"type": "string", "format": "binary"}


@blp.route("", methods=["POST"])
@login_required
@blp.arguments(FileUploadSchema, location="multipart")
@blp.response(201, StoredFileSchema)
@blp.alt_response(413, schema=ErrorSchema,
                  description="Too large: file_too_large (bytes) or image_too_large (pixels, RAGEM_UPLOAD_MAX_PIXELS)")
@blp.alt_response(415, schema=ErrorSchema, description="unsupported_file_type: the bytes are not an accepted type")
@blp.alt_response(429, schema=ErrorSchema,
                  description="upload_quota_exceeded: the account's files or bytes of the last 24 hours are used up")
def upload_file(body):
    """Upload a photo or document; the type is judged by its bytes and image metadata is removed.

    The file is kept once a service uses it (a form that refers to its id); one that nothing
    claims within RAGEM_UPLOAD_UNATTACHED_HOURS (24 hours by default) is deleted.
    """
    # Pending: the file is only kept once a service claims it (toolkit.attach_file).
    row = service.save_upload(body["file"], owner_id=g.current_user.id, purpose=body["purpose"], pending=True)
    db.session.commit()
    return service.upload_answer(row)


@blp.route("/<string:file_id>")
@blp.doc(security=BEARER_SECURITY + [{}])  # a bearer token, or nothing with a signed link
@blp.arguments(FileAccessQuerySchema, location="query")  # other query parameters (cache busters) are ignored
@blp.response(
    200, BINARY, content_type="application/octet-stream",
    description="The file with its own Content-Type (image/jpeg, image/png, image/webp, application/pdf...).",
)
@blp.alt_response(401, schema=ErrorSchema, description="No signed link and no log-in")
@blp.alt_response(403, schema=ErrorSchema, description="Signed link invalid (invalid_signature) or expired (link_expired)")
@blp.alt_response(404, schema=ErrorSchema, description="No such file, or not the caller's")
def download_file(args, file_id):
    """The file, to its owner or an admin, or to anyone with a valid signed link."""
    row, data = service.file_for_download(
        file_id, user=current_user(), expires=args.get("expires"), signature=args.get("signature")
    )
    response = Response(data, mimetype=row.content_type)
    response.headers["X-Content-Type-Options"] = "nosniff"
    # A PDF or text opened in a browser tab must not run script as our origin.
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if row.content_type not in IMAGE_TYPES:
        response.headers["Content-Disposition"] = f'attachment; filename="{row.id}.{row.storage_key.rsplit(".", 1)[-1]}"'
    response.headers["Cache-Control"] = "private, max-age=300"
    response.set_etag(row.sha256)
    return response.make_conditional(request)
