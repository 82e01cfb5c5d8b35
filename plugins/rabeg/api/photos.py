"""``POST /photos``: a citizen (or officer) uploads a photo first, then files it by id."""
from __future__ import annotations

from ragem import toolkit

from plugins.rabeg import photos
from plugins.rabeg.access import FILE, HANDLE
from plugins.rabeg.schemas.photos import PhotoUploadedSchema, PhotoUploadSchema

blp = toolkit.Blueprint("rabeg_photos", __name__, description="RABEG: complaint photos")


@blp.route("/photos", methods=["POST"])
@toolkit.login_required
@blp.arguments(PhotoUploadSchema, location="multipart")
@blp.response(201, PhotoUploadedSchema)
def upload_complaint_photo(body):
    """Upload one JPEG or PNG photo (checked by content, at most 5 MiB, EXIF/GPS removed) with a thumbnail.

    The answer's ``id`` goes into ``photos`` when filing a complaint (or an officer's response);
    413 too large, 415 not a JPEG or PNG, 422 unreadable.
    """
    user = toolkit.current_user()
    if not (toolkit.can(user, FILE) or toolkit.can(user, HANDLE)):
        raise toolkit.Forbidden(details={"required_permission": f"{FILE} or {HANDLE}"})
    return photos.upload(body["file"], uploader=user)
