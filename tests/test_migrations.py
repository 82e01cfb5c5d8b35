"""`ragem db upgrade` builds the schema the models describe, one history for the core and one per plugin."""
from __future__ import annotations

import textwrap

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from click.testing import CliRunner
from sqlalchemy import inspect, text

from ragem import toolkit
from ragem.app import create_app
from ragem.cli import main
from ragem.extensions import db
from ragem.migrate import MigrationError, TableOwner, current, histories, revision, table_owner, upgrade_all
from ragem.toolkit import hookimpl


@pytest.fixture
def build(ragem_settings, fresh_database_url):
    """``build(extra_plugins=..., entry_points=...)`` -> an app on the fresh database (no create_all)."""
    apps = []

    def factory(extra_plugins=(), entry_points=True):
        app = create_app({**ragem_settings, "DATABASE_URL": fresh_database_url},
                         extra_plugins=extra_plugins, entry_points=entry_points)
        apps.append(app)
        return app

    yield factory
    for app in apps:
        with app.app_context():
            db.engine.dispose()


class MigPlug:
    """A throwaway plugin that owns one table, ``migplug_thing``, through its own history."""

    def __init__(self, folder):
        self.folder = folder

    @hookimpl
    def ragem_plugin_info(self):
        return toolkit.PluginInfo(
            slug="migplug",
            name={"id": "Uji Migrasi", "en": "Migration Test"},
            description={"id": "Plugin uji migrasi.", "en": "A migration test plugin."},
            opd="DISKOMINFO",
            version="0.0.1",
        )

    @hookimpl
    def ragem_migrations(self):
        return str(self.folder)


@pytest.fixture
def migplug(tmp_path):
    """The plugin, with one hand-written revision in a folder outside the repository."""
    folder = tmp_path / "migplug_migrations"
    folder.mkdir()
    (folder / "m0001_create_thing.py").write_text(textwrap.dedent('''
        """create thing"""
        from alembic import op
        import sqlalchemy as sa

        revision = "m0001"
        down_revision = None
        branch_labels = None
        depends_on = None


        def upgrade():
            op.create_table(
                "migplug_thing",
                sa.Column("id", sa.Integer(), primary_key=True),
                sa.Column("name", sa.String(80), nullable=False),
            )


        def downgrade():
            op.drop_table("migplug_thing")
    '''))
    return MigPlug(folder)


def _throwaway_tables() -> frozenset[str]:
    """Tables that models of other tests' throwaway plugins put in the shared metadata.

    They belong to no plugin of the app under test, so they are nobody's concern here.
    """
    return frozenset(
        table.name
        for mapper in db.Model.registry.mappers
        if not mapper.class_.__module__.startswith(("ragem.", "plugins."))
        for table in mapper.tables
    )


def _differences(app) -> dict[str, list]:
    """Alembic's comparison of the database with the models, per history (empty lists: identical)."""
    found = {}
    with app.app_context(), db.engine.connect() as conn:
        for history in histories(app):
            owner = table_owner(app, conn, history)
            if owner.slug is None:
                owner = TableOwner(None, owner.plugin_prefixes | _throwaway_tables())
            context = MigrationContext.configure(conn, opts={
                "include_name": owner.include_name,
                "include_object": owner.include_object,
                "compare_type": True,
            })
            found[history.name] = compare_metadata(context, db.metadata)
    return found


def _versions(app, table: str) -> list[str]:
    with app.app_context(), db.engine.connect() as conn:
        return [row[0] for row in conn.execute(text(f"SELECT version_num FROM {table}"))]


def _schema(app) -> dict[str, list[str]]:
    with app.app_context(), db.engine.connect() as conn:
        inspector = inspect(conn)
        return {t: sorted(c["name"] for c in inspector.get_columns(t)) for t in inspector.get_table_names()}


def test_upgrade_builds_exactly_the_schema_of_the_models(build):
    app = build()
    applied = upgrade_all(app)
    assert applied and applied[0].startswith("core ")

    differences = _differences(app)
    assert differences["core"] == []
    assert all(diff == [] for diff in differences.values()), differences
    # Sanity: the comparison really saw the core's tables.
    with app.app_context(), db.engine.connect() as conn:
        owner = table_owner(app, conn, histories(app)[0])
    core_tables = {name for name in db.metadata.tables if owner.owns(name)} - _throwaway_tables()
    assert "user_account" in core_tables and core_tables <= set(_schema(app))


def test_upgrading_twice_changes_nothing(build):
    app = build()
    upgrade_all(app)
    before = _schema(app), _versions(app, "alembic_version")

    assert upgrade_all(app) == []
    assert (_schema(app), _versions(app, "alembic_version")) == before
    assert all(state.up_to_date for state in current(app))


