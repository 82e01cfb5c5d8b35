"""The figures a benchmark script returns, as data, so ``bench/all.py`` never parses printed tables.

Every script in ``bench/`` keeps printing its own report, and its ``figures(args)`` function also
returns a list of rows made by :func:`figure`. ``--figures-json PATH`` (added by
:func:`add_argument`) writes them to ``PATH`` as JSON; ``bench/all.py`` runs each script in its own
interpreter with that option and reads the file back.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path


def figure(name: str, value: str, target: str = "none", met: bool | None = None, baseline: str | None = None,
           **data) -> dict:
    """One row: what was measured, its value(s) as read, the target, whether it is met.

    ``met`` is ``None`` when the figure has no target. ``baseline`` is the bare Flask app measured in
    the same run, for figures that are shares of it or requests per second. ``data`` keeps the raw
    numbers (milliseconds, requests per second, counts) for anyone who wants to compute with them.
    """
    return {"figure": name, "value": value, "target": target, "met": met, "baseline": baseline, "data": data}


def met_text(met: bool | None) -> str:
    """How a row's ``met`` reads in a table."""
    return "-" if met is None else ("yes" if met else "**NO**")


def add_argument(parser: argparse.ArgumentParser) -> None:
    """The ``--figures-json PATH`` option every benchmark script takes."""
    parser.add_argument("--figures-json", metavar="PATH",
                        help="also write the figures as JSON to PATH (what bench/all.py reads)")


def finish(args: argparse.Namespace, rows: list[dict]) -> int:
    """Write the rows when ``--figures-json`` asks for it; the exit status: 1 when a target is missed."""
    if getattr(args, "figures_json", None):
        Path(args.figures_json).write_text(json.dumps(rows, indent=1, default=str))
    return 1 if any(row["met"] is False for row in rows) else 0


def read(path: Path) -> list[dict]:
    """The rows a script wrote with ``--figures-json`` (an empty list when it wrote none)."""
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return []
