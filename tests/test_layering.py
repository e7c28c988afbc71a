"""The adapters (web, CLI, reports, interop) reach the clinical core only through its public
API: no import of a private core module or name, no reading of a core data file. The core's own
purity (no Django, no adapter) is tests/core/test_purity.py."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from importlib import resources
from pathlib import Path

import benzodetox

PACKAGE = Path(benzodetox.__file__).parent
ADAPTERS = ("web", "cli", "reports", "interop")
CORE = "benzodetox.core"
DATA_FILES = frozenset(
    entry.name for entry in resources.files(CORE).joinpath("data").iterdir() if entry.is_file()
)


def _module_name(path: Path) -> str:
    """Dotted name; a package's ``__init__`` keeps that last part, so that its relative imports
    resolve against the package itself."""
    return ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)


def _absolute(module: str, node: ast.ImportFrom) -> str:
    """The absolute module an ``import from`` names (relative imports resolved)."""
    if not node.level:
        return node.module or ""
    base = module.split(".")[:-1]  # the package the module is in
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _private(dotted: str) -> bool:
    return any(part.startswith("_") for part in dotted.split("."))


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                ids.add(id(body[0].value))
    return ids


def violations(source: str, module: str) -> Iterator[str]:
    """Each way ``source`` (the text of ``module``) breaks the layering, as one line."""
    tree = ast.parse(source)
    docs = _docstrings(tree)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith(CORE) and _private(alias.name):
                    yield f"line {node.lineno}: imports the private core module {alias.name}"
                if alias.name == "tomllib":
                    yield f"line {node.lineno}: imports tomllib (core data come through the core)"
        elif isinstance(node, ast.ImportFrom):
            target = _absolute(module, node)
            if target == "tomllib":
                yield f"line {node.lineno}: imports from tomllib"
            if not (target == CORE or target.startswith(CORE + ".")):
                continue
            if _private(target):
                yield f"line {node.lineno}: imports from the private core module {target}"
            for alias in node.names:
                if alias.name.startswith("_"):
                    yield f"line {node.lineno}: imports the private name {target}.{alias.name}"
        elif isinstance(node, ast.Call):
            for arg in node.args:
                if (
                    isinstance(arg, ast.Constant)
                    and isinstance(arg.value, str)
                    and arg.value.startswith(CORE)
                    and getattr(node.func, "attr", getattr(node.func, "id", "")) == "files"
                ):
                    yield f"line {node.lineno}: opens the core package's files ({arg.value})"
        elif (
            isinstance(node, ast.Constant)
            and isinstance(node.value, str)
            and id(node) not in docs
            and Path(node.value).name in DATA_FILES
            and node.value.endswith(".toml")
        ):
            yield f"line {node.lineno}: names the core data file {node.value!r}"


def _adapter_modules() -> Iterator[tuple[Path, str]]:
    for adapter in ADAPTERS:
        for path in sorted((PACKAGE / adapter).rglob("*.py")):
            yield path, _module_name(path)


def test_every_adapter_module_uses_only_the_public_core():
    """No module under web/, cli/, reports/ or interop/ imports a private core module or name,
    imports tomllib, opens the core package's files or names a core data file."""
    found = [
        f"{path.relative_to(PACKAGE)} {problem}"
        for path, module in _adapter_modules()
        for problem in violations(path.read_text("utf-8"), module)
    ]
    assert found == []


def test_the_walk_covers_every_adapter():
    """The walk sees each adapter package (a moved package would otherwise pass silently)."""
    seen = {module.split(".")[1] for _path, module in _adapter_modules()}
    assert seen == set(ADAPTERS)
    assert "risk.toml" in DATA_FILES


def test_each_kind_of_breach_is_caught():
    """The checker is not vacuous: every forbidden form is reported, the public forms are not."""
    module = "benzodetox.web.monitoring.policy"
    assert list(violations("from ..core._x import y", "benzodetox.web.__init__"))
    bad = {
        "from benzodetox.core.assessment._common import read_data": "private core module",
        "from ...core.assessment._common import read_data": "private core module",
        "from ...core.assessment import _common": "private name",
        "import benzodetox.core.kinetics._x": "private core module",
        "import tomllib": "tomllib",
        "from importlib import resources\nresources.files('benzodetox.core')": "core package",
        "path.joinpath('data', 'sources.toml')": "core data file",
    }
    for source, words in bad.items():
        problems = list(violations(source, module))
        assert problems and words in problems[0], source
    good = (
        "from benzodetox.core.assessment import monitoring_setting\n"
        "from ...core.kinetics.plan_run import simulate_plan\n"
        "from .models import _private_helper\n"
        '"""Reads nothing: risk.toml is named only in this docstring."""\n'
    )
    assert list(violations(good, module)) == []


#: what each adapter may import of the others: arrows point down (docs/architecture.md); the
#: web app's server, backup and outcome commands are the CLI's, never the reverse
MAY_NOT_IMPORT = {
    "interop": ("benzodetox.web", "benzodetox.cli", "benzodetox.reports"),
    "reports": ("benzodetox.web", "benzodetox.cli"),
    "web": ("benzodetox.cli",),
}


def upward_imports(source: str, module: str, forbidden: tuple[str, ...]) -> Iterator[str]:
    """Each import in ``source`` of a package ``module``'s layer may not use, as one line."""
    for node in ast.walk(ast.parse(source)):
        names = []
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            names = [_absolute(module, node)]
        for name in names:
            if any(name == f or name.startswith(f + ".") for f in forbidden):
                yield f"line {node.lineno}: imports {name}"


def test_no_adapter_imports_a_layer_above_it():
    """interop and reports import neither web nor cli; web never imports the CLI (the JSON
    contracts both answer with live in interop.json_contract)."""
    found = [
        f"{path.relative_to(PACKAGE)} {problem}"
        for path, module in _adapter_modules()
        if module.split(".")[1] in MAY_NOT_IMPORT
        for problem in upward_imports(
            path.read_text("utf-8"), module, MAY_NOT_IMPORT[module.split(".")[1]]
        )
    ]
    assert found == []
    cli = ("benzodetox.cli",)
    caught = upward_imports("from ...cli.planning import x", "benzodetox.web.api.a", cli)
    assert list(caught)
