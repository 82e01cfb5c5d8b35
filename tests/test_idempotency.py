"""Idempotency-Key: a repeated write is done once and answered again; a reused key is refused."""
from __future__ import annotations

import pytest
from marshmallow import ValidationError
from sqlalchemy import Integer, String, UniqueConstraint, create_engine, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ragem import toolkit
from ragem.errors import ApiError
from ragem.extensions import db


class _Base(DeclarativeBase):
    """Kept off the app's metadata: the suite's schema checks never see this table."""


class Record(_Base):
    __tablename__ = "zz_idem_record"
    __table_args__ = (UniqueConstraint("owner", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner: Mapped[str] = mapped_column(String(36), nullable=False)
    key: Mapped[str] = mapped_column(String(100), nullable=False)
    fingerprint: Mapped[str] = mapped_column(String(64), nullable=False)
    answer: Mapped[str] = mapped_column(String(40), nullable=False)


MESSAGE = {"id": "Kunci sudah dipakai untuk pesanan lain.", "en": "Key already used for another order."}


@pytest.fixture
def keys(app):
    """An IdempotencyKeys over a throwaway table, inside an app context; the work done is counted."""
    with app.test_request_context():
        _Base.metadata.create_all(db.engine)
        try:
            yield toolkit.IdempotencyKeys(Record, owner="owner", answer=lambda record: record.answer,
                                          message=MESSAGE, reused="already used for another order")
        finally:
            db.session.rollback()
            _Base.metadata.drop_all(db.engine)


def work_named(keys, name: str, done: list, owner="u1", key="k1"):
    """A write that records its answer ``name`` under the key, commits, and notes that it ran."""

    def work(fingerprint):
        done.append(name)
        keys.claim(Record(owner=owner, key=key, fingerprint=fingerprint, answer=name))
        db.session.commit()
        return name

    return work


def test_a_retry_gets_the_first_answer_and_nothing_is_done_twice(keys):
    done = []
    assert keys.once("u1", "k1", {"qty": 2, "note": "pedas"}, work_named(keys, "first", done)) == ("first", True)
    # The same fields in another order are the same request.
    assert keys.once("u1", "k1", {"note": "pedas", "qty": 2}, work_named(keys, "second", done)) == ("first", False)
    assert done == ["first"]
    # Another account's key of the same name is its own.
    assert keys.once("u2", "k1", {"qty": 2, "note": "pedas"}, work_named(keys, "theirs", done, owner="u2")) == ("theirs", True)
    assert db.session.query(Record).count() == 2


def test_the_same_key_with_another_body_is_refused_and_changes_nothing(keys):
    done = []
    keys.once("u1", "k1", {"qty": 2}, work_named(keys, "first", done))
    with pytest.raises(ApiError) as refused:
        keys.once("u1", "k1", {"qty": 3}, work_named(keys, "second", done))
    error = refused.value
    assert (error.status, error.code) == (422, "idempotency_key_reused")
    assert error.details == {"Idempotency-Key": "already used for another order"}
    assert done == ["first"] and db.session.query(Record).count() == 1


def test_non_ascii_text_and_values_json_cannot_hold_are_fingerprinted_stably(keys):
    from datetime import date

    done = []
    fields = {"note": "Titip ke Bu Ani, jangan pedas 🌶", "day": date(2026, 12, 6)}
    assert keys.once("u1", "k1", fields, work_named(keys, "first", done))[1] is True
    assert keys.once("u1", "k1", dict(fields), work_named(keys, "again", done)) == ("first", False)
    with pytest.raises(ApiError):
        keys.once("u1", "k1", {**fields, "note": "Titip ke Bu Ani, jangan pedas"}, work_named(keys, "other", done))


def test_a_refused_request_leaves_no_record_and_may_be_sent_again(keys):
    done = []

    def refuse(fingerprint):
        done.append("refused")
        raise toolkit.Conflict("out_of_stock")

    with pytest.raises(ApiError):
        keys.once("u1", "k1", {"qty": 2}, refuse)
    db.session.rollback()
    assert keys.once("u1", "k1", {"qty": 2}, work_named(keys, "later", done)) == ("later", True)
    assert done == ["refused", "later"]


def test_a_concurrent_retry_that_claimed_the_key_first_wins_and_its_answer_is_given(keys, app):
    done = []
    other = create_engine(db.engine.url.render_as_string(hide_password=False))  # another connection: another request

    def slower(fingerprint):
        # The other retry of the same request commits its record while this one is still working.
        with other.begin() as connection:
            connection.execute(insert(Record).values(owner="u1", key="k1", fingerprint=fingerprint, answer="winner"))
        done.append("loser")
        keys.claim(Record(owner="u1", key="k1", fingerprint=fingerprint, answer="loser"))
        raise AssertionError("the claim must fail on the unique key")

    try:
        assert keys.once("u1", "k1", {"qty": 1}, slower) == ("winner", False)
    finally:
        other.dispose()
    assert [r.answer for r in db.session.query(Record)] == ["winner"]


def test_another_constraint_failing_is_not_taken_for_a_race(keys):
    def broken(fingerprint):
        db.session.add(Record(owner="u1", key="k1", fingerprint=fingerprint, answer="a"))
        db.session.add(Record(owner="u1", key="k1", fingerprint=fingerprint, answer="b"))
        db.session.flush()

    with pytest.raises(IntegrityError):
        keys.once("u1", "k9", {"qty": 1}, broken)


def test_the_header_schema_reads_the_key_and_refuses_what_is_no_key():
    schema = toolkit.idempotency_header("a retry answers the first booking")()
    assert schema.load({"Idempotency-Key": "5d0c-aa", "User-Agent": "RAGEM/1.0"}) == {"idempotency_key": "5d0c-aa"}
    for bad in ({}, {"Idempotency-Key": ""}, {"Idempotency-Key": "x" * 101}, {"Idempotency-Key": "a\x00b"},
                {"Idempotency-Key": "a\nb"}):
        with pytest.raises(ValidationError) as refused:
            schema.load(bad)
        assert "Idempotency-Key" in refused.value.messages
    field = schema.fields["idempotency_key"]
    assert field.required and field.metadata["description"] == "a retry answers the first booking"
