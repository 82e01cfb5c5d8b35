"""Public alerts (OASIS CAP 1.2): anyone reads them, as JSON or CAP XML; alerting officers issue,
update and cancel them."""
from __future__ import annotations

from flask import Response, request, url_for

from ragem import toolkit

from plugins.darurat112.access import ALERT
from plugins.darurat112.schemas.alerts import (
    AlertArgsSchema, AlertCancelSchema, AlertIssueSchema, AlertPageSchema, AlertSchema,
)
from plugins.darurat112.services import alerts, cap

blp = toolkit.Blueprint("darurat112_alerts", __name__, description="112: public alerts (CAP 1.2)")

XML_STRING = {"type": "string"}


def _xml(body: bytes, media_type: str) -> Response:
    """An XML answer that browsers must not sniff into HTML."""
    response = Response(body, status=200, content_type=f"{media_type}; charset=utf-8")
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@blp.route("/alerts")
@blp.arguments(AlertArgsSchema, location="query")
@blp.response(200, AlertPageSchema)
def list_alerts(args):
    """Public alerts, newest first: those in force (the default), or every message with `active=false`
    (`?limit=&cursor=`). No login needed."""
    items, next_cursor = alerts.list_alerts(**args)
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/alerts", methods=["POST"])
@toolkit.permission_required(ALERT)
@blp.arguments(AlertIssueSchema)
@blp.response(201, AlertSchema)
def issue_alert(body):
    """Issue a public alert (CAP msgType Alert) to the kecamatan and kelurahan named, in Indonesian and
    English; the citizens of the area are told in their inbox. For officers of the alerting OPDs (BPBD,
    DISKOMINFO) and admins."""
    return alerts.issue(toolkit.current_user(), **body), 201


@blp.route("/alerts/<int:alert_id>")
@blp.response(200, AlertSchema)
def get_alert(alert_id):
    """One alert message (any, also replaced or cancelled ones). No login needed."""
    return alerts.get_alert(alert_id)


@blp.route("/alerts/<int:alert_id>/update", methods=["POST"])
@toolkit.permission_required(ALERT)
@blp.arguments(AlertIssueSchema)
@blp.response(201, AlertSchema)
def update_alert(body, alert_id):
    """Replace a current alert with a new version (CAP msgType Update referencing it): the body is the
    whole new content. 409 `alert_superseded` when it was already updated or cancelled."""
    return alerts.update_alert(alert_id, toolkit.current_user(), **body), 201


@blp.route("/alerts/<int:alert_id>/cancel", methods=["POST"])
@toolkit.permission_required(ALERT)
@blp.arguments(AlertCancelSchema)
@blp.response(201, AlertSchema)
def cancel_alert(body, alert_id):
    """Withdraw a current alert (CAP msgType Cancel referencing it, the reason as its note). 409
    `alert_superseded` when it was already updated or cancelled."""
    return alerts.cancel(alert_id, toolkit.current_user(), **body), 201


@blp.route("/alerts.cap")
@blp.response(200, XML_STRING, content_type=cap.ATOM_MEDIA_TYPE,
              description="An Atom feed with one entry per alert in force, each linking its CAP 1.2 "
                          "document (`application/cap+xml`): CAP allows one alert per document.")
def list_alerts_cap():
    """The alerts in force as an Atom index of CAP 1.2 documents, newest first. No login needed."""
    def cap_url(alert):
        return url_for(f"{blp.name}.get_alert_cap", alert_id=alert.id, _external=True)

    return _xml(cap.atom_index(alerts.current_alerts(), feed_url=request.base_url, cap_url=cap_url),
                cap.ATOM_MEDIA_TYPE)


@blp.route("/alerts/<int:alert_id>.cap")
@blp.response(200, XML_STRING, content_type=cap.CAP_MEDIA_TYPE,
              description="The message as an OASIS CAP 1.2 `<alert>` with an `<info>` block in "
                          "Indonesian (id-ID) and one in English (en-US).")
def get_alert_cap(alert_id):
    """One alert message as a CAP 1.2 document (`application/cap+xml`). No login needed."""
    return _xml(cap.alert_document(alerts.get_alert(alert_id)), cap.CAP_MEDIA_TYPE)
