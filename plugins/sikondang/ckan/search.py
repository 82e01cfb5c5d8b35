"""``package_search``'s ``q``, ``fq`` and ``sort``: the Solr syntax harvesters send, the part they use.

Understood: free words (in the title, description, name or tags, both languages), ``*:*`` (all),
and ``field:value``, ``field:"a value"`` or ``field:[FROM TO UNTIL]`` clauses joined by spaces or
``AND`` (``+`` required, ``-`` excluded) on ``name``, ``id``, ``tags``, ``organization``,
``owner_org``, ``groups``, ``res_format``, ``license_id``, ``type``/``dataset_type``,
``metadata_modified`` and ``metadata_created``. Anything else is a Search Query Error, never a guess.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable

from plugins.sikondang.ckan.errors import SearchQueryError

_CLAUSE = re.compile(r'([+-]?)([A-Za-z_]+):("([^"]*)"|\[([^\]]*)\]|([^\s"\[\]]+))')
FIELDS = {"name", "id", "tags", "organization", "owner_org", "groups", "res_format", "license_id", "type",
          "dataset_type", "metadata_modified", "metadata_created"}
SORTS = {"metadata_modified", "metadata_created", "name", "title_string", "score"}


@dataclass
class Clause:
    """One ``field:value`` condition (``excluded`` for a ``-`` clause)."""

    field: str
    value: str | tuple[datetime | None, datetime | None]
    excluded: bool

    def matches(self, package: dict[str, Any]) -> bool:
        """Whether the CKAN package dict satisfies the clause (before exclusion)."""
        if isinstance(self.value, tuple):
            moment = datetime.fromisoformat(package[self.field])
            low, high = self.value
            return (low is None or moment >= low) and (high is None or moment <= high)
        value = self.value.lower()
        values = {
            "name": [package["name"]], "id": [package["id"]], "tags": [t["name"] for t in package["tags"]],
            "organization": [package["organization"]["name"]], "owner_org": [package["owner_org"]],
            "groups": [g["name"] for g in package["groups"]], "res_format": [r["format"] for r in package["resources"]],
            "license_id": [package["license_id"]], "type": [package["type"]], "dataset_type": [package["type"]],
        }[self.field]
        return value == "*" or value in {str(v).lower() for v in values}


def _moment(text: str, query: str) -> datetime | None:
    if text == "*":
        return None
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        # Package times are naive UTC: compare like with like.
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


def matcher(q: str, fq: str) -> Callable[[dict[str, Any]], bool]:
    """A predicate on CKAN package dicts for ``q`` and ``fq``."""
    q = (q or "").strip()
    if q in ("*:*", "*"):
        q = ""
    q_clauses, words = parse_clauses(q)
    fq_clauses, fq_words = parse_clauses((fq or "").strip())
    if fq_words:
        raise SearchQueryError(fq)
    clauses = q_clauses + fq_clauses
    lowered = [w.lower() for w in words]

    def matches(package: dict[str, Any]) -> bool:
        for clause in clauses:
            if clause.matches(package) == clause.excluded:
                return False
        if lowered:
            extras = {e["key"]: e["value"] for e in package["extras"]}
            haystack = " ".join([package["name"], package["title"], package["notes"] or "", extras.get("title_en", ""),
                                 extras.get("notes_en", ""), *(t["name"] for t in package["tags"])]).lower()
            return all(word in haystack for word in lowered)
        return True

    return matches


def sorter(sort: str | None) -> tuple[Callable[[dict[str, Any]], Any], bool]:
    """The sort key and direction of ``sort`` (``metadata_modified desc`` by default)."""
    text = (sort or "metadata_modified desc").strip()
    first = text.split(",")[0].split()
    if not first or first[0] not in SORTS or (len(first) > 1 and first[1] not in ("asc", "desc")) or len(first) > 2:
        raise SearchQueryError(text)
    field = first[0]
    descending = len(first) < 2 or first[1] == "desc"
    if field == "score":
        field, descending = "metadata_modified", True
    key = {"title_string": lambda p: p["title"].lower(), "name": lambda p: p["name"]}.get(field, lambda p: p[field])
    return key, descending
