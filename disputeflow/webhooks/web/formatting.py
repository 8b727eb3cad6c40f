"""How the workspace writes words, times, money, numbers, durations and deadlines, in the
reader's language (Babel, through :mod:`disputeflow.features.i18n`).

:class:`Local` is one reader's language. The live pages use the one chosen for the request
(:mod:`disputeflow.webhooks.web.locale`); the standalone report is written in English. The
same Jinja filters serve both, so they read alike. Times are in UTC, the workspace's one
clock; where a buyer's own clock differs, :meth:`Local.buyer_time` says it as the buyer's
page does.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

from babel import Locale
from babel.numbers import NumberFormatError, format_decimal, format_percent, parse_decimal
from jinja2 import Environment

from disputeflow.core.clock import parse_rfc3339, utcnow
from disputeflow.core.money import Money, minor_units
from disputeflow.core.values import Party
from disputeflow.features.i18n import DEFAULT, LANGUAGES, Formatter, formatter
from disputeflow.webhooks.web import sources
from disputeflow.webhooks.web.words import N_, VOCABULARIES

SOON = timedelta(hours=24)
NONE = "—"
UNITS = {
    "dh": N_("%(days)sd %(hours)sh"),
    "hm": N_("%(hours)sh %(minutes)sm"),
    "m": N_("%(minutes)sm"),
}


@dataclass(frozen=True)
class Local:
    """One reader's language: texts, UTC times, money, numbers and vocabularies."""

    lang: str = DEFAULT
    titles: Mapping[str, str] = field(default_factory=dict)  # marketplace name -> title

    @property
    def fmt(self) -> Formatter:
        return Formatter(self.lang if self.lang in LANGUAGES else DEFAULT, UTC)

    @property
    def html_lang(self) -> str:
        return self.lang.replace("_", "-")

    def gettext(self, message: str, /, **values: Any) -> str:
        """``message`` in this language, ``%(name)s`` placeholders filled."""
        return self.fmt.gettext(message, **values)

    def term(self, value: Any, vocabulary: str) -> str:
        """A value of one of :data:`~.words.VOCABULARIES` in words (unknown values as
        they are, ``—`` for none)."""
        if value is None or value == "":
            return NONE
        words = VOCABULARIES[vocabulary].get(str(value))
        return self.gettext(words) if words else str(value).replace("_", " ")

    def when(self, value: datetime | str | None) -> str:
        """``Mar 7, 2026 1:00 AM (UTC)`` (from a time or its RFC 3339 text)."""
        if isinstance(value, str):
            value = parse_rfc3339(value)
        return self.fmt.time(value) if value else NONE

    def day(self, value: datetime | None) -> str:
        return self.fmt.day(value) if value else NONE

    def buyer_time(self, value: datetime | None, country: str | None) -> str | None:
        """``value`` on the clock of a buyer in ``country`` (as their page shows it), or
        ``None`` when that clock is UTC too."""
        theirs = formatter(self.lang, country)
        if value is None or str(theirs.zone) == "UTC":
            return None
        return theirs.time(value)

    def money(self, value: Money | Mapping[str, str] | None) -> str:
        """``€1,234.50``, ``1.234,50 €``: exact, in the currency's own minor units."""
        if value is None:
            return NONE
        if not isinstance(value, Money):
            value = Money.from_dict(dict(value))
        return self.fmt.money(value)

    def amount_input(self, value: Money | None) -> str:
        """An amount as a form field shows it (``1.234,50`` in German), without currency."""
        if value is None:
            return ""
        places = minor_units(value.currency)
        pattern = "#,##0" + ("." + "0" * places if places else "")
        return str(format_decimal(value.value, pattern, locale=self.fmt.locale))

    def parse_amount(self, text: str) -> str:
        """An amount typed in this language (``15,00`` in German), or as written by a
        machine (``15.00``), as a plain decimal string; ``text`` itself when neither."""
        try:
            return str(parse_decimal(text, locale=self.fmt.locale, strict=True))
        except NumberFormatError:
            return text

    def number(self, value: int | Decimal | float | None) -> str:
        if value is None:
            return NONE
        return str(format_decimal(value, locale=self.fmt.locale, decimal_quantization=False))

    def percent(self, value: Decimal | float | None) -> str:
        """``33.33%`` from ``33.33`` (a percentage, as the analytics keep them)."""
        if value is None:
            return NONE
        share = Decimal(str(value)) / 100
        return str(format_percent(share, locale=self.fmt.locale, decimal_quantization=False))

    def hours(self, value: Decimal | None) -> str:
        return NONE if value is None else self.gettext("%(hours)s h", hours=self.number(value))

    def country(self, code: str | None) -> str:
        """A country's name in this language (the code when Babel has none)."""
        if not code:
            return NONE
        return str(Locale.parse(self.fmt.lang).territories.get(code.upper(), code.upper()))

    def buyer(self, party: Party | None) -> str:
        """The buyer by name where known (else their id on the marketplace), and country."""
        if party is None:
            return NONE
        who = party.name or party.external_id
        where = self.country(party.country) if party.country else None
        return " · ".join(p for p in (who, where) if p) or NONE

    def marketplace(self, name: str | None) -> str:
        """A marketplace by its title (``eBay``), as its plugin spells it."""
        return self.titles.get(name or "", name or NONE)

    def network(self, name: str | None) -> str:
        """A card network by its name (``Visa``); one not known says so."""
        return sources.NETWORKS.get(name or "") or self.gettext(sources.UNKNOWN_NETWORK)

    def source(self, value: str) -> str:
        """Where a deadline comes from, in words."""
        return sources.describe(value, self.gettext, self.marketplace, self.country)

    def duration(self, delta: timedelta) -> str:
        """``2d 4h``, ``5h 10m``, ``12m``: two units at most."""
        minutes = int(abs(delta).total_seconds() // 60)
        days, rest = divmod(minutes, 24 * 60)
        hours, mins = divmod(rest, 60)
        numbers = {"days": self.number(days), "hours": self.number(hours), "minutes": mins}
        key = "dh" if days else "hm" if hours else "m"
        return self.gettext(UNITS[key], **numbers)

    def deadline(self, due: datetime | None, now: datetime | None = None) -> dict[str, str]:
        """How close a deadline is: ``level`` (``overdue``, ``soon``, ``later``, ``none``),
        a short ``badge`` and a ``text`` that says it without colour."""
        _ = self.gettext
        if due is None:
            return {"level": "none", "badge": "", "text": _("no deadline")}
        left = due - (now or utcnow())
        time = self.duration(left)
        if left < timedelta(0):
            return {"level": "overdue", "badge": _("Overdue"),
                    "text": _("overdue by %(time)s", time=time)}  # fmt: skip
        if left <= SOON:
            return {"level": "soon", "badge": _("Due soon"), "text": _("%(time)s left", time=time)}
        return {"level": "later", "badge": "", "text": _("%(time)s left", time=time)}

    def cell_of(self, table: Any, index: int, value: Any) -> str:
        """A cell of an analytics table in this language: a category, country or
        marketplace by name, one of the table's own words translated (``table.words``
        says which column holds which), numbers in this language's notation."""
        words = table.words.get(index)
        if not isinstance(value, str) or words is None:
            return self.cell(value)
        if words == "category":
            return self.term(value, "category")
        if words == "country" and len(value) == 2:
            return self.country(value)
        if words == "marketplace" and value in self.titles:
            return self.titles[value]
        return self.gettext(value)

    def cell(self, value: Any) -> str:
        """A table cell: ``—`` for unknown, numbers in this language."""
        if value is None:
            return NONE
        if isinstance(value, int | Decimal) and not isinstance(value, bool):
            return self.number(value)
        return str(value)


ENGLISH = Local()


def deadline(due: datetime | None, now: datetime | None = None) -> dict[str, str]:
    """:meth:`Local.deadline` in English."""
    return ENGLISH.deadline(due, now)


def duration(delta: timedelta) -> str:
    return ENGLISH.duration(delta)


def money(value: Money | Mapping[str, str] | None) -> str:
    return ENGLISH.money(value)


def install(env: Environment, reader: Callable[[], Local]) -> None:
    """Add the filters and ``_`` to a Jinja environment; ``reader()`` is the language of
    the page being written."""

    def gettext(text: str, /, **values: Any) -> str:  # a placeholder may be named "message"
        return reader().gettext(text, **values)

    env.globals["_"] = gettext
    env.filters.update(
        when=lambda value: reader().when(value),
        day=lambda value: reader().day(value),
        money=lambda value: reader().money(value),
        number=lambda value: reader().number(value),
        percent=lambda value: reader().percent(value),
        hours=lambda value: reader().hours(value),
        cell=lambda value: reader().cell(value),
        deadline=lambda due, now=None: reader().deadline(due, now),
        term=lambda value, vocabulary: reader().term(value, vocabulary),
        country=lambda code: reader().country(code),
        marketplace=lambda name: reader().marketplace(name),
        buyer=lambda party: reader().buyer(party),
        network=lambda name: reader().network(name),
    )
