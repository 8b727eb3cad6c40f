"""``disputeflow plugin new``: the plugin it writes installs, passes the conformance kit as
written, shows in ``plugins list`` and feeds ``disputeflow demo``."""

from __future__ import annotations

import ast
import fnmatch
import json
import os
import re
import site
import subprocess
import sys
import time
import tomllib
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from click.testing import CliRunner

import disputeflow
from disputeflow.cli import cli
from disputeflow.core.clock import parse_rfc3339
from disputeflow.kit.writer import SIGNATURE_SCHEMES, PluginNames, render
from tests.servers import free_port

BIN = Path(sys.executable).parent
ALLOWED_IMPORTS = {"disputeflow", "disputeflow.core.testing"}  # the public API and the kit


def new_plugin(*args: str):
    return CliRunner().invoke(cli, ["plugin", "new", *args], catch_exceptions=False)


def test_writes_a_package_named_after_the_marketplace(tmp_path):
    result = new_plugin("acme_market", "--directory", str(tmp_path / "out"))
    assert result.exit_code == 0, result.output
    written = {p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*")}
    assert {
        "pyproject.toml",
        "README.md",
        "disputeflow_acme_market/plugin.py",
        "disputeflow_acme_market/marketplace.py",
        "disputeflow_acme_market/py.typed",
        "tests/test_conformance.py",
    } <= written
    pyproject = (tmp_path / "out" / "pyproject.toml").read_text()
    assert 'acme_market = "disputeflow_acme_market.plugin"' in pyproject
    assert 'build-backend = "setuptools.build_meta"' in pyproject
    marketplace = (tmp_path / "out" / "disputeflow_acme_market" / "marketplace.py").read_text()
    assert "class AcmeMarketMarketplace(Marketplace):" in marketplace
    assert 'name = "acme_market"' in marketplace
    assert "${" not in "".join(render(PluginNames.of("acme_market")).values())


@pytest.mark.parametrize(
    "name", ["Acme", "1acme", "a", "acme-market", "acme__x", "acme_", "x" * 41]
)
def test_invalid_names_are_refused_in_one_line(tmp_path, name):
    result = new_plugin(name, "--directory", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert result.output.startswith("Error: plugin name")
    assert len(result.output.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists()


def test_an_existing_non_empty_directory_is_refused(tmp_path):
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "mine.txt").write_text("keep me")
    result = new_plugin("acme", "--directory", str(tmp_path / "out"))
    assert result.exit_code == 1
    assert (
        result.output == f"Error: {tmp_path / 'out'} already exists and is not an empty directory\n"
    )
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["mine.txt"]
    (tmp_path / "empty").mkdir()
    assert new_plugin("acme", "--directory", str(tmp_path / "empty")).exit_code == 0


def test_the_name_of_an_installed_marketplace_is_refused(tmp_path, fake_plugins):
    result = CliRunner().invoke(
        cli, ["plugin", "new", "fake", "--directory", str(tmp_path / "out")], obj=fake_plugins
    )
    assert result.exit_code == 1
    assert "a plugin or marketplace named 'fake' is already installed" in result.output
    assert not (tmp_path / "out").exists()


def test_default_directory_is_the_distribution_name(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert new_plugin("acme").exit_code == 0
    assert (tmp_path / "disputeflow-acme" / "disputeflow_acme" / "webhooks.py").is_file()


@pytest.mark.parametrize("signature", sorted(SIGNATURE_SCHEMES))
def test_generated_code_imports_only_the_public_api(signature):
    for relative, text in render(PluginNames.of("acme"), signature).items():
        if not relative.endswith(".py"):
            continue
        for node in ast.walk(ast.parse(text)):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            for module in modules:
                if module.split(".")[0] == "disputeflow":
                    assert module in ALLOWED_IMPORTS, f"{relative} imports {module}"


def test_the_generated_client_calls_through_platform_client():
    client = render(PluginNames.of("acme"))["disputeflow_acme/client.py"]
    assert "PlatformClient(" in client
    assert "requests" not in client.replace("``requests``", "")


def test_each_signature_scheme_writes_its_own_webhooks_and_known_answer():
    written = {name: render(PluginNames.of("acme"), name) for name in SIGNATURE_SCHEMES}
    hooks = {name: files["disputeflow_acme/webhooks.py"] for name, files in written.items()}
    assert '"sha256=" + hmac.new' in hooks["hmac-hex"]
    assert "base64.b64encode(hmac.new" in hooks["hmac-base64"]
    assert 'ID_HEADER = "webhook-id"' in hooks["standard-webhooks"]
    assert len({files["tests/test_webhooks.py"] for files in written.values()}) == 3
    assert all(set(files) == set(written["hmac-hex"]) for files in written.values())
    marketplace = written["standard-webhooks"]["disputeflow_acme/marketplace.py"]
    assert '"webhook_secret": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"' in marketplace


def test_an_unknown_signature_scheme_is_refused_in_one_line(tmp_path):
    result = new_plugin("acme", "--signature", "rsa", "--directory", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert "'rsa' is not one of 'hmac-base64', 'hmac-hex', 'standard-webhooks'" in result.output
    assert not (tmp_path / "out").exists()


def test_every_template_is_package_data_of_the_wheel():
    root = Path(__file__).resolve().parents[1]
    config = tomllib.loads((root / "pyproject.toml").read_text())
    patterns = config["tool"]["setuptools"]["package-data"]["disputeflow"]
    templates = root / "disputeflow" / "kit" / "templates"
    shipped = [path.relative_to(root / "disputeflow").as_posix() for path in templates.rglob("*")]
    files = [name for name in shipped if (root / "disputeflow" / name).is_file()]
    variants = [name for name in files if "/signatures/" in name]
    assert len(variants) == 2 * len(SIGNATURE_SCHEMES)  # webhooks.py and its test, each
    assert len(files) - len(variants) + 2 == len(render(PluginNames.of("acme"))) >= 12
    for name in files:
        assert any(
            fnmatch.fnmatchcase(name, p) and name.count("/") == p.count("/") for p in patterns
        )


@pytest.mark.parametrize("signature", sorted(SIGNATURE_SCHEMES))
def test_generated_code_passes_ruff(tmp_path, signature):
    written = new_plugin("acme", "--signature", signature, "--directory", str(tmp_path / "acme"))
    assert written.exit_code == 0
    for command in (["check", "--no-cache", "."], ["format", "--check", "--no-cache", "."]):
        done = subprocess.run(
            [str(BIN / "ruff"), *command], cwd=tmp_path / "acme", capture_output=True, text=True
        )
        assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.slow  # about 8 s each: mypy reads disputeflow's public API too
@pytest.mark.parametrize("signature", sorted(SIGNATURE_SCHEMES))
def test_generated_package_passes_mypy_strict(tmp_path, signature):
    written = new_plugin("acme", "--signature", signature, "--directory", str(tmp_path / "acme"))
    assert written.exit_code == 0
    env = dict(os.environ)
    source_root = Path(disputeflow.__file__).resolve().parents[1]
    if source_root.name != "site-packages":  # an editable install: mypy cannot follow its hook
        env["MYPYPATH"] = str(source_root)
    command = [str(BIN / "mypy"), "--strict", "--follow-imports=silent", "--no-incremental"]
    done = subprocess.run(
        [*command, "disputeflow_acme"],
        cwd=tmp_path / "acme",
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr


# -- the whole path, as a plugin author takes it ------------------------------------------


def _venv(path: Path) -> Path:
    """A fresh virtual environment that sees this one's packages (disputeflow, pytest,
    setuptools, pip), so nothing comes from the network. ``--system-site-packages`` is
    enough where this is the system environment; inside a virtual environment (``make
    install``'s .venv) a ``.pth`` file adds this environment's site directories."""
    subprocess.run(
        [sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", str(path)],
        check=True,
    )
    python = path / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    lines = [f"import site; site.addsitedir({d!r})" for d in site.getsitepackages()]
    Path(purelib, "_running_environment.pth").write_text("\n".join(lines) + "\n")
    return python


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISPUTEFLOW_", "PYTEST_"))}
    env.update(DISPUTEFLOW_HOME=str(tmp_path / "home"), DISPUTEFLOW_ALLOW_PRIVATE_URLS="1")
    return {**env, **extra}


def _run(python: Path, *args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([str(python), *args], env=env, capture_output=True, text=True)
    assert done.returncode == 0, f"{args}: {done.stdout}\n{done.stderr}"
    return done


def _serve(python: Path, port: int, env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    with log.open("wb") as sink:
        process = subprocess.Popen(
            [str(python), "-m", "disputeflow", "serve", "--port", str(port)],
            env=env, stdout=sink, stderr=subprocess.STDOUT,
        )  # fmt: skip
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
            return process
        except requests.ConnectionError:
            time.sleep(0.1)
    process.kill()
    raise AssertionError(f"serve did not start: {log.read_text()}")


@pytest.mark.slow  # about 20 s: a virtual environment, an editable install, a server
def test_new_plugin_installs_passes_its_tests_and_feeds_the_demo(tmp_path):
    plugin = tmp_path / "acme"
    assert new_plugin("acme", "--directory", str(plugin)).exit_code == 0
    python = _venv(tmp_path / "venv")
    env = _env(tmp_path)
    _run(python, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index",
         "--quiet", "-e", str(plugin), env=env)  # fmt: skip
    tested = _run(python, "-m", "pytest", "-p", "no:cacheprovider", str(plugin), env=env)
    assert re.search(r"\b(2[0-9]|[3-9][0-9]) passed in ", tested.stdout), tested.stdout
    assert "failed" not in tested.stdout
    listed = json.loads(
        _run(python, "-m", "disputeflow", "plugins", "list", "--json", env=env).stdout
    )
    acme = next(item for item in listed["items"] if item["name"] == "acme")
    assert acme["distribution"] == "disputeflow-acme"
    assert [market["name"] for market in acme["marketplaces"]] == ["acme"]
    assert subprocess.run(  # the environment the test runs in never saw it
        [sys.executable, "-c", "import disputeflow_acme"], capture_output=True
    ).returncode == 1  # fmt: skip
    only_acme = _env(tmp_path, DISPUTEFLOW_LOAD_PLUGINS="acme")
    port = free_port()
    server = _serve(python, port, only_acme, tmp_path / "serve.log")
    try:
        url = f"http://127.0.0.1:{port}"
        demo = _run(
            python, "-m", "disputeflow", "demo", "--url", url, "--wait", "20", env=only_acme
        )
    finally:
        server.terminate()
        server.wait(timeout=10)
    assert "Acme (" in demo.stdout
    assert demo.stdout.count("HTTP 200 accepted") == 3, demo.stdout
    assert "0 still waiting" in demo.stdout
    cases = json.loads(
        _run(python, "-m", "disputeflow", "cases", "list", "--json", env=only_acme).stdout
    )
    found = {(c["platform"], c["external_id"], c["status"]) for c in cases["items"]}
    assert found == {("acme", "5001", "resolved"), ("acme", "7001", "needs_response")}
    now = datetime.now(UTC)  # the generated samples are dated relative to now by the demo
    opened = {c["external_id"]: parse_rfc3339(c["opened_at"]) for c in cases["items"]}
    assert now - timedelta(days=19) < opened["5001"] < now - timedelta(days=18)
    assert now - timedelta(minutes=5) < opened["7001"] <= now


@pytest.mark.slow  # about 10 s each: a virtual environment and an editable install
@pytest.mark.parametrize("signature", ["hmac-base64", "standard-webhooks"])
def test_a_plugin_with_another_signature_scheme_passes_its_tests(tmp_path, signature):
    """The default scheme goes the whole way above; the others install and pass their own
    tests, the conformance kit included, as written."""
    plugin = tmp_path / "acme"
    assert new_plugin("acme", "--signature", signature, "--directory", str(plugin)).exit_code == 0
    python = _venv(tmp_path / "venv")
    env = _env(tmp_path)
    _run(python, "-m", "pip", "install", "--no-deps", "--no-build-isolation", "--no-index",
         "--quiet", "-e", str(plugin), env=env)  # fmt: skip
    tested = _run(python, "-m", "pytest", "-p", "no:cacheprovider", str(plugin), env=env)
    assert re.search(r"\b(2[0-9]|[3-9][0-9]) passed in ", tested.stdout), tested.stdout
    assert "failed" not in tested.stdout
    assert "skipped" not in tested.stdout
