"""Complaint categories: the public list, and their management by Diskominfo admins."""
from __future__ import annotations

from ragem import toolkit

from plugins.rabeg.access import ADMIN
from plugins.rabeg.services import categories
from plugins.rabeg.schemas.categories import (
    CategoryArgsSchema,
    CategoryCreateSchema,
    CategoryListSchema,
    CategoryPatchSchema,
    CategorySchema,
)

blp = toolkit.Blueprint("rabeg_categories", __name__, description="RABEG: complaint categories")


@blp.route("/categories")
@blp.arguments(CategoryArgsSchema, location="query")
@blp.response(200, CategoryListSchema)
def list_categories(args):
    """The active categories with their names, targets and questions (``include_inactive`` for admins)."""
    if args["include_inactive"]:
        user = toolkit.current_user()
        if user is None:
            raise toolkit.Unauthorized()
        if not toolkit.can(user, ADMIN):
            raise toolkit.Forbidden(details={"required_permission": ADMIN})
    return {"items": categories.list_categories(include_inactive=args["include_inactive"])}


@blp.route("/categories", methods=["POST"])
@toolkit.permission_required(ADMIN)
@blp.arguments(CategoryCreateSchema)
@blp.response(201, CategorySchema)
def create_category(body):
    """Add a category (audited); 409 if the code is taken, 422 for an unknown OPD or kecamatan."""
    return categories.create_category(body, toolkit.current_user())


@blp.route("/categories/<string:code>", methods=["PATCH"])
@toolkit.permission_required(ADMIN)
@blp.arguments(CategoryPatchSchema)
@blp.response(200, CategorySchema)
def update_category(body, code):
    """Change a category's names, OPD, overrides, targets, anonymity, publicity, questions or activity (audited)."""
    return categories.update_category(code, body, toolkit.current_user())
