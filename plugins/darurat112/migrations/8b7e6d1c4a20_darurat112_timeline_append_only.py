"""darurat112 timeline append-only in the database: triggers refuse UPDATE and DELETE of its rows

Revision ID: 8b7e6d1c4a20
Revises: 5f3c2a9d8e41
Create Date: 2026-12-06 00:40:00

The model already refuses to change or delete a timeline entry through the ORM; these triggers
refuse it to anything else that reaches the database (a raw statement, a script, another
program), on PostgreSQL and on SQLite. Nothing in the service needs an exception: erasure
anonymises the incident row, and the timeline never names a citizen. On PostgreSQL TRUNCATE is
left to the database owner (a row trigger does not see it). SQLite drops a table's triggers when a
batch migration rebuilds the table: a later migration that rebuilds this table must create them
again (``create_triggers`` below).
"""
from __future__ import annotations

from alembic import op


# Revision identifiers, used by Alembic.
revision = '8b7e6d1c4a20'
down_revision = '5f3c2a9d8e41'
branch_labels = None
depends_on = None

MESSAGE = "darurat112 timeline entries are append-only: they cannot be changed or deleted"


def create_triggers(dialect: str) -> None:
    """The triggers of this revision for ``dialect`` (``postgresql`` or ``sqlite``)."""
    if dialect == "postgresql":
        op.execute(f"""
            CREATE FUNCTION darurat112_timeline_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'restrict_violation';
            END $$""")
        op.execute("""
            CREATE TRIGGER darurat112_timeline_append_only BEFORE UPDATE OR DELETE ON darurat112_timeline_entry
            FOR EACH ROW EXECUTE FUNCTION darurat112_timeline_refuse_change()""")
    elif dialect == "sqlite":
        for event in ("UPDATE", "DELETE"):
            op.execute(f"""
                CREATE TRIGGER darurat112_timeline_no_{event.lower()} BEFORE {event} ON darurat112_timeline_entry
                BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END""")


def upgrade() -> None:
    """Apply this revision."""
    create_triggers(op.get_bind().dialect.name)


def downgrade() -> None:
    """Revert this revision."""
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute("DROP TRIGGER IF EXISTS darurat112_timeline_append_only ON darurat112_timeline_entry")
        op.execute("DROP FUNCTION IF EXISTS darurat112_timeline_refuse_change()")
    elif dialect == "sqlite":
        op.execute("DROP TRIGGER IF EXISTS darurat112_timeline_no_update")
        op.execute("DROP TRIGGER IF EXISTS darurat112_timeline_no_delete")
