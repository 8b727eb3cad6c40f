"""One behavioural test per hook: a tiny plugin is registered for the test, the hook is called
through the plugin manager with keyword arguments, and its effect is checked.

Every hook in hookspecs.py must have a ``test_hook_<name>`` here (see test_hookspecs.py).
"""

from __future__ import annotations

from dataclasses import replace

import click
import pytest
from click.testing import CliRunner

from disputeflow import (
    ActionRequest,
    ActionResult,
    Actor,
    CaseChange,
    Category,
    Classification,
    MarketplaceError,
    Money,
    Party,
    TimelineEntry,
    TimelineKind,
    hookimpl,
)
from disputeflow.core.testing import minimal_case
from disputeflow.core.testing.support import TEST_TIME
from tests.fakes.marketplace import FakeMarketplace


@pytest.fixture
def register(plugin_manager):
    """``register(plugin, name)`` for the duration of one test, unregistered afterwards."""
    names = []

    def _register(plugin, name):
        plugin_manager.register(plugin, name=name)
        names.append(name)
        return plugin

    try:
        yield _register
    finally:
        for name in names:
            plugin_manager.unregister(name=name)


def make_case(kind="chargeback", **changes):
    return replace(minimal_case("fake", kind), **changes)


def refund(amount):
    return ActionRequest(
        type="refund", case_id="case_test", idempotency_key="idem-1", amount=Money(amount, "EUR")
    )


# -- discovery --------------------------------------------------------------------------------


def test_hook_disputeflow_register_marketplaces(plugin_manager, register):
    class Plugin:
        adapter = FakeMarketplace()

        @hookimpl
        def disputeflow_register_marketplaces(self):
            return [self.adapter]

    plugin = register(Plugin(), "fake-plugin")
    assert plugin_manager.hook.disputeflow_register_marketplaces() == [[plugin.adapter]]
    assert plugin_manager.marketplace("fake") is plugin.adapter


def test_hook_disputeflow_register_commands(plugin_manager, register):
    class Plugin:
        @hookimpl
        def disputeflow_register_commands(self, cli):
            @cli.command(name="fake-status")
            def fake_status():
                click.echo("fake ok")

    register(Plugin(), "commands")
    cli = click.Group("disputeflow")
    assert plugin_manager.hook.disputeflow_register_commands(cli=cli) == []
    assert "fake-status" in cli.commands
    result = CliRunner().invoke(cli, ["fake-status"])
    assert result.exit_code == 0
    assert result.output == "fake ok\n"


def test_hook_disputeflow_register_blueprints(runtime, register):
    from flask import Blueprint

    from disputeflow.webhooks.app import create_app

    install = Blueprint("fake_install", __name__, url_prefix="/install/fake")

    @install.get("/")
    def start():
        return {"install": "fake"}

    class Plugin:
        @hookimpl
        def disputeflow_register_blueprints(self):
            return [install]

    register(Plugin(), "blueprints")
    response = create_app(runtime).test_client().get("/install/fake/")
    assert response.status_code == 200
    assert response.get_json() == {"install": "fake"}


# -- case lifecycle -------------------------------------------------------------------------


def test_hook_disputeflow_classify_case(plugin_manager, register):
    calls = []

    class Abstains:
        @hookimpl(tryfirst=True)
        def disputeflow_classify_case(self, case):
            calls.append("abstains")

    class Phrase:
        @hookimpl
        def disputeflow_classify_case(self, case, snapshot):
            if "never arrived" in (case.platform_reason or ""):
                return Classification(Category.NOT_RECEIVED, 0.9, "phrase:never-arrived")
            return None

    class Fallback:
        @hookimpl(trylast=True)
        def disputeflow_classify_case(self, case):
            calls.append("fallback")

    register(Abstains(), "abstains")
    register(Phrase(), "phrase")
    register(Fallback(), "fallback")
    hook = plugin_manager.hook.disputeflow_classify_case

    decided = hook(case=make_case(platform_reason="item never arrived"), snapshot=None)
    assert decided == Classification(Category.NOT_RECEIVED, 0.9, "phrase:never-arrived")
    assert calls == ["abstains"], "firstresult: the trylast plugin is never asked"

    calls.clear()
    assert hook(case=make_case(platform_reason="general"), snapshot=None) is None
    assert calls == ["abstains", "fallback"]


