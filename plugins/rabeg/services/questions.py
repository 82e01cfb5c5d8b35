"""A category's extra questions (Open311 "attributes"): checking their definitions and the answers to them.

A definition is ``{"code", "datatype", "required", "description": {"id", "en"}, "order", "values"}``;
``values`` (``[{"key", "name": {"id", "en"}}]``) belongs to the two list types only, and they need it.
Answers are stored normalised in ``Complaint.answers`` as ``{code: value}``: numbers as int or float,
datetimes as ISO 8601 UTC strings ending in ``Z``, list answers as the chosen key (or list of keys).
"""
from __future__ import annotations

import math
import re
from datetime import datetime, timezone
from typing import Any

from ragem import toolkit

DATATYPES = ("string", "number", "datetime", "text", "singlevaluelist", "multivaluelist")
LIST_TYPES = ("singlevaluelist", "multivaluelist")
CODE_RE = re.compile(r"^[A-Za-z0-9_-]{1,40}$")
#: Longest answer for free-text questions (a "string" is one line, a "text" a paragraph).
MAX_LENGTH = {"string": 300, "text": 4000}
MAX_QUESTIONS = 30
#: Largest magnitude of a number answer (below 2**53, so every JSON client reads it exactly).
MAX_NUMBER = 10**15
MAX_VALUES = 50

_DEFINITION_KEYS = {"code", "datatype", "required", "description", "order", "values"}


def _text_pair(value: Any, limit: int) -> str | None:
    """Why ``value`` is not an ``{"id", "en"}`` pair of non-empty strings (``None`` if it is)."""
    if not isinstance(value, dict) or set(value) != {"id", "en"}:
        return 'must be {"id": ..., "en": ...}'
    if not all(isinstance(v, str) and v.strip() and len(v) <= limit for v in value.values()):
        return f"both texts non-empty, at most {limit} characters"
    return None


def _definition_problems(question: Any) -> dict[str, str]:
    """What is wrong with one question definition (empty if nothing)."""
    if not isinstance(question, dict):
        return {"question": "must be an object"}
    problems: dict[str, str] = {}
    unknown = set(question) - _DEFINITION_KEYS
    if unknown:
        problems["unknown_fields"] = ", ".join(sorted(map(str, unknown)))
    code = question.get("code")
    if not isinstance(code, str) or not CODE_RE.match(code):
        problems["code"] = "1-40 characters of A-Z, a-z, 0-9, _ or -"
    datatype = question.get("datatype")
    if datatype not in DATATYPES:
        problems["datatype"] = f"one of {', '.join(DATATYPES)}"
    if not isinstance(question.get("required"), bool):
        problems["required"] = "true or false"
    why = _text_pair(question.get("description"), 300)
    if why:
        problems["description"] = why
    order = question.get("order")
    if not isinstance(order, int) or isinstance(order, bool) or not 0 <= order <= 10_000:
        problems["order"] = "an integer from 0 to 10000"
    values = question.get("values")
    if datatype in LIST_TYPES:
        if not isinstance(values, list) or not 1 <= len(values) <= MAX_VALUES:
            problems["values"] = f"1-{MAX_VALUES} choices required for {datatype}"
        else:
            keys = []
            for value in values:
                if (not isinstance(value, dict) or set(value) != {"key", "name"}
                        or not isinstance(value.get("key"), str) or not CODE_RE.match(value["key"])
                        or _text_pair(value.get("name"), 120)):
                    problems["values"] = 'each choice is {"key": "a-z0-9_-", "name": {"id", "en"}}'
                    break
                keys.append(value["key"])
            else:
                if len(set(keys)) != len(keys):
                    problems["values"] = "choice keys must be unique"
    elif values is not None:
        problems["values"] = "only singlevaluelist and multivaluelist have choices"
    return problems


