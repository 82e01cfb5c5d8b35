"""Folders and files RAGEM creates are its own user's alone (0700 / 0600), whatever the umask.

The instance folder holds the SQLite database (every citizen's profile), development keys, uploads
and metrics; another account on the same host must not read any of it.
"""
from __future__ import annotations

import os
from pathlib import Path

FOLDER_MODE = 0o700
FILE_MODE = 0o600


def private_folder(path: str | os.PathLike[str]) -> Path:
    """Create ``path`` (and missing parents) readable by this user only; an existing folder is left
    as it is (an operator may have chosen its permissions); returns the path."""
    folder = Path(path)
    missing = []
    current = folder
    while not current.exists() and current != current.parent:
        missing.append(current)
        current = current.parent
    folder.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
    for created in missing:  # mkdir's mode only applies to the last part, and the umask trims it
        os.chmod(created, FOLDER_MODE)
    return folder


def private_file(path: str | os.PathLike[str]) -> Path:
    """Create ``path`` empty and readable by this user only when it does not exist yet (SQLite then
    gives its journal and WAL files the same mode); returns the path."""
    target = Path(path)
    private_folder(target.parent)
    try:
        os.close(os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE))
    except FileExistsError:
        pass
    return target
