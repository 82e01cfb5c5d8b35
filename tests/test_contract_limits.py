"""The limits ``openapi.yaml`` states are the limits the code enforces.

Client generators and the mobile app trust ``maxLength`` and friends. A text the contract allows
but a ``String(n)`` column cannot hold fails on PostgreSQL (a 500) or is silently cut elsewhere; a
limit the contract states but the server does not keep is a promise broken the other way. The first
test walks every request schema of every route; the others show, at each limit found wrong once,
that a value at the limit is accepted and one just over it is refused with the envelope and
changes nothing (the services' limits are shown the same way in their own tests, so these core
tests run with any service denied).
"""
from __future__ import annotations

import importlib
import re._parser as regex_parser
from collections.abc import Iterator

import yaml
from marshmallow import Schema, fields, validate
from sqlalchemy import func, select

from ragem.apidocs.spec import contract_app
from ragem.database import db

from test_openapi import COMMITTED

# A regular expression that may match any length reports a width at least this large.
_UNBOUNDED = 2**16


def _enforced_max_length(field: fields.Field) -> int | None:
    """The longest text ``field``'s validators let through (None: no bound)."""
    bounds = []
    for check in field.validators:
        if isinstance(check, validate.Length):
            bounds += [n for n in (check.max, check.equal) if n is not None]
        elif isinstance(check, validate.OneOf):
            bounds.append(max(len(str(choice)) for choice in check.choices))
        elif isinstance(check, validate.Regexp):
            widest = regex_parser.parse(check.regex.pattern, check.regex.flags).getwidth()[1]
            if widest < _UNBOUNDED:
                bounds.append(widest)
    return min(bounds) if bounds else None


def _request_schemas(app) -> Iterator[tuple[str, Schema]]:
    """Every schema of what a route may store (JSON body, form), named by the route's endpoint.
    Query arguments only filter what is stored, so a long one finds nothing rather than failing."""
    for endpoint, view in app.view_functions.items():
        arguments = (getattr(view, "_apidoc", None) or {}).get("arguments", {})
        for parameter in arguments.get("parameters", []):
            if parameter.get("in", "json") not in ("json", "form"):
                continue
            schema = parameter["schema"]
            yield endpoint, schema() if isinstance(schema, type) else schema


def _models_beside(module_name: str) -> list[type]:
    """The model classes of the package a schema module belongs to (``plugins.rabeg.schemas.x``
    -> ``plugins.rabeg.models``)."""
    parts = module_name.split(".")
    for end in range(len(parts) - 1, 0, -1):
        try:
            models = importlib.import_module(".".join(parts[:end] + ["models"]))
        except ModuleNotFoundError:
            continue
        return [mapper.class_ for mapper in db.Model.registry.mappers if mapper.class_.__module__ == models.__name__]
    return []


def _column_lengths(models: list[type], names: list[str], schema_names: tuple[str, ...]) -> list[tuple[str, int]]:
    """``(Model.column, length)`` of the sized columns called one of ``names``: those of the models
    the innermost schema naming a model mentions (``MeasureSchema`` nested in
    ``DatasetCreateSchema`` -> ``Measure``), or of every model when no schema names one."""
    found = []
    for model in models:
        for name in names:
            column = model.__table__.columns.get(name)
            length = getattr(column.type, "length", None) if column is not None else None
            if length:
                found.append((model, f"{model.__name__}.{name}", length))
    for schema_name in reversed(schema_names):
        # The innermost schema that names a model decides, even when that model has no such
        # column (``IncidentCloseSchema.note`` lands in no ``Alert.note``).
        named = [model for model in models if model.__name__.lower() in schema_name.lower()]
        if named:
            return [(label, length) for model, label, length in found if model in named]
    return [(label, length) for _, label, length in found]


def _text_fields(schema: Schema, path: str = "", parent: str = "", names: tuple[str, ...] = ()) -> Iterator[tuple]:
    """``(path, field, column names it may land in, schema class names)`` for every text field,
    nested schemas and lists of texts included."""
    names = (*names, type(schema).__name__)
    for name, field in schema.fields.items():
        if field.dump_only:
            continue
        attribute = field.attribute or name
        inner = field.inner if isinstance(field, fields.List) else field
        if isinstance(inner, fields.Nested):
            yield from _text_fields(inner.schema, f"{path}{name}.", attribute, names)
        elif isinstance(inner, fields.String):
            columns = [attribute] + ([f"{parent}_{attribute}"] if parent else [])
            yield f"{path}{name}", inner, columns, names


def test_no_request_text_is_longer_than_the_column_it_lands_in():
    app = contract_app()
    problems = set()
    with app.app_context():
        for endpoint, schema in _request_schemas(app):
            models = _models_beside(type(schema).__module__)
            for path, field, columns, names in _text_fields(schema):
                for column, length in _column_lengths(models, columns, names):
                    allowed = _enforced_max_length(field)
                    if allowed is None or allowed > length:
                        problems.add(f"{endpoint}: {type(schema).__name__}.{path} allows {allowed or 'any'} "
                                     f"characters, {column} holds {length}")
    assert not sorted(problems), sorted(problems)


def test_the_walk_sees_nested_and_bilingual_texts():
    """The check above cannot pass by looking at nothing: it finds texts inside nested schemas and
    the ``name_id`` column behind ``name.id``."""
    app = contract_app()
    with app.app_context():
        found = {(endpoint, path): _column_lengths(_models_beside(type(schema).__module__), columns, names)
                 for endpoint, schema in _request_schemas(app) for path, _, columns, names in _text_fields(schema)}
    assert found[("rabeg_categories.create_category", "name.id")] == [("Category.name_id", 120)]
    assert found[("sikondang_datasets.create_dataset", "measures.unit")] == [("Measure.unit", 40)]
    assert found[("sikondang_datasets.create_dataset", "unit")] == [("Dataset.unit", 60)]
    assert found[("darurat112_calls.record_call", "address")] == [("Incident.address", 300)]
    assert found[("darurat112_alerts.issue_alert", "headline.en")] == [("Alert.headline_en", 160)]
    assert found[("darurat112_command.close_incident", "note")] == []  # no Alert.note: it names Incident
    assert _enforced_max_length(fields.String(validate=validate.Regexp(r"^[A-Z0-9_]{2,20}$"))) == 20
    assert _enforced_max_length(fields.String(validate=validate.Regexp(r"^\S+$"))) is None


# -- the limits found wrong once, at the edge (the services' own are in their tests) ---------------

REGISTER = "/api/v1/auth/register"


def _refused_with_envelope(answer) -> dict:
    """The error of a refused request, after checking it is a 4xx in the error envelope."""
    assert 400 <= answer.status_code < 500, answer.get_json()
    error = answer.get_json()["error"]
    assert error["code"] and error["message"] and error["request_id"]
    return error


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_new_password_is_at_most_as_long_as_the_contract_says(client, db_session):
    from ragem.auth.models import User

    schema = yaml.safe_load(COMMITTED.read_text())["components"]["schemas"]["Register"]["properties"]["password"]
    longest = schema["maxLength"]
    person = {"name": "Siti Rahmawati", "nik": "3673011708850001", "phone": "0812-3456-7890"}
    too_long = client.post(REGISTER, json={**person, "password": "Kopi-Tubruk-" + "x" * (longest - 11)})
    assert _refused_with_envelope(too_long)["details"]["password"] == "too_long"
    assert _count(User) == 0
    at_limit = client.post(REGISTER, json={**person, "password": "Kopi-Tubruk-" + "x" * (longest - 12)})
    assert at_limit.status_code == 201, at_limit.get_json()
    assert _count(User) == 1
