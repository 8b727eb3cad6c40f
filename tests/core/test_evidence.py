"""The evidence catalogue's consistency, and an erasure reaching a case's evidence packet."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import select

from disputeflow import Category, EvidenceItem, Party, hookimpl
from disputeflow.core.effects import PersonalDataErasure, Subject
from disputeflow.core.errors import InvalidInputError
from disputeflow.engine.ingest import ingest_snapshot
from disputeflow.engine.store import actions, packets
from disputeflow.engine.store.tables import EvidenceFileRow
from disputeflow.features.evidence import catalogue, edits
from disputeflow.features.evidence import submit as evidence_submit
from disputeflow.features.evidence.assemble import assemble
from disputeflow.features.evidence.packet import build
from disputeflow.features.evidence.submit import submit
from disputeflow.features.privacy import erasure
from disputeflow.features.transparency import files
from disputeflow.plugins.ebay import dispute_actions as ebay_disputes
from disputeflow.plugins.paypal import evidence_body as paypal_evidence
from disputeflow.plugins.shopify import evidence as shopify_evidence
from disputeflow.plugins.stripe import disputes as stripe_disputes
from disputeflow.plugins.stripe.samples import EVIDENCE_FIELDS
from disputeflow.plugins.woocommerce import dispute_actions as woo_disputes
from tests.builders import snapshot

# The plugins' field lists, each copied from its platform's documentation: Stripe's
# ``evidence`` hash (docs.stripe.com/api/disputes/update); Shopify's
# ShopifyPaymentsDisputeEvidenceUpdateInput and dispute file types; WooPayments' evidence
# form (Stripe's fields, ``client/disputes/evidence/fields.js``) with the free text its
# contest writes; PayPal's evidence types, each alone (its notes) or with an
# ``evidence_info`` field, and ``notes``; eBay's contest ``note`` and its EvidenceTypeEnum.
# The catalogue may only name fields those pages document.
PAYPAL_TEXTS = (
    set(paypal_evidence.EVIDENCE_TYPES)
    | {f"{t}.{f}" for t in paypal_evidence.EVIDENCE_TYPES for f in paypal_evidence.INFO_FIELDS}
    | {"notes"}
)
DOCUMENTED = {
    "stripe": (set(EVIDENCE_FIELDS) - stripe_disputes.FILE_FIELDS, stripe_disputes.FILE_FIELDS),
    "shopify": (set(shopify_evidence.TEXT_FIELDS), shopify_evidence.FILE_TYPES),
    "woocommerce": (woo_disputes.STRIPE_TEXT_FIELDS | {"uncategorized_text"},
                    woo_disputes.STRIPE_FILE_FIELDS),
    "paypal": (PAYPAL_TEXTS, frozenset()),
    "ebay": ({"note"}, ebay_disputes.EVIDENCE_TYPES),
}  # fmt: skip
# Drafts as each platform documents them (docs/evidence.md): Stripe ``submit=false``,
# Shopify ``disputeEvidenceUpdate`` without ``submitEvidence``, WooPayments "Save for later"
# (``submit: false``); PayPal's provide-evidence and eBay's contest submit at once.
DRAFTS = {"stripe": True, "shopify": True, "woocommerce": True, "paypal": False, "ebay": False}
HEADINGS = {"stripe": "### Stripe", "shopify": "### Shopify", "woocommerce": "### WooPayments",
            "paypal": "### PayPal", "ebay": "### eBay"}  # fmt: skip


@pytest.mark.parametrize("category", list(Category))
def test_every_category_says_what_wins(category):
    wanted = catalogue.requirements(category)
    assert wanted, f"{category} has no requirements"
    assert any(r.required for r in wanted), f"{category}: a packet could never be incomplete"
    assert all(r.why.strip() for r in wanted)


@pytest.mark.parametrize("platform", sorted(DOCUMENTED))
def test_the_catalogue_names_only_documented_fields(platform):
    texts, file_fields = DOCUMENTED[platform]
    for item in catalogue.load().items.values():
        text = item.text.get(platform)
        assert text in (None, catalogue.PREFILLED) or text in texts, (item.name, text)
        assert item.file.get(platform) in (None, *file_fields), item.name
    place = catalogue.platform(platform)
    assert place.drafts is DRAFTS[platform]
    assert place.free_text in texts
    assert place.free_file in (None, *file_fields)
    assert place.free_file is not None or place.files != catalogue.FIELD


def test_every_platform_with_a_plugin_has_a_catalogue_section():
    assert set(catalogue.load().platforms) == set(DOCUMENTED)


def test_an_unknown_platform_keeps_no_drafts_and_takes_free_text():
    unknown = catalogue.platform("etsy")
    assert (unknown.drafts, unknown.free_text, unknown.free_file) == (False, None, None)
    assert catalogue.text_field("tracking", "etsy") is None


PDF = b"%PDF-1.4\n% signed for by Zed Shaw\n"


def test_erasure_removes_the_packets_personal_data_and_files(runtime):
    connection = runtime.add_connection("fake", "eu", {"signing_secret": "s", "shop": "eu"})
    buyer = Party(name="Zed Shaw", email="zed@example.com", country="DE")
    case_id = ingest_snapshot(
        runtime.database, runtime.plugins, connection["id"], snapshot("cb9", buyer=buyer)
    ).case.id
    change = edits.Change(
        items={"billing_address": "Zed Shaw, 1 Main St, Berlin"},
        statement="Zed Shaw ordered it himself.",
        files=[edits.FileUpload("customer_signature", "signature.pdf", PDF)],
    )
    edits.apply(runtime, case_id, change, by="agent-bot")
    with runtime.database.session() as session:
        (stored,) = session.scalars(select(EvidenceFileRow)).all()
    on_disk = files.folder(runtime.settings.home) / stored.stored_name
    assert on_disk.exists()
    with pytest.raises(InvalidInputError, match="takes no more files"):  # the fake takes none
        submit(runtime, case_id, draft=False, by="agent-bot")
    edits.apply(runtime, case_id, edits.Change(excluded=["customer_signature"]), by="agent-bot")
    action, _, _ = submit(runtime, case_id, draft=False, by="agent-bot")

    with runtime.database.session() as session:
        subject = Subject(email="zed@example.com")
        erasure.erase(session, connection["id"], PersonalDataErasure("gdpr", subject),
                      home=runtime.settings.home)  # fmt: skip
    with runtime.database.session() as session:
        row = packets.get(session, case_id)
        assert row.edits == {"items": {}, "excluded": ["customer_signature"], "files": []}
        assert row.statement == "[erased]"
        assert (row.state, row.submitted_by, row.action_id) == ("submitted", "agent-bot",
                                                                 action["id"])  # fmt: skip
        assert session.scalars(select(EvidenceFileRow)).all() == []
        sent = actions.get(session, action["id"])
        assert "Zed" not in str(sent.params)
    assert not on_disk.exists()
    packet = assemble(runtime, case_id)
    assert "Zed" not in str(packet.to_dict())


DOC = Path(__file__).parents[2] / "docs" / "evidence.md"


def _section(text, heading):
    start = text.index(f"\n{heading}\n")
    end = text.find("\n#", start + len(heading) + 2)
    return text[start : end if end != -1 else len(text)]


@pytest.mark.parametrize("category", list(Category))
def test_the_doc_lists_what_wins_each_category(category):
    section = _section(DOC.read_text(), f"### {category}")
    for wanted in catalogue.requirements(category):
        required = "yes" if wanted.required else "no"
        assert f"| `{wanted.item}` | {required} | {wanted.why} |" in section


@pytest.mark.parametrize("platform", sorted(HEADINGS))
def test_the_doc_names_each_platform_field(platform):
    section = _section(DOC.read_text(), HEADINGS[platform])
    assert "checked 2026-12-05" in section
    drafts = "Drafts: yes" if DRAFTS[platform] else "Drafts: no"
    assert drafts in section
    # A file of no field of its own: the free file field, a refusal (eBay takes files only
    # by evidence type) or attached to the call (PayPal).
    other_file = {catalogue.FIELD: "free file", catalogue.TYPE: "no evidence type",
                  catalogue.CALL: "with the call"}[catalogue.platform(platform).files]  # fmt: skip
    for name, item in catalogue.load().items.items():
        text, file = item.text.get(platform), item.file.get(platform)
        shown = {"-": "filled in by the platform", None: "free text"}.get(text, f"`{text}`")
        assert f"| `{name}` | {shown} | {f'`{file}`' if file else other_file} |" in section


def test_refunds_and_the_stores_policy_come_from_the_store(runtime):
    from datetime import UTC, datetime

    from disputeflow import Money, Order
    from disputeflow.core.effects import OrderRefund
    from disputeflow.engine import order_refunds
    from disputeflow.engine.store.tables import ConnectionRow

    connection = runtime.add_connection("fake", "eu", {"signing_secret": "s", "shop": "eu"})
    order = Order(external_id="1001", name="#1001")
    case_id = ingest_snapshot(
        runtime.database, runtime.plugins, connection["id"],
        snapshot("cb7", category="credit_not_processed", order=order),
    ).case.id  # fmt: skip
    read_at = datetime(2026, 11, 20, 8, tzinfo=UTC)
    with runtime.database.session() as session:
        refund = OrderRefund("1001", "rf-1", Money("5.00", "EUR"), read_at, note="goodwill")
        order_refunds.record(session, connection["id"], refund)
        row = session.get(ConnectionRow, connection["id"])
        row.return_policy = {"window_days": 30, "source": "fake: refund policy",
                             "checked_at": None, "error": None,
                             "text": "Refunds within 30 days."}  # fmt: skip
        row.return_policy_checked_at = read_at
    packet = assemble(runtime, case_id)
    found = {item.name: item for item in packet.items}
    assert (
        found["earlier_refunds"].text == "2026-11-20: 5.00 EUR refunded on order #1001 (goodwill)"
    )
    policy = found["refund_policy"]
    assert policy.text == "Returns accepted within 30 days.\n\nRefunds within 30 days."
    assert (policy.as_of, policy.origin) == (read_at, "disputeflow")
    assert policy.source == "fake: refund policy (read by disputeflow)"
    assert [m.name for m in packet.missing if m.required] == ["refund_refusal"]


class TypoPlugin:
    """A marketplace plugin whose item name is not in the catalogue (``order_summary``)."""

    @hookimpl
    def disputeflow_collect_evidence(self, case, connection):
        return [EvidenceItem("order_summary", "Order #1001: 1 x lamp, 40.00 EUR", "fake order"),
                EvidenceItem("tracking", "1Z999AA10123456784", "fake shipment")]  # fmt: skip


def test_an_item_of_an_unknown_name_is_kept_as_free_text_and_named(runtime, caplog):
    connection = runtime.add_connection("fake", "eu", {"signing_secret": "s", "shop": "eu"})
    case_id = ingest_snapshot(
        runtime.database, runtime.plugins, connection["id"], snapshot("cb11")
    ).case.id
    runtime.plugins.register(TypoPlugin(), name="typo-plugin")
    packet = assemble(runtime, case_id)
    assert list(packet.errors) == [
        "typo-plugin: not items of the evidence catalogue, kept as free text: order_summary"
    ]
    assert "typo-plugin answered evidence items not in the catalogue" in caplog.text
    found = {item.name: item for item in packet.items}
    assert (found["order_summary"].title, found["order_summary"].field) == ("Order summary", None)
    assert found["tracking"].text == "1Z999AA10123456784"  # the plugin's other items are kept
    assert "order_summary" not in {m.name for m in packet.missing}

    wanted = evidence_submit.contest_input(packet, {}, draft=False, by="agent-bot")
    assert "Order summary (fake order):\nOrder #1001: 1 x lamp, 40.00 EUR" in wanted.message


def found_items(*pairs):
    return [("platform", EvidenceItem(name, text, "eBay order 1")) for name, text in pairs]


def test_free_text_over_the_platforms_limit_goes_short_then_is_refused():
    """eBay's contest note takes 1,000 characters (ContestPaymentDisputeRequest)."""
    fits_short = build(
        "case_1",
        "ebay",
        "fraud",
        found_items(("order_details", "o" * 460), ("product_description", "p" * 460)),
    )
    assert len(evidence_submit.free_text(fits_short)) > 1000
    assert evidence_submit.message(fits_short) == (
        f"Order details (items, totals, payment): {'o' * 460}\nProduct description: {'p' * 460}"
    )
    too_long = build(
        "case_1",
        "ebay",
        "fraud",
        found_items(("order_details", "o" * 600), ("product_description", "p" * 600)),
    )
    with pytest.raises(InvalidInputError) as refused:
        evidence_submit.message(too_long)
    assert "eBay takes at most 1000 characters of free text" in refused.value.message
    assert refused.value.errors == {
        "free_text": [
            "statement: 0 characters",
            "order_details: 600 characters",
            "product_description: 600 characters",
        ]
    }
    stripe = build("case_1", "stripe", "fraud", found_items(("order_details", "o" * 1200)))
    assert evidence_submit.message(stripe) == evidence_submit.free_text(stripe)  # 20,000 there
