"""Meta-tests that keep the plugin contract honest.

Every hook declared in ``ragem.hookspecs`` must be typed, say when it is called and how several
answers combine, have a ``### <hook>`` section in ``docs/plugins.md`` that names its arguments, and
be exercised by a test: some test file under ``tests/`` or ``plugins/*/tests/`` holds a throwaway
plugin that implements it (a literal ``def <hook>(``).
"""
from __future__ import annotations

import inspect
import re
from pathlib import Path

from ragem import hookspecs

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "plugins.md"
SPEC_MARK = f"{hookspecs.PROJECT}_spec"  # the attribute pluggy's HookspecMarker sets


def hook_specs() -> dict[str, object]:
    """Every hook declared in ``ragem.hookspecs``, by name."""
    return {
        name: obj for name, obj in vars(hookspecs).items()
        if inspect.isfunction(obj) and hasattr(obj, SPEC_MARK)
    }


def guide_sections() -> dict[str, str]:
    """The ``### <name>`` sections of the plugin guide, heading -> body."""
    text = GUIDE.read_text(encoding="utf-8")
    parts = re.split(r"^### +(\S+) *$", text, flags=re.MULTILINE)
    return {parts[i]: parts[i + 1].split("\n## ", 1)[0] for i in range(1, len(parts), 2)}


def test_the_spec_module_declares_the_hooks():
    specs = hook_specs()
    assert len(specs) >= 16  # sanity: the marker attribute was found
    assert "ragem_plugin_info" in specs and "ragem_deliver_message" in specs
    assert all(name.startswith("ragem_") for name in specs)


def test_every_hook_is_typed():
    untyped = []
    for name, func in hook_specs().items():
        signature = inspect.signature(func)
        if signature.return_annotation is inspect.Signature.empty:
            untyped.append(f"{name} -> ?")
        untyped += [f"{name}({p})" for p, param in signature.parameters.items() if param.annotation is inspect.Parameter.empty]
    assert not untyped, f"hooks without type annotations: {', '.join(untyped)}"


def test_every_hook_says_when_it_is_called_and_how_answers_combine():
    vague = []
    for name, func in hook_specs().items():
        doc = inspect.getdoc(func) or ""
        if "Combination:" not in doc:
            vague.append(f"{name}: no 'Combination:' rule")
        if not re.search(r"\b(Called|Collected)\b", doc):
            vague.append(f"{name}: does not say when it is called")
    assert not vague, "hookspec docstrings incomplete:\n" + "\n".join(vague)


def test_every_hook_has_a_section_in_the_plugin_guide():
    specs, sections = hook_specs(), guide_sections()
    missing = sorted(set(specs) - set(sections))
    assert not missing, f"docs/plugins.md has no '### <hook>' section for: {', '.join(missing)}"
    stale = sorted(name for name in sections if name.startswith("ragem_") and name not in specs)
    assert not stale, f"docs/plugins.md documents hooks that do not exist: {', '.join(stale)}"


def test_every_hook_section_names_its_arguments_and_its_combination():
    sections = guide_sections()
    gaps = []
    for name, func in hook_specs().items():
        body = sections.get(name, "")
        for argument in inspect.signature(func).parameters:
            if f"`{argument}`" not in body:
                gaps.append(f"{name}: argument `{argument}` not described")
        if "**Combination:**" not in body or "```python" not in body:
            gaps.append(f"{name}: needs a **Combination:** line and an example")
    assert not gaps, "docs/plugins.md hook sections incomplete:\n" + "\n".join(gaps)


def test_every_hook_is_exercised_by_a_test():
    files = [p for p in (ROOT / "tests").rglob("*.py") if p.resolve() != Path(__file__).resolve()]
    files += list(ROOT.glob("plugins/*/tests/**/*.py"))
    sources = "\n".join(p.read_text(encoding="utf-8") for p in files)
    untested = sorted(name for name in hook_specs() if not re.search(rf"\bdef\s+{name}\(", sources))
    assert not untested, (
        "hooks that no test implements in a throwaway plugin (write one under tests/ or "
        f"plugins/<slug>/tests/ with 'def <hook>('): {', '.join(untested)}"
    )
