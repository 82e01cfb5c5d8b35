"""Every page of the console, core and plugin, with the rule that decides who may open it."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any, Mapping

from flask import current_app
from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader
from werkzeug.routing import Map, MapAdapter, Rule

from ragem.auth.guards import can
from ragem.console.login_state import is_staff
from ragem.hooktypes import ConsoleAction, ConsolePage

log = logging.getLogger("ragem.console")
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")


@dataclass(frozen=True)
class RegisteredPage:
    """One page as the navigation lists it: where it is, its title, and who may open it."""

    endpoint: str
    kwargs: Mapping[str, str]
    title: Mapping[str, str]
    roles: tuple[str, ...] = ()  # core pages: these roles
    permission: str | None = None  # plugin pages: this permission (None: every officer and admin)
    slug: str | None = None  # the plugin's service, for the switched-off notice
    plugin_page: Any = None


CORE_PAGES = (
    RegisteredPage("console.dashboard", {}, {"id": "Dasbor", "en": "Dashboard"}, roles=("officer", "admin")),
    RegisteredPage("console.services", {}, {"id": "Layanan", "en": "Services"}, roles=("admin",)),
    RegisteredPage("console.accounts", {}, {"id": "Akun", "en": "Accounts"}, roles=("admin",)),
    RegisteredPage("console.audit", {}, {"id": "Log audit", "en": "Audit log"}, roles=("admin",)),
    RegisteredPage("console.failed_jobs", {}, {"id": "Pekerjaan gagal", "en": "Failed jobs"}, roles=("admin",)),
    RegisteredPage("console.evaluation", {}, {"id": "Evaluasi", "en": "Evaluation"}, roles=("admin",)),
    RegisteredPage("console.sso_clients", {}, {"id": "Sistem SSO", "en": "SSO systems"}, roles=("admin",)),
)


def core_page(endpoint: str) -> RegisteredPage:
    """The core page served by ``endpoint`` (its sub-pages and forms share its roles)."""
    return next(page for page in CORE_PAGES if page.endpoint == endpoint)


def allowed(account, page: RegisteredPage) -> bool:
    """Whether ``account`` may see ``page``: staff only, then the page's roles or permission."""
    if not is_staff(account):
        return False
    if page.roles:
        return any(account.has_role(role) for role in page.roles)
    if page.permission:
        return can(account, page.permission)
    return True


def all_pages() -> list[RegisteredPage]:
    """Core pages first, then each started plugin's pages by slug (not its detail pages, which
    need a path value and are reached from links)."""
    plugin_pages = current_app.extensions.get("ragem.console_pages", {}).values()
    return [*CORE_PAGES, *(page for page in plugin_pages if page.plugin_page.path is None)]


def plugin_page(slug: str, name: str) -> RegisteredPage | None:
    """The plugin page served at ``/console/p/<slug>/<name>``, if one is registered."""
    return current_app.extensions.get("ragem.console_pages", {}).get((slug, name))


def collect_plugin_pages(app) -> None:
    """Ask every started plugin for its pages once, and teach Jinja2 where their templates are."""
    registry = app.extensions["ragem.plugins"]
    found: dict[tuple[str, str], RegisteredPage] = {}
    folders: dict[str, ChoiceLoader] = {}
    for record, answer in registry.per_plugin("ragem_console_pages", only_available=False):
        loaders = []
        for page in answer or ():
            if (not isinstance(page, ConsolePage) or not _NAME.match(page.name or "") or (record.slug, page.name) in found
                    or not _valid_contract(page)):
                log.warning("console page refused", extra={"plugin": record.name, "page": getattr(page, "name", None)})
                continue
            found[(record.slug, page.name)] = RegisteredPage(
                "console.plugin_page", {"slug": record.slug, "name": page.name}, page.title,
                permission=page.permission, slug=record.slug, plugin_page=page,
            )
            loaders.append(FileSystemLoader(page.template_folder))
        if loaders:
            folders[record.slug] = ChoiceLoader(loaders)
    app.extensions["ragem.console_pages"] = found
    # A plugin's template is named "<slug>/<file>": plugins cannot shadow each other or the core.
    app.jinja_env.loader = ChoiceLoader([app.jinja_env.loader, PrefixLoader(folders)])


def _valid_contract(page: ConsolePage) -> bool:
    """Whether a page's path rule compiles and its actions are ``ConsoleAction``s with unique, valid names."""
    names = [getattr(action, "name", None) for action in page.actions or ()]
    if not all(isinstance(action, ConsoleAction) for action in page.actions or ()):
        return False
    if len(set(names)) != len(names) or not all(_NAME.match(name or "") for name in names):
        return False
    if page.path is not None:
        try:
            path_rules(page)
        except (ValueError, TypeError, LookupError, AssertionError):
            return False
    return True


def path_rules(page: ConsolePage) -> MapAdapter:
    """A matcher of the page's ``path`` tail (``/<int:complaint_id>``) against a requested tail."""
    return Map([Rule("/" + page.path.strip("/"), endpoint=page.name)]).bind("console", "/")


def plugin_template(slug: str, template: str) -> str:
    """The Jinja2 name of a plugin page's template."""
    return f"{slug}/{template}"
