"""What the CLI says when a command fails: a sentence with the next step, never a traceback or a dict.

Operators of a city with few IT staff read these; each names what went wrong and what to do.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

import click
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError, ProgrammingError

from ragem.config import ConfigError
from ragem.errors import ApiError
from ragem.i18n import message as core_message
from ragem.i18n import translate

#: What to say instead of an API error's message when the CLI can say better (``{details}`` filled in).
INSTEAD = {
    "confirmation_required": "{slug} is a critical service: add --confirm to switch it off.",
}
#: Next steps added after an API error's message, by error code.
NEXT_STEPS = {
    "not_found": "Check the name or id: `ragem services list`, `ragem plugins list` or `ragem jobs failed` show what exists.",
}


def describe_database(url: str) -> str:
    """The database URL with its password hidden, as commands print it."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001 - a malformed URL is shown as given (it holds no password then)
        return url


def _is_missing_table(exc: Exception) -> bool:
    text = str(getattr(exc, "orig", exc)).lower()
    return "no such table" in text or ("relation" in text and "does not exist" in text)


def _is_missing_sqlite_file(exc: Exception, database_url: str | None) -> bool:
    """A read-only command opened a SQLite database whose file does not exist (it is never created)."""
    if not database_url or "unable to open database file" not in str(getattr(exc, "orig", exc)).lower():
        return False
    try:
        url = make_url(database_url)
    except Exception:  # noqa: BLE001 - not a URL we could have opened
        return False
    return url.drivername.startswith("sqlite") and bool(url.database) and not Path(url.database).exists()


def explain(exc: Exception, database_url: str | None = None) -> click.ClickException | None:
    """The ``ClickException`` to show for ``exc``, or ``None`` when it is not an error we can explain."""
    if isinstance(exc, ConfigError):
        return click.ClickException(f"{exc} (fix the variable in the environment or in .env, then try again)")
    if isinstance(exc, (OperationalError, ProgrammingError)) and (
            _is_missing_table(exc) or _is_missing_sqlite_file(exc, database_url)):
        where = f" at {describe_database(database_url)}" if database_url else ""
        return click.ClickException(
            f"the database{where} has no RAGEM tables yet: run `ragem db upgrade` first "
            "(or set RAGEM_DATABASE_URL / RAGEM_INSTANCE_PATH to the database the server uses)"
        )
    if isinstance(exc, ApiError):
        return click.ClickException(_api_sentence(exc.code, exc.message, exc.details))
    return None


def _api_sentence(code: str, message: Any, details: Mapping[str, Any] | None) -> str:
    details = dict(details or {})
    if code in INSTEAD:
        try:
            return INSTEAD[code].format(**details)
        except (KeyError, IndexError):
            pass
    sentence = (translate(message, "en") if message else core_message(code, "en")).rstrip(".")
    facts = ", ".join(f"{key}: {value}" for key, value in details.items())
    step = NEXT_STEPS.get(code)
    return f"{sentence}{f' ({facts})' if facts else ''}." + (f" {step}" if step else "")
