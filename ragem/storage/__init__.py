"""(being built)"""


def init_app(app, api) -> None:
    """Mount this module (to be completed)."""
