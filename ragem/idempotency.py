"""``Idempotency-Key``: a write a flaky mobile network repeats is done once, and answered again.

The client sends a key of its choice with a write. The first request with that key does the work
and leaves a record (the account, the key, a fingerprint of the request's fields); a retry with
the same key and the same fields gets the first answer again; the same key with other fields is
refused (422 ``idempotency_key_reused``), because the client is confused and guessing would lose
or duplicate what a citizen sent.

Each plugin keeps the records in its own table (with whatever links the record to its answer: an
incident, a checkout's orders); :class:`IdempotencyKeys` is the one implementation of the rules
over such a table. Two retries racing each other are decided by the table's unique constraint on
(account, key): the loser's transaction is rolled back and it answers the winner's result.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any, Callable, Generic, TypeVar

from marshmallow import EXCLUDE, Schema, fields, validate
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ragem.errors import ApiError
from ragem.extensions import db

T = TypeVar("T")

HEADER = "Idempotency-Key"
MAX_KEY_LENGTH = 100
MSG_KEY_REUSED = {
    "id": "Idempotency-Key ini sudah dipakai untuk permintaan dengan isi lain. Pakai kunci baru.",
    "en": "This Idempotency-Key was already used for a request with another body. Use a new key.",
}


def fingerprint(fields_: dict[str, Any]) -> str:
    """SHA-256 (hex) of the request's fields as canonical JSON (keys sorted, UTF-8): tells a retry
    from another request sent with the same key. Values JSON cannot hold are taken as text."""
    canonical = json.dumps(fields_, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def header_schema(description: str) -> type[Schema]:
    """A schema for ``@blp.arguments(..., location="headers")`` reading the required
    ``Idempotency-Key`` header into ``idempotency_key`` (1-100 characters, no control characters;
    other headers are ignored). ``description`` is what ``openapi.yaml`` tells the app's developers the key does."""

    class IdempotencyKeyHeaderSchema(Schema):
        """The ``Idempotency-Key`` header (other headers are ignored)."""

        class Meta:
            unknown = EXCLUDE

        idempotency_key = fields.String(
            data_key=HEADER, required=True,
            validate=[validate.Length(min=1, max=MAX_KEY_LENGTH),
                      validate.Regexp(r"^[^\x00-\x1f\x7f]*$", error="no control characters")],
            metadata={"description": description})

    return IdempotencyKeyHeaderSchema


class IdempotencyKeys(Generic[T]):
    """The Idempotency-Key rules over one plugin's table of records.

    :param model: the records' model. It has the columns ``key`` (text, 100 characters) and
        ``fingerprint`` (64 characters), the account's id in ``owner`` (``user_id`` by default),
        and a unique constraint on (owner, key).
    :param answer: the answer a retry gets, from the earlier request's record (the incident it
        raised, the orders it made).
    :param message: the 422 message in Indonesian and English (``{"id": ..., "en": ...}``),
        naming what the key was used for; a general one by default.
    :param reused: the text of ``details["Idempotency-Key"]`` in that 422.
    """

    def __init__(self, model, *, answer: Callable[[Any], T], owner: str = "user_id",
                 message: dict[str, str] | None = None, reused: str = "already used for a request with another body"):
        self.model = model
        self.answer = answer
        self.owner = owner
        self.message = message or MSG_KEY_REUSED
        self.reused = reused

    def earlier(self, owner_id: str, key: str, print_: str) -> T | None:
        """The answer of the request ``owner_id`` already made with ``key``, or ``None``.

        :raises ApiError: 422 ``idempotency_key_reused`` when that request had another fingerprint.
        """
        record = db.session.scalar(select(self.model).where(getattr(self.model, self.owner) == owner_id,
                                                            self.model.key == key))
        if record is None:
            return None
        if record.fingerprint != print_:
            raise ApiError("idempotency_key_reused", self.message, status=422, details={HEADER: self.reused})
        return self.answer(record)

    def claim(self, record) -> None:
        """Add the new request's ``record`` (built by the caller with the key and the fingerprint
        ``once`` handed it) and flush it now, not at commit: the unique key decides a race between
        two retries of one request here, before either does more work."""
        db.session.add(record)
        db.session.flush()

    def once(self, owner_id: str, key: str, fields_: dict[str, Any], work: Callable[[str], T]) -> tuple[T, bool]:
        """Do ``work`` once for (``owner_id``, ``key``): ``(its answer, True)``; a retry with the same
        ``fields_`` gets ``(the first answer, False)`` and nothing is done again.

        ``work(fingerprint)`` checks the request, does it, calls :meth:`claim` with a record holding
        ``fingerprint``, commits and returns the answer. When a concurrent retry claimed the key
        first, the claim (or the commit) fails on the unique constraint: the transaction is rolled
        back and the winner's answer returned. Any other error of ``work`` passes through.

        :raises ApiError: 422 ``idempotency_key_reused``: the key was used with other fields.
        """
        print_ = fingerprint(fields_)
        earlier = self.earlier(owner_id, key, print_)
        if earlier is not None:
            return earlier, False
        try:
            return work(print_), True
        except IntegrityError:
            db.session.rollback()
            earlier = self.earlier(owner_id, key, print_)
            if earlier is None:
                raise  # another constraint failed: not a race over this key
            return earlier, False
