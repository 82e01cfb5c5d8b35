"""The public-alert page of the console: the alerts in force (or every message) and a form to issue
one, for the alerting OPDs' officers and admins (``darurat112.alert``). The form is flat (one field
per language, area codes separated by commas or spaces, times on the WIB clock); ``AlertFormSchema``
turns it into the API's body before the API's own schema checks it, so the rules are the API's."""
from __future__ import annotations

import re
from typing import Any

from marshmallow import fields, pre_load, validate

from ragem import toolkit

from plugins.darurat112.models import CAP_CATEGORIES, CAP_CERTAINTIES, CAP_SEVERITIES, CAP_URGENCIES
from plugins.darurat112.schemas.alerts import AlertArgsSchema, AlertCancelSchema, AlertIssueSchema, AlertSchema
from plugins.darurat112.services import alerts

_TEXTS = ("headline", "description", "instruction")
_NAIVE = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$")


def _wib(value: Any) -> Any:
    """A ``datetime-local`` value (no offset) is on the city's clock: WIB."""
    return f"{value}+07:00" if isinstance(value, str) and _NAIVE.match(value) else value


class AlertFormSchema(AlertIssueSchema):
    """The issue form as the API's body: ``headline_id``/``headline_en``... become ``headline``, the
    area's codes one list each, times without an offset WIB."""

    @pre_load
    def _nest(self, data: dict[str, Any], **_kwargs) -> dict[str, Any]:
        body = {key: value for key, value in data.items() if not key.startswith(_TEXTS + ("area_",))}
        for name in _TEXTS:
            texts = {lang: data[f"{name}_{lang}"] for lang in ("id", "en") if data.get(f"{name}_{lang}")}
            if texts or name != "instruction":
                body[name] = texts
        body["area"] = {
            **{kind: [code for code in re.split(r"[\s,]+", str(data.get(f"area_{kind}", ""))) if code]
               for kind in ("kecamatan", "kelurahan")},
            **{kind: data[f"area_{kind}"] for kind in ("circle", "polygon") if data.get(f"area_{kind}")},
        }
        for name in ("effective", "expires"):
            if name in body:
                body[name] = _wib(body[name])
        return body


class AlertCancelFormSchema(AlertCancelSchema):
    """The cancel form: the API's body plus the alert's id (the API has it in the address)."""

    alert_id = fields.Integer(required=True, validate=validate.Range(min=1, max=2**31 - 1))


def alerts_view(account: toolkit.Account, *, query: dict[str, Any], wib) -> dict[str, Any]:
    """Alerts in force (or every message with ``active=false``), newest first, and the form's choices."""
    items, next_cursor = alerts.list_alerts(**query)
    return {"alerts": AlertSchema(many=True).dump(items), "next_cursor": next_cursor, "active": query["active"],
            "categories": CAP_CATEGORIES, "urgencies": CAP_URGENCIES, "severities": CAP_SEVERITIES,
            "certainties": CAP_CERTAINTIES, "wib": wib}


def issue(account, form):
    """The form's alert, issued by the API's service function."""
    alerts.issue(account, **form)


def cancel(account, form):
    """Withdraw a current alert with the reason (CAP Cancel)."""
    alerts.cancel(form.pop("alert_id"), account, **form)
