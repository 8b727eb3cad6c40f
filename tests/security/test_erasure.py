"""The erasure topics leave no personal data behind, anywhere the service writes.

After Shopify's ``customers/redact`` and ``shop/redact`` and eBay's marketplace account
deletion have been delivered and processed, every column of every table (found by
reflection, so tables added later are searched too) is read back and searched for the
buyer's e-mail, name, platform ids and own words; on SQLite the raw bytes of the database
file and its WAL are searched too, and so is every file under ``DISPUTEFLOW_HOME``. The
person is first seeded everywhere they can appear: the case and its snapshots, the raw
deliveries, their messages and uploaded files (on disk), an agent's note and a decision
naming them, notices sent and queued, a data-request export. Another buyer's case stays
intact, so the erasure is shown to be targeted, not a wipe.

Payloads: Shopify's compliance webhooks as documented at
https://shopify.dev/docs/apps/build/compliance/privacy-law-compliance (the
``customers/data_request`` and ``customers/redact`` examples, kept in
``tests/plugins/shopify/fixtures/``).
"""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import pytest
import responses
from sqlalchemy import MetaData, select

from disputeflow import ActionResult
from disputeflow.core.clock import utcnow
from disputeflow.core.taxonomy import ActionType, Role
from disputeflow.engine.action_runner import record_success
from disputeflow.engine.notice_settings import NoticeSettings
from disputeflow.engine.outbox import ActionInput, request_action
from disputeflow.engine.store import cases, tokens
from disputeflow.engine.store.tables import CaseRow, EvidenceFileRow, NoticeRow, PrivacyRequestRow
from disputeflow.features.notices.outbox import process_notices
from disputeflow.features.transparency import files, links
from disputeflow.plugins.ebay.samples import RETURN_REQUESTED, message, object_message
from disputeflow.plugins.ebay.samples import signed_request as ebay_signed
from disputeflow.plugins.ebay.signatures import SAMPLE_KID, sample_private_key
from disputeflow.plugins.shopify.webhooks import signed_request as shopify_signed
from disputeflow.webhooks.app import create_app
from tests.core.test_case_search import index_blocks, rebuilt_blocks
from tests.plugins.shopify.conftest import fixture, graphql_router
from tests.plugins.shopify.returns_data import line, return_node
from tests.servers import Mailbox
from tests.webhooks.api.conftest import bearer
from tests.webhooks.buyer.conftest import csrf_of
from tests.webhooks.conftest import drain

SHOP = "acme-eu.myshopify.com"
JOHN = {"email": "john@example.com", "name": "John Smith", "id": "191167",
        "phone": "555-625-1199", "words": "Too tight at the shoulders"}  # fmt: skip
JANE = {"email": "jane.roe@example.org", "name": "Jane Roe", "id": "775533",
        "words": "The zip broke on day one"}  # fmt: skip


@pytest.fixture
def fake_plugins(plugin_manager):
    from disputeflow.plugins.ebay import plugin as ebay
    from disputeflow.plugins.shopify import plugin as shopify

    plugin_manager.register(shopify, name="shopify")
    plugin_manager.register(ebay, name="ebay")
    return plugin_manager


@pytest.fixture
def client(runtime):
    return create_app(runtime, {"TESTING": True}).test_client()


@pytest.fixture
def api():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        yield mock


def find_everywhere(runtime, needles):
    """``(table, column, needle)`` for every stored value that contains a needle."""
    metadata = MetaData()
    metadata.reflect(bind=runtime.database.engine)
    found = []
    with runtime.database.engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in connection.execute(select(table)).mappings():
                for column, value in row.items():
                    if value is None:
                        continue
                    if isinstance(value, bytes | memoryview):
                        text = bytes(value).decode("utf-8", "replace")
                    elif isinstance(value, dict | list):
                        text = json.dumps(value, ensure_ascii=False)
                    else:
                        text = str(value)
                    found += [(table.name, column, n) for n in needles if n.lower() in text.lower()]
    return found


def _needles(person):
    return list(person.values())


def shopify_post(client, connection, topic, payload, webhook_id):
    request = shopify_signed(payload, secret="shpss_erasure", shop=SHOP, topic=topic,
                             webhook_id=webhook_id)  # fmt: skip
    response = client.post(f"/webhooks/shopify/{connection['id']}", data=request.body,
                           headers=dict(request.headers))  # fmt: skip
    assert response.status_code == 200, response.get_json()
    assert drain(runtime_of(client))[1] == 0


