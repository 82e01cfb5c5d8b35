"""Call-takers record phone calls, SMS and walk-ins as incidents in the same queue."""
from __future__ import annotations

from ragem import toolkit

from plugins.darurat112.access import COMMAND
from plugins.darurat112.schemas.command import EmergencyCallSchema
from plugins.darurat112.schemas.incidents import IncidentSchema
from plugins.darurat112.services import intake

blp = toolkit.Blueprint("darurat112_calls", __name__, description="112: calls recorded by call-takers")


@blp.route("/calls", methods=["POST"])
@toolkit.permission_required(COMMAND)
@blp.arguments(EmergencyCallSchema)
@blp.response(201, IncidentSchema)
def record_call(body):
    """Record a call as an incident claimed by the call-taker; `outcome: silent|prank` closes it at once
    (and counts towards blocking the number). The caller's number is normalised (+62...)."""
    return intake.record_call(toolkit.current_user(), **body)
