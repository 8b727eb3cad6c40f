"""Audit the runtime dependencies for known vulnerabilities (``make audit``).

The runtime dependencies are what ``pip install 'disputeflow[postgres]'`` brings: the
project's requirements and theirs, as installed in this environment, never the ``dev``
extra. Each is pinned to its installed version and checked by pip-audit (PyPI's
vulnerability data by default; ``AUDIT_SERVICE=osv`` asks OSV instead), without pip
resolving anything.

Exit status: 1 when a dependency has a known vulnerability with a fixed version (the fix
is printed); 0 when none has (vulnerabilities without a fix yet are listed, not failed);
2 when the vulnerability data cannot be reached, or 0 then with ``--if-reachable``, after
one plain line that says so. pip-audit reports a package whose data it could not fetch as
skipped, so "every dependency skipped" counts as unreachable, never as clean.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from importlib import metadata
from typing import Any

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

PROJECT = "disputeflow"
RUNTIME_EXTRAS = ("postgres",)  # production installs use it; "dev" is never audited
UNREACHABLE_HINTS = ("ConnectionError", "NameResolutionError", "Max retries exceeded",
                     "timed out", "Temporary failure in name resolution")  # fmt: skip


def runtime_closure(
    project: str = PROJECT, extras: tuple[str, ...] = RUNTIME_EXTRAS
) -> dict[str, str]:
    """``{name: installed version}`` of every runtime dependency, transitively."""
    found: dict[str, str] = {}
    pending: list[tuple[str, tuple[str, ...]]] = [(project, extras)]
    while pending:
        name, wanted = pending.pop()
        for text in metadata.requires(name) or ():
            requirement = Requirement(text)
            marker = requirement.marker
            if marker and not any(marker.evaluate({"extra": e}) for e in ("", *wanted)):
                continue
            key = canonicalize_name(requirement.name)
            if key in found or key == project:
                continue
            try:
                found[key] = metadata.version(requirement.name)
            except metadata.PackageNotFoundError:
                continue  # not installed here: a marker for another platform
            pending.append((requirement.name, tuple(requirement.extras)))
    return dict(sorted(found.items()))


@dataclass
class Verdict:
    """What an audit found: vulnerabilities with a fix, without one, and unaudited ones."""

    fixable: list[str] = field(default_factory=list)
    unfixed: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    audited: int = 0

    @property
    def unreachable(self) -> bool:
        return self.audited == 0 and bool(self.skipped)


def judge(report: dict[str, Any]) -> Verdict:
    """Sort pip-audit's JSON report (``-f json``) into a verdict."""
    verdict = Verdict()
    for dependency in report.get("dependencies", ()):
        name, version = dependency.get("name"), dependency.get("version")
        if dependency.get("skip_reason"):
            verdict.skipped.append(f"{name}: {dependency['skip_reason']}")
            continue
        verdict.audited += 1
        for vuln in dependency.get("vulns", ()):
            ids = ", ".join([vuln.get("id", "?"), *vuln.get("aliases", ())])
            fixes = vuln.get("fix_versions") or []
            line = f"{name} {version}: {ids}"
            if fixes:
                verdict.fixable.append(f"{line} (fixed in {', '.join(fixes)})")
            else:
                verdict.unfixed.append(f"{line} (no fixed version yet)")
    return verdict


def run_pip_audit(pins: dict[str, str], service: str) -> tuple[dict[str, Any] | None, str]:
    """pip-audit's JSON report over ``pins``, or ``None`` and its error output."""
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as handle:
        handle.writelines(f"{name}=={version}\n" for name, version in pins.items())
    try:
        command = [sys.executable, "-m", "pip_audit", "-r", handle.name, "--no-deps",
                   "--disable-pip", "--progress-spinner", "off", "-f", "json",
                   "-s", service]  # fmt: skip
        # our own interpreter and a file we wrote: no untrusted input
        done = subprocess.run(command, capture_output=True, text=True, timeout=600)  # noqa: S603
    finally:
        os.unlink(handle.name)
    found = re.search(r"^\{.*\}\s*$", done.stdout, re.MULTILINE | re.DOTALL)
    if found is None:
        return None, done.stderr or done.stdout
    return json.loads(found.group(0)), done.stderr


def decide(verdict: Verdict | None, error: str, service: str, if_reachable: bool) -> int:
    """Print the outcome; the exit status."""
    unreachable = verdict is None and any(h in error for h in UNREACHABLE_HINTS)
    if verdict is not None and verdict.unreachable:
        unreachable = True
    if unreachable:
        why = verdict.skipped[0] if verdict is not None else error.strip().splitlines()[-1]
        print(f"audit: not run: no vulnerability data from {service} here ({why})")
        return 0 if if_reachable else 2
    if verdict is None:
        print(f"audit: pip-audit failed:\n{error.strip()}")
        return 2
    for line in verdict.skipped:
        print(f"audit: not audited: {line}")
    for line in verdict.unfixed:
        print(f"audit: known vulnerability, no fix yet: {line}")
    for line in verdict.fixable:
        print(f"audit: VULNERABLE, upgrade: {line}")
    print(f"audit: {verdict.audited} runtime dependencies audited against {service}, "
          f"{len(verdict.fixable)} with a fixable vulnerability")  # fmt: skip
    return 1 if verdict.fixable else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--if-reachable", action="store_true",
                        help="exit 0 (after saying so) without vulnerability data")  # fmt: skip
    args = parser.parse_args(argv)
    service = os.environ.get("AUDIT_SERVICE", "pypi")
    pins = runtime_closure()
    report, error = run_pip_audit(pins, service)
    verdict = judge(report) if report is not None else None
    return decide(verdict, error, service, args.if_reachable)


if __name__ == "__main__":
    sys.exit(main())
