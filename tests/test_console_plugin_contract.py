"""The console's page contract for plugins: detail pages, query filters and form actions
(``toolkit.ConsolePage`` with ``path``, ``query`` and ``actions``; ``toolkit.ConsoleAction``)."""
from __future__ import annotations

from pathlib import Path

import pytest
from marshmallow import fields, validate

from throwaway import ThrowawayService

from ragem import toolkit
from ragem.testing import console_client, console_post
from ragem.toolkit import hookimpl

SLUG = "zznotes"
TEMPLATES = str(Path(__file__).parent / "console_templates")
NOTES: dict[int, str] = {}  # the service's "database": reset by the app fixture


class FilterSchema(toolkit.BaseSchema):
    contains = fields.String(load_default="", validate=validate.Length(max=20))


class RenameSchema(toolkit.BaseSchema):
    text = fields.String(required=True, validate=validate.Length(min=3, max=40))


def _note(note_id: int) -> str:
    if note_id not in NOTES:
        raise toolkit.NotFound(details={"note_id": note_id})
    return NOTES[note_id]


def _list(account, *, query):
    return {"filter": query["contains"], "notes": [{"id": i, "text": t} for i, t in NOTES.items() if query["contains"] in t]}


def _detail(account, *, note_id):
    return {"note": {"id": note_id, "text": _note(note_id)}}


def _rename(account, form, *, note_id):
    _note(note_id)
    if form["text"] == "taken":
        raise toolkit.Conflict(message={"id": "Nama sudah dipakai.", "en": "The name is taken."})
    NOTES[note_id] = form["text"]


def _archive(account, form, *, note_id):
    NOTES.pop(note_id)


def _broken(account, form, *, note_id):
    raise RuntimeError("a bug in the plugin's action")


class NotesService(ThrowawayService):
    """A service with a list page (filtered by the query) and a detail page with three actions."""

    @hookimpl
    def ragem_permissions(self):
        return [toolkit.Permission(f"{SLUG}.archive", {"id": "Arsip", "en": "Archive"}, ("admin",))]

    @hookimpl
    def ragem_console_pages(self):
        return [
            toolkit.ConsolePage("notes", {"id": "Catatan", "en": "Notes"}, _list, "notes.html", TEMPLATES,
                                query=FilterSchema),
            toolkit.ConsolePage("note", {"id": "Satu catatan", "en": "A note"}, _detail, "note.html", TEMPLATES,
                                path="<int:note_id>", actions=[
                                    toolkit.ConsoleAction("rename", _rename, RenameSchema,
                                                          done={"id": "Diganti.", "en": "Renamed."}),
                                    toolkit.ConsoleAction("archive", _archive, permission=f"{SLUG}.archive"),
                                    toolkit.ConsoleAction("broken", _broken),
                                ]),
            # Refused at start-up, with a warning: a path that is no rule, an action that is not one.
            toolkit.ConsolePage("badpath", {"id": "x", "en": "x"}, _list, "notes.html", TEMPLATES, path="<nope:x"),
            toolkit.ConsolePage("badaction", {"id": "x", "en": "x"}, _list, "notes.html", TEMPLATES,
                                actions=[{"name": "x"}]),
        ]


@pytest.fixture
def app(make_app):
    NOTES.clear()
    NOTES.update({1: "lampu jalan", 2: "taman kota"})
    return make_app(extra_plugins=[(SLUG, NotesService(SLUG))], entry_points=False)


def body(response) -> str:
    return response.get_data(as_text=True)


def test_a_list_page_reads_its_filters_from_the_query_and_links_to_detail_pages(app):
    officer = console_client(app, "officer")
    home = body(officer.get("/console/"))
    assert f'href="/console/p/{SLUG}/notes"' in home
    assert f"/console/p/{SLUG}/note/" not in home and "Satu catatan" not in home  # a detail page is reached from links, not listed
    assert "badpath" not in home and "badaction" not in home
    shown = body(officer.get(f"/console/p/{SLUG}/notes?contains=taman"))
    assert "taman kota" in shown and "lampu jalan" not in shown
    assert f'href="/console/p/{SLUG}/note/2"' in shown
    bad = officer.get(f"/console/p/{SLUG}/notes?contains={'x' * 30}")
    assert bad.status_code == 400 and "Filter tidak valid" in body(bad) and "contains" in body(bad)
    assert officer.get(f"/console/p/{SLUG}/notes?contains=%00").status_code == 400


def test_a_detail_page_gets_its_path_value_and_unknown_or_malformed_ones_are_404(app):
    officer = console_client(app, "officer")
    assert "lampu jalan" in body(officer.get(f"/console/p/{SLUG}/note/1"))
    for tail in ("99", "abc", "1/2", ""):
        assert officer.get(f"/console/p/{SLUG}/note/{tail}").status_code == 404, tail
    assert officer.get(f"/console/p/{SLUG}/notes/1").status_code == 404  # a list page takes no path


def test_an_action_redirects_back_with_a_message_and_refusals_are_shown_on_the_page(app):
    officer = console_client(app, "officer")
    url = f"/console/p/{SLUG}/note/1/act/rename"
    done = console_post(officer, url, {"text": "lampu taman"})
    assert done.status_code == 302 and done.headers["Location"] == f"/console/p/{SLUG}/note/1"
    after = body(officer.get(f"/console/p/{SLUG}/note/1"))
    assert "lampu taman" in after and "Diganti." in after
    short = console_post(officer, url, {"text": "ab"})
    assert short.status_code == 422 and "Periksa kembali isian formulir." in body(short) and 'value="ab"' in body(short)
    taken = console_post(officer, url, {"text": "taken"})
    assert taken.status_code == 409 and "Nama sudah dipakai." in body(taken)
    assert NOTES[1] == "lampu taman"
    assert console_post(officer, f"/console/p/{SLUG}/note/99/act/rename", {"text": "apa saja"},
                        token_from="/console/").status_code == 404
    assert console_post(officer, f"/console/p/{SLUG}/note/1/act/nothing", {}).status_code == 404
    assert console_post(officer, f"/console/p/{SLUG}/note/1/act/broken", {}).status_code == 503  # a notice, no 500


def test_actions_need_the_csrf_token_and_their_own_permission(app):
    officer = console_client(app, "officer")
    assert officer.post(f"/console/p/{SLUG}/note/1/act/rename", data={"text": "tanpa token"}).status_code == 400
    assert NOTES[1] == "lampu jalan"
    assert console_post(officer, f"/console/p/{SLUG}/note/1/act/archive", {}).status_code == 403
    assert 1 in NOTES
    anonymous = app.test_client()
    assert console_post(anonymous, f"/console/p/{SLUG}/note/1/act/rename", {"text": "tamu"},
                        token_from="/console/login").status_code == 302
    admin = console_client(app, "admin")
    assert console_post(admin, f"/console/p/{SLUG}/note/1/act/archive", {}).status_code == 302
    assert 1 not in NOTES


def test_while_the_service_is_off_pages_and_actions_say_so(app, client, login_as):
    officer = console_client(app, "officer")
    client.patch(f"/api/v1/admin/services/{SLUG}", json={"enabled": False, "reason": "pemeliharaan"},
                 headers=login_as("admin"))
    assert officer.get(f"/console/p/{SLUG}/note/1").status_code == 503
    assert console_post(officer, f"/console/p/{SLUG}/note/1/act/rename", {"text": "saat mati"}).status_code == 503
    assert NOTES[1] == "lampu jalan"
