"""File storage: one interface for uploaded files, local disk by default.

Plugins use it through the toolkit: ``toolkit.save_upload(...)`` to check, clean and keep an
upload, ``toolkit.signed_url(file_id)`` for a short-lived link, ``toolkit.storage()`` for the raw
backend (``put``/``open``/``delete``/``exists``). ``RAGEM_STORAGE_URL=s3://bucket/prefix`` keeps
the bytes in an S3-compatible object store (``ragem.storage.s3``) instead of the local folder.
"""
from pathlib import Path

from ragem.jobs.scheduler import register_core_job
from ragem.storage import models  # noqa: F401  (registers the table)
from ragem.storage.backends import FileNotStored, FileStorage, LocalDiskStorage
from ragem.storage.detect import DEFAULT_TYPES
from ragem.storage.models import StoredFile
from ragem.storage.s3 import from_settings as s3_from_settings
from ragem.storage.service import delete_file, get_storage, save_upload, signed_url

__all__ = [
    "DEFAULT_TYPES", "FileNotStored", "FileStorage", "LocalDiskStorage", "StoredFile",
    "delete_file", "get_storage", "save_upload", "signed_url",
]


def storage_from_settings(settings: dict, *, read_only: bool = False) -> FileStorage:
    """The backend the settings name: the object store of ``STORAGE_URL``, else the local folder."""
    if settings.get("STORAGE_URL"):
        return s3_from_settings(settings)
    root = settings.get("STORAGE_DIR") or Path(settings["INSTANCE_PATH"]) / "uploads"
    # A read-only app (a CLI command that only reads) must not leave an uploads folder behind.
    return LocalDiskStorage(root, create=not read_only)


def init_app(app, api) -> None:
    """Open the storage backend and mount the file API."""
    from ragem.storage.cleanup import JOB
    from ragem.storage.views import blp

    app.extensions["ragem.storage"] = storage_from_settings(app.config["RAGEM"], read_only=app.config.get("RAGEM_READ_ONLY"))
    register_core_job(app, JOB)  # core.files-cleanup: uploads nothing claimed, bytes without a row
    api.register_blueprint(blp)
