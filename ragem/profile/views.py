"""The profile API (only the summary for now)."""
from __future__ import annotations

from flask import g

from ragem.auth.guards import login_required
from ragem.blueprint import Blueprint
from ragem.profile import service
from ragem.profile.schemas import ProfileSummarySchema

blp = Blueprint("profile", __name__, url_prefix="/api/v1/me", description="The citizen's own profile")


@blp.route("/summary")
@login_required
@blp.response(200, ProfileSummarySchema)
def summary():
    """One section per available service for the logged-in account (counts, latest items)."""
    return {"sections": service.summary(g.current_user)}
