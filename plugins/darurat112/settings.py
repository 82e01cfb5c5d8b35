"""The 112 service's settings (``RAGEM_DARURAT112_*``): who the command centre is, and prank control."""
from __future__ import annotations

from ragem import toolkit

#: Officers of these OPDs are the command centre's call-takers and dispatchers.
COMMAND_CENTRE_OPDS = toolkit.PluginSetting(
    "DARURAT112_COMMAND_CENTRE_OPDS", parse=toolkit.text_list, default=["DISKOMINFO"],
    help="comma-separated OPD codes whose officers take calls and dispatch")
#: Account ids of the supervisors who lift blocks (admins always may).
SUPERVISORS = toolkit.PluginSetting(
    "DARURAT112_SUPERVISORS", parse=toolkit.text_list, default=[],
    help="comma-separated account ids of command-centre supervisors")
#: Account ids of the telephony system(s) that read the block list before connecting a call.
TELEPHONY_ACCOUNTS = toolkit.PluginSetting(
    "DARURAT112_TELEPHONY_ACCOUNTS", parse=toolkit.text_list, default=[],
    help="comma-separated account ids of the telephony system accounts")
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

ALL = (COMMAND_CENTRE_OPDS, SUPERVISORS, TELEPHONY_ACCOUNTS, PRANK_LIMIT, PRANK_WINDOW_HOURS, BLOCK_HOURS)


def problems(settings) -> list[str]:
    """Every malformed ``RAGEM_DARURAT112_*`` value, for ``ragem_config_check``."""
    return [problem for setting in ALL for problem in setting.problems(settings)]
