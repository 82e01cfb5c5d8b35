"""Response templates: officers pick them, Diskominfo admins keep them."""
from __future__ import annotations

from ragem import toolkit

from plugins.rabeg.access import ADMIN, HANDLE
from plugins.rabeg.services import templates
from plugins.rabeg.schemas.templates import (
    TemplateArgsSchema,
    TemplateCreateSchema,
    TemplateListSchema,
    TemplatePatchSchema,
    TemplateSchema,
)

blp = toolkit.Blueprint("rabeg_templates", __name__, description="RABEG: response templates")


@blp.route("/response-templates")
@toolkit.permission_required(HANDLE)
@blp.arguments(TemplateArgsSchema, location="query")
@blp.response(200, TemplateListSchema)
def list_response_templates(args):
    """Active templates for a category and target state (templates for any category or state included)."""
    return templates.list_templates(toolkit.current_user(), **args)


@blp.route("/response-templates", methods=["POST"])
@toolkit.permission_required(ADMIN)
@blp.arguments(TemplateCreateSchema)
@blp.response(201, TemplateSchema)
def create_response_template(body):
    """Add a template (admins)."""
    return templates.create_template(toolkit.current_user(), **body)


@blp.route("/response-templates/<int:template_id>", methods=["PATCH"])
@toolkit.permission_required(ADMIN)
@blp.arguments(TemplatePatchSchema)
@blp.response(200, TemplateSchema)
@blp.alt_response(404, response="NOT_FOUND", description="No template has this id")
def update_response_template(body, template_id):
    """Change a template (admins); only the fields sent change."""
    return templates.update_template(template_id, toolkit.current_user(), **body)


@blp.route("/response-templates/<int:template_id>", methods=["DELETE"])
@toolkit.permission_required(ADMIN)
@blp.response(200, TemplateSchema)
@blp.alt_response(404, response="NOT_FOUND", description="No template has this id")
def deactivate_response_template(template_id):
    """Withdraw a template (admins): it is kept, inactive, and no longer offered."""
    return templates.deactivate_template(template_id, toolkit.current_user())
