"""docs/writing-a-plugin.md stays true: its value lists are the enums', its quoted code is
what ``disputeflow plugin new acme`` writes, and its code imports only the public API."""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path

from disputeflow.core import taxonomy
from disputeflow.kit.vocabulary import BEGIN, END, VOCABULARIES, render, rewrite
from disputeflow.kit.writer import PluginNames
from disputeflow.kit.writer import render as render_plugin

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "writing-a-plugin.md"
QUOTE = re.compile(r"<!-- generated: (?P<path>\S+) -->\n```\w*\n(?P<code>.*?)\n```", re.S)
PYTHON = re.compile(r"```python\n(?P<code>.*?)\n```", re.S)
PUBLIC = {"disputeflow", "disputeflow.core.testing"}


def test_the_value_lists_are_generated_from_the_enums():
    text = GUIDE.read_text()
    block = text[text.index(BEGIN) : text.index(END) + len(END)]
    assert block == render(), "run: python -m disputeflow.kit.vocabulary docs/writing-a-plugin.md"
    assert rewrite(text) == text


def test_every_vocabulary_a_plugin_sets_is_listed_with_every_value():
    listed = {enum for _, enum, _ in VOCABULARIES}
    wanted = {taxonomy.CaseKind, taxonomy.Category, taxonomy.CaseStatus, taxonomy.Outcome,
              taxonomy.Stage, taxonomy.ActionType}  # fmt: skip
    assert wanted <= listed
    generated = render()
    for enum in listed:
        section = generated.split(f"`{enum.__name__}`\n", 1)[1].split("\n### ", 1)[0]
        assert re.findall(r"^- `([a-z_]+)`", section, re.M) == [m.value for m in enum]


def test_quoted_code_is_what_the_kit_writes():
    files = render_plugin(PluginNames.of("acme"))
    quotes = list(QUOTE.finditer(GUIDE.read_text()))
    assert len(quotes) >= 20
    quoted = {match["path"] for match in quotes}
    assert {"pyproject.toml", "disputeflow_acme/webhooks.py", "tests/test_conformance.py"} <= quoted
    for match in quotes:
        assert match["code"] in files[match["path"]], f"stale quote of {match['path']}"


def test_the_guide_imports_only_the_public_api():
    for match in PYTHON.finditer(GUIDE.read_text()):
        for node in ast.walk(ast.parse(textwrap.dedent(match["code"]))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("disputeflow"):
                assert node.module in PUBLIC or node.module.startswith("disputeflow_acme")
            if isinstance(node, ast.Import):
                assert not any(a.name.startswith("disputeflow.") for a in node.names)
