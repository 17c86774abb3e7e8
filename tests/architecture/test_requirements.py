"""Every package the server imports is pinned in requirements.txt, so a production install
(`pip install -r requirements.txt`, no development packages) runs every command it offers."""

import ast
import re
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# What ships: every package but the tests (the development requirements serve those).
SHIPPED = ["accounts", "chats", "config", "events", "loadtest", "messaging", "protocols", "realtime", "webclient"]


def _imported_top_level_modules() -> set[str]:
    modules = set()
    for package in SHIPPED:
        for source in (ROOT / package).rglob("*.py"):
            for node in ast.walk(ast.parse(source.read_text())):
                if isinstance(node, ast.Import):
                    modules |= {alias.name.split(".")[0] for alias in node.names}
                elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                    modules.add(node.module.split(".")[0])
    return modules - set(sys.stdlib_module_names) - set(SHIPPED) - {"manage"}


def _pinned() -> set[str]:
    names = set()
    for line in (ROOT / "requirements.txt").read_text().splitlines():
        match = re.match(r"([A-Za-z0-9_.-]+)(\[[^]]*\])?==", line)
        if match:
            names.add(re.sub(r"[-_.]+", "-", match.group(1)).lower())
    return names


def test_every_imported_package_is_pinned_in_the_production_requirements():
    distributions = packages_distributions()
    pinned = _pinned()
    missing = {}
    for module in sorted(_imported_top_level_modules()):
        owners = {re.sub(r"[-_.]+", "-", name).lower() for name in distributions.get(module, [module])}
        if not owners & pinned:
            missing[module] = sorted(owners)
    assert missing == {}
