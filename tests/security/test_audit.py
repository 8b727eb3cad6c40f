"""``make audit`` (scripts/audit.py): what is audited and what fails it, offline.

pip-audit's reports here are its documented JSON format: the example of "Audit dependencies
in JSON format" in pip-audit's README (flask 0.5, two vulnerabilities with fixes), in the
``{"dependencies": [...], "fixes": [...]}`` shape of ``pip_audit/_format/json.py``
(github.com/pypa/pip-audit, checked 2026-12-04), and the report pip-audit gave on this
machine, where PyPI's per-version JSON API answers 404: every dependency "skipped".
Nothing here reaches the network (the audit itself does, from ``make audit``).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "audit.py"

FLASK_05 = {
    "dependencies": [
        {
            "name": "flask",
            "version": "0.5",
            "vulns": [
                {"id": "PYSEC-2019-179", "fix_versions": ["1.0"],
                 "aliases": ["CVE-2019-1010083", "GHSA-5wv5-4vpf-pj6m"]},
                {"id": "PYSEC-2018-66", "fix_versions": ["0.12.3"],
                 "aliases": ["CVE-2018-1000656", "GHSA-562c-5r94-xh97"]},
            ],
        },
        {"name": "jinja2", "version": "3.0.2", "vulns": []},
    ],
    "fixes": [],
}  # fmt: skip
UNFIXED = {
    "dependencies": [
        {"name": "jinja2", "version": "3.0.2", "vulns": [{"id": "GHSA-xxxx", "fix_versions": []}]}
    ],
    "fixes": [],
}
ALL_SKIPPED = {
    "dependencies": [
        {"name": "requests",
         "skip_reason": "Dependency not found on PyPI and could not be audited: requests (2.31.0)"},
        {"name": "flask",
         "skip_reason": "Dependency not found on PyPI and could not be audited: flask (3.1.3)"},
    ],
    "fixes": [],
}  # fmt: skip
OSV_DOWN = (
    "requests.exceptions.ConnectionError: HTTPSConnectionPool(host='api.osv.dev', port=443): "
    "Max retries exceeded with url: /v1/query (Caused by NameResolutionError(...))"
)


@pytest.fixture(scope="module")
def audit():
    spec = importlib.util.spec_from_file_location("audit_script", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["audit_script"] = module
    spec.loader.exec_module(module)
    return module


def test_a_vulnerability_with_a_fix_fails(audit, capsys):
    verdict = audit.judge(FLASK_05)
    assert verdict.audited == 2
    assert audit.decide(verdict, "", "pypi", if_reachable=True) == 1
    out = capsys.readouterr().out
    assert "VULNERABLE, upgrade: flask 0.5: PYSEC-2019-179, CVE-2019-1010083" in out
    assert "(fixed in 1.0)" in out
    assert "(fixed in 0.12.3)" in out


def test_a_vulnerability_without_a_fix_is_listed_not_failed(audit, capsys):
    assert audit.decide(audit.judge(UNFIXED), "", "pypi", if_reachable=False) == 0
    assert "no fix yet: jinja2 3.0.2: GHSA-xxxx" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("report", "error"), [(ALL_SKIPPED, ""), (None, OSV_DOWN)], ids=["pypi-404", "osv-down"]
)
def test_no_vulnerability_data_is_never_clean(audit, capsys, report, error):
    verdict = audit.judge(report) if report is not None else None
    assert audit.decide(verdict, error, "pypi", if_reachable=False) == 2
    assert audit.decide(verdict, error, "pypi", if_reachable=True) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 2  # one plain line each time
    assert all(line.startswith("audit: not run: no vulnerability data") for line in lines)


def test_a_broken_pip_audit_fails(audit, capsys):
    assert audit.decide(None, "error: unrecognized arguments", "pypi", if_reachable=True) == 2
    assert "pip-audit failed" in capsys.readouterr().out


def test_only_runtime_dependencies_are_audited(audit):
    pins = audit.runtime_closure()
    assert {"flask", "sqlalchemy", "requests", "cryptography", "psycopg"} <= set(pins)
    assert {"werkzeug", "urllib3", "markupsafe"} <= set(pins)  # theirs too
    dev = {"pytest", "ruff", "mypy", "hypothesis", "schemathesis", "pip-audit", "selenium"}
    assert not dev & set(pins)
    assert "disputeflow" not in pins
    assert all(version[0].isdigit() for version in pins.values())