@pytest.mark.parametrize(
    ("kind", "queue"),
    [
        ("chargeback", "chargebacks"),
        ("inquiry", "inquiries"),
        ("return", "returns"),
        ("claim", "claims"),
    ],
)
def test_default_route_by_kind(plugin_manager, kind, queue):
    assert plugin_manager.hook.disputeflow_route_case(case=make_case(kind)) == queue


def test_hook_disputeflow_route_case(plugin_manager, register):
    class Dach:
        @hookimpl(tryfirst=True)
        def disputeflow_route_case(self, case):
            if case.buyer and case.buyer.country in ("DE", "AT", "CH"):
                return "team-dach"
            return None

    hook = plugin_manager.hook.disputeflow_route_case
    german = make_case(buyer=Party(country="DE"))
    assert hook(case=german) == "chargebacks"
    register(Dach(), "dach")
    assert hook(case=german) == "team-dach"
    assert hook(case=make_case(buyer=Party(country="FR"))) == "chargebacks"


def test_hook_disputeflow_exchange_rate(plugin_manager, register):
    from decimal import Decimal

    from disputeflow.features.handling.priority import to_reporting
    from disputeflow.features.handling.rules import Rules

    asked = []

    class Ecb:
        @hookimpl
        def disputeflow_exchange_rate(self, base, quote):
            asked.append((base, quote))
            return {("USD", "EUR"): Decimal("0.92")}.get((base, quote))

    class Fallback:
        @hookimpl(trylast=True)
        def disputeflow_exchange_rate(self, base, quote):
            asked.append(("fallback", base))
            return Decimal("0.5")

    hook = plugin_manager.hook.disputeflow_exchange_rate
    assert hook(base="USD", quote="EUR") is None, "no plugin: no rate"
    register(Ecb(), "ecb")
    register(Fallback(), "fallback")
    assert hook(base="USD", quote="EUR") == Decimal("0.92")
    assert asked == [("USD", "EUR")], "firstresult: the fallback is not asked"
    assert hook(base="GBP", quote="EUR") == Decimal("0.5")
    rules = Rules(reporting_currency="EUR", rates={"GBP": Decimal("1.17")})
    assert to_reporting(Money("10.00", "USD"), rules, plugin_manager) == Money("9.20", "EUR")
    asked.clear()
    assert to_reporting(Money("10.00", "GBP"), rules, plugin_manager) == Money("11.70", "EUR")
    assert asked == [], "the rules file's table is asked first"


def test_hook_disputeflow_case_changed(plugin_manager, register):
    received = []

    class Recorder:
        @hookimpl
        def disputeflow_case_changed(self, change):
            received.append(change)

    register(Recorder(), "recorder")
    case = make_case()
    entry = TimelineEntry(TEST_TIME, Actor.PLATFORM, TimelineKind.OPENED, "Dispute opened")
    change = CaseChange(case=case, created=True, entries=(entry,), cause="snapshot")
    assert plugin_manager.hook.disputeflow_case_changed(change=change) == []
    assert received == [change]
    assert received[0].case is case
    assert received[0].entries[0].kind is TimelineKind.OPENED


# -- actions ----------------------------------------------------------------------------------


def test_hook_disputeflow_before_action(plugin_manager, register):
    frozen_calls = []

    class Limit:
        @hookimpl(tryfirst=True)
        def disputeflow_before_action(self, case, action):
            if action.type == "refund" and action.amount.value > 500:
                return "refunds over 500 need a manager"
            return None

    class Freeze:
        @hookimpl
        def disputeflow_before_action(self, case):
            frozen_calls.append(case.id)
            return "account frozen" if case.extra.get("frozen") else None

    hook = plugin_manager.hook.disputeflow_before_action
    case = make_case("return")
    assert hook(case=case, action=refund("600.00")) is None, "no plugin: nothing vetoes"

    register(Limit(), "limit")
    register(Freeze(), "freeze")
    assert hook(case=case, action=refund("600.00")) == "refunds over 500 need a manager"
    assert frozen_calls == [], "firstresult: the first veto stops the call"
    assert hook(case=case, action=refund("20.00")) is None
    frozen = make_case("return", extra={"frozen": True})
    assert hook(case=frozen, action=refund("20.00")) == "account frozen"
    assert frozen_calls == ["case_test", "case_test"]


