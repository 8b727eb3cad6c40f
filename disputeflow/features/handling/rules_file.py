"""Reading the rules file: TOML, validated whole, every problem with its line and field.

``tomllib`` reports the line of a syntax error itself; for everything else (an unknown
field, a bad amount) the line is found in the text, from the table's header and the key.
"""

from __future__ import annotations

import contextlib
import re
import tomllib
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from disputeflow.core.errors import ConfigurationError, DisputeflowError
from disputeflow.core.money import minor_units
from disputeflow.core.taxonomy import CaseKind, Category
from disputeflow.engine.calendar import BusinessCalendar
from disputeflow.features.handling.conditions import PLUGIN_FACTS, Condition, parse_condition
from disputeflow.features.handling.fees_file import parse_fees
from disputeflow.features.handling.rules import (
    AUTOMATION_ACTIONS,
    DEFAULT_DAYS_BEFORE_DEADLINE,
    DEFAULT_LEAD_HOURS,
    AutomationRule,
    DeadlineSettings,
    FairnessSettings,
    PriorityWeights,
    RouteRule,
    Rules,
)

NAME = re.compile(r"^[a-z0-9][a-z0-9_-]{0,62}$")
TOP_LEVEL = (
    *("reporting_currency", "dry_run", "rates", "deadlines"),
    *("fairness", "priority", "route", "automation", "fees"),
)


class _Text:
    """The file's lines, to find where a table or key is; and the problems found."""

    def __init__(self, text: str) -> None:
        self.lines = text.splitlines()
        self.problems: list[str] = []

    def header(self, name: str, index: int | None = None) -> int | None:
        """The line of ``[name]`` (or of the ``index``-th ``[[name]]``), counted from 1."""
        table = rf"\[\[\s*{name}\s*\]\]" if index is not None else rf"\[\s*{name}\s*\]"
        found = [n for n, line in enumerate(self.lines, 1) if re.match(rf"^\s*{table}", line)]
        position = index or 0
        return found[position] if position < len(found) else None

    def key(self, start: int | None, key: str) -> int | None:
        """The line of ``key =`` in the table that starts at line ``start``."""
        pattern = re.compile(rf"(^|[{{,\s]){re.escape(key)}\s*=")
        first = start or 1
        for number in range(first, len(self.lines) + 1):
            line = self.lines[number - 1]
            if number > first and line.lstrip().startswith("["):
                break
            if pattern.search(line.split("#", 1)[0]):
                return number
        return start

    def add(self, line: int | None, where: str, message: str) -> None:
        self.problems.append(f"{f'line {line}: ' if line else ''}{where}: {message}")


class _Section:
    """One table of the file: typed reads of its keys, each problem located."""

    def __init__(self, text: _Text, start: int | None, where: str, value: Any) -> None:
        self.text, self.start, self.where = text, start, where
        self.table: dict[str, Any] = value if isinstance(value, dict) else {}
        if not isinstance(value, dict):
            text.add(start, where, "must be a table")

    def problem(self, key: str, message: str) -> None:
        self.text.add(self.text.key(self.start, key), f"{self.where}.{key}", message)

    def only(self, *known: str) -> None:
        for key in self.table:
            if key not in known:
                self.problem(key, f"unknown setting (known: {', '.join(known)})")

    def flag(self, key: str, default: bool = False) -> bool:
        value = self.table.get(key, default)
        if not isinstance(value, bool):
            self.problem(key, "takes true or false")
            return default
        return value

    def number(self, key: str, default: int | None, low: int, high: int) -> int | None:
        value = self.table.get(key, default)
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.problem(key, f"takes a whole number from {low} to {high}, got {value!r}")
            return default
        return value

    def text_of(self, key: str, *, required: bool) -> str | None:
        value = self.table.get(key)
        if value is None and not required:
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(key, "required: a non-empty text")
            return None
        return value.strip()

    def sub(self, key: str) -> _Section:
        return _Section(self.text, self.start, f"{self.where}.{key}", self.table.get(key, {}))