def runtime_of(client):
    return client.application.extensions["disputeflow"]


def shopify_returns(client, runtime, api):
    """Two returns of two buyers, their details fetched from the Admin API."""
    connection = runtime.add_connection("shopify", "acme", {
        "shop_domain": SHOP, "client_secret": "shpss_erasure", "access_token": "shpat_erasure",
    })  # fmt: skip
    jane_order = {
        **return_node()["order"],
        "email": JANE["email"],
        "legacyResourceId": "555",
        "customer": {
            "id": f"gid://shopify/Customer/{JANE['id']}",
            "legacyResourceId": JANE["id"],
            "displayName": JANE["name"],
        },
    }
    jane_lines = [line(3, "DEFECTIVE", 1, "25.00", note=JANE["words"])]
    nodes = [return_node(), return_node(id="gid://shopify/Return/900", order=jane_order,
                                        returnLineItems={"nodes": jane_lines})]  # fmt: skip
    graphql_router(
        api, {"Return": [{"data": {"return": nodes[0]}}, {"data": {"return": nodes[1]}}]}
    )
    for n, return_id in enumerate(("123134564567890", "900")):
        payload = {"id": int(return_id), "admin_graphql_api_id": f"gid://shopify/Return/{return_id}",
                   "status": "requested", "order": {"id": 4783296544821 + n},
                   "return_line_items": [], "total_return_line_items": 2}  # fmt: skip
        shopify_post(client, connection, "returns/request", payload, f"wh-return-{n}")
    assert find_everywhere(runtime, [JOHN["email"], JANE["email"]])  # the data is there
    return connection


def test_customers_redact_leaves_nothing_of_the_buyer(client, runtime, api):
    connection = shopify_returns(client, runtime, api)
    redact = {"shop_id": 954889, "shop_domain": SHOP,
              "customer": {"id": int(JOHN["id"]), "email": JOHN["email"], "phone": JOHN["phone"]},
              "orders_to_redact": [4783296544821]}  # fmt: skip
    shopify_post(client, connection, "customers/redact", redact, "wh-redact")
    assert traces(runtime, _needles(JOHN)) == []
    kept = {column for _, column, _ in find_everywhere(runtime, _needles(JANE))}
    assert "buyer_email" in kept  # the other buyer's case is untouched


def test_customers_redact_leaves_the_search_index_without_the_buyer(client, runtime, api):
    """``q`` finds the buyer no more, by any part of his name or e-mail; on SQLite the
    trigram index holds nothing an index built afresh from the erased texts would not
    (PostgreSQL: the GIN entries of old rows go with them at VACUUM, docs/security.md)."""
    connection = shopify_returns(client, runtime, api)
    with runtime.database.session() as session:
        viewer = bearer(tokens.create(session, name="viewer", role=Role.VIEWER).token)

    def found(term):
        answer = client.get("/api/v1/cases", query_string={"q": term}, headers=viewer)
        return [case["id"] for case in answer.get_json()["items"]]

    john = john_case(runtime)
    terms = [JOHN["email"], JOHN["name"].upper(), "ohn sm", "hn@"]
    assert [found(term) for term in terms] == [[john]] * len(terms)
    redact = {"shop_id": 954889, "shop_domain": SHOP,
              "customer": {"id": int(JOHN["id"]), "email": JOHN["email"], "phone": JOHN["phone"]},
              "orders_to_redact": [4783296544821]}  # fmt: skip
    shopify_post(client, connection, "customers/redact", redact, "wh-redact")
    assert [found(term) for term in terms] == [[]] * len(terms)
    assert len(found(JANE["email"])) == 1  # the other buyer is still found
    if runtime.database.dialect == "sqlite":
        with runtime.database.engine.begin() as connection:
            assert index_blocks(connection) == rebuilt_blocks(connection)