def test_hook_disputeflow_after_action(plugin_manager, register):
    audit = []

    class Audit:
        @hookimpl
        def disputeflow_after_action(self, case, action, result):
            audit.append((case.id, str(action.type), result.external_id))

    class OnlyResult:  # implementations may take fewer arguments than the spec
        @hookimpl
        def disputeflow_after_action(self, result):
            audit.append(("refunded", str(result.refunded)))

    register(Audit(), "audit")
    register(OnlyResult(), "only-result")
    result = ActionResult(external_id="re_1", refunded=Money("20.00", "EUR"))
    hook = plugin_manager.hook.disputeflow_after_action
    assert hook(case=make_case("return"), action=refund("20.00"), result=result) == []
    assert sorted(audit) == [("case_test", "refund", "re_1"), ("refunded", "20.00 EUR")]


def test_hook_disputeflow_on_action_error(plugin_manager, register):
    alerts = []

    class Pager:
        @hookimpl
        def disputeflow_on_action_error(self, case, action, error):
            alerts.append(f"{action.type} failed on {case.id}: {error}")

    class Counter:
        @hookimpl
        def disputeflow_on_action_error(self, error):
            alerts.append(error.platform_status)

    register(Pager(), "pager")
    register(Counter(), "counter")
    error = MarketplaceError("refund declined by the platform", platform_status=422)
    plugin_manager.hook.disputeflow_on_action_error(
        case=make_case("return"), action=refund("20.00"), error=error
    )
    assert sorted(alerts, key=str) == [
        422,
        "refund failed on case_test: refund declined by the platform",
    ]


def test_hook_disputeflow_register_notifiers(runtime, register):
    from dataclasses import replace as changed

    from disputeflow import Audience, NoticeResult, Notifier, Party
    from disputeflow.core.clock import utcnow
    from disputeflow.core.errors import PluginError
    from disputeflow.engine.ingest import ingest_snapshot
    from disputeflow.features.notices.outbox import process_notices
    from tests.builders import snapshot

    heard = []

    class Chat(Notifier):
        name = "chat"
        audiences = frozenset({Audience.MERCHANT})

        def send(self, notice):
            heard.append((notice.step, notice.audience, notice.lang, notice.subject))
            return NoticeResult(recipient="#disputes", external_id="msg-1")

    class Plugin:
        @hookimpl
        def disputeflow_register_notifiers(self, settings):
            assert settings is runtime.settings
            return [Chat()]

    register(Plugin(), "chat")
    runtime.settings = changed(
        runtime.settings, notices=changed(runtime.settings.notices, merchant_language="de")
    )
    connection = runtime.add_connection("fake", "eu", {"signing_secret": "s", "shop": "eu"})
    opened = snapshot("n1", observed_at=utcnow(), kind="return", object_type="return",
                      buyer=Party(country="DE"))  # fmt: skip
    ingest_snapshot(runtime.database, runtime.plugins, connection["id"], opened)
    report = process_notices(runtime)
    assert (report.sent, report.skipped) == (1, 1)  # the buyer's had no channel to go by
    assert heard == [("case_opened", "merchant", "de", "Fall zur Bestellung n1 eröffnet")]
    assert process_notices(runtime).handled == 0, "sent once"

    register(Plugin(), "chat-again")  # a second notifier named "chat"
    with pytest.raises(PluginError, match="'chat' is registered by both"):
        process_notices(runtime)


def test_hook_disputeflow_collect_evidence(runtime, register):
    from disputeflow import EvidenceItem
    from disputeflow.features.evidence.assemble import assemble

    asked = []

    class Tracker:
        @hookimpl
        def disputeflow_collect_evidence(self, case, connection):
            asked.append((case.id, connection.name, connection.settings["shop"]))
            return [EvidenceItem("tracking", "1Z999AA10123456784", "fake carrier API")]

    class Broken:
        @hookimpl
        def disputeflow_collect_evidence(self, case):
            raise MarketplaceError("tracking service down")

    case_id = _a_return(runtime)
    before = assemble(runtime, case_id)
    assert [item.name for item in before.items if item.origin == "platform"] == []
    register(Tracker(), "tracker")
    register(Broken(), "broken")
    packet = assemble(runtime, case_id)
    assert asked == [(case_id, "eu", "eu")], "called once, for the case's own connection"
    tracking = [item for item in packet.items if item.name == "tracking"]
    assert [(i.text, i.source, i.origin) for i in tracking] == [
        ("1Z999AA10123456784", "fake carrier API", "platform")
    ]
    assert packet.errors == ("broken: tracking service down",), "the others' items are kept"


# -- prevention -------------------------------------------------------------------------------


