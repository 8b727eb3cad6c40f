"""Extract the messages of the buyer pages, the notices and the merchant workspace, and merge
them into every catalogue.

    .venv/bin/python scripts/i18n_catalog.py          # update the .po files
    .venv/bin/python scripts/i18n_catalog.py --check  # list what is untranslated; exit 1

Catalogues: disputeflow/features/i18n/locales/<lang>/LC_MESSAGES/disputeflow.po. They are
compiled in memory when first used (disputeflow.features.i18n.translations).
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "disputeflow"
LOCALES = PACKAGE / "features" / "i18n" / "locales"
SOURCES = (
    PACKAGE / "features" / "i18n",
    PACKAGE / "features" / "notices",
    PACKAGE / "features" / "analytics",
    PACKAGE / "webhooks" / "buyer",
    PACKAGE / "webhooks" / "web",
)
METHODS = [("**.py", "python"), ("**/templates/**.html", "jinja2.ext:babel_extract")]
KEYWORDS = {"_": None, "N_": None, "gettext": None}
# The evidence catalogue's titles and reasons, shown on the workspace's packet page.
EVIDENCE_CATALOGUE = PACKAGE / "features" / "evidence" / "data" / "catalogue.toml"


def extract() -> Catalog:
    """Every message the buyer pages, notices and workspace use (English is the source)."""
    catalog = Catalog(project="disputeflow", locale="en", domain="disputeflow")
    for folder in SOURCES:
        for filename, lineno, message, comments, context in extract_from_dir(
            folder, METHODS, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
        ):
            path = (folder / filename).relative_to(ROOT)
            catalog.add(message, locations=[(str(path), lineno)], auto_comments=comments,
                        context=context)  # fmt: skip
    add_evidence_catalogue(catalog)
    return catalog


def add_evidence_catalogue(catalog: Catalog) -> None:
    """Each item's ``title`` and each category's ``why`` (data, not code, so no extractor
    finds them), at the line of the catalogue that holds them."""
    text = EVIDENCE_CATALOGUE.read_text("utf-8")
    data = tomllib.loads(text)
    lines = text.splitlines()
    path = str(EVIDENCE_CATALOGUE.relative_to(ROOT))
    wanted = [str(item["title"]) for item in data["items"].values()]
    wanted += [str(row["why"]) for rows in data["categories"].values() for row in rows]
    for message in wanted:
        lineno = next((n for n, line in enumerate(lines, 1) if f'"{message}"' in line), 0)
        catalog.add(message, locations=[(path, lineno)])


def catalogues() -> list[Path]:
    return sorted(LOCALES.glob("*/LC_MESSAGES/disputeflow.po"))


def untranslated(template: Catalog, path: Path) -> list[str]:
    with path.open("rb") as handle:
        catalog = read_po(handle)
    return [
        str(m.id) for m in template if m.id and not (catalog.get(m.id) and catalog[m.id].string)
    ]


def main(argv: list[str]) -> int:
    template = extract()
    if "--check" in argv:
        missing = {path: untranslated(template, path) for path in catalogues()}
        for path, ids in missing.items():
            for message in ids:
                print(f"{path.relative_to(ROOT)}: untranslated {message!r}")
        return 1 if any(missing.values()) else 0
    for path in catalogues():
        with path.open("rb") as handle:
            catalog = read_po(handle)
        catalog.update(template, no_fuzzy_matching=True)
        with path.open("wb") as handle:
            write_po(handle, catalog, width=100, omit_header=False, ignore_obsolete=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