def test_shop_redact_leaves_nothing_of_any_buyer(client, runtime, api):
    connection = shopify_returns(client, runtime, api)
    request = {**fixture("customers_data_request"), "shop_domain": SHOP}
    shopify_post(client, connection, "customers/data_request", request, "wh-data-request")
    case_id = john_case(runtime)
    url, _ = links.case_link(runtime.secrets, "", case_id)
    form = {"csrf_token": csrf_of(client.get(url).get_data(as_text=True)),
            "files": [(io.BytesIO(PDF), "John Smith receipt.pdf")]}  # fmt: skip
    assert (
        client.post(f"{url}/reply", data=form, content_type="multipart/form-data").status_code
        == 303
    )
    assert raw_hits(stored_files(runtime), [JOHN["name"]])  # the file is on disk
    redact = {"shop_id": 954889, "shop_domain": SHOP}
    shopify_post(client, connection, "shop/redact", redact, "wh-shop-redact")
    assert traces(runtime, [*_needles(JOHN), *_needles(JANE)]) == []
    assert list((runtime.settings.home / files.FOLDER).iterdir()) == []


def test_ebay_account_deletion_leaves_nothing_of_the_user(client, runtime):
    settings = runtime.plugins.marketplace("ebay").example_settings()
    connection = runtime.add_connection("ebay", "de", settings)
    key = sample_private_key(settings["client_id"], settings["client_secret"])
    user = {
        "login": str(RETURN_REQUESTED["summary"]["buyerLoginName"]),
        "id": "ma8vp1jySJC",
        "name": RETURN_REQUESTED["detail"]["buyerAddress"]["name"],
        "words": RETURN_REQUESTED["summary"]["creationInfo"]["comments"]["content"],
    }
    messages = [
        object_message("return", RETURN_REQUESTED, "n-return", "2026-03-02T09:00:05.000Z"),
        message("MARKETPLACE_ACCOUNT_DELETION", "n-delete", "2026-03-03T09:00:00.000Z",
                {"username": user["login"], "userId": user["id"], "eiasToken": "nY+sHZ2PrBmdj6w"}),
    ]  # fmt: skip
    for n, payload in enumerate(messages):
        request = ebay_signed(payload, key, SAMPLE_KID)
        response = client.post(f"/webhooks/ebay/{connection['id']}", data=request.body,
                               headers=dict(request.headers))  # fmt: skip
        assert response.status_code == 204
        assert drain(runtime)[1] == 0
        if n == 0:
            assert find_everywhere(runtime, [user["login"], user["name"]])  # the data is there
    assert traces(runtime, [*user.values(), "nY+sHZ2PrBmdj6w"]) == []


# --- the whole footprint of one person ------------------------------------------------

PDF = b"%PDF-1.4\n% a receipt for John Smith, john@example.com, 555-625-1199\n%%EOF\n"
NOTE = "Called John Smith at john@example.com, +1 (555) 625-1199: he keeps the parcel"
RATIONALE = "Declined: JOHN SMITH sent it back without the seal"
REPLY = "It is John here. Call me on 555 625 1199 or write to john@example.com"
MERCHANT = "ops@example.org"


def raw_hits(paths, needles):
    """``(path, needle)`` for every file among ``paths`` whose bytes hold a needle."""
    found = []
    for path in paths:
        if path.is_file():
            data = path.read_bytes().lower()
            found += [(str(path), n) for n in needles if n.lower().encode() in data]
    return found


def stored_files(runtime):
    """Every file the installation wrote: ``DISPUTEFLOW_HOME`` and, on SQLite, the database
    file with its WAL (wherever the URL puts them)."""
    paths = list(runtime.settings.home.rglob("*"))
    database = runtime.database.engine.url.database
    if runtime.database.dialect == "sqlite" and database:
        paths += [Path(database), Path(f"{database}-wal")]
    return paths


def traces(runtime, needles):
    return find_everywhere(runtime, needles) + raw_hits(stored_files(runtime), needles)


def john_case(runtime):
    with runtime.database.session() as session:
        return session.scalars(select(CaseRow.id).where(CaseRow.buyer_email == JOHN["email"])).one()


