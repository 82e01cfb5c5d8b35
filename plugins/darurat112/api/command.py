"""The command centre: the queue and its change feed, claiming, triage, marks, dispatch and closing."""
from __future__ import annotations

from ragem import toolkit

from plugins.darurat112.access import COMMAND
from plugins.darurat112.schemas.command import (
    IncidentChangeFeedSchema, IncidentChangesArgsSchema, IncidentCloseSchema, IncidentDispatchCreateSchema, IncidentMarkSchema, IncidentQueueArgsSchema, IncidentTriageSchema,
)
from plugins.darurat112.schemas.incidents import IncidentPageSchema, IncidentSchema
from plugins.darurat112.services import command, queue

blp = toolkit.Blueprint("darurat112_command", __name__, description="112: the command centre")


@blp.route("/queue")
@toolkit.permission_required(COMMAND)
@blp.arguments(IncidentQueueArgsSchema, location="query")
@blp.response(200, IncidentPageSchema)
def list_incident_queue(args):
    """Open incidents, priority 1 first, then the oldest; filters by state, type, channel, kecamatan,
    agency and flag (`?limit=&cursor=`)."""
    items, next_cursor = queue.queue(**args)
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/queue/changes")
@toolkit.permission_required(COMMAND)
@blp.arguments(IncidentChangesArgsSchema, location="query")
@blp.response(200, IncidentChangeFeedSchema)
def list_incident_changes(args):
    """What changed since `?changed_since=<cursor>` (a screen polling every two seconds); an incident
    changed in the last second may come again on the next poll."""
    return queue.changes(args["changed_since"])


@blp.route("/incidents/<int:incident_id>/claim", methods=["POST"])
@toolkit.permission_required(COMMAND)
@blp.response(200, IncidentSchema)
@blp.alt_response(409, response="CONFLICT", description="already claimed by someone else (`already_claimed`)")
def claim_incident(incident_id):
    """Claim a new or held incident; of two call-takers claiming at once exactly one succeeds."""
    return command.claim(incident_id, toolkit.current_user())


@blp.route("/incidents/<int:incident_id>/triage", methods=["POST"])
@toolkit.permission_required(COMMAND)
@blp.arguments(IncidentTriageSchema)
@blp.response(200, IncidentSchema)
def triage_incident(body, incident_id):
    """Set priority and type, verify the location and kelurahan, note (claimed or dispatched incidents)."""
    return command.triage(incident_id, toolkit.current_user(), **body)


@blp.route("/incidents/<int:incident_id>/mark", methods=["POST"])
@toolkit.permission_required(COMMAND)
@blp.arguments(IncidentMarkSchema)
@blp.response(200, IncidentSchema)
def mark_incident(body, incident_id):
    """Close a claimed incident as a prank, a silent call or a duplicate (merged into `duplicate_of`)."""
    return command.mark(incident_id, toolkit.current_user(), **body)


@blp.route("/incidents/<int:incident_id>/dispatches", methods=["POST"])
@toolkit.permission_required(COMMAND)
@blp.arguments(IncidentDispatchCreateSchema)
@blp.response(201, IncidentSchema)
def dispatch_incident(body, incident_id):
    """Send one or more agencies; each gets its own dispatch and its officers are told."""
    return command.dispatch(incident_id, toolkit.current_user(), **body)


@blp.route("/incidents/<int:incident_id>/close", methods=["POST"])
@toolkit.permission_required(COMMAND)
@blp.arguments(IncidentCloseSchema)
@blp.response(200, IncidentSchema)
def close_incident(body, incident_id):
    """Close with an outcome once every dispatch is completed or cancelled (409 `dispatches_open`)."""
    return command.close(incident_id, toolkit.current_user(), **body)
