"""The buyer's language: Babel message catalogues, and dates, money and time zones
formatted for a locale.

Catalogues are ``locales/<lang>/LC_MESSAGES/disputeflow.po``, compiled to the ``.mo`` form
in memory the first time a language is used (so the shipped ``.po`` files are the only
source, and nothing can drift between a ``.po`` and a stale ``.mo``). English is the source
language: its catalogue is the identity.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import cache
from importlib import resources
from typing import Any

from babel import Locale, UnknownLocaleError
from babel.core import get_global
from babel.dates import format_date, format_time, get_timezone, get_timezone_name
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency
from babel.support import NullTranslations, Translations

from disputeflow.core.money import Money

DOMAIN = "disputeflow"
DEFAULT = "en"
# The languages the buyer pages and notices speak, with their own names.
LANGUAGES: dict[str, str] = {
    "en": "English",
    "zh_Hans": "中文（简体）",  # noqa: RUF001  # Chinese punctuation, as Chinese readers write it
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "ja": "日本語",
}
# Countries spanning several zones: the zone most of their people live in.
_MAIN_ZONES = {
    "US": "America/New_York",
    "CA": "America/Toronto",
    "AU": "Australia/Sydney",
    "BR": "America/Sao_Paulo",
    "RU": "Europe/Moscow",
    "MX": "America/Mexico_City",
    "CN": "Asia/Shanghai",
    "ES": "Europe/Madrid",
    "PT": "Europe/Lisbon",
    "ID": "Asia/Jakarta",
    "KZ": "Asia/Almaty",
    "AR": "America/Argentina/Buenos_Aires",
    "CL": "America/Santiago",
    "NZ": "Pacific/Auckland",
    "DE": "Europe/Berlin",
}


def language_of(tag: str | None) -> str | None:
    """The supported language a BCP 47 / POSIX tag (``de-AT``, ``zh_CN``, ``zh-Hant``...)
    stands for, or ``None``."""
    if not tag:
        return None
    try:
        locale = Locale.parse(tag.strip().replace("-", "_"))
    except (UnknownLocaleError, ValueError, TypeError):
        return None
    if locale.language == "zh":
        traditional = locale.script == "Hant" or (
            locale.script is None and locale.territory in ("TW", "HK", "MO")
        )
        return None if traditional else "zh_Hans"
    return locale.language if locale.language in LANGUAGES else None


def negotiate(candidates: Iterable[str | None]) -> str:
    """The first candidate tag that names a supported language, else English."""
    for tag in candidates:
        found = language_of(tag)
        if found:
            return found
    return DEFAULT


def _catalogue_bytes(lang: str) -> bytes | None:
    path = resources.files("disputeflow.features.i18n").joinpath(
        "locales", lang, "LC_MESSAGES", f"{DOMAIN}.po"
    )
    return path.read_bytes() if path.is_file() else None


@cache
def translations(lang: str) -> NullTranslations:
    """The compiled catalogue of ``lang`` (English and unknown languages: the identity)."""
    raw = _catalogue_bytes(lang) if lang in LANGUAGES and lang != DEFAULT else None
    if raw is None:
        return NullTranslations()
    catalogue = read_po(io.BytesIO(raw), locale=lang, domain=DOMAIN)
    compiled = io.BytesIO()
    write_mo(compiled, catalogue)
    compiled.seek(0)
    return Translations(compiled, domain=DOMAIN)


def zone_for(country: str | None) -> tzinfo:
    """The time zone a buyer in ``country`` most likely reads times in (UTC if unknown)."""
    code = (country or "").upper()
    name = _MAIN_ZONES.get(code)
    if name is None:
        zones = get_global("territory_zones").get(code) or ()
        name = zones[0] if zones else "UTC"
    return get_timezone(name)


@dataclass(frozen=True)
class Formatter:
    """Texts, times and money for one reader: a language and a time zone."""

    lang: str
    zone: tzinfo

    @property
    def locale(self) -> Locale:
        return Locale.parse(self.lang)

    def gettext(self, message: str, /, **values: Any) -> str:
        """``message`` in this language, with ``%(name)s`` placeholders filled."""
        text = translations(self.lang).gettext(message)
        return text % values if values else text

    def time(self, value: datetime | None) -> str:
        """``1. Nov. 2026, 13:00 (Mitteleuropäische Zeit)``: the reader's clock, named."""
        if value is None:
            return ""
        local = value.astimezone(self.zone)
        day = format_date(local.date(), "medium", locale=self.locale)
        clock = format_time(local, "short", tzinfo=self.zone, locale=self.locale)
        name = (
            "UTC"
            if str(self.zone) == "UTC"
            else get_timezone_name(self.zone, "long", locale=self.locale)
        )
        return f"{day} {clock} ({name})"

    def day(self, value: datetime | None) -> str:
        """The calendar day, in the reader's zone."""
        if value is None:
            return ""
        return format_date(value.astimezone(self.zone).date(), "long", locale=self.locale)

    def money(self, value: Money | None) -> str:
        """``1.234,50 €``: exact, with the currency's own minor units."""
        if value is None:
            return ""
        return format_currency(
            value.value, value.currency, locale=self.locale, currency_digits=True
        )


def formatter(lang: str, country: str | None) -> Formatter:
    """A formatter for ``lang`` and the main time zone of ``country``."""
    return Formatter(lang if lang in LANGUAGES else DEFAULT, zone_for(country))