def parse_rules(text: str, *, source: str = "<rules>") -> Rules:
    """Parse and validate a rules file's text; a :class:`ConfigurationError` lists every
    problem, each with its line and field."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigurationError(f"rules file {source} is not valid TOML: {error}") from None
    lines = _Text(text)
    top = _Section(lines, 1, "rules", data)
    top.only(*TOP_LEVEL)
    rules = Rules(
        reporting_currency=_currency(top, "reporting_currency", data.get("reporting_currency")),
        rates=_rates(_Section(lines, lines.header("rates"), "rates", data.get("rates", {}))),
        dry_run=top.flag("dry_run"),
        deadlines=_deadlines(_section(lines, data, "deadlines")),
        fairness=_fairness(_section(lines, data, "fairness")),
        priority=_priority(_section(lines, data, "priority")),
        fees=parse_fees(_section(lines, data, "fees")),
        routes=_many(lines, data.get("route", []), "route", _route),
        automation=_many(lines, data.get("automation", []), "automation", _automation),
        source=source,
    )
    if lines.problems:
        raise ConfigurationError(
            f"rules file {source} is invalid: " + "; ".join(lines.problems),
            errors={"rules": lines.problems},
        )
    return rules


def load_rules(path: str | Path) -> Rules:
    """Read and validate a rules file; a :class:`ConfigurationError` lists every problem."""
    file = Path(path).expanduser()
    try:
        text = file.read_text("utf-8")
    except OSError as error:
        raise ConfigurationError(f"cannot read the rules file {file}: {error.strerror}") from None
    return parse_rules(text, source=str(file))


# -- settings --------------------------------------------------------------------------------


def _section(lines: _Text, data: dict[str, Any], name: str) -> _Section:
    return _Section(lines, lines.header(name), name, data.get(name, {}))


def _currency(section: _Section, key: str, value: Any) -> str | None:
    if value is None:
        return None
    try:
        minor_units(str(value).upper())
    except DisputeflowError as error:
        section.problem(key, error.message)
        return None
    return str(value).upper()


def _rates(section: _Section) -> dict[str, Decimal]:
    rates: dict[str, Decimal] = {}
    for code, rate in section.table.items():
        if _currency(section, code, code) is None:
            continue
        number = None
        if isinstance(rate, str | int) and not isinstance(rate, bool):
            with contextlib.suppress(InvalidOperation):
                number = Decimal(rate)
        if number is None or not number.is_finite() or number <= 0:
            section.problem(code, f'write a positive decimal as text, e.g. "0.92" (got {rate!r})')
            continue
        rates[code.upper()] = number
    return rates


def _calendar(section: _Section) -> BusinessCalendar:
    table = section.table
    try:
        return BusinessCalendar(
            country=table.get("calendar"),
            subdivision=table.get("subdivision"),
            timezone=table.get("timezone", "UTC"),
        )
    except (DisputeflowError, NotImplementedError, KeyError) as error:
        key = "subdivision" if "subdivision" in table else "calendar"
        section.problem(key if key in table else "timezone", getattr(error, "message", str(error)))
        return BusinessCalendar()


def _deadlines(section: _Section) -> DeadlineSettings:
    section.only(
        *("first_response_hours", "first_response_business_days", "calendar"),
        *("subdivision", "timezone", "alert_lead_hours"),
    )
    leads = section.table.get("alert_lead_hours", list(DEFAULT_LEAD_HOURS))
    good = (
        isinstance(leads, list)
        and leads
        and all(isinstance(h, int) and not isinstance(h, bool) and 1 <= h <= 24 * 90 for h in leads)
    )
    if not good:
        section.problem("alert_lead_hours", f"takes a list of 1 to 2160 hours, got {leads!r}")
    return DeadlineSettings(
        first_response_hours=section.number("first_response_hours", None, 1, 24 * 90),
        first_response_business_days=section.number("first_response_business_days", None, 1, 90),
        calendar=_calendar(section),
        alert_lead_hours=tuple(sorted(set(leads), reverse=True)) if good else DEFAULT_LEAD_HOURS,
    )


def _fairness(section: _Section) -> FairnessSettings:
    section.only("require_rationale", "buyer_response_days_min")
    return FairnessSettings(
        require_rationale=section.flag("require_rationale"),
        buyer_response_days_min=section.number("buyer_response_days_min", 7, 1, 90) or 7,
    )


def _weights(section: _Section, names: set[str]) -> dict[str, int]:
    weights = {}
    for name in section.table:
        if name not in names:
            section.problem(name, f"unknown (one of: {', '.join(sorted(names))})")
        elif (points := section.number(name, None, 0, 50)) is not None:
            weights[name] = points
    return weights


def _priority(section: _Section) -> PriorityWeights:
    section.only("categories", "kinds")
    return PriorityWeights(
        categories=_weights(section.sub("categories"), {str(c) for c in Category}),
        kinds=_weights(section.sub("kinds"), {str(k) for k in CaseKind}),
    )


# -- routing and automation rules ------------------------------------------------------------

Parse = Callable[[_Section], Any]


def _many(lines: _Text, value: Any, name: str, parse: Parse) -> tuple[Any, ...]:
    if not isinstance(value, list):
        lines.add(lines.key(1, name), name, f"write each rule as a [[{name}]] table")
        return ()
    parsed, seen = [], set()
    for index, table in enumerate(value):
        rule_name = table.get("name") if isinstance(table, dict) else None
        where = f"[[{name}]] {rule_name!r}" if rule_name else f"[[{name}]] #{index + 1}"
        section = _Section(lines, lines.header(name, index), where, table)
        if rule_name in seen:
            section.problem("name", "a rule of this name comes earlier in the file")
        seen.add(rule_name)
        rule = parse(section)
        if rule is not None:
            parsed.append(rule)
    return tuple(parsed)


def _name_and_when(section: _Section) -> tuple[str, tuple[Condition, ...]] | None:
    name = section.table.get("name")
    valid = isinstance(name, str) and bool(NAME.match(name))
    if not valid:
        section.problem("name", "required: lower-case letters, digits, - and _ (e.g. small-eu)")
    when = section.sub("when")
    conditions = []
    for key, value in when.table.items():
        try:
            conditions.append(parse_condition(key, value))
        except ValueError as error:
            when.problem(key, str(error))
    return (str(name), tuple(conditions)) if valid else None


def _route(section: _Section) -> RouteRule | None:
    section.only("name", "queue", "when")
    named = _name_and_when(section)
    for key in PLUGIN_FACTS & set(section.table.get("when") or ()):
        section.sub("when").problem(key, "only automation rules can test it (a plugin tells it)")
    queue = section.text_of("queue", required=True)
    if named is None or queue is None:
        return None
    return RouteRule(name=named[0], queue=queue[:100], when=named[1], line=section.start)


def _automation(section: _Section) -> AutomationRule | None:
    section.only(
        *("name", "action", "when", "rationale"),
        *("daily_limit", "dry_run", "message", "queue", "days_before_deadline"),
    )
    named = _name_and_when(section)
    action = section.table.get("action")
    if action not in AUTOMATION_ACTIONS:
        section.problem("action", f"one of: {', '.join(AUTOMATION_ACTIONS)} (got {action!r})")
    if not section.table.get("when"):
        section.problem("when", "an automation rule needs at least one condition")
    rationale = section.text_of("rationale", required=True)
    message = section.text_of("message", required=action == "request_information")
    queue = section.text_of("queue", required=action == "assign")
    limit = section.number("daily_limit", 50, 1, 10_000) or 50
    dry_run = section.flag("dry_run")
    days = section.number("days_before_deadline", DEFAULT_DAYS_BEFORE_DEADLINE, 0, 30)
    if "days_before_deadline" in section.table and action != "submit_evidence":
        section.problem("days_before_deadline", "only a submit_evidence rule takes it")
    if named is None or rationale is None or action not in AUTOMATION_ACTIONS:
        return None
    return AutomationRule(
        name=named[0],
        action=str(action),
        when=named[1],
        rationale=rationale,
        daily_limit=limit,
        dry_run=dry_run,
        message=message,
        queue=queue[:100] if queue else None,
        days_before_deadline=DEFAULT_DAYS_BEFORE_DEADLINE if days is None else days,
        line=section.start,
    )
