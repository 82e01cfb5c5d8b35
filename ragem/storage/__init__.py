"""File storage: one interface for uploaded files, local disk by default.

Plugins use it through the toolkit: ``toolkit.save_upload(...)`` to check, clean and keep an
upload, ``toolkit.signed_url(file_id)`` for a short-lived link, ``toolkit.storage()`` for the raw
backend (``put``/``open``/``delete``/``exists``). An S3-compatible backend implements
``FileStorage`` and is set in ``app.extensions["ragem.storage"]``.
"""
from pathlib import Path

from ragem.jobs.scheduler import register_core_job
from ragem.storage import models  # noqa: F401  (registers the table)
from ragem.storage.backends import FileNotStored, FileStorage, LocalDiskStorage
from ragem.storage.detect import DEFAULT_TYPES
from ragem.storage.models import StoredFile
from ragem.storage.service import delete_file, get_storage, save_upload, signed_url

__all__ = [
    "DEFAULT_TYPES", "FileNotStored", "FileStorage", "LocalDiskStorage", "StoredFile",
    "delete_file", "get_storage", "save_upload", "signed_url",
]


def init_app(app, api) -> None:
    """Open the storage backend and mount the file API."""
    from ragem.storage.cleanup import JOB
    from ragem.storage.views import blp

    settings = app.config["RAGEM"]
    root = settings.get("STORAGE_DIR") or Path(settings["INSTANCE_PATH"]) / "uploads"
    # A read-only app (a CLI command that only reads) must not leave an uploads folder behind.
    app.extensions["ragem.storage"] = LocalDiskStorage(root, create=not app.config.get("RAGEM_READ_ONLY"))
    register_core_job(app, JOB)  # core.files-cleanup: uploads nothing claimed, bytes without a row
    api.register_blueprint(blp)
