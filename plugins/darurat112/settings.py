"""The 112 service's settings (``RAGEM_DARURAT112_*``): who the command centre is, and prank control."""
from __future__ import annotations

import logging

from ragem import toolkit

log = logging.getLogger("ragem.darurat112")

#: Officers of these OPDs are the command centre's call-takers and dispatchers.
COMMAND_CENTRE_OPDS = toolkit.PluginSetting(
    "DARURAT112_COMMAND_CENTRE_OPDS", parse=toolkit.text_list, default=["DISKOMINFO"],
    help="comma-separated OPD codes whose officers take calls and dispatch")
#: Former settings: supervisors and telephony accounts are now granted by admins (``POST /staff-grants``).
#: The migration that made grants converted the accounts these named; nothing reads them any more, and
#: the config check warns while one is still set.
SUPERVISORS = toolkit.PluginSetting(
    "DARURAT112_SUPERVISORS", parse=toolkit.text_list, default=[],
    help="no longer read: converted into grants by `ragem db upgrade`; grant with POST /staff-grants")
TELEPHONY_ACCOUNTS = toolkit.PluginSetting(
    "DARURAT112_TELEPHONY_ACCOUNTS", parse=toolkit.text_list, default=[],
    help="no longer read: converted into grants by `ragem db upgrade`; grant with POST /staff-grants")
#: More than this many prank or silent outcomes within the window block a number or an account.
PRANK_LIMIT = toolkit.PluginSetting(
    "DARURAT112_PRANK_LIMIT", parse=toolkit.positive_int, default=5,
    help="prank or silent outcomes within PRANK_WINDOW_HOURS tolerated before a block")
PRANK_WINDOW_HOURS = toolkit.PluginSetting(
    "DARURAT112_PRANK_WINDOW_HOURS", parse=toolkit.positive_int, default=24,
    help="hours over which prank and silent outcomes are counted")
#: How long a block lasts unless a supervisor lifts it.
BLOCK_HOURS = toolkit.PluginSetting(
    "DARURAT112_BLOCK_HOURS", parse=toolkit.positive_int, default=24, help="hours a block lasts")



def cap_sender(text: str) -> str:
    """A CAP ``<sender>``: non-empty, without spaces, commas, ``<`` or ``&`` (CAP 1.2, section 3.2.1)."""
    value = text.strip()
    if not value or len(value) > 120 or any(ch in value for ch in " ,<&\t\r\n"):
        raise ValueError("a CAP sender id of at most 120 characters without spaces, commas, '<' or '&' "
                         "(e.g. 112@serangkota.go.id)")
    return value


#: Officers of these OPDs issue public alerts (admins always may).
ALERTING_OPDS = toolkit.PluginSetting(
    "DARURAT112_ALERTING_OPDS", parse=toolkit.text_list, default=["BPBD", "DISKOMINFO"],
    help="comma-separated OPD codes whose officers issue public alerts (CAP)")
#: Who the city's CAP alerts say they come from; part of every alert's reference, so keep it stable.
CAP_SENDER = toolkit.PluginSetting(
    "DARURAT112_CAP_SENDER", parse=cap_sender, default="112@serangkota.go.id",
    help="the CAP <sender> of public alerts (no spaces or commas)")

ALL = (COMMAND_CENTRE_OPDS, SUPERVISORS, TELEPHONY_ACCOUNTS, PRANK_LIMIT, PRANK_WINDOW_HOURS, BLOCK_HOURS,
       ALERTING_OPDS, CAP_SENDER)


def problems(settings) -> list[str]:
    """Every malformed ``RAGEM_DARURAT112_*`` value, for ``ragem_config_check``; a former setting still
    set is only logged (refusing to start would take the emergency line down over a leftover)."""
    for former in (SUPERVISORS, TELEPHONY_ACCOUNTS):
        if former.read(settings) if not former.problems(settings) else True:
            log.warning("%s is no longer read: its accounts became grants when `ragem db upgrade` ran; "
                        "grant others with POST /api/v1/darurat112/staff-grants, then remove it", former.variable)
    return [problem for setting in ALL for problem in setting.problems(settings)]
