"""Fail when a module or function outgrows the size budget (docs/contributing.md)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

MODULE_LINES = 400
FUNCTION_LINES = 40
# Hook specs are docstrings; migrations are generated lists of columns (exempt below).
EXEMPT_MODULES = {"disputeflow/core/hookspecs.py"}
# The core is the plugin contract and the model (docs/architecture.md): it stays small.
CORE_LINES = 4000


def main() -> int:
    problems = []
    for path in sorted(Path("disputeflow").rglob("*.py")):
        text = path.read_text()
        lines = text.count("\n")
        name = path.as_posix()
        if lines > MODULE_LINES and name not in EXEMPT_MODULES and "/migrations/" not in name:
            problems.append(f"{name}: {lines} lines (budget {MODULE_LINES})")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                body = node.body
                if (
                    body
                    and isinstance(body[0], ast.Expr)
                    and isinstance(body[0].value, ast.Constant)
                ):
                    length -= (body[0].end_lineno or body[0].lineno) - body[0].lineno + 1
                exempt = name in EXEMPT_MODULES or "/migrations/" in name
                if length > FUNCTION_LINES and not exempt:
                    problems.append(f"{name}:{node.lineno} {node.name}: {length} lines")
    core = sum(path.read_text().count("\n") for path in Path("disputeflow/core").rglob("*.py"))
    if core > CORE_LINES:
        problems.append(f"disputeflow/core: {core} lines (budget {CORE_LINES}): move machinery out")
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
