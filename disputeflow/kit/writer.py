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
VARIANTS = "signatures/"  # templates/signatures/<scheme>/: one scheme's files, chosen by name
# Where each file of a signature scheme goes in the plugin.
VARIANT_TARGETS = {
    "webhooks.py": "package/webhooks.py",
    "test_webhooks.py": "tests/test_webhooks.py",
}


@dataclass(frozen=True)
class SignatureScheme:
    """How the scaffolded webhooks are signed, and the words and example secret that go with it."""

    summary: str  # README: how deliveries are signed
    example_secret: str  # example_settings()["webhook_secret"]


SIGNATURE_SCHEMES = {
    "hmac-hex": SignatureScheme(
        "a `sha256=<hex HMAC-SHA256 of the body>` header (GitHub's form)",
        "whsec_example_0123456789abcdef",
    ),
    "hmac-base64": SignatureScheme(
        "a base64 HMAC-SHA256 of the body in one header (Shopify's and WooCommerce's form)",
        "whsec_example_0123456789abcdef",
    ),
    "standard-webhooks": SignatureScheme(
        "Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`: HMAC-SHA256 "
        "of id, time and body, five minutes' tolerance, several signatures while rotating)",
        # The Standard Webhooks specification's published example secret.
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
    ),
}
DEFAULT_SIGNATURE = "hmac-hex"


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
    """(relative path, template) for every template shipped in the package, the signature
    schemes' variants (``signatures/<scheme>/...``) included."""
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


def render(names: PluginNames, signature: str = DEFAULT_SIGNATURE) -> dict[str, str]:
    """Relative path -> text of every file of the plugin (``package/`` renamed), its
    webhooks signed as ``signature`` (a key of :data:`SIGNATURE_SCHEMES`)."""
    if signature not in SIGNATURE_SCHEMES:
        raise InvalidInputError(
            f"signature {signature!r} is not one of {', '.join(SIGNATURE_SCHEMES)}"
        )
    scheme = SIGNATURE_SCHEMES[signature]
    values = {**vars(names), "signature_summary": scheme.summary}
    values["example_secret"] = scheme.example_secret
    files = {}
    for relative, template in _templates():
        if relative.startswith(VARIANTS):
            chosen, _, name = relative.removeprefix(VARIANTS).partition("/")
            if chosen != signature:
                continue
            relative = VARIANT_TARGETS[name]
        target = relative.replace("package/", f"{names.package}/", 1)
        files[target] = Template(template.read_text(encoding="utf-8")).substitute(values)
    return files


def write_plugin(name: str, directory: Path, *, signature: str = DEFAULT_SIGNATURE) -> list[Path]:
    """Write the plugin for ``name`` into ``directory`` (new or empty); the files written."""
    names = PluginNames.of(name)
    files = render(names, signature)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise InvalidInputError(f"{directory} already exists and is not an empty directory")
    written = []
    for relative, text in files.items():
        path = directory / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
