"""The evidence catalogue as data (``data/catalogue.toml``): the items that win each category
of case, why each matters, and which evidence field of each platform takes it.

Later features read it too: the workspace shows :func:`requirements` beside a packet, and a
rule may ask :func:`required_items` whether a packet can be complete at all. A platform
without a section here still works: its items go into its free text, it keeps no drafts,
and each file needs a file field (of which it has none).
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from disputeflow.core.taxonomy import Category

DATA_FILE = "catalogue.toml"
PREFILLED = "-"  # the platform fills the field in itself from its own records: never sent


@dataclass(frozen=True)
class Item:
    """One kind of evidence: ``text``/``file`` map a platform to its field (or PREFILLED)."""

    name: str
    title: str
    text: dict[str, str]
    file: dict[str, str]


@dataclass(frozen=True)
class Requirement:
    """An item a category calls for, whether it is required, and why it matters there."""

    item: str
    required: bool
    why: str


FIELD, TYPE, CALL = "field", "type", "call"  # how a platform takes files (catalogue.toml)


@dataclass(frozen=True)
class Platform:
    """What the catalogue knows of a platform's evidence: drafts, its free fields, how it
    takes files (``files``: FIELD, TYPE or CALL) and what its file uploads accept (empty:
    not checked here), and how long its free text may be (``None``: not checked here)."""

    name: str
    title: str
    drafts: bool
    free_text: str | None
    free_file: str | None
    files: str = FIELD
    file_types: tuple[str, ...] = ()
    max_file_bytes: int | None = None
    free_text_limit: int | None = None


@dataclass(frozen=True)
class Catalogue:
    items: dict[str, Item]
    platforms: dict[str, Platform]
    categories: dict[str, tuple[Requirement, ...]]


def _items(data: dict[str, Any]) -> dict[str, Item]:
    return {
        name: Item(
            name, str(row["title"]), dict(row.get("text") or {}), dict(row.get("file") or {})
        )
        for name, row in data.items()
    }


def _platform(name: str, row: dict[str, Any]) -> Platform:
    files = str(row.get("files") or FIELD)
    if files not in (FIELD, TYPE, CALL):
        raise ValueError(f"{DATA_FILE}: platform {name} takes files as {files!r}")
    return Platform(
        name, str(row.get("title") or name), bool(row.get("drafts")), row.get("free_text"),
        row.get("free_file"), files, tuple(row.get("file_types") or ()),
        row.get("max_file_bytes"), row.get("free_text_limit"),
    )  # fmt: skip


def _platforms(data: dict[str, Any]) -> dict[str, Platform]:
    return {name: _platform(name, row) for name, row in data.items()}


def _check(catalogue: Catalogue) -> None:
    """Every category is covered and names only known items (a typo fails at load)."""
    missing = {str(c) for c in Category} - set(catalogue.categories)
    if missing:
        raise ValueError(f"{DATA_FILE}: no requirements for {sorted(missing)}")
    for category, wanted in catalogue.categories.items():
        unknown = {r.item for r in wanted} - set(catalogue.items)
        if unknown:
            raise ValueError(f"{DATA_FILE}: {category} names unknown items {sorted(unknown)}")


@cache
def load() -> Catalogue:
    """The shipped catalogue, read and checked once."""
    text = resources.files("disputeflow.features.evidence.data").joinpath(DATA_FILE)
    data = tomllib.loads(text.read_text("utf-8"))
    categories = {
        name: tuple(Requirement(r["item"], bool(r.get("required")), str(r["why"])) for r in rows)
        for name, rows in data["categories"].items()
    }
    catalogue = Catalogue(_items(data["items"]), _platforms(data["platforms"]), categories)
    _check(catalogue)
    return catalogue


def item(name: str) -> Item | None:
    return load().items.get(name)


def known(name: str) -> bool:
    """Whether ``name`` is an item of the catalogue."""
    return name in load().items


def title(name: str) -> str:
    found = item(name)
    return found.title if found else name.replace("_", " ").capitalize()


def platform(name: str) -> Platform:
    """A platform's evidence settings; one the catalogue does not know keeps no drafts and
    takes everything as free text."""
    return load().platforms.get(name) or Platform(name, name, False, None, None)


def requirements(category: str) -> tuple[Requirement, ...]:
    """What wins ``category`` (the ``other`` list for a category the catalogue lacks)."""
    categories = load().categories
    return categories.get(str(category)) or categories["other"]


def required_items(category: str) -> list[str]:
    return [r.item for r in requirements(category) if r.required]


def text_field(name: str, platform_name: str) -> str | None:
    """The platform's text field for item ``name``: a field, PREFILLED, or ``None`` (free
    text)."""
    found = item(name)
    return found.text.get(platform_name) if found else None


def file_field(name: str, platform_name: str) -> str | None:
    """The platform's file field for a file of item ``name`` (``None``: its free file)."""
    found = item(name)
    field = found.file.get(platform_name) if found else None
    return field if field != PREFILLED else None