def test_hook_disputeflow_order_volume(runtime, register):
    from datetime import UTC, datetime

    from disputeflow.features.analytics.ratios import plugin_volume

    eu = runtime.add_connection("fake", "eu", {"signing_secret": "s", "shop": "eu-shop"})
    asked = []

    class Abstains:
        @hookimpl(tryfirst=True)
        def disputeflow_order_volume(self, connection):
            asked.append(connection.name)

    class Reports:
        @hookimpl
        def disputeflow_order_volume(self, connection, start, end):
            if connection.settings["shop"] != "eu-shop":
                return None
            return (end - start).days * 10

    start, end = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 1, tzinfo=UTC)
    volume = plugin_volume(runtime)
    assert volume(eu["id"], start, end) is None, "no plugin knows: no volume"
    register(Abstains(), "abstains")
    register(Reports(), "reports")
    assert volume(eu["id"], start, end) == 300
    assert asked == ["eu"], "firstresult: asked in order until one answers"
    assert volume("con_missing", start, end) is None


def test_hook_disputeflow_ratio_alert(runtime, register):
    from datetime import UTC, datetime
    from decimal import Decimal

    from disputeflow.features.analytics.ratios import (
        ChannelMonth,
        Threshold,
        ThresholdState,
        raise_alerts,
    )
    from disputeflow.features.analytics.ratios import alerts as ratio_alerts

    tight = Threshold("visa", "Visa VAMP", "excessive", Decimal("0.015"), 10)
    channel = ChannelMonth(
        connection_id="con_1", name="eu", platform="fake", month="2026-11",
        as_of=datetime(2026, 11, 16, tzinfo=UTC), elapsed=Decimal("0.5"), chargebacks=6,
        networks=(("visa", 6),), transactions=300, projected_chargebacks=Decimal("12.0"),
        projected_transactions=Decimal(600), states=(ThresholdState(tight, "projected"),),
    )  # fmt: skip
    heard = []

    class Broken:
        @hookimpl(trylast=True)
        def disputeflow_ratio_alert(self, alert):
            raise RuntimeError("pager down")

    class Pager:
        @hookimpl
        def disputeflow_ratio_alert(self, alert):
            heard.append((alert.connection_name, alert.state, alert.threshold.label))

    register(Pager(), "pager")
    found = ratio_alerts([channel])
    assert raise_alerts(runtime, found) == 1
    assert heard == [("eu", "projected", "Visa VAMP excessive")]
    assert "is projected to cross" in found[0].message
    assert "6 chargebacks over 300 transactions (2.00%)" in found[0].message
    register(Broken(), "broken")
    assert raise_alerts(runtime, found) == 1, "a failing plugin is logged, never raised"
    assert heard[-1] == ("eu", "projected", "Visa VAMP excessive")
    assert len(heard) == 2


# -- the service's own steps (answered by the built-in features) -----------------------------


def _connection(runtime):
    return runtime.add_connection("fake", "eu", {"signing_secret": "s", "shop": "eu"})["id"]


def _stored(runtime, case_id):
    from disputeflow.engine.store import cases

    with runtime.database.session() as session:
        return cases.get(session, case_id)


def _a_return(runtime, external_id="r1"):
    from disputeflow.engine.ingest import ingest_snapshot
    from tests.builders import snapshot

    opened = snapshot(external_id, kind="return", object_type="return")
    result = ingest_snapshot(
        runtime.database, runtime.plugins, _connection(runtime), opened, rules=runtime.rules
    )
    return result.case.id


def test_hook_disputeflow_load_rules(settings, plugin_manager, register):
    from disputeflow.engine.runtime import Runtime
    from disputeflow.features.handling.rules import Rules

    mine = Rules(reporting_currency="JPY")

    class Plugin:
        @hookimpl(tryfirst=True)
        def disputeflow_load_rules(self, settings):
            return mine

    builtin = Runtime.create(settings, plugins=plugin_manager)
    builtin.close()
    assert isinstance(builtin.rules, Rules)
    assert builtin.rules.reporting_currency is None, "no rules file: the defaults"
    register(Plugin(), "rules")
    runtime = Runtime.create(settings, plugins=plugin_manager)
    runtime.close()
    assert runtime.rules is mine


