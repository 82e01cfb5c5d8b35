"""The block list: the telephony system checks a number; supervisors list blocks and lift them."""
from __future__ import annotations

from ragem import toolkit

from plugins.darurat112.access import SUPERVISE, TELEPHONY
from plugins.darurat112.schemas.blocks import (
    CallerBlockArgsSchema, BlockPageSchema, CallerBlockSchema, CallerBlockLiftSchema, BlockedNumberStatusSchema,
)
from plugins.darurat112.services import blocks

blp = toolkit.Blueprint("darurat112_blocks", __name__, description="112: blocked numbers and accounts")


@blp.route("/blocked-numbers/<string:msisdn>")
@toolkit.login_required
@blp.response(200, BlockedNumberStatusSchema)
def get_blocked_number(msisdn):
    """Whether a caller number (any common Indonesian notation) is blocked now, and until when: for the
    telephony system account and supervisors (403 for anyone else; 422 `invalid_phone`)."""
    user = toolkit.current_user()
    if not (toolkit.can(user, TELEPHONY) or toolkit.can(user, SUPERVISE)):
        raise toolkit.Forbidden(details={"required_permission": f"{TELEPHONY} or {SUPERVISE}"})
    return blocks.number_status(msisdn)


@blp.route("/blocks")
@toolkit.permission_required(SUPERVISE)
@blp.arguments(CallerBlockArgsSchema, location="query")
@blp.response(200, BlockPageSchema)
def list_blocks(args):
    """Blocks on numbers and accounts, newest first (those in force unless `active=false`)."""
    items, next_cursor = blocks.list_blocks(**args)
    return {"items": items, "next_cursor": next_cursor}


@blp.route("/blocks/<int:block_id>/lift", methods=["POST"])
@toolkit.permission_required(SUPERVISE)
@blp.arguments(CallerBlockLiftSchema)
@blp.response(200, CallerBlockSchema)
def lift_block(body, block_id):
    """Lift a block before it expires (audited with the reason); 409 when it is no longer in force."""
    return blocks.lift(block_id, toolkit.current_user(), **body)
