"""The JSON API around single sign-on: the citizen's connected systems, and admins' clients."""
from __future__ import annotations

from flask import g

from ragem.auth.guards import login_required, roles_required
from ragem.blueprint import Blueprint
from ragem.extensions import db
from ragem.sso import clients, consents
from ragem.sso.schemas import (
    ConnectedAppListSchema,
    SsoClientCreatedSchema,
    SsoClientCreateSchema,
    SsoClientListSchema,
    SsoClientSchema,
    SsoClientUpdateSchema,
)

me_blp = Blueprint("connected_apps", __name__, url_prefix="/api/v1/me/connected-apps",
                   description="OPD systems the citizen signs in to with RAGEM")
admin_blp = Blueprint("admin_sso_clients", __name__, url_prefix="/api/v1/admin/sso-clients",
                      description="OPD systems registered for single sign-on (admins)")


@me_blp.route("")
@login_required
@me_blp.response(200, ConnectedAppListSchema)
def list_connected_apps():
    """The systems the citizen agreed to sign in to, with what each may read."""
    return {"items": consents.connected_apps(g.current_user.id)}


@me_blp.route("/<string:client_id>", methods=["DELETE"])
@login_required
@me_blp.response(204)
def revoke_connected_app(client_id):
    """Withdraw the consent given to a system: its tokens end; it must ask again next time."""
    consents.revoke(g.current_user.id, client_id)
    db.session.commit()


@admin_blp.route("")
@roles_required("admin")
@admin_blp.response(200, SsoClientListSchema)
def list_clients():
    """Every registered OPD system."""
    return {"items": [clients.view(c) for c in clients.list_all()]}


@admin_blp.route("", methods=["POST"])
@roles_required("admin")
@admin_blp.arguments(SsoClientCreateSchema)
@admin_blp.response(201, SsoClientCreatedSchema)
def create_client(body):
    """Register an OPD system (audited); a confidential one's secret is in this answer only."""
    client, secret = clients.register(body, actor=g.current_user)
    db.session.commit()
    return {**clients.view(client), "client_secret": secret}


@admin_blp.route("/<string:client_id>")
@roles_required("admin")
@admin_blp.response(200, SsoClientSchema)
def get_client(client_id):
    """One registered OPD system."""
    return clients.view(clients.get(client_id))


@admin_blp.route("/<string:client_id>", methods=["PATCH"])
@roles_required("admin")
@admin_blp.arguments(SsoClientUpdateSchema)
@admin_blp.response(200, SsoClientSchema)
def update_client(body, client_id):
    """Change an OPD system (audited); taking a scope away ends its tokens."""
    client = clients.update(client_id, body, actor=g.current_user)
    db.session.commit()
    return clients.view(client)


@admin_blp.route("/<string:client_id>/secret", methods=["POST"])
@roles_required("admin")
@admin_blp.response(200, SsoClientCreatedSchema)
def new_client_secret(client_id):
    """Give a confidential system a new secret (audited); the old one stops working at once."""
    client, secret = clients.new_secret(client_id, actor=g.current_user)
    db.session.commit()
    return {**clients.view(client), "client_secret": secret}


@admin_blp.route("/<string:client_id>", methods=["DELETE"])
@roles_required("admin")
@admin_blp.response(204)
def delete_client(client_id):
    """Remove an OPD system with its tokens and consents (audited)."""
    clients.remove(client_id, actor=g.current_user)
    db.session.commit()
