"""``package_search``'s ``q``, ``fq``, ``sort`` and facets as SQL: the Solr syntax harvesters send,
the part they use, answered by the database (never by loading every dataset).

Understood: free words (in the title, description, name or tags, both languages), ``*:*`` (all),
and ``field:value``, ``field:"a value"`` or ``field:[FROM TO UNTIL]`` clauses joined by spaces or
``AND`` (``+`` required, ``-`` excluded) on ``name``, ``id``, ``tags``, ``organization``,
``owner_org``, ``groups``, ``res_format``, ``license_id``, ``type``/``dataset_type``,
``metadata_modified`` and ``metadata_created``. Anything else is a Search Query Error, never a guess.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import String, and_, cast, false, func, not_, or_, select, true

from ragem import toolkit

from plugins.sikondang.ckan import shapes
from plugins.sikondang.ckan.errors import SearchQueryError, ValidationFailed
from plugins.sikondang.models import Dataset

_CLAUSE = re.compile(r'([+-]?)([A-Za-z_]+):("([^"]*)"|\[([^\]]*)\]|([^\s"\[\]]+))')
FIELDS = {"name", "id", "tags", "organization", "owner_org", "groups", "res_format", "license_id", "type",
          "dataset_type", "metadata_modified", "metadata_created"}
SORTS = {"metadata_modified": Dataset.updated_at, "metadata_created": Dataset.created_at, "name": Dataset.name,
         "title_string": func.lower(Dataset.title_id)}
#: Fields package_search counts values of (CKAN's default ``search.facets``).
FACETS = ("organization", "groups", "tags", "res_format", "license_id")
FACET_LIMIT = 50  # CKAN's search.facets.limit default
RESOURCE_FORMATS = ("CSV", "JSON")


@dataclass
class Clause:
    """One ``field:value`` condition (``excluded`` for a ``-`` clause)."""

    field: str
    value: str | tuple[datetime | None, datetime | None]
    excluded: bool

    def condition(self):
        """The clause as a SQL condition on ``Dataset`` (before exclusion)."""
        if isinstance(self.value, tuple):
            column = Dataset.updated_at if self.field == "metadata_modified" else Dataset.created_at
            low, high = self.value
            return and_(true() if low is None else column >= low, true() if high is None else column <= high)
        value = self.value.lower()
        if value == "*":
            return true()
        if self.field == "name":
            return Dataset.name == value
        if self.field == "id":
            return Dataset.ckan_id == value
        if self.field == "tags":
            return tag_condition(value)
        if self.field == "organization":
            return func.lower(Dataset.opd_code) == value
        if self.field == "owner_org":
            return Dataset.opd_code.in_(_opds_with_organization_id(value))
        if self.field == "groups":
            return func.lower(Dataset.topic) == value
        if self.field == "res_format":
            return true() if value.upper() in RESOURCE_FORMATS else false()
        if self.field == "license_id":
            licences = [ours for ours, (theirs, _) in shapes.LICENCES.items() if theirs == value]
            return or_(Dataset.licence.in_(licences), func.lower(Dataset.licence) == value)
        return true() if value == "dataset" else false()  # type, dataset_type


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def tag_condition(tag: str):
    """Datasets carrying ``tag`` (tags are lowercase words: their quoted JSON form is unambiguous)."""
    return cast(Dataset.tags, String).like(_like(f'"{tag}"'), escape="\\")


def _opds_with_organization_id(organization_id: str) -> list[str]:
    # Organization ids are derived from the OPD code: compare against the few OPDs that publish.
    codes = toolkit.db.session.scalars(select(Dataset.opd_code).distinct())
    return [code for code in codes if shapes.organization(code)["id"] == organization_id]


def _moment(text: str, query: str) -> datetime | None:
    if text == "*":
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        # Stored times are naive UTC: compare like with like.
        return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment
    except (ValueError, OverflowError):
        raise SearchQueryError(query) from None


def parse_clauses(text: str) -> tuple[list[Clause], list[str]]:
    """The clauses and the free words of ``text``; :raises SearchQueryError: on what is not understood."""
    clauses: list[Clause] = []
    rest = []
    position = 0
    for match in _CLAUSE.finditer(text):
        rest.append(text[position:match.start()])
        position = match.end()
        sign, field, _, quoted, ranged, plain = match.groups()
        if field not in FIELDS:
            raise SearchQueryError(text)
        if ranged is not None:
            if field not in ("metadata_modified", "metadata_created"):
                raise SearchQueryError(text)
            parts = ranged.split()
            if len(parts) != 3 or parts[1] != "TO":
                raise SearchQueryError(text)
            clauses.append(Clause(field, (_moment(parts[0], text), _moment(parts[2], text)), sign == "-"))
        else:
            if field in ("metadata_modified", "metadata_created"):
                raise SearchQueryError(text)
            clauses.append(Clause(field, quoted if quoted is not None else plain, sign == "-"))
    rest.append(text[position:])
    words = [w for w in " ".join(rest).split() if w not in ("AND", "&&")]
    if any(w in ("OR", "||", "NOT") or ":" in w or any(c in w for c in '"[](){}^~') for w in words):
        raise SearchQueryError(text)
    return clauses, words


def statement(q: str, fq: str):
    """The SELECT of the published datasets matching ``q`` and ``fq``."""
    q = (q or "").strip()
    if q in ("*:*", "*"):
        q = ""
    q_clauses, words = parse_clauses(q)
    fq_clauses, fq_words = parse_clauses((fq or "").strip())
    if fq_words:
        raise SearchQueryError(fq)
    stmt = select(Dataset).where(Dataset.state == "published")
    for clause in q_clauses + fq_clauses:
        condition = clause.condition()
        stmt = stmt.where(not_(condition) if clause.excluded else condition)
    for word in words[:16]:
        pattern = _like(word.lower())
        stmt = stmt.where(or_(*(func.lower(column).like(pattern, escape="\\") for column in (
            Dataset.name, Dataset.title_id, Dataset.title_en, Dataset.description_id, Dataset.description_en,
            cast(Dataset.tags, String)))))
    return stmt


def order(sort: str | None) -> list:
    """ORDER BY of ``sort`` (``metadata_modified desc`` by default; ``score`` is the latest change
    first, as no relevance is computed), the dataset id breaking ties."""
    text = (sort or "metadata_modified desc").strip()
    columns = []
    for part in text.split(","):
        words = part.split()
        if not words or len(words) > 2 or (words[0] not in SORTS and words[0] != "score") or \
                (len(words) == 2 and words[1] not in ("asc", "desc")):
            raise SearchQueryError(text)
        if words[0] == "score":
            columns.append(Dataset.updated_at.desc())
            continue
        column = SORTS[words[0]]
        columns.append(column.asc() if len(words) == 2 and words[1] == "asc" else column.desc())
    return [*columns, Dataset.id.desc()]


def facet_fields(raw: Any) -> list[str]:
    """``facet.field``: a JSON list of field names (a list already when the body was JSON)."""
    if raw is None or raw == "":
        return []
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raise ValidationFailed(**{"facet.field": ["Could not parse as valid JSON"]}) from None
    if not isinstance(raw, list) or not all(isinstance(f, str) and len(f) <= 100 for f in raw) or len(raw) > 20:
        raise ValidationFailed(**{"facet.field": ["Not a list of strings"]})
    return list(dict.fromkeys(raw))


def facets(stmt, fields: list[str], limit: int, mincount: int) -> dict[str, dict[str, int]]:
    """``{field: {value: count}}`` over the datasets ``stmt`` selects, counted by the database (tags
    by reading only that column), the ``limit`` commonest values with at least ``mincount``; a
    field this API does not facet on counts nothing, as Solr answers for a field no dataset has."""
    found = stmt.subquery()
    session = toolkit.db.session
    result: dict[str, dict[str, int]] = {}
    for field in fields:
        counts: Counter = Counter()
        if field in ("organization", "groups", "license_id"):
            column = {"organization": found.c.opd_code, "groups": found.c.topic, "license_id": found.c.licence}[field]
            for value, count in session.execute(select(column, func.count()).group_by(column)):
                if not value:
                    continue
                name = (shapes.organization_name(value) if field == "organization"
                        else shapes.LICENCES.get(value, (value.lower(),))[0] if field == "license_id" else value)
                counts[name] += count
        elif field == "tags":
            for tags in session.scalars(select(found.c.tags).execution_options(yield_per=500)):
                counts.update(tags or [])
        elif field == "res_format":
            total = session.scalar(select(func.count()).select_from(found))
            counts.update({fmt: total for fmt in RESOURCE_FORMATS if total})
        ranked = sorted(((name, count) for name, count in counts.items() if count >= mincount),
                        key=lambda item: (-item[1], item[0]))
        result[field] = dict(ranked if limit < 0 else ranked[:limit])
    return result


def search_facets(found: dict[str, dict[str, int]]) -> dict[str, Any]:
    """``facets`` as CKAN restructures them: per field a title and items (name, display name,
    count), sorted by display name, descending, as CKAN sorts them."""
    restructured: dict[str, Any] = {}
    for field, counts in found.items():
        items = []
        for name, count in counts.items():
            display = name
            if field == "organization":
                opd = toolkit.opd(name.upper())
                display = opd.name_id if opd else name
            elif field == "license_id":
                display = next((title for theirs, title in shapes.LICENCES.values() if theirs == name), name)
            items.append({"name": name, "display_name": display, "count": count})
        restructured[field] = {"title": field,
                               "items": sorted(items, key=lambda item: item["display_name"], reverse=True)}
    return restructured
