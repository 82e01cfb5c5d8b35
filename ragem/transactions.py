"""One way to end a unit of work: commit it, or roll it back and let the error through.

Every rule that writes used to spell out ``try: ... commit() except: rollback(); raise`` on its
own; a copy that forgot the rollback would leave the session unusable for the rest of the
request. ``committed`` is that block, written once.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from sqlalchemy.exc import IntegrityError

from ragem.errors import ApiError
from ragem.extensions import db


@contextmanager
def committed(*, conflict: ApiError | None = None) -> Iterator[None]:
    """Commit what the ``with`` block changed; on any error roll back and re-raise it.

    :param conflict: raised instead of an ``IntegrityError`` (a unique value taken by someone
        else between our check and our commit), so the client gets a 409 and not a 500.
    """
    try:
        yield
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        if conflict is not None:
            raise conflict from None
        raise
    except Exception:
        db.session.rollback()
        raise
