"""The one Alembic environment of every RAGEM history (the core's and each plugin's).

``ragem.migrate`` runs it on the app's engine and passes everything through
``config.attributes``: ``connection``, ``version_table``, ``owner`` (the ``TableOwner`` saying
which tables this history manages) and ``applied`` (a list to record applied revisions in, or None).
"""
from __future__ import annotations

from alembic import context

from ragem.extensions import db

config = context.config
connection = config.attributes.get("connection")
if connection is None or context.is_offline_mode():
    raise RuntimeError("RAGEM migrations run online through ragem.migrate (`ragem db upgrade`)")

owner = config.attributes["owner"]
applied = config.attributes.get("applied")
history = config.attributes.get("history", "core")


def _record_applied(ctx, step, heads, run_args) -> None:
    """Remember each revision applied on the way up, for ``ragem db upgrade`` to print."""
    if applied is not None and step.is_upgrade and step.up_revision_id:
        doc = (step.up_revision.doc or "").strip() if step.up_revision else ""
        applied.append(f"{history} {step.up_revision_id} {doc}".rstrip())


def _render_item(type_, obj, autogen_context):
    """Import the module of a custom column type, so the generated revision runs as written."""
    if type_ == "type":
        module = type(obj).__module__
        if not module.startswith("sqlalchemy.") and module != "builtins":
            autogen_context.imports.add(f"import {module}")
    return False  # default rendering


context.configure(
    connection=connection,
    target_metadata=db.metadata,
    version_table=config.attributes["version_table"],
    include_name=owner.include_name,
    include_object=owner.include_object,
    render_as_batch=True,  # SQLite cannot ALTER most things: batch mode copies the table
    compare_type=True,
    render_item=_render_item,
    on_version_apply=_record_applied,
)

with context.begin_transaction():
    context.run_migrations()