def test_a_plugin_history_lives_in_its_own_version_table(build, migplug):
    app = build(extra_plugins=[("migplug", migplug)], entry_points=False)
    applied = upgrade_all(app)
    assert "migplug m0001 create thing" in applied
    assert applied.index("migplug m0001 create thing") > max(
        i for i, line in enumerate(applied) if line.startswith("core ")
    )  # the core comes first: a plugin's tables may refer to the core's

    schema = _schema(app)
    assert schema["migplug_thing"] == ["id", "name"]
    assert _versions(app, "alembic_version_migplug") == ["m0001"]
    core_head = {s.name: s for s in current(app)}["core"].heads
    assert tuple(_versions(app, "alembic_version")) == core_head
    # The core sees the plugin's table as the plugin's: nothing to create or drop.
    assert _differences(app)["core"] == []

    # A new plugin revision goes into the plugin's folder and its own history.
    path = revision(app, "add nothing yet", plugin="migplug", autogenerate=False, rev_id="m0002")
    assert path.parent == migplug.folder
    assert "down_revision = 'm0001'" in path.read_text()
    assert upgrade_all(app) == ["migplug m0002 add nothing yet"]
    assert _versions(app, "alembic_version_migplug") == ["m0002"]
    assert tuple(_versions(app, "alembic_version")) == core_head


def test_removing_a_plugin_leaves_the_other_histories_working(build, migplug):
    with_plugin = build(extra_plugins=[("migplug", migplug)], entry_points=False)
    upgrade_all(with_plugin)
    with with_plugin.app_context():
        db.engine.dispose()

    without = build(entry_points=False)
    assert upgrade_all(without) == []
    assert [s.name for s in current(without)] == ["core"]
    assert _differences(without)["core"] == []  # the removed plugin's data is not the core's to drop
    assert "migplug_thing" in _schema(without)
    assert _versions(without, "alembic_version_migplug") == ["m0001"]


def test_cli_upgrade_prints_what_it_applied(fresh_database_url, ragem_instance_path):
    runner = CliRunner()
    env = {"RAGEM_DATABASE_URL": fresh_database_url, "RAGEM_INSTANCE_PATH": ragem_instance_path,
           "RAGEM_ENV": "testing", "RAGEM_LOG_JSON": "false", "RAGEM_SCHEDULER": "false"}

    first = runner.invoke(main, ["db", "upgrade"], env=env)
    assert first.exit_code == 0, first.output
    assert "applied core " in first.output
    again = runner.invoke(main, ["db", "upgrade"], env=env)
    assert again.exit_code == 0 and "nothing to apply" in again.output
    status = runner.invoke(main, ["db", "current"], env=env)
    assert status.exit_code == 0
    assert status.output.startswith("core") and "(head)" in status.output.splitlines()[0]

    unknown = runner.invoke(main, ["db", "revision", "-m", "x", "--plugin", "nosuch"], env=env)
    assert unknown.exit_code != 0 and "nosuch" in unknown.output


def test_files_stored_before_the_attached_column_count_as_attached(build):
    """Nothing may be lost to the clean-up job: rows from before ``attached_at`` existed are kept."""
    from alembic import command

    from ragem.migrate import _config

    app = build()
    core = next(history for history in histories(app) if history.name == "core")
    with app.app_context():
        with db.engine.begin() as connection:
            command.upgrade(_config(app, core, connection), "0001")
        with db.engine.begin() as connection:
            connection.execute(text(
                "INSERT INTO stored_file (id, storage_key, content_type, size, sha256, owner_id, purpose, created_at) "
                "VALUES ('00000000-0000-4000-8000-00000000000a', 'aa/00000000-0000-4000-8000-00000000000a.png', "
                "'image/png', 3, 'x', NULL, 'zz.old', '2026-11-01 08:00:00')"))
    upgrade_all(app)
    with app.app_context(), db.engine.connect() as connection:
        attached = connection.execute(text("SELECT attached_at FROM stored_file")).scalar()
    assert str(attached).startswith("2026-11-01 08:00:00")


def test_a_database_made_without_migrations_is_brought_under_them(build):
    """A database created with create_all (no version table) matching the models is stamped, and
    later upgrades work from there; nothing is dropped or recreated."""
    app = build()
    with app.app_context():
        db.create_all()
        with db.engine.begin() as connection:
            connection.execute(text("INSERT INTO region (code, bps_code, name, level, parent_code) "
                                    "VALUES ('99', '9999', 'Uji', 'kota', NULL)"))
    applied = upgrade_all(app)
    assert any(line.startswith("core 0") and "stamped" in line for line in applied), applied
    assert all(state.up_to_date for state in current(app))
    assert upgrade_all(app) == []  # at the head now: nothing more to do
    with app.app_context(), db.engine.connect() as connection:
        assert connection.execute(text("SELECT name FROM region WHERE code = '99'")).scalar() == "Uji"


def test_a_database_made_without_migrations_that_differs_is_not_guessed_at(build):
    app = build()
    with app.app_context():
        db.create_all()
        with db.engine.begin() as connection:
            connection.execute(text("DROP TABLE job_run"))
    with pytest.raises(MigrationError, match="differ from the models"):
        upgrade_all(app)
