"""What the console's list pages share: one page of a keyset list, and the names behind account ids."""
from __future__ import annotations

from typing import Any, Callable, Iterable

from flask import abort, request
from sqlalchemy import select

from ragem.auth.models import User
from ragem.errors import ApiError
from ragem.extensions import db

PAGE_SIZE = 25


def one_page(fetch: Callable[..., tuple[list[Any], str | None]], *, form: bool = False,
             **filters) -> tuple[list[Any], str | None]:
    """``fetch(limit=, cursor=, **filters)`` for the ``cursor`` of the query string (of the posted
    form with ``form=True``: a search posted to keep personal data out of the address).

    A cursor that was tampered with is the API's ``invalid_cursor``: here a 400 page, never a 500.
    """
    cursor = (request.form if form else request.args).get("cursor") or None
    try:
        return fetch(limit=PAGE_SIZE, cursor=cursor, **filters)
    except ApiError:
        abort(400)


def account_names(ids: Iterable[str | None]) -> dict[str, str]:
    """The names of the accounts ``ids`` (one query), for lists that show who did something."""
    wanted = sorted({i for i in ids if i})
    if not wanted:
        return {}
    return {row.id: row.name for row in db.session.execute(select(User.id, User.name).where(User.id.in_(wanted)))}
