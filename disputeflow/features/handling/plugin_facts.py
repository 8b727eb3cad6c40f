"""Facts only a plugin knows, for automation rules (``disputeflow_case_facts``).

The evidence feature answers ``packet_complete``; handling never imports it. The hook is
asked only when a rule that tests such a fact could act (its other conditions hold and, for
``submit_evidence``, its window is open), at most once per evaluation of a case, and only by
the automation rules in the worker (never in ingest: assembling a packet may call the
platform), so the rules file refuses these facts in routing rules.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from disputeflow.core.case import Case
from disputeflow.engine.runtime import Runtime
from disputeflow.features.handling.conditions import PLUGIN_FACTS
from disputeflow.features.handling.rules import AutomationRule

log = logging.getLogger(__name__)


def wanted(rules: Iterable[AutomationRule]) -> frozenset[str]:
    """The plugin-supplied facts ``rules`` test."""
    return frozenset(c.field for rule in rules for c in rule.when) & PLUGIN_FACTS


def plugin_facts(runtime: Runtime, case: Case) -> dict[str, Any]:
    """Every plugin's answer merged, the first that knows a fact winning; nothing when no
    rule needs one, or when a plugin fails (logged: the facts stay unknown)."""
    names = wanted(runtime.rules.automation)
    if not names:
        return {}
    try:
        answers = runtime.plugins.hook.disputeflow_case_facts(
            runtime=runtime, case=case, names=names
        )
    except Exception:
        log.exception("disputeflow_case_facts failed on case %s: its facts stay unknown", case.id)
        return {}
    facts: dict[str, Any] = {}
    for answer in answers:
        for name in names:
            value = answer.get(name) if answer else None
            if facts.get(name) is None and value is not None:
                facts[name] = value
    return facts
