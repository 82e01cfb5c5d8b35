"""The contract between the RAGEM core and its service plugins.

Every hook a plugin may implement is declared here, once. Each docstring says when the core calls
the hook, what it must return and how answers from several plugins combine. The combination rules
are implemented in one place: ``ragem.plugins.PluginRegistry``.

Plugins implement hooks with ``ragem.toolkit.hookimpl``; a function whose name starts with
``ragem_`` but matches no spec here fails start-up (``check_pending``).
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping

import click
import pluggy
from flask import Blueprint
from sqlalchemy.orm import Session

from ragem.hooktypes import (
    Account,
    ConsolePage,
    DeliveryResult,
    ErasureReport,
    KpiValue,
    MessageGateway,
    OpenItems,
    OutboundMessage,
    PeriodicJob,
    Period,
    Permission,
    PluginInfo,
    ProfileFieldUse,
    UserEvent,
)

PROJECT = "ragem"
hookspec = pluggy.HookspecMarker(PROJECT)


# ---------------------------------------------------------------------------------------------
# Identity of a service
# ---------------------------------------------------------------------------------------------

@hookspec
def ragem_plugin_info() -> PluginInfo:
    """Describe the service: slug, names, owning OPD, version, icon, critical flag.

    Called once per plugin at start-up. Required: a plugin without it is marked ``failed``.
    Combination: one answer per plugin; the core keeps each under the plugin that gave it.
    :returns: a ``PluginInfo``.
    """


@hookspec
def ragem_config_check(settings: Mapping[str, Any]) -> list[str] | None:
    """Validate the plugin's own settings at start-up.

    Called once per plugin after ``ragem_plugin_info``, with the validated core settings (plugin
    settings arrive as extra ``RAGEM_*`` keys, e.g. ``RAGEM_WIFI_RADIUS_SECRET`` -> ``WIFI_RADIUS_SECRET``).
    Combination: per plugin; any non-empty list marks that plugin ``failed`` with the problems as
    the reason, and the rest of the platform keeps serving.
    :returns: a list of problems (empty or ``None`` when the configuration is usable).
    """


@hookspec
def ragem_migrations() -> str | None:
    """Where the plugin's Alembic revisions live (a folder path), or ``None`` for no tables.

    Called by ``ragem db upgrade``. Each plugin keeps its own history in its own version table
    (``alembic_version_<slug>``), so installing or removing a plugin never disturbs another.
    Combination: per plugin.
    """


# ---------------------------------------------------------------------------------------------
# Web
# ---------------------------------------------------------------------------------------------

@hookspec
def ragem_blueprints() -> Iterable[Blueprint]:
    """Blueprints to mount under ``/api/v1/<slug>/``.

    Called once per plugin at start-up. Use ``toolkit.Blueprint`` so the routes enter
    ``openapi.yaml``. While the service is switched off its routes answer 503.
    Combination: per plugin, all mounted.
    :returns: an iterable of blueprints.
    """


@hookspec
def ragem_permissions() -> Iterable[Permission]:
    """Permissions the plugin declares (name ``<slug>.<action>``, description, default roles).

    Called at start-up. Views check them with ``toolkit.permission_required``.
    Combination: all collected; a name declared twice fails that plugin.
    """


@hookspec
def ragem_permission_check(user: Account, permission: str, resource: Any) -> bool | None:
    """Veto or allow a permission check for ``user`` on an optional ``resource``.

    Called on every ``toolkit.can``/``permission_required`` check after the role defaults.
    Combination: any ``False`` denies, whatever the roles say; ``True`` grants even when the roles
    do not; ``None`` abstains. Denials win over grants.
    """


@hookspec
def ragem_console_pages() -> Iterable[ConsolePage]:
    """Pages the plugin adds to the staff console (``/console/p/<slug>/<name>``).

    Called once per plugin at start-up. Each page names the permission it needs; the console lists
    and serves it only to officers and admins who hold it, and while the service is switched off
    the page says so instead of calling ``view`` or an action. A page may take a path value
    (``path``, a detail page), query filters (``query``) and CSRF-checked form actions
    (``actions``: ``toolkit.ConsoleAction``, each with its own permission).
    Combination: per plugin, all kept under the plugin's slug; a name used twice by one plugin
    keeps the first page (the second, an invalid name, a bad ``path`` or ``actions``, or anything
    but a ``ConsolePage`` is logged and dropped).
    :returns: an iterable of ``toolkit.ConsolePage``.
    """


# ---------------------------------------------------------------------------------------------
# The citizen profile and the citizen's data rights
# ---------------------------------------------------------------------------------------------

@hookspec
def ragem_profile_fields() -> Iterable[ProfileFieldUse]:
    """Profile fields the plugin reads and why (shown to citizens in their access record).

    Called at start-up. ``toolkit.read_profile`` refuses fields that were not declared.
    Combination: per plugin.
    """


@hookspec
def ragem_profile_summary(user: Account) -> Mapping[str, Any] | None:
    """One section of ``GET /api/v1/me/summary`` for ``user`` (counts, latest items).

    Called per request, only for available (switched on) services.
    Combination: per plugin; the section is keyed by slug. ``None`` means nothing to show.
    """


@hookspec
def ragem_user_export(user: Account) -> Mapping[str, Any] | None:
    """Everything the plugin holds on ``user``, as JSON-serialisable data.

    Called for ``GET /api/v1/me/export``, also while the service is switched off.
    Combination: per plugin, keyed by slug.
    """


@hookspec
def ragem_user_erase(user: Account) -> ErasureReport | None:
    """Erase or anonymise what the plugin holds on ``user``; keep what the law requires, anonymised.

    Called for ``DELETE /api/v1/me``, also while the service is switched off, inside the
    erasure transaction: raise to abort the whole erasure.
    Combination: per plugin; reports are recorded (without personal data) in the audit log.
    """


@hookspec
def ragem_user_event(event: UserEvent) -> None:
    """React to an account event (``registered``, ``verified``, ``updated``, ``deleted``, ...).

    Called after the core committed the change. A failing plugin is logged, never blocks others.
    Combination: broadcast; return values are ignored.
    """


# ---------------------------------------------------------------------------------------------
# Evaluation and operations
# ---------------------------------------------------------------------------------------------

@hookspec
def ragem_kpis(period: Period) -> Iterable[KpiValue]:
    """Key performance indicators measured over ``period`` (month, quarter or year).

    Called by the evaluation endpoint and its CSV export, also while the service is switched off.
    Combination: all collected; keys must be unique platform-wide (prefix them with the slug).
    """


@hookspec
def ragem_open_items(user: Account) -> OpenItems | None:
    """How many items wait in the service's queue for ``user``, an officer or an admin.

    Called by the console's dashboard on every visit, also while the service is switched off (its
    queue still waits). An officer is shown the queue of their OPD (``user.opd_code``) or whatever
    the plugin's permissions give them; an admin the whole city. Keep it to one count query.
    Combination: per plugin, one line per service under its slug; ``None`` (nothing for this user)
    leaves the service out; a plugin that raises is logged and shown as unavailable, not fatal.
    :returns: a ``toolkit.OpenItems(count, label)`` or ``None``.
    """


@hookspec
def ragem_periodic_jobs() -> Iterable[PeriodicJob]:
    """Jobs to run on a schedule (escalations, reminders, clean-ups).

    Collected at start-up. The scheduler runs each at most once per interval across all workers
    and hosts. Combination: all collected; names are prefixed with the slug by the core.
    """


@hookspec
def ragem_cli_commands() -> Iterable[click.Command]:
    """Click commands added under ``ragem <slug> ...``.

    Collected when the CLI starts. Combination: per plugin, grouped under the slug.
    """


@hookspec
def ragem_reference_data(session: Session) -> None:
    """Load the service's reference data (its categories, fixed lists) into ``session``.

    Called by ``ragem db upgrade`` and ``ragem serve`` after the migrations, after the core's own
    regions and OPDs, and by ``ragem.testing`` for every test app; also for switched-off services
    (*data hook*). Never called on a request: a route can rely on the rows being there.
    Must be idempotent: add what is missing and never overwrite a row an admin has since changed.
    Combination: broadcast, each plugin in turn, in one transaction committed by the core; a plugin
    that raises rolls the whole load back and stops the command with the plugin's name.
    """


@hookspec
def ragem_demo_data(session: Session) -> None:
    """Load demo data for the service into ``session`` (``ragem demo load``, ``ragem serve --demo``).

    Must be idempotent: a second run changes nothing. Called after the core's demo accounts exist
    (``toolkit.demo_user(key)`` finds them). Combination: broadcast, each in turn.
    """


@hookspec(firstresult=True)
def ragem_deliver_message(message: OutboundMessage) -> DeliveryResult | bool | None:
    """Deliver an SMS, WhatsApp or push message through a gateway.

    Called by ``toolkit.deliver``: a plugin that declared a gateway for the channel
    (``ragem_message_gateways``) is called on its own, chosen by the citizen's preferred channel;
    a plugin that declared none is asked through the hook as before. Return a
    ``DeliveryResult`` (recorded as a delivery attempt), ``True`` when delivered, or ``None`` to
    pass (not your channel). Combination: first result wins. The core's own implementation runs
    last and writes the message to the development outbox (``ragem dev outbox``).
    """


@hookspec
def ragem_message_gateways(settings: Mapping[str, Any]) -> Iterable[MessageGateway]:
    """The ways out this plugin offers now: ``MessageGateway(provider, channel)`` for each channel
    it is configured to deliver; ``settings`` are the validated settings (as ``ragem_config_check``
    gets them).

    Collected at start-up (production refuses to start without an SMS or WhatsApp gateway unless
    ``RAGEM_MESSAGES_WITHOUT_CODES`` is declared) and by the dispatcher behind ``toolkit.deliver``.
    Return nothing when the gateway is not configured. Combination: all collected; for one
    channel the first plugin by slug is used.
    """