def check_definitions(questions: Any) -> list[dict[str, Any]]:
    """Validate a category's question definitions; returns them sorted by ``order`` (then code).

    :raises toolkit.ValidationError: with ``details`` per question index (and ``codes`` for duplicates).
    """
    if not isinstance(questions, list) or len(questions) > MAX_QUESTIONS:
        raise toolkit.ValidationError(
            message={"id": "Pertanyaan kategori tidak valid.", "en": "Invalid category questions."},
            details={"questions": f"a list of at most {MAX_QUESTIONS} questions"},
        )
    details: dict[str, Any] = {}
    for index, question in enumerate(questions):
        problems = _definition_problems(question)
        if problems:
            details[str(index)] = problems
    codes = [q.get("code") for q in questions if isinstance(q, dict)]
    duplicates = sorted({c for c in codes if isinstance(c, str) and codes.count(c) > 1})
    if duplicates:
        details["duplicate_codes"] = duplicates
    if details:
        raise toolkit.ValidationError(
            message={"id": "Pertanyaan kategori tidak valid.", "en": "Invalid category questions."},
            details={"questions": details},
        )
    cleaned = [{**q, "values": q.get("values")} if q["datatype"] in LIST_TYPES else
               {k: v for k, v in q.items() if k != "values"} for q in questions]
    return sorted(cleaned, key=lambda q: (q["order"], q["code"]))


def _datetime_answer(value: Any) -> str:
    """An ISO 8601 moment with its zone, as UTC ``...Z``; ``ValueError`` otherwise."""
    if not isinstance(value, str) or len(value) > 40:
        raise ValueError("ISO 8601 date-time with a time zone")
    text = value[:-1] + "+00:00" if value.endswith(("Z", "z")) else value
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError("ISO 8601 date-time with a time zone") from None
    if moment.tzinfo is None:
        raise ValueError("the time zone is missing (e.g. +07:00 or Z)")
    try:
        utc = moment.astimezone(timezone.utc)
    except OverflowError:  # 0001-01-01T00:00+14:00 and the like fall off the calendar in UTC
        raise ValueError("a date-time between the years 1 and 9999 in UTC") from None
    return toolkit.isoformat_z(utc.replace(tzinfo=None))


def _answer(question: dict[str, Any], value: Any) -> Any:
    """The normalised answer to ``question``; ``ValueError`` with the reason if it does not fit."""
    datatype = question["datatype"]
    if datatype in MAX_LENGTH:
        if not isinstance(value, str) or not value.strip():
            raise ValueError("a non-empty text")
        if len(value) > MAX_LENGTH[datatype]:
            raise ValueError(f"at most {MAX_LENGTH[datatype]} characters")
        return value.strip()
    if datatype == "number":
        # Bounded: a 400-digit integer overflowed math.isfinite (a 500), and beyond 2**53 a JSON
        # client (JavaScript) would not read back the number the citizen typed.
        if (isinstance(value, bool) or not isinstance(value, (int, float))
                or (isinstance(value, float) and not math.isfinite(value)) or abs(value) > MAX_NUMBER):
            raise ValueError(f"a number between -{MAX_NUMBER:.0e} and {MAX_NUMBER:.0e}")
        return value
    if datatype == "datetime":
        return _datetime_answer(value)
    keys = [v["key"] for v in question["values"]]
    if datatype == "singlevaluelist":
        if not isinstance(value, str) or value not in keys:
            raise ValueError(f"one of {', '.join(keys)}")
        return value
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ValueError(f"a non-empty list of {', '.join(keys)}")
    unknown = [v for v in value if v not in keys]
    if unknown:
        raise ValueError(f"unknown choices {', '.join(unknown[:5])[:200]}; one or more of {', '.join(keys)}")
    return list(dict.fromkeys(value))  # keep the citizen's order, drop repeats


def check_answers(questions: list[dict[str, Any]], answers: Any) -> dict[str, Any]:
    """Check ``answers`` (``{code: value}``) against a category's ``questions``; returns them normalised.

    Required questions must be answered (``None`` counts as no answer), every value must fit its
    datatype, and codes the category does not ask are refused by name.
    :raises toolkit.ValidationError: ``details.answers`` maps each offending code to the reason.
    """
    if answers is None:
        answers = {}
    if not isinstance(answers, dict):
        raise toolkit.ValidationError(details={"answers": "an object {question code: answer}"})
    by_code = {q["code"]: q for q in questions or []}
    problems: dict[str, str] = {}
    cleaned: dict[str, Any] = {}
    for code, value in answers.items():
        question = by_code.get(code)
        if question is None:
            problems[str(code)[:60]] = "this category does not ask this question"
        elif value is not None:
            try:
                cleaned[code] = _answer(question, value)
            except ValueError as exc:
                problems[code] = str(exc)
    for code, question in by_code.items():
        if question.get("required") and code not in cleaned and code not in problems:
            problems[code] = "required"
    if problems:
        raise toolkit.ValidationError(
            message={"id": "Jawaban pertanyaan kategori tidak valid.", "en": "Invalid answers to the category's questions."},
            details={"answers": problems},
        )
    return cleaned
