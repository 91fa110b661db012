"""Every module of the product says what it exports, and says it truly.

For each module under ``schemas/``, ``workers/`` and ``services/``: it has ``__all__``, every
name in it exists, a package's ``__all__`` is exactly the public names it binds, and a plain
module's ``__all__`` holds every public function and class it defines. A re-export forgotten in
``__all__``, or an ``__all__`` naming what was moved away, fails here rather than in a caller.
"""

from __future__ import annotations
import __future__

import importlib
import inspect
import os
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("schemas", "workers", "services")
# What `from __future__ import annotations` binds in a package: a compiler flag, not an export.
_FEATURE = type(__future__.annotations)


def _module_names() -> list[str]:
    """Dotted names of every module in the product, packages included.

    ``__main__`` modules are left out: importing one runs the program.
    """
    names = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if parts[-1] == "__main__":
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            names.append(".".join(parts))
    return names


MODULES = _module_names()
# Read the settings when imported; imported here with a stand-in Redis URL, then forgotten, so
# that no later test meets a Celery configuration made for that URL.
READS_SETTINGS = "workers.celeryconfig"


@pytest.fixture
def imported(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[[str], ModuleType]]:
    """``imported(name)``: the module, imported with settings it can read."""
    from workers.settings import get_settings

    if "REDIS_URL" not in os.environ:
        monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:1/0")
    get_settings.cache_clear()
    fresh = READS_SETTINGS not in sys.modules
    yield importlib.import_module
    get_settings.cache_clear()
    if fresh:
        sys.modules.pop(READS_SETTINGS, None)


def _is_package(module: ModuleType) -> bool:
    return hasattr(module, "__path__")


def _bound_names(package: ModuleType) -> set[str]:
    """Public names a package binds, less modules (its submodules land there when imported)
    and ``from __future__`` features."""
    return {
        name
        for name, value in vars(package).items()
        if not name.startswith("_") and not isinstance(value, ModuleType | _FEATURE)
    }


def _defined_names(module: ModuleType) -> set[str]:
    """Public functions and classes the module defines itself (decorated ones included)."""
    names = set()
    for name, value in vars(module).items():
        if name.startswith("_") or getattr(value, "__module__", None) != module.__name__:
            continue
        if inspect.isclass(value) or inspect.isfunction(inspect.unwrap(value)):
            names.add(name)
    return names


def test_every_module_is_found() -> None:
    # The count the issue gave (115) only grows; a broken walk would find a handful.
    assert len(MODULES) >= 115
    assert {"schemas", "workers", "services", "workers.dedupe.evaluation"} <= set(MODULES)


@pytest.mark.parametrize("name", MODULES)
def test_all_is_declared_and_true(name: str, imported: Callable[[str], ModuleType]) -> None:
    module = imported(name)
    assert hasattr(module, "__all__"), f"{name} has no __all__"
    declared = list(module.__all__)
    assert len(declared) == len(set(declared)), f"{name}.__all__ repeats a name"
    missing = [n for n in declared if not hasattr(module, n)]
    assert not missing, f"{name}.__all__ names what it does not have: {missing}"
    if _is_package(module):
        bound = _bound_names(module)
        assert bound == set(declared), (
            f"package {name}: bound but not in __all__ {sorted(bound - set(declared))}, "
            f"in __all__ but not bound {sorted(set(declared) - bound)}"
        )
    else:
        unlisted = _defined_names(module) - set(declared)
        assert not unlisted, f"{name} defines public names missing from __all__: {sorted(unlisted)}"
