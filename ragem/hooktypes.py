"""Value types that cross the plugin contract: what hooks return and what the core passes in.

Plugins get them through ``ragem.toolkit``; they are plain frozen dataclasses so a plugin can build
them without touching the database or Flask.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, Callable, Mapping, Protocol, Sequence, runtime_checkable

# Kota Serang's clock (WIB) is UTC+7, without daylight saving.
_WIB_OFFSET = timedelta(hours=7)

SLUG_PATTERN = re.compile(r"^[a-z][a-z0-9]{1,31}$")


@runtime_checkable
class Account(Protocol):
    """A RAGEM account as plugins see it: who is calling, or whom a hook is about.

    ``toolkit.current_user()`` and the hooks that take a ``user`` give an object with these
    attributes and nothing a plugin may rely on beyond them. Personal data (name, phone, NIK,
    address) is deliberately absent: a plugin reads it through ``toolkit.read_profile``, which
    records the read in the citizen's access log.
    """

    @property
    def id(self) -> str | None:
        """The account id (a UUID string); ``None`` only for ``ANONYMOUS_CITIZEN``."""

    @property
    def opd_code(self) -> str | None:
        """The OPD an officer works for (``DPUPR``), ``None`` for citizens."""

    @property
    def preferred_language(self) -> str:
        """``id`` or ``en``: the language of messages sent to the account outside a request."""

    @property
    def roles(self) -> Sequence[str]:
        """The roles the account holds (``citizen``, ``officer``, ``admin``), sorted."""

    @property
    def primary_role(self) -> str:
        """The strongest role, the label of the account in the audit log."""

    def has_role(self, role: str) -> bool:
        """Whether the account holds ``role``."""


@dataclass(frozen=True)
class AnonymousActor:
    """An ``Account`` with no id: the actor to record for what an anonymous citizen did.

    Passing ``None`` as an audit actor would mean "the logged-in user" and undo the anonymity;
    this one is written as role ``citizen`` with no account id.
    """

    id: None = None
    opd_code: None = None
    preferred_language: str = "id"
    roles: tuple[str, ...] = ("citizen",)
    primary_role: str = "citizen"

    def has_role(self, role: str) -> bool:
        """Whether the anonymous actor holds ``role`` (only ``citizen``)."""
        return role in self.roles


#: The actor of an anonymous filing or of a step by an anonymous reporter.
ANONYMOUS_CITIZEN = AnonymousActor()


@dataclass(frozen=True)
class PluginInfo:
    """Who a service is: returned by ``ragem_plugin_info``.

    ``name`` and ``description`` are ``{"id": ..., "en": ...}``; ``opd`` is the code of the owning
    OPD (see ``GET /api/v1/opds``); a ``critical`` service needs explicit confirmation to disable.
    """

    slug: str
    name: Mapping[str, str]
    description: Mapping[str, str]
    opd: str
    version: str
    icon: str = "app"
    critical: bool = False

    def problems(self) -> list[str]:
        """Reasons this info is unusable (empty when valid)."""
        found = []
        if not SLUG_PATTERN.match(self.slug or ""):
            found.append(f"slug {self.slug!r} must be 2-32 lowercase letters/digits, starting with a letter")
        for label, text in (("name", self.name), ("description", self.description)):
            if not isinstance(text, Mapping) or not text.get("id") or not text.get("en"):
                found.append(f"{label} needs both 'id' and 'en' texts")
        if not self.opd:
            found.append("opd (the owning agency's code) is required")
        if not self.version:
            found.append("version is required")
        return found


@dataclass(frozen=True)
class Permission:
    """A permission a plugin declares: ``<slug>.<action>``, what it allows, who has it by default."""

    name: str
    description: Mapping[str, str]
    default_roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class ProfileFieldUse:
    """A profile field a plugin reads, and why (shown to the citizen in the access record)."""

    field: str
    purpose: Mapping[str, str]


@dataclass(frozen=True)
class Period:
    """An evaluation period on Kota Serang's calendar (WIB, UTC+7): a month (``2026-11``), a quarter
    (``2026-Q4``), a year (``2026``) or a five-year Renstra period (``2025-2029``, ``year`` its first).

    ``start`` is inclusive and ``end`` exclusive: the instants midnight WIB begins the first day and
    the day after the last, as naive UTC like stored timestamps (1 November begins at 17:00 UTC on
    31 October). Compare stored timestamps with them as they are.
    """

    key: str
    kind: str  # "month" | "quarter" | "year" | "renstra"
    year: int
    start: datetime
    end: datetime

    @property
    def first_day(self) -> date:
        """The period's first day on Kota Serang's calendar (for tables kept per WIB day)."""
        return (self.start + _WIB_OFFSET).date()

    @property
    def end_day(self) -> date:
        """The day after the period's last, on Kota Serang's calendar (exclusive, like ``end``)."""
        return (self.end + _WIB_OFFSET).date()


@dataclass(frozen=True)
class KpiValue:
    """One measured indicator for a period, returned by ``ragem_kpis``.

    ``key`` is unique across the platform (prefix it with the slug). ``higher_is_better`` tells
    the evaluation whether the value must reach or stay under the target. ``cumulative`` marks a
    count that adds up over time (complaints received): its yearly target is pro-rated to the
    period (a month gets 1/12). A rate or an average (share resolved, hours to answer) is not
    cumulative and is compared with the yearly target as is. ``value`` is ``None`` when there is
    no data for the period.
    """

    key: str
    name: Mapping[str, str]
    value: float | None
    unit: str = ""
    higher_is_better: bool = True
    cumulative: bool = False


@dataclass(frozen=True)
class OpenItems:
    """How much work waits in a service's queue for one staff member, returned by ``ragem_open_items``.

    ``count`` is what the console's dashboard shows beside ``label`` (``{"id": ..., "en": ...}``,
    e.g. "open complaints" or "shops awaiting verification").
    """

    count: int
    label: Mapping[str, str]


@dataclass(frozen=True)
class PeriodicJob:
    """A job the scheduler runs every ``every_seconds`` (at most once per interval platform-wide).

    A job of a day or more (``every_seconds`` a multiple of 86400) runs at a stated time of day in
    WIB, the city's clock: ``at="02:00"``, midnight WIB when not given. Shorter jobs take no ``at``.
    """

    name: str
    every_seconds: int
    func: Callable[[], Any]
    at: str | None = None


#: Channels a message can leave RAGEM through (``ragem_deliver_message``).
MESSAGE_CHANNELS = ("sms", "whatsapp", "push", "email")
MESSAGE_MAX_CHARS = 4096


@dataclass(frozen=True)
class OutboundMessage:
    """A message to deliver outside the app: ``channel`` is ``sms``, ``whatsapp``, ``push`` or ``email``.

    ``to`` is a phone number (E.164) for SMS and WhatsApp, the user id for push (a push gateway
    looks up the user's devices), an email address for email. ``purpose`` says why it is sent (``otp``, ``rabeg.status``...).
    """

    channel: str
    to: str
    body: str
    user_id: str | None = None
    purpose: str = ""
    data: Mapping[str, Any] = field(default_factory=dict)

    def problems(self) -> list[str]:
        """Reasons this message cannot be delivered (empty when valid)."""
        found = []
        if self.channel not in MESSAGE_CHANNELS:
            found.append(f"channel {self.channel!r} must be one of {', '.join(MESSAGE_CHANNELS)}")
        if not isinstance(self.to, str) or not self.to.strip():
            found.append("to (the recipient) is required")
        if not isinstance(self.body, str) or not self.body.strip():
            found.append("body is required")
        elif len(self.body) > MESSAGE_MAX_CHARS:
            found.append(f"body is longer than {MESSAGE_MAX_CHARS} characters")
        if not isinstance(self.data, Mapping):
            found.append("data must be a mapping")
        return found


#: What became of a message at a gateway: accepted (``sent``), then ``delivered`` to the phone,
#: ``read`` by the person, or ``failed``. Receipts only move a message forward along this order.
DELIVERY_STATUSES = ("sent", "delivered", "read", "failed")


@dataclass(frozen=True)
class MessageGateway:
    """A way out a plugin offers (``ragem_message_gateways``): a ``provider`` name for the delivery
    record (``whatsapp-cloud``, ``sms-twilio``...) and the ``channel`` it takes."""

    provider: str
    channel: str


@dataclass(frozen=True)
class DeliveryResult:
    """A gateway's answer to ``ragem_deliver_message``: who took the message and what became of it.

    ``status`` is ``sent`` (the provider accepted it; receipts follow) or ``failed`` (with
    ``error``, a short reason without the recipient or the body). ``provider_message_id`` is the
    provider's id of the message, which its delivery receipts name; ``cost_units`` what the
    provider says it cost, when it says.
    """

    provider: str
    status: str = "sent"
    provider_message_id: str | None = None
    cost_units: float | None = None
    error: str | None = None

    @property
    def ok(self) -> bool:
        """Whether the provider took the message."""
        return self.status != "failed"


@dataclass(frozen=True)
class UserEvent:
    """Something that happened to an account: ``registered``, ``verified``, ``updated``, ``deleted``..."""

    name: str
    user_id: str
    at: datetime
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ErasureReport:
    """What a plugin did when asked to erase a user: rows deleted, rows kept anonymised and why."""

    deleted: int = 0
    anonymised: int = 0
    kept_reason: str = ""


def as_date(value: date | datetime) -> date:
    """A date from a date or datetime (helper for KPI implementations)."""
    return value.date() if isinstance(value, datetime) else value


@dataclass(frozen=True)
class ConsoleRedirect:
    """What an action's handler may return to send the browser to another of the plugin's pages
    after success (a form that creates something goes to the new record's page).

    ``page`` is the name of one of the same plugin's pages; ``values`` fill its path rule, the rest
    become the query string.
    """

    page: str
    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ConsoleAction:
    """A form on a plugin's console page: a POST that changes something, then back to the page.

    ``handler(account, form, **path_values)`` does the work through the plugin's own service
    functions (the same the API views call) and commits; ``form`` is what ``schema`` (a marshmallow
    schema class, fields as the API's) loaded from the posted form (empty fields are left out, so
    they take the schema's defaults). On success the console flashes ``done`` and redirects to the
    page (redirect-after-post), or to the page a returned ``ConsoleRedirect`` names. A
    ``toolkit.ApiError`` from the handler is shown on the page in the user's language (404 and 403
    as the console's pages, anything else with the error's status); nothing is half done because
    the service rolled back. ``permission`` is checked before the handler runs (``None``: the
    page's permission); the CSRF token is checked before that.
    """

    name: str
    handler: Callable[..., Any]
    schema: Any = None
    permission: str | None = None
    done: Mapping[str, str] = field(default_factory=lambda: {"id": "Tersimpan.", "en": "Saved."})


@dataclass(frozen=True)
class ConsolePage:
    """A page a plugin adds to the staff console, served at ``/console/p/<slug>/<name>``.

    ``view(account)`` answers the context of ``template``, a Jinja2 file inside ``template_folder``
    (the plugin's own folder); the console wraps it in its frame. ``permission`` is one the plugin
    declared through ``ragem_permissions`` (``None``: every officer and admin may open it); a page
    the user may not open is neither listed nor served.

    Optional, for pages that do more than show a list:

    - ``path``: a Werkzeug rule tail such as ``"<int:complaint_id>"``; the page is then served at
      ``/console/p/<slug>/<name>/<path>``, ``view`` gets the values as keyword arguments, and the
      page is not listed in the navigation (it is reached from a link);
    - ``query``: a marshmallow schema class for the query string (filters); ``view`` gets what it
      loaded as ``query=``; a bad value is shown as the page's error (400), not a 500;
    - ``actions``: ``ConsoleAction`` forms posted to ``/console/p/<slug>/<name>[/<path>]/act/<action>``.
    """

    name: str
    title: Mapping[str, str]
    view: Callable[..., Mapping[str, Any]]
    template: str
    template_folder: str
    permission: str | None = None
    path: str | None = None
    query: Any = None
    actions: Sequence[ConsoleAction] = ()
