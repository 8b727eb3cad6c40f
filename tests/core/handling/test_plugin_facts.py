"""Facts only a plugin knows (``packet_complete``): asked in automation only, never guessed."""

from __future__ import annotations

import logging

import pytest

from disputeflow import hookimpl
from disputeflow.core.errors import ConfigurationError
from disputeflow.features.handling.automation import evaluate_case
from disputeflow.features.handling.rules_file import parse_rules
from tests.builders import T0, snapshot
from tests.core.handling.conftest import ingest

FIGHT_WHEN_COMPLETE = """
[[automation]]
name = "queue-complete-packets"
action = "assign"
queue = "submit-now"
when = { kind = "chargeback", packet_complete = true }
rationale = "A complete packet is worth submitting."
"""


def test_a_failing_plugin_leaves_the_fact_unknown(runtime, connection_id, use_rules, caplog):
    class Broken:
        @hookimpl
        def disputeflow_case_facts(self, case):
            raise RuntimeError("the evidence store is down")

    runtime.plugins.register(Broken(), name="broken")
    try:
        use_rules(FIGHT_WHEN_COMPLETE)
        case = ingest(runtime, connection_id, snapshot("cb"))
        with caplog.at_level(logging.ERROR):
            assert evaluate_case(runtime, case.id, now=T0) == {}
    finally:
        runtime.plugins.unregister(name="broken")
    assert "disputeflow_case_facts failed" in caplog.text


def test_without_a_plugin_the_fact_is_unknown(runtime, connection_id, use_rules):
    use_rules(FIGHT_WHEN_COMPLETE.replace("packet_complete = true", "packet_complete = false"))
    case = ingest(runtime, connection_id, snapshot("cb"))
    assert evaluate_case(runtime, case.id, now=T0) == {}  # not "false": unknown


def test_routing_rules_cannot_test_plugin_facts():
    with pytest.raises(ConfigurationError) as raised:
        parse_rules('[[route]]\nname = "r"\nqueue = "q"\nwhen = { packet_complete = true }\n')
    assert raised.value.errors["rules"] == [
        "line 4: [[route]] 'r'.when.packet_complete: only automation rules can test it "
        "(a plugin tells it)"
    ]
