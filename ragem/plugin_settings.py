"""A plugin's own settings: declared once, checked at start-up, read per app.

A plugin's settings are extra ``RAGEM_*`` variables (``RAGEM_RABEG_HOLIDAYS`` arrives as
``RABEG_HOLIDAYS``). The core passes them through as text; a ``PluginSetting`` says how to parse
one, what it defaults to and, through ``problems``, lets ``ragem_config_check`` refuse a bad value
at start-up, so the value read in a request is always a good one.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Generic, Mapping, TypeVar

from flask import current_app, has_app_context

from ragem.config import PREFIX, SETTINGS_BY_NAME, parse_bool, parse_list, parse_positive_int

T = TypeVar("T")

#: Where each app keeps the parsed values (two apps in one process never share them).
EXTENSION_KEY = "ragem.plugin_settings"

#: Parsers for the common kinds of value, the same the core uses for its own settings.
positive_int = parse_positive_int
boolean = parse_bool
text_list = parse_list


@dataclass(frozen=True)
class PluginSetting(Generic[T]):
    """One setting of a plugin: ``RAGEM_<name>`` parsed by ``parse``, ``default`` when unset or blank.

    ``parse`` takes the text and returns the value or raises ``ValueError`` with a message for the
    operator. A value set already typed (``make_app(RABEG_PHOTO_MAX_BYTES=2000)`` in a test) is
    parsed from its text form, so tests and the environment go through the same check. An empty
    value means the default too, unless ``empty_means_default`` is false: then ``parse`` gets the
    empty text (an empty holiday list meaning "no holidays").
    """

    name: str
    parse: Callable[[str], T] = str  # type: ignore[assignment]
    default: T | None = None
    help: str = ""
    empty_means_default: bool = True

    def __post_init__(self) -> None:
        if not self.name or self.name != self.name.upper() or self.name.startswith(PREFIX):
            raise ValueError(f"plugin setting {self.name!r}: name it in capitals without {PREFIX} (TAMAN_API_KEY)")
        # A plugin reads its own settings, never the core's (secrets, the database URL).
        if self.name in SETTINGS_BY_NAME:
            raise ValueError(f"plugin setting {self.name!r} is a core setting; plugins may not read it")

    @property
    def variable(self) -> str:
        """The environment variable that sets it (``RAGEM_RABEG_HOLIDAYS``)."""
        return f"{PREFIX}{self.name}"

    def read(self, settings: Mapping[str, Any]) -> T | None:
        """The value in ``settings`` (the app's ``RAGEM`` config); raises ``ValueError`` when malformed."""
        raw = settings.get(self.name)
        if raw is None:
            return self.default
        text = (",".join(str(item) for item in raw) if isinstance(raw, (list, tuple, set, frozenset))
                else str(raw)).strip()
        if text == "" and self.empty_means_default:
            return self.default
        return self.parse(text)

    def problems(self, settings: Mapping[str, Any]) -> list[str]:
        """What is wrong with the value in ``settings``, for ``ragem_config_check`` (empty when usable)."""
        try:
            self.read(settings)
        except ValueError as exc:
            return [f"{self.variable}: {exc}"]
        return []

    def value(self) -> T | None:
        """The value for the current app, parsed once per app.

        Outside an app context (a script, a unit test of a pure function) it is the default. A value
        that ``ragem_config_check`` would refuse never gets here: the plugin failed to start.
        """
        if not has_app_context():
            return self.default
        cache = current_app.extensions.setdefault(EXTENSION_KEY, {})
        if self.name not in cache:
            cache[self.name] = self.read(current_app.config.get("RAGEM", {}))
        return cache[self.name]
