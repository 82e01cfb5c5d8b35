"""Demo data: known accounts and every service's sample data, for trying RAGEM out.

``load_demo`` creates an admin, an officer for each active OPD and three citizens, then asks every
started plugin for its own sample data (the ``ragem_demo_data`` hook). It is idempotent: a second
run finds what the first created and changes nothing. Every demo account shares ``DEMO_PASSWORD``
and a phone number in the reserved ``+62 811 0000 xxxx`` range, so the accounts are easy to spot
and must never exist in production: ``load_demo`` refuses to run when ``RAGEM_ENV=production``.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from flask import current_app
from sqlalchemy import select

from ragem.auth.models import User
from ragem.auth.passwords import hash_password
from ragem.auth.accounts import create_user
from ragem.extensions import db
from ragem.transactions import committed

#: The one password of every demo account (documented in the README; never used in production).
DEMO_PASSWORD = "Demo-Ragem-2026"
#: Every demo phone number starts with this: +62 811 0000 xxxx.
DEMO_PHONE_PREFIX = "+628110000"
# Officers get the first free number from here up, so adding an OPD later never renumbers anyone.
_FIRST_OFFICER_NUMBER = 100
_LAST_OFFICER_NUMBER = 999


class DemoRefused(RuntimeError):
    """Demo data was asked for where it must not exist (production)."""


@dataclass(frozen=True)
class _Account:
    key: str
    role: str
    name: str
    phone: str
    # Citizens get a made-up but structurally valid NIK and a Kota Serang address, so the
    # profile, the masked NIK and services that read the kelurahan have something to show.
    nik: str | None = None
    kelurahan: str | None = None
    address: str | None = None


# Fixed accounts. Officers are derived from the OPD table (see ``_officer_codes``).
_FIXED = (
    _Account("admin", "admin", "Admin Diskominfo Kota Serang", DEMO_PHONE_PREFIX + "0001"),
    _Account("citizen1", "citizen", "Siti Nurhasanah", DEMO_PHONE_PREFIX + "0011",
             "3673015203900001", "36.73.01.1012", "Jl. Ki Mas Jong No. 12"),
    _Account("citizen2", "citizen", "Tb. Ahmad Fauzan", DEMO_PHONE_PREFIX + "0012",
             "3673031708850002", "36.73.03.1009", "Kp. Kapuren RT 02/RW 04"),
    _Account("citizen3", "citizen", "Euis Komalasari", DEMO_PHONE_PREFIX + "0013",
             "3673054501980003", "36.73.05.1002", "Jl. Bhayangkara No. 7"),
)
_FIXED_BY_KEY = {account.key: account for account in _FIXED}
OFFICER_KEY_PREFIX = "officer-"


def load_demo() -> list[dict]:
    """Create the demo accounts and every started service's demo data, then commit.

    Runs inside an app context. Idempotent. Returns the demo log-ins to print: dicts with
    ``key``, ``role``, ``name``, ``phone``, ``password`` (and ``opd`` for officers).

    :raises DemoRefused: when ``RAGEM_ENV`` is ``production``.
    """
    check_allowed(current_app)
    registry = current_app.extensions["ragem.plugins"]
    with committed():
        logins = [_ensure_fixed(account) for account in _FIXED]
        logins[1:1] = [_ensure_officer(code) for code in _officer_codes(registry)]
        # Plugins run after the accounts exist, so toolkit.demo_user() finds them.
        for _record, _answer in registry.per_plugin(
            "ragem_demo_data", only_available=False, isolate=False, session=db.session
        ):
            pass
    return logins


def check_allowed(app) -> None:
    """Refuse demo data in production, before anything touches the database.

    :raises DemoRefused: when ``RAGEM_ENV`` is ``production``.
    """
    if app.config["RAGEM"]["ENV"] == "production":
        raise DemoRefused(
            "refusing to load demo data: RAGEM_ENV=production, and demo accounts share a published "
            "password that must never exist on a production database"
        )


def demo_user(key: str) -> User:
    """The demo account with ``key``: ``admin``, ``citizen1``..``citizen3`` or ``officer-<OPD code>``.

    :raises LookupError: no such demo account (unknown key, or ``ragem demo load`` has not run).
    """
    user = None
    if key in _FIXED_BY_KEY:
        user = db.session.scalar(select(User).where(User.phone == _FIXED_BY_KEY[key].phone))
    elif key.startswith(OFFICER_KEY_PREFIX):
        user = _find_officer(key[len(OFFICER_KEY_PREFIX):])
    if user is None:
        raise LookupError(f"no demo account {key!r} (known: admin, citizen1-3, officer-<OPD code>)")
    return user


@cache
def _demo_password_hash() -> str:
    """One argon2 hash for every demo account: hashing is deliberately slow, the password shared."""
    return hash_password(DEMO_PASSWORD)


def _login(key: str, user: User, role: str) -> dict:
    entry = {"key": key, "role": role, "name": user.name, "phone": user.phone, "password": DEMO_PASSWORD}
    if role == "officer":
        entry["opd"] = user.opd_code
    return entry


def _ensure_fixed(account: _Account) -> dict:
    """The admin or a citizen, created on first run."""
    user = db.session.scalar(select(User).where(User.phone == account.phone))
    if user is None:
        user = create_user(
            name=account.name, phone=account.phone, password=DEMO_PASSWORD,
            password_hash=_demo_password_hash(), roles=(account.role,), nik=account.nik,
        )
        user.kelurahan_code = account.kelurahan
        user.address = account.address
    return _login(account.key, user, account.role)


def _ensure_officer(code: str) -> dict:
    """The officer of OPD ``code``, created with the first free officer number on first run."""
    user = _find_officer(code)
    if user is None:
        user = create_user(
            name=f"Petugas {code}", phone=_free_officer_phone(), password=DEMO_PASSWORD,
            password_hash=_demo_password_hash(), roles=("officer",), opd_code=code,
        )
    return _login(OFFICER_KEY_PREFIX + code, user, "officer")


def _demo_officer_phones() -> list[str]:
    return [f"{DEMO_PHONE_PREFIX}{n:04d}" for n in range(_FIRST_OFFICER_NUMBER, _LAST_OFFICER_NUMBER + 1)]


def _find_officer(code: str) -> User | None:
    """The demo officer of OPD ``code`` (a demo-range phone number and that OPD)."""
    users = db.session.scalars(
        select(User).where(User.opd_code == code, User.phone.in_(_demo_officer_phones())).order_by(User.created_at, User.id)
    ).all()
    return next((user for user in users if user.has_role("officer")), None)


def _free_officer_phone() -> str:
    # Phone numbers are stored as keyed hashes: ask which of the demo range are taken.
    phones = _demo_officer_phones()
    taken = {user.phone for user in db.session.scalars(select(User).where(User.phone.in_(phones)))}
    for phone in phones:
        if phone not in taken:
            return phone
    raise DemoRefused("no free demo phone number left for another officer")


def _officer_codes(registry) -> list[str]:
    """Codes of the active OPDs; the OPDs started plugins name when the OPD table is empty."""
    # Through the table (ragem.opds owns the model) so the demo never depends on OPD internals.
    table = db.metadata.tables.get("opd")
    codes: list[str] = []
    if table is not None:
        codes = list(db.session.scalars(select(table.c.code).where(table.c.active.is_(True))))
    if not codes:
        codes = [record.info.opd for record in registry.services() if record.info.opd]
    return sorted(set(codes))