def seed_john_everywhere(client, runtime, connection, mailbox):
    """John in every place a person can appear; returns his case id and uploaded file id."""
    case_id = john_case(runtime)
    request = {**fixture("customers_data_request"), "shop_domain": SHOP}
    shopify_post(client, connection, "customers/data_request", request, "wh-data-request")
    # a decision naming him, told to him and the merchant by e-mail (sent notices)
    configure_notices(runtime, mailbox)
    action, _ = request_action(
        runtime, case_id, ActionInput(ActionType.DECLINE_RETURN, rationale=RATIONALE)
    )
    record_success(runtime, action["id"], ActionResult(external_id="dec-1"), utcnow())
    assert process_notices(runtime).sent == 2
    assert mailbox.to(JOHN["email"])  # a notice really went to him
    # an agent's note naming him, through the API
    agent = bearer(make_agent(runtime))
    noted = client.post(f"/api/v1/cases/{case_id}/actions", headers=agent,
                        json={"type": "add_note", "message": NOTE})  # fmt: skip
    assert noted.status_code == 202, noted.get_json()
    assert noted.get_json()["status"] == "succeeded"  # a note is on the timeline at once
    # his reply and a file, through his own link: a notice to the merchant is queued
    url, _ = links.case_link(runtime.secrets, "", case_id)
    form = {"csrf_token": csrf_of(client.get(url).get_data(as_text=True)), "message": REPLY,
            "files": [(io.BytesIO(PDF), "John Smith receipt.pdf")]}  # fmt: skip
    sent = client.post(f"{url}/reply", data=form, content_type="multipart/form-data")
    assert sent.status_code == 303
    with runtime.database.session() as session:
        file_id = session.scalars(select(EvidenceFileRow.id)).one()
        queued = session.scalars(select(NoticeRow).where(NoticeRow.status == "pending")).all()
        exports = session.scalars(select(PrivacyRequestRow.export)).all()
    assert {n.step for n in queued} == {"buyer_replied"}
    assert any(e and JOHN["name"] in json.dumps(e) for e in exports)  # the export holds him
    assert client.get(f"{url}/files/{file_id}").data == PDF
    return case_id, file_id, url, agent


def configure_notices(runtime, mailbox):
    notices = NoticeSettings(smtp_security="none", mail_from="shop@example.org",
                             merchant_email=MERCHANT, smtp_host="127.0.0.1",
                             smtp_port=mailbox.port)  # fmt: skip
    runtime.settings = replace(runtime.settings, notices=notices)


def make_agent(runtime):
    with runtime.database.session() as session:
        return tokens.create(session, name="agent-bot", role=Role.AGENT).token


def test_customers_redact_leaves_no_trace_anywhere_the_service_writes(client, runtime, api):
    connection = shopify_returns(client, runtime, api)
    with Mailbox() as mailbox:
        case_id, file_id, url, agent = seed_john_everywhere(client, runtime, connection, mailbox)
    needles = [JOHN["name"], JOHN["email"], JOHN["phone"], "555 625 1199", "(555) 625-1199",
               JOHN["id"], "John Smith receipt"]  # fmt: skip
    assert len({n for *_, n in traces(runtime, needles)}) == len(needles)  # each is there
    seeded = {table for table, _, _ in find_everywhere(runtime, needles)}
    assert seeded >= {"cases", "case_snapshots", "deliveries", "messages", "evidence",
                      "evidence_files", "timeline_entries", "actions", "notices",
                      "privacy_requests"}  # fmt: skip
    assert raw_hits(list((runtime.settings.home / files.FOLDER).iterdir()), [JOHN["name"]])
    redact = {**fixture("customers_redact"), "shop_domain": SHOP,
              "orders_to_redact": [4783296544821]}  # fmt: skip
    shopify_post(client, connection, "customers/redact", redact, "wh-redact-everything")

    assert traces(runtime, needles) == []
    assert list((runtime.settings.home / files.FOLDER).iterdir()) == []
    assert client.get(f"{url}/files/{file_id}").status_code == 404
    api_file = client.get(f"/api/v1/cases/{case_id}/files/{file_id}", headers=agent)
    assert api_file.status_code == 404
    with runtime.database.session() as session:
        statuses = session.scalars(select(NoticeRow.status).where(NoticeRow.case_id == case_id))
        assert sorted(statuses) == ["sent", "sent"]  # the queued one is dropped
        case = cases.get(session, case_id)
    assert case.amount is not None  # money and status stay
    assert case.status == "open" or case.status
    kept = {column for _, column, _ in find_everywhere(runtime, _needles(JANE))}
    assert "buyer_email" in kept  # the other buyer's case is untouched
    if runtime.database.dialect == "sqlite":
        assert Path(f"{runtime.database.engine.url.database}-wal").stat().st_size == 0
