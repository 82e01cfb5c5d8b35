"""Telling the citizens of an alert's area, in the background (``toolkit.enqueue``).

Each citizen whose profile kelurahan lies in the area gets one inbox notification per message. A
delivery row (unique per message and account) is written in the same transaction as the
notification, so a job retried after a crash, or run twice at once, skips whoever already has it:
the second writer's commit fails on the unique constraint, the job is retried and finds them done.
"""
from __future__ import annotations

from sqlalchemy import select

from ragem import toolkit

from plugins.darurat112.models import Alert, AlertDelivery

SLUG = "darurat112"
#: Citizens told per commit: a large area is many short transactions, and a retry resumes after the last.
BATCH = 200
TITLES = {
    "Alert": {"id": "Peringatan dini: {id}", "en": "Public alert: {en}"},
    "Update": {"id": "Pembaruan peringatan: {id}", "en": "Alert update: {en}"},
    "Cancel": {"id": "Peringatan dibatalkan: {id}", "en": "Alert cancelled: {en}"},
}
#: The inbox shows a short text; the whole alert is one tap away (``data.alert_id``).
BODY_CHARS = 280


def _short(text: str) -> str:
    """``text`` cut to the inbox's length, on a word when possible."""
    if len(text) <= BODY_CHARS:
        return text
    return text[:BODY_CHARS - 1].rsplit(" ", 1)[0] + "…"


def fan_out_alert(alert_id: int) -> int:
    """Notify every citizen of the area of message ``alert_id`` who has not been told yet; returns how
    many were told now. The job's session is committed batch by batch."""
    # Imported here: services.alerts imports this module to enqueue the job.
    from plugins.darurat112.services.alerts import kelurahan_of_area

    alert = toolkit.db.session.get(Alert, alert_id)
    if alert is None:
        return 0
    recipients = toolkit.account_ids_in_kelurahan(kelurahan_of_area(alert))
    done = set(toolkit.db.session.scalars(select(AlertDelivery.account_id).where(AlertDelivery.alert_id == alert_id)))
    pending = [account_id for account_id in recipients if account_id not in done]
    title = {lang: template.format(id=alert.headline_id, en=alert.headline_en)[:200]
             for lang, template in TITLES[alert.msg_type].items()}
    body = {"id": _short(alert.description_id), "en": _short(alert.description_en)}
    data = {"alert_id": alert.id, "identifier": alert.identifier, "msg_type": alert.msg_type,
            "severity": alert.severity, "urgency": alert.urgency}
    for start in range(0, len(pending), BATCH):
        for account_id in pending[start:start + BATCH]:
            toolkit.notify(account_id, kind=f"darurat112.alert.{alert.msg_type.lower()}", service=SLUG,
                           title=title, body=body, data=data)
            toolkit.db.session.add(AlertDelivery(alert_id=alert_id, account_id=account_id))
        toolkit.db.session.commit()
    return len(pending)
