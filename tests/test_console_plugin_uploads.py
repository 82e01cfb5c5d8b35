"""The console's page contract for forms that upload files and for handlers that send the browser to
another page (``toolkit.ConsoleRedirect``); a path value may be called ``name``."""
from __future__ import annotations

import io
from pathlib import Path

import pytest
from marshmallow import fields, validate

from throwaway import ThrowawayService

from ragem import toolkit
from ragem.testing import console_client, console_post
from ragem.toolkit import hookimpl

SLUG = "zzfiles"
TEMPLATES = str(Path(__file__).parent / "console_templates")
FOLDERS: dict[str, dict[str, bytes]] = {}  # the service's "database": reset by the app fixture


class UploadSchema(toolkit.BaseSchema):
    file = fields.Raw(required=True)
    label = fields.String(required=True, validate=validate.Length(min=2, max=20))


class ShownSchema(toolkit.BaseSchema):
    shown = fields.String(load_default=None, validate=validate.Length(max=40))


def _folder(name: str) -> dict[str, bytes]:
    if name not in FOLDERS:
        raise toolkit.NotFound(details={"folder": name})
    return FOLDERS[name]


def _view(account, *, name, query):
    files = _folder(name)
    shown = query["shown"]
    return {"folder": name, "files": sorted(files), "shown": files[shown].decode() if shown in files else None}


def _upload(account, form, *, name):
    data = form["file"].read()
    if not data:
        raise toolkit.ValidationError(message={"id": "Berkas kosong.", "en": "The file is empty."})
    _folder(name)[form["label"]] = data
    return toolkit.ConsoleRedirect("files", {"name": name, "shown": form["label"]})


class FilesService(ThrowawayService):
    """A folder's page (its path value is called ``name``) with an upload form."""

    @hookimpl
    def ragem_console_pages(self):
        return [toolkit.ConsolePage("files", {"id": "Berkas", "en": "Files"}, _view, "files.html", TEMPLATES,
                                    path="<string:name>", query=ShownSchema,
                                    actions=[toolkit.ConsoleAction("upload", _upload, UploadSchema)])]


@pytest.fixture
def app(make_app):
    FOLDERS.clear()
    FOLDERS["laporan"] = {}
    return make_app(extra_plugins=[(SLUG, FilesService(SLUG))], entry_points=False)


PAGE = f"/console/p/{SLUG}/files/laporan"


def body(response) -> str:
    return response.get_data(as_text=True)


def test_a_multipart_form_hands_its_file_to_the_handler_which_picks_the_next_page(app):
    officer = console_client(app, "officer")
    assert 'enctype="multipart/form-data"' in body(officer.get(PAGE))  # the path value "name" reaches the view
    done = console_post(officer, f"{PAGE}/act/upload", {"label": "mei", "file": (io.BytesIO(b"isi berkas"), "mei.csv")})
    assert done.status_code == 302 and done.headers["Location"] == f"{PAGE}?shown=mei"
    assert FOLDERS["laporan"] == {"mei": b"isi berkas"}
    after = officer.get(done.headers["Location"])
    assert 'id="shown">isi berkas<' in body(after) and "Tersimpan." in body(after)


def test_a_missing_or_refused_file_is_shown_on_the_page_and_nothing_is_kept(app):
    officer = console_client(app, "officer")
    no_file = console_post(officer, f"{PAGE}/act/upload", {"label": "mei"})
    assert no_file.status_code == 422 and "file" in body(no_file) and 'value="mei"' in body(no_file)
    not_chosen = console_post(officer, f"{PAGE}/act/upload", {"label": "mei", "file": (io.BytesIO(b""), "")})
    assert not_chosen.status_code == 422  # a file input left empty is a missing field
    empty = console_post(officer, f"{PAGE}/act/upload", {"label": "mei", "file": (io.BytesIO(b""), "kosong.csv")})
    assert empty.status_code == 422 and "Berkas kosong." in body(empty)
    assert FOLDERS["laporan"] == {}


def test_an_upload_needs_the_csrf_token(app):
    officer = console_client(app, "officer")
    refused = officer.post(f"{PAGE}/act/upload", data={"label": "mei", "file": (io.BytesIO(b"x"), "mei.csv")})
    assert refused.status_code == 400
    assert FOLDERS["laporan"] == {}


def test_a_form_over_the_body_limit_is_a_console_page_and_nothing_is_kept(make_app):
    FOLDERS.clear()
    FOLDERS["laporan"] = {}
    small = make_app(extra_plugins=[(SLUG, FilesService(SLUG))], entry_points=False, MAX_BODY_BYTES=4096)
    officer = console_client(small, "officer")
    refused = console_post(officer, f"{PAGE}/act/upload", {"label": "mei", "file": (io.BytesIO(b"x" * 8192), "mei.csv")})
    assert refused.status_code == 413
    assert refused.mimetype == "text/html" and "Formulir terlalu besar" in body(refused)
    assert FOLDERS["laporan"] == {}