def test_hook_disputeflow_triage_case(runtime, register):
    from disputeflow.engine.ingest import ingest_snapshot
    from tests.builders import snapshot

    seen = []

    class Plugin:
        @hookimpl
        def disputeflow_triage_case(self, case, snapshot, at, rules):
            seen.append((snapshot.external_id, rules is runtime.rules))
            case.extra["vip"] = True
            return [TimelineEntry(at, Actor.SYSTEM, TimelineKind.NOTE, "vip buyer")]

    register(Plugin(), "vip")
    merged = ingest_snapshot(
        runtime.database, runtime.plugins, _connection(runtime), snapshot("t1"), rules=runtime.rules
    )
    stored = _stored(runtime, merged.case.id)
    assert seen == [("t1", True)]
    assert stored.extra["vip"] is True
    assert "vip buyer" in [entry.summary for entry in stored.timeline]
    assert stored.queue == "chargebacks", "the built-in triage ran as well"


def test_hook_disputeflow_prepare_action(runtime, register):
    from disputeflow.engine.outbox import ActionInput, request_action

    class Plugin:
        @hookimpl
        def disputeflow_prepare_action(self, action_type, params):
            assert params == {"team": "dach"}
            return {"signed": "ACME"} if action_type == "add_note" else None

    register(Plugin(), "signature")
    wanted = ActionInput("add_note", message="called the buyer", params={"team": "dach"})
    action, created = request_action(runtime, _a_return(runtime), wanted)
    assert created
    assert action["params"]["signed"] == "ACME"
    assert action["params"]["team"] == "dach"


def test_hook_disputeflow_check_action(runtime, register):
    from disputeflow import ActionNotAllowedError
    from disputeflow.engine.outbox import ActionInput, check_action, request_action

    class Plugin:
        @hookimpl
        def disputeflow_check_action(self, case, action_type, rationale):
            if rationale == "no reason":
                raise ActionNotAllowedError("a reason is needed")
            return "checked by the policy team" if action_type == "approve_return" else None

    register(Plugin(), "policy-team")
    case_id = _a_return(runtime)
    refused = ActionInput("approve_return", rationale="no reason")
    with pytest.raises(ActionNotAllowedError, match="a reason is needed"):
        check_action(runtime, case_id, refused)
    with pytest.raises(ActionNotAllowedError, match="a reason is needed"):
        request_action(runtime, case_id, refused)
    request_action(runtime, case_id, ActionInput("approve_return", rationale="item faulty"))
    requested = _stored(runtime, case_id).timeline[-1]
    assert requested.kind == TimelineKind.ACTION_REQUESTED
    assert "(checked by the policy team)" in requested.summary
    assert requested.data["statutory_note"] == "checked by the policy team"


def test_hook_disputeflow_refresh_case(runtime, register):
    from disputeflow.engine.outbox import ActionInput, request_action

    class Plugin:
        @hookimpl
        def disputeflow_refresh_case(self, case, rules):
            assert rules is runtime.rules
            case.extra["entries_seen"] = len(case.timeline)
            return True

    case_id = _a_return(runtime)
    before = len(_stored(runtime, case_id).timeline)
    register(Plugin(), "counter")
    request_action(runtime, case_id, ActionInput("add_note", message="called the buyer"))
    assert _stored(runtime, case_id).extra["entries_seen"] == before + 1


def test_hook_disputeflow_case_facts(runtime, register):
    from disputeflow.engine.ingest import ingest_snapshot
    from disputeflow.features.handling.automation import evaluate_case
    from disputeflow.features.handling.rules_file import parse_rules
    from tests.builders import T0, snapshot

    asked = []

    class Evidence:
        @hookimpl
        def disputeflow_case_facts(self, runtime, case, names):
            asked.append((case.external_id, names))
            return {"packet_complete": case.external_id == "complete", "other": 1}

    class Silent:
        @hookimpl
        def disputeflow_case_facts(self, case):
            return {"packet_complete": None}  # does not know: the next answer counts

    register(Evidence(), "evidence")
    register(Silent(), "silent")
    connection_id = _connection(runtime)

    def dispute(external_id):
        snap = snapshot(external_id)
        return ingest_snapshot(runtime.database, runtime.plugins, connection_id, snap).case.id

    runtime.rules = parse_rules(
        """
[[automation]]
name = "assign-ready"
action = "assign"
queue = "ready-to-submit"
when = { packet_complete = true }
rationale = "The packet is complete."
"""
    )
    assert evaluate_case(runtime, dispute("complete"), now=T0) == {"assign-ready": "assigned"}
    assert evaluate_case(runtime, dispute("lacking"), now=T0) == {}
    names = frozenset({"packet_complete"})
    assert asked == [("complete", names), ("lacking", names)]
    runtime.rules = parse_rules("")  # no rule tests a plugin fact: nobody is asked
    evaluate_case(runtime, dispute("other"), now=T0)
    assert len(asked) == 2


