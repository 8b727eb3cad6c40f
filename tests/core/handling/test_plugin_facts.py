"""Facts only a plugin knows (``packet_complete``): asked in automation only, never guessed."""

from __future__ import annotations

import logging

import pytest

from disputeflow import EvidenceItem, Party, hookimpl
from disputeflow.core.errors import ConfigurationError
from disputeflow.features.handling.automation import evaluate_case
from disputeflow.features.handling.rules_file import parse_rules
from tests.builders import T0, snapshot
from tests.core.handling.conftest import ingest, load

EVIDENCE = "disputeflow.features.evidence.plugin"
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
    case = ingest(runtime, connection_id, snapshot("cb"))  # no buyer: its packet lacks a name
    evidence = runtime.plugins.unregister(name=EVIDENCE)  # nobody left to tell
    try:
        assert evaluate_case(runtime, case.id, now=T0) == {}  # not "false": unknown
    finally:
        runtime.plugins.register(evidence, name=EVIDENCE)
    assert evaluate_case(runtime, case.id, now=T0) == {"queue-complete-packets": "assigned"}


def test_routing_rules_cannot_test_plugin_facts():
    with pytest.raises(ConfigurationError) as raised:
        parse_rules('[[route]]\nname = "r"\nqueue = "q"\nwhen = { packet_complete = true }\n')
    assert raised.value.errors["rules"] == [
        "line 4: [[route]] 'r'.when.packet_complete: only automation rules can test it "
        "(a plugin tells it)"
    ]


def test_the_evidence_feature_tells_whether_the_packet_is_complete(
    runtime, connection_id, use_rules
):
    """A fraud packet needs the customer's name, the billing address and the card checks
    (features/evidence/data/catalogue.toml): the platform (a test plugin here) gives the last
    two for one case only; the buyer's name comes from the case."""

    class Platform:
        @hookimpl
        def disputeflow_collect_evidence(self, case):
            if case.external_id != "complete":
                return []
            return [
                EvidenceItem("billing_address", "1 Main St, Springfield", "the payment"),
                EvidenceItem("card_checks", "CVC pass, AVS pass", "the payment"),
            ]

    runtime.plugins.register(Platform(), name="platform")
    try:
        use_rules(FIGHT_WHEN_COMPLETE)
        buyer = Party(name="Jo Buyer", email="jo@example.org")
        ready = ingest(runtime, connection_id, snapshot("complete", buyer=buyer))
        lacking = ingest(runtime, connection_id, snapshot("lacking", buyer=buyer))
        assert evaluate_case(runtime, ready.id, now=T0) == {"queue-complete-packets": "assigned"}
        assert evaluate_case(runtime, lacking.id, now=T0) == {}
    finally:
        runtime.plugins.unregister(name="platform")
    assert load(runtime, ready.id).queue == "submit-now"
