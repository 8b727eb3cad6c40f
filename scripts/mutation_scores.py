"""Mutation scores per module from mutmut's results (``make mutate``, docs/testing.md).

Reads ``mutants/**/*.py.meta`` and prints, per mutated module, killed / checked mutants
(timeouts count as killed: the mutant made the tests hang), survivors, mutants no test
reaches, and those not checked yet (a bounded run stops before the end); ``--survivors``
lists the surviving mutants' names, for ``mutmut show NAME``.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

KILLED = {1, 3, 24, -24, 36, 152, 255}
SURVIVED = {0}
NO_TESTS = {5, 33}


def scores(root: Path) -> list[tuple[str, Counter[str], list[str]]]:
    """(module, counts, survivors) for every mutated module under ``root``."""
    rows = []
    for meta in sorted(root.rglob("*.py.meta")):
        codes = json.loads(meta.read_text())["exit_code_by_key"]
        counts: Counter[str] = Counter()
        survivors = []
        for name, code in codes.items():
            if code is None:
                counts["not checked"] += 1
            elif code in KILLED:
                counts["killed"] += 1
            elif code in SURVIVED:
                counts["survived"] += 1
                survivors.append(name)
            elif code in NO_TESTS:
                counts["no tests"] += 1
            else:
                counts["other"] += 1
        module = meta.relative_to(root).as_posix().removesuffix(".py.meta").replace("/", ".")
        rows.append((module, counts, survivors))
    return rows


def main() -> int:
    root = Path("mutants")
    if not root.is_dir():
        print("no mutants/ directory: run `make mutate` first")
        return 1
    for module, counts, survivors in scores(root):
        checked = counts.total() - counts["not checked"]
        print(
            f"{module}: {counts['killed']}/{checked} killed, {counts['survived']} survived, "
            f"{counts['no tests']} reached by no test, {counts['not checked']} not checked "
            f"(of {counts.total()})"
        )
        if "--survivors" in sys.argv:
            for name in survivors:
                print(f"    {name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
