"""XML is parsed safely: the eBay plugin's SOAP path (platform notifications) refuses every
entity trick with a 400 and stores nothing, never fetches anything, and no module of the
package parses XML with anything but defusedxml."""

from __future__ import annotations

import ast
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from sqlalchemy import func, select

from disputeflow.engine.store.tables import DeliveryRow
from disputeflow.webhooks.app import create_app

PACKAGE = Path(__file__).resolve().parents[2] / "disputeflow"
ENVELOPE = (
    '<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/"><soapenv:Body>'
    "<NotificationEvent><ReturnId>{value}</ReturnId></NotificationEvent></soapenv:Body>"
    "</soapenv:Envelope>"
)


class Watch(BaseHTTPRequestHandler):
    """A local server an external entity or DTD would point at: it counts any fetch."""

    fetched: list[str] = []  # noqa: RUF012

    def do_GET(self) -> None:
        Watch.fetched.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b'<!ENTITY leak "fetched">')

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def watcher():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Watch)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Watch.fetched.clear()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


LAUGHS = list(zip("abcdefg", "bcdefgh", strict=True))  # each entity ten of the one before


def attacks(base):
    envelope = ENVELOPE.format(value="&e;")
    return {
        "billion-laughs": '<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">'
        + "".join(f'<!ENTITY {c} "{("&" + p + ";") * 10}">' for p, c in LAUGHS)
        + "]>" + ENVELOPE.format(value="&h;"),
        "quadratic-blowup": f'<!DOCTYPE q [<!ENTITY e "{"x" * 50_000}">]>'
        + ENVELOPE.format(value="&e;" * 1000),
        "external-file": '<!DOCTYPE f [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + envelope,
        "external-http": f'<!DOCTYPE f [<!ENTITY e SYSTEM "{base}/entity">]>' + envelope,
        "external-dtd": f'<!DOCTYPE soapenv:Envelope SYSTEM "{base}/dtd">' + envelope,
        "parameter-entity": f'<!DOCTYPE p [<!ENTITY % d SYSTEM "{base}/param"> %d;]>' + envelope,
        "xinclude": ENVELOPE.format(value=f'<xi:include xmlns:xi="http://www.w3.org/2001/XInclude" '
                                          f'href="{base}/xinclude" parse="text"/>'),
    }  # fmt: skip


@pytest.fixture
def fake_plugins(plugin_manager):
    from disputeflow.plugins.ebay import plugin as ebay

    plugin_manager.register(ebay, name="ebay")
    return plugin_manager


@pytest.fixture
def database_url(tmp_path):
    return f"sqlite:///{tmp_path / 'xml.sqlite3'}"


@pytest.mark.parametrize(
    "attack", ["billion-laughs", "quadratic-blowup", "external-file", "external-http",
               "external-dtd", "parameter-entity"],
)  # fmt: skip
def test_entity_attacks_are_refused_and_nothing_is_fetched_or_stored(runtime, watcher, attack):
    connection = runtime.add_connection("ebay", "de", {
        "marketplace_id": "EBAY_DE", "client_id": "Disputef-demo-PRD-0a1b2c3d4-5e6f7a8b",
        "client_secret": "PRD-0a1b2c3d4e5f-6a7b-8c9d-0e1f-2a3b", "api_base_url": "http://127.0.0.1:9",
    })  # fmt: skip
    client = create_app(runtime, {"TESTING": True}).test_client()
    body = attacks(watcher)[attack].encode()
    response = client.post(f"/webhooks/ebay/{connection['id']}", data=body,
                           headers={"Content-Type": "text/xml"})  # fmt: skip
    assert response.status_code == 400, response.get_data(as_text=True)[:300]
    assert response.get_json()["code"] == "malformed_notification"
    assert "root:" not in response.get_data(as_text=True)  # nothing of /etc/passwd
    assert Watch.fetched == []
    with runtime.database.session(readonly=True) as session:
        assert session.scalar(select(func.count()).select_from(DeliveryRow)) == 0


def test_xinclude_is_never_processed(watcher):
    from disputeflow.plugins.ebay import soap

    note = soap.parse(attacks(watcher)["xinclude"].encode())
    assert note.first("ReturnId") is None  # the include stays an element, never fetched
    assert Watch.fetched == []


UNSAFE = {"xml.etree.ElementTree": {"fromstring", "parse", "XML", "iterparse", "XMLParser",
                                    "XMLPullParser"},
          "xml.dom.minidom": None, "xml.dom.pulldom": None, "xml.sax": None,
          "xml.parsers.expat": None, "lxml": None, "lxml.etree": None}  # fmt: skip


def test_no_module_parses_xml_without_defusedxml():
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                found += [(path.name, a.name) for a in node.names if a.name in UNSAFE]
            elif isinstance(node, ast.ImportFrom) and node.module in UNSAFE:
                names = UNSAFE[node.module]
                found += [(path.name, f"{node.module}.{a.name}") for a in node.names
                          if names is None or a.name in names]  # fmt: skip
    assert found == []
