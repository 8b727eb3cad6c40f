"""Render the plugin templates for one marketplace name into a new directory."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from string import Template

from disputeflow.core.errors import InvalidInputError

# The marketplace name rule (disputeflow.core.marketplace.NAME_PATTERN), which also makes
# it a Python identifier and an entry-point name.
NAME_RULE = re.compile(r"^[a-z][a-z0-9_]{1,39}$")
TEMPLATE_SUFFIX = ".tmpl"


@dataclass(frozen=True)
class PluginNames:
    """Every spelling of one plugin's name the templates use."""

    name: str  # acme_market: the marketplace, entry point and URL name
    title: str  # Acme Market
    cls: str  # AcmeMarket: the prefix of the class names
    package: str  # disputeflow_acme_market
    dist: str  # disputeflow-acme-market
    header: str  # X-AcmeMarket-Signature

    @classmethod
    def of(cls, name: str) -> PluginNames:
        """The names for ``name``, refused unless it is a valid marketplace name."""
        if not NAME_RULE.match(name) or "__" in name or name.endswith("_"):
            raise InvalidInputError(
                f"plugin name {name!r} must be 2-40 lower-case letters, digits and single "
                "underscores, starting with a letter (e.g. acme or acme_market)"
            )
        words = name.split("_")
        title = " ".join(word.capitalize() for word in words)
        camel = "".join(word.capitalize() for word in words)
        return cls(
            name=name,
            title=title,
            cls=camel,
            package=f"disputeflow_{name}",
            dist=f"disputeflow-{name.replace('_', '-')}",
            header=f"X-{camel}-Signature",
        )


def _templates() -> list[tuple[str, Traversable]]:
    """(relative path, template) for every template shipped in the package."""
    found: list[tuple[str, Traversable]] = []
    root = resources.files("disputeflow.kit") / "templates"
    pending: list[tuple[str, Traversable]] = [("", root)]
    while pending:
        prefix, folder = pending.pop()
        for entry in folder.iterdir():
            if entry.is_dir():
                pending.append((f"{prefix}{entry.name}/", entry))
            elif entry.name.endswith(TEMPLATE_SUFFIX):
                found.append((prefix + entry.name.removesuffix(TEMPLATE_SUFFIX), entry))
    return sorted(found, key=lambda pair: pair[0])


def render(names: PluginNames) -> dict[str, str]:
    """Relative path -> text of every file of the plugin (``package/`` renamed)."""
    values = vars(names)
    files = {}
    for relative, template in _templates():
        target = relative.replace("package/", f"{names.package}/", 1)
        files[target] = Template(template.read_text(encoding="utf-8")).substitute(values)
    return files


def write_plugin(name: str, directory: Path) -> list[Path]:
    """Write the plugin for ``name`` into ``directory`` (new or empty); the files written."""
    names = PluginNames.of(name)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise InvalidInputError(f"{directory} already exists and is not an empty directory")
    written = []
    for relative, text in render(names).items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
