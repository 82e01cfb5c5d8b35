"""The core's own modules, each a package with ``init_app(app, api)``, mounted in this order."""

CORE_MODULES = (
    "ragem.health",
    "ragem.auth",
    "ragem.audit",
    "ragem.catalog",
    "ragem.profile",
    "ragem.regions",
    "ragem.opds",
    "ragem.notifications",
    "ragem.messaging",
    "ragem.jobs",
    "ragem.storage",
    "ragem.evaluation",
    "ragem.apidocs",
    "ragem.console",
    "ragem.sso",
)
