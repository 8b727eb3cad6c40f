"""Meta-tests that keep hook specifications, their docs and their tests in lockstep."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

import disputeflow
from disputeflow.core import hookspecs
from disputeflow.core.plugins import get_plugin_manager
from tests.core import test_hooks

PACKAGE = Path(disputeflow.__file__).parent
DOCS = PACKAGE.parent / "docs" / "plugin_hooks.md"
HOOK_NAME = re.compile(r"^disputeflow_[a-z][a-z0-9]*(_[a-z0-9]+)*$")


def _is_hookspec(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Name) and target.id == "hookspec"


def _options(node: ast.FunctionDef) -> dict[str, object]:
    for decorator in node.decorator_list:
        if isinstance(decorator, ast.Call) and _is_hookspec(decorator):
            return {k.arg: ast.literal_eval(k.value) for k in decorator.keywords if k.arg}
    return {}


def _spec_nodes() -> dict[str, ast.FunctionDef]:
    tree = ast.parse(Path(hookspecs.__file__).read_text())
    return {
        node.name: node
        for node in tree.body
        if isinstance(node, ast.FunctionDef) and any(map(_is_hookspec, node.decorator_list))
    }


SPECS = _spec_nodes()
PM = get_plugin_manager(load_entrypoints=False)
HOOKS = sorted(name for name in vars(PM.hook) if not name.startswith("_"))


def _argnames(node: ast.FunctionDef) -> list[str]:
    return [arg.arg for arg in (*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs)]


def _package_files() -> list[Path]:
    return sorted(PACKAGE.rglob("*.py"))


def test_specs_found():
    assert len(SPECS) >= 8
    assert sorted(SPECS) == HOOKS, "every hook the manager knows comes from hookspecs.py"


def test_builtins_implement_only_specified_hooks():
    PM.check_pending()  # raises for an implementation of a hook nobody specified


@pytest.mark.parametrize("name", HOOKS)
def test_hook_name_grammar(name):
    assert HOOK_NAME.match(name), f"{name} must be disputeflow_<lower_snake_case>"


@pytest.mark.parametrize("name", [h for h in HOOKS if h.startswith("disputeflow_before_")])
def test_lifecycle_hooks_come_in_triplets(name):
    event = name.removeprefix("disputeflow_before_")
    before = getattr(PM.hook, name).spec.argnames
    assert f"disputeflow_after_{event}" in HOOKS
    assert f"disputeflow_on_{event}_error" in HOOKS
    error_args = getattr(PM.hook, f"disputeflow_on_{event}_error").spec.argnames
    assert list(error_args) == [*before, "error"]


@pytest.mark.parametrize("name", sorted(SPECS))
def test_spec_body_is_only_a_docstring(name):
    body = SPECS[name].body
    assert len(body) == 1, f"{name} has code besides its docstring"
    assert isinstance(body[0], ast.Expr)
    assert isinstance(body[0].value, ast.Constant)
    assert isinstance(body[0].value.value, str)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_spec_is_fully_annotated(name):
    node = SPECS[name]
    missing = [arg for arg in (*node.args.args, *node.args.kwonlyargs) if arg.annotation is None]
    assert not missing, f"{name}: {[a.arg for a in missing]} lack annotations"
    assert node.returns is not None, f"{name} lacks a return annotation"
    assert node.args.vararg is None
    assert node.args.kwarg is None


@pytest.mark.parametrize("name", sorted(SPECS))
def test_spec_docstring_has_the_four_parts(name):
    node = SPECS[name]
    doc = ast.get_docstring(node) or ""
    assert "Called " in doc, f"{name}: say when the hook is called"
    args = _argnames(node)
    for arg in args:
        assert re.search(rf"^\s*:param {arg}:", doc, re.M), f"{name}: no ':param {arg}:' line"
    documented = re.findall(r":param (\w+):", doc)
    assert set(documented) <= set(args), f"{name} documents arguments it does not take"
    assert re.search(r"^\s*:return:", doc, re.M), f"{name}: no ':return:' line"
    assert "Example::" in doc, f"{name}: no 'Example::' block"
    example = doc.split("Example::", 1)[1]
    assert f"def {name}(" in example, f"{name}: the example must implement the hook"
    assert "@hookimpl" in example


@pytest.mark.parametrize("name", sorted(SPECS))
def test_firstresult_is_documented(name):
    firstresult = _options(SPECS[name]).get("firstresult", False)
    doc = ast.get_docstring(SPECS[name]) or ""
    assert ("firstresult" in doc) == firstresult, (
        f"{name}: the docstring must mention firstresult exactly when the spec uses it"
    )
    assert getattr(PM.hook, name).spec.opts["firstresult"] == firstresult


@pytest.mark.parametrize("name", sorted(SPECS))
def test_spec_options_are_deliberate(name):
    options = _options(SPECS[name])
    assert set(options) <= {"firstresult", "historic", "warn_on_impl"}
    if options.get("historic"):
        assert ast.unparse(SPECS[name].returns) == "None", "historic hooks return nothing"


@pytest.mark.parametrize("name", sorted(SPECS))
def test_argnames_match_the_manager(name):
    assert tuple(_argnames(SPECS[name])) == tuple(getattr(PM.hook, name).spec.argnames)


def test_no_old_style_hookwrappers():
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in _package_files()
        if re.search(r"hookwrapper\s*=\s*True", path.read_text())
    ]
    assert offenders == [], "use wrapper=True, never hookwrapper=True"


def test_hooks_are_called_with_keyword_arguments():
    offenders = []
    for path in _package_files():
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr.startswith("disputeflow_")
                and isinstance(node.func.value, ast.Attribute)
                and node.func.value.attr == "hook"
                and node.args
            ):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert offenders == [], "call hooks with keyword arguments only"


def test_plugins_never_import_pluggy():
    plugins = PACKAGE / "plugins"
    offenders = [
        str(path.relative_to(PACKAGE))
        for path in sorted(plugins.rglob("*.py"))
        if re.search(r"^\s*(import|from) pluggy", path.read_text(), re.M)
    ]
    assert offenders == [], "plugins import hookimpl from disputeflow, never pluggy"


@pytest.mark.parametrize("name", HOOKS)
def test_every_hook_documented(name):
    signature = f"{name}({', '.join(getattr(PM.hook, name).spec.argnames)})"
    assert signature in DOCS.read_text(), f"docs/plugin_hooks.md must document {signature}"


@pytest.mark.parametrize("name", HOOKS)
def test_every_hook_has_test(name):
    assert callable(getattr(test_hooks, f"test_hook_{name}", None)), (
        f"tests/core/test_hooks.py must define test_hook_{name}"
    )
