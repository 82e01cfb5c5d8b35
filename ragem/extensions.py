"""Flask extensions shared by the core and the plugins, created once and bound in ``create_app``."""
from __future__ import annotations

from flask import current_app
from flask_jwt_extended import JWTManager
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names so Alembic migrations are identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every RAGEM model, core and plugin alike."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
jwt = JWTManager()


def _rate_limit_key() -> str:
    """The client's address (the real one behind ``RAGEM_PROXY_COUNT`` proxies), in the app's namespace.

    One ``Limiter`` serves every app of the process, and flask-limiter keeps the key prefix of
    the first app it met; reading the prefix per request keeps apps (and test runs) apart.
    """
    return f"{current_app.config.get('RATELIMIT_KEY_PREFIX', 'ragem')}:{get_remote_address()}"


def _default_rate_limit() -> str:
    """``RAGEM_RATE_LIMIT`` of the app serving the request (read per request for the same reason)."""
    return current_app.config["RATELIMIT_DEFAULT"]


# Storage comes from app config (RATELIMIT_STORAGE_URI), set in create_app.
limiter = Limiter(key_func=_rate_limit_key, default_limits=[_default_rate_limit])
