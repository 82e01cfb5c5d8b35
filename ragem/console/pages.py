"""Every page of the console, core and plugin, with the rule that decides who may open it."""
from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any, Callable, Mapping

from flask import current_app
from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader

from ragem.auth.guards import can
from ragem.console.login_state import is_staff
from ragem.hooktypes import ConsolePage

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
    RegisteredPage("console.sso_clients", {}, {"id": "Sistem SSO", "en": "SSO systems"}, roles=("admin",)),
)


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
    """Core pages first, then each started plugin's pages by slug."""
    return [*CORE_PAGES, *current_app.extensions.get("ragem.console_pages", {}).values()]


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
            if not isinstance(page, ConsolePage) or not _NAME.match(page.name or "") or (record.slug, page.name) in found:
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


def plugin_template(slug: str, template: str) -> str:
    """The Jinja2 name of a plugin page's template."""
    return f"{slug}/{template}"


def plugin_context(page: RegisteredPage, account) -> Mapping[str, Any]:
    """What the plugin's ``view`` answers for ``account`` (a mapping for its template)."""
    view: Callable[[Any], Mapping[str, Any]] = page.plugin_page.view
    return dict(view(account) or {})
