"""The message catalogues: complete, placeholder-safe, shipped; languages chosen well."""

from __future__ import annotations

import re
import sys
import tomllib
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from disputeflow.features.i18n import LANGUAGES, formatter, language_of, negotiate, translations

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "scripts"))
import i18n_catalog  # noqa: E402

PLACEHOLDER = re.compile(r"%\(\w+\)s")
TEMPLATE = i18n_catalog.extract()
USED = [m.id for m in TEMPLATE if m.id]


def test_every_language_but_english_has_a_catalogue():
    found = {path.parts[-3] for path in i18n_catalog.catalogues()}
    assert found == set(LANGUAGES) - {"en"}
    assert len(USED) > 100


@pytest.mark.parametrize("path", i18n_catalog.catalogues(), ids=lambda p: p.parts[-3])
def test_every_message_is_translated_with_the_same_placeholders(path):
    with path.open("rb") as handle:
        catalog = read_po(handle)
    assert i18n_catalog.untranslated(TEMPLATE, path) == []
    for message in catalog:
        if message.id:
            assert sorted(PLACEHOLDER.findall(message.string)) == sorted(
                PLACEHOLDER.findall(message.id)
            ), message.id
    compiled = translations(path.parts[-3])  # compiled in memory from the .po
    assert compiled.gettext("Your rights") == catalog["Your rights"].string != "Your rights"


def test_the_catalogues_and_pages_ship_in_the_wheel():
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())
    shipped = data["tool"]["setuptools"]["package-data"]["disputeflow"]
    patterns = (
        "features/i18n/locales/*/LC_MESSAGES/*.po",
        "webhooks/buyer/templates/buyer/*.html",
        "webhooks/buyer/static/*",
    )
    for pattern in patterns:
        assert pattern in shipped
        assert list((ROOT / "disputeflow").glob(pattern)), pattern


@pytest.mark.parametrize(
    ("tag", "lang"),
    [("de-AT", "de"), ("zh-CN", "zh_Hans"), ("zh-Hans", "zh_Hans"), ("zh_SG", "zh_Hans"),
     ("zh-TW", None), ("zh-Hant", None), ("ja_JP", "ja"), ("pt-BR", None), ("nonsense!", None),
     (None, None)],
)  # fmt: skip
def test_language_tags(tag, lang):
    assert language_of(tag) == lang


def test_the_first_supported_language_wins():
    assert negotiate(["pt-BR", None, "fr-CA", "de"]) == "fr"
    assert negotiate(["ko"]) == "en"


def test_times_are_in_the_buyers_zone():
    from datetime import UTC, datetime

    moment = datetime(2026, 7, 1, 12, tzinfo=UTC)
    assert formatter("en", "US").time(moment) == "Jul 1, 2026 8:00\u202fAM (Eastern Time)"
    assert formatter("ja", "JP").time(moment) == "2026/07/01 21:00 (日本時間)"
    assert formatter("de", None).time(moment) == "01.07.2026 12:00 (UTC)"