def test_hook_disputeflow_entries_recorded(runtime, register):
    from disputeflow.engine.outbox import ActionInput, request_action

    heard = []

    class Plugin:
        @hookimpl
        def disputeflow_entries_recorded(self, session, case_id, entries):
            assert session.in_transaction()
            heard.extend((case_id, entry.kind) for entry in entries)

    register(Plugin(), "listener")
    case_id = _a_return(runtime)
    assert (case_id, TimelineKind.OPENED) in heard
    heard.clear()
    request_action(runtime, case_id, ActionInput("add_note", message="called the buyer"))
    assert heard == [(case_id, TimelineKind.NOTE)]


def test_hook_disputeflow_connection_details(runtime, register):
    class Plugin:
        @hookimpl
        def disputeflow_connection_details(self, connection):
            return {"team": f"team of {connection.name}"}

    register(Plugin(), "teams")
    described = runtime.add_connection("fake", "eu", {"signing_secret": "s", "shop": "eu"})
    assert described["team"] == "team of eu"
    assert described["policy"]["store_window_days"] is None, "the built-in handling's field"


def test_hook_disputeflow_apply_effect(runtime, register, monkeypatch):
    from dataclasses import dataclass

    from disputeflow import VerifiedDelivery
    from disputeflow.core.clock import utcnow
    from disputeflow.engine.processing import process_deliveries
    from disputeflow.engine.store import deliveries

    @dataclass(frozen=True)
    class Forget:
        email: str

    def translate(self, connection, delivery):
        return [Forget(delivery.body.decode())]

    monkeypatch.setattr(FakeMarketplace, "translate_delivery", translate)
    connection_id = _connection(runtime)

    def deliver(body):
        with runtime.database.session() as session:
            verified = VerifiedDelivery(dedup_key=body, topic="customers/forget", headers={})
            deliveries.insert(
                session,
                connection_id=connection_id,
                platform="fake",
                verified=verified,
                body=body.encode(),
                received_at=utcnow(),
            )

    deliver("a@example.org")
    report = process_deliveries(runtime)
    assert (report.processed, report.failed) == (0, 1), "nobody handles it: kept and retried"
    forgotten = []

    class Plugin:
        @hookimpl
        def disputeflow_apply_effect(self, connection_id, effect, delivery_id):
            if not isinstance(effect, Forget):
                return None
            forgotten.append((connection_id, effect.email, delivery_id.startswith("dlv")))
            return True

    register(Plugin(), "crm")
    deliver("b@example.org")
    report = process_deliveries(runtime)
    assert report.processed == 1
    assert (connection_id, "b@example.org", True) in forgotten


def test_hook_disputeflow_worker_round(runtime, register, caplog):
    from disputeflow.engine.worker import Worker

    class Digest:
        @hookimpl
        def disputeflow_worker_round(self, runtime, batch_size):
            assert batch_size == 20
            return 3

    class Broken:
        @hookimpl(tryfirst=True)
        def disputeflow_worker_round(self):
            raise RuntimeError("digest service down")

    register(Digest(), "digest")
    assert Worker(runtime).run_once() == 3
    register(Broken(), "broken")
    assert Worker(runtime).run_once() == 3, "the failure is logged, the others still run"
    assert "disputeflow_worker_round of plugin broken failed" in caplog.text


def test_hook_disputeflow_housekeeping(runtime, register, caplog):
    from disputeflow.engine.worker import Worker, WorkerOptions

    calls = []

    class Cache:
        @hookimpl
        def disputeflow_housekeeping(self, runtime):
            calls.append(runtime)

    class Broken:
        @hookimpl(tryfirst=True)
        def disputeflow_housekeeping(self):
            raise RuntimeError("cache server down")

    register(Cache(), "cache")
    register(Broken(), "broken")
    worker = Worker(runtime, WorkerOptions(housekeeping_interval=3600))
    worker.housekeeping()
    worker.housekeeping()  # within the interval: not again
    worker.housekeeping(force=True)
    assert calls == [runtime, runtime]
    assert "disputeflow_housekeeping of plugin broken failed" in caplog.text
