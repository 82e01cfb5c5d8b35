"""Prank control: more than the allowed prank or silent outcomes within the window block a caller
number or an account for a while; the telephony system reads the list, a supervisor lifts a block."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import and_, func, or_, select

from ragem import toolkit

from plugins.darurat112 import settings
from plugins.darurat112.models import NUISANCE_OUTCOMES, Block, Incident

MSG_ALREADY_LIFTED = {"id": "Blokir ini sudah tidak berlaku.", "en": "This block is no longer in force."}


def active_block(kind: str, value: str | None) -> Block | None:
    """The block in force on ``value`` (an E.164 number or an account id), if any."""
    if not value:
        return None
    return toolkit.db.session.scalar(
        select(Block).where(Block.kind == kind, Block.value == value, Block.lifted_at.is_(None),
                            Block.expires_at > toolkit.utcnow()).order_by(Block.expires_at.desc()).limit(1)
    )


def is_blocked(*, msisdn: str | None = None, account_id: str | None = None) -> bool:
    """Whether the number or the account is blocked now (one query for both: it runs on every incident)."""
    wanted = [and_(Block.kind == kind, Block.value == value)
              for kind, value in (("msisdn", msisdn), ("account", account_id)) if value]
    if not wanted:
        return False
    return toolkit.db.session.scalar(
        select(Block.id).where(or_(*wanted), Block.lifted_at.is_(None), Block.expires_at > toolkit.utcnow()).limit(1)
    ) is not None


def after_nuisance(incident: Incident) -> list[Block]:
    """Count the recent prank/silent outcomes of ``incident``'s number and account (``incident`` just
    got one) and block those over the limit; each new block is audited. The caller commits."""
    blocks = []
    for kind, column, value in (("msisdn", Incident.caller_msisdn, incident.caller_msisdn),
                                ("account", Incident.reporter_id, incident.reporter_id)):
        if not value or active_block(kind, value) is not None:
            continue
        now = toolkit.utcnow()
        since = now - timedelta(hours=settings.PRANK_WINDOW_HOURS.value())
        count = toolkit.db.session.scalar(
            select(func.count()).select_from(Incident).where(
                column == value, Incident.outcome.in_(NUISANCE_OUTCOMES), Incident.closed_at >= since)
        ) or 0
        if count <= settings.PRANK_LIMIT.value():
            continue
        block = Block(kind=kind, value=value, nuisance_count=count, created_at=now,
                      expires_at=now + timedelta(hours=settings.BLOCK_HOURS.value()))
        toolkit.db.session.add(block)
        toolkit.db.session.flush()
        toolkit.audit("darurat112.block.create", "darurat112_block", str(block.id),
                      after={"kind": kind, "value": toolkit.mask_phone(value) if kind == "msisdn" else value,
                             "nuisance_count": count, "expires_at": toolkit.isoformat_z(block.expires_at)},
                      reason=f"more than {settings.PRANK_LIMIT.value()} prank or silent outcomes", actor=None)
        blocks.append(block)
    return blocks


def number_status(raw_msisdn: str) -> dict:
    """What the telephony system asks before connecting a call: is this number blocked, and until when."""
    msisdn = toolkit.normalise_phone(raw_msisdn, field="msisdn", landline=True)
    block = active_block("msisdn", msisdn)
    return {"msisdn": msisdn, "blocked": block is not None, "until": block.expires_at if block else None,
            "block_id": block.id if block else None}


def list_blocks(*, active: bool, kind: str | None, limit: int, cursor: str | None):
    """Blocks, newest first; only those in force with ``active``."""
    stmt = select(Block)
    if active:
        stmt = stmt.where(Block.lifted_at.is_(None), Block.expires_at > toolkit.utcnow())
    if kind:
        stmt = stmt.where(Block.kind == kind)
    return toolkit.paginate(toolkit.db.session, stmt, [Block.created_at, Block.id], limit=limit, cursor=cursor)


def lift(block_id: int, supervisor: toolkit.Account, *, reason: str) -> Block:
    """A supervisor lifts a block before it expires (audited); 409 when it is no longer in force."""
    block = toolkit.db.session.get(Block, block_id) if 0 < block_id < 2**31 else None
    if block is None:
        raise toolkit.NotFound(details={"block_id": block_id})
    now = toolkit.utcnow()
    if block.lifted_at is not None or block.expires_at <= now:
        raise toolkit.Conflict("block_not_active", MSG_ALREADY_LIFTED, details={"block_id": block_id})
    block.lifted_at, block.lifted_by, block.lift_reason = now, supervisor.id, reason.strip()
    toolkit.audit("darurat112.block.lift", "darurat112_block", str(block.id),
                  before={"expires_at": toolkit.isoformat_z(block.expires_at)}, after={"lifted": True},
                  reason=block.lift_reason, actor=supervisor)
    toolkit.db.session.commit()
    return block


