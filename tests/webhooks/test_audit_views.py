"""Views of a buyer's personal data go on the audit trail: the API's case detail and the
workspace's case page (the buyer page records its own, see tests/webhooks/buyer)."""

from __future__ import annotations

import json

from click.testing import CliRunner
from sqlalchemy import select

from disputeflow.cli import cli
from disputeflow.engine.store.tables import AuditRow
from tests.core.transparency.conftest import a_return
from tests.webhooks.api.conftest import bearer
from tests.webhooks.web.conftest import sign_in


def views(runtime):
    with runtime.database.session() as session:
        found = session.scalars(select(AuditRow).where(AuditRow.kind == "view"))
        return [(v.subject, v.case_id, v.actor) for v in found]


def make_case(runtime, connection):
    from disputeflow.engine.ingest import ingest_snapshot

    found = a_return("v1")
    return ingest_snapshot(runtime.database, runtime.plugins, connection["id"], found).case.id


def token_of(runtime, role, name):
    from disputeflow.core.taxonomy import Role
    from disputeflow.engine.store import tokens

    with runtime.database.session() as session:
        return tokens.create(session, name=name, role=Role(role)).token


def test_the_api_case_detail_is_a_recorded_view(client, runtime, connection):
    case_id = make_case(runtime, connection)
    headers = bearer(token_of(runtime, "viewer", "support-bot"))
    assert client.get(f"/api/v1/cases/{case_id}", headers=headers).status_code == 200
    assert client.get("/api/v1/cases", headers=headers).status_code == 200  # a list: no buyer
    assert client.get("/api/v1/cases/case_nope", headers=headers).status_code == 404
    assert views(runtime) == [("api_case_detail", case_id, "token:support-bot")]


def test_the_workspace_case_page_is_a_recorded_view(client, runtime, connection):
    case_id = make_case(runtime, connection)
    assert sign_in(client, token_of(runtime, "agent", "maria")).status_code == 302
    assert client.get(f"/workspace/cases/{case_id}").status_code == 200
    assert views(runtime) == [("workspace_case_page", case_id, "token:maria")]


def test_the_cli_mints_buyer_links(runtime, connection, fake_plugins):
    case_id = make_case(runtime, connection)
    base = ["--database-url", runtime.settings.database_url, "--home", str(runtime.settings.home)]
    result = CliRunner().invoke(
        cli, [*base, "cases", "buyer-link", case_id, "--days", "7", "--json"], obj=fake_plugins
    )
    assert result.exit_code == 0, result.output
    minted = json.loads(result.output)
    assert minted["url"].startswith(f"http://127.0.0.1:8000/buyer/cases/{case_id}/")
    path = minted["url"].removeprefix("http://127.0.0.1:8000")
    assert client_get(runtime, path) == 200
    unknown = CliRunner().invoke(cli, [*base, "cases", "buyer-link", "case_nope"], obj=fake_plugins)
    assert unknown.exit_code == 1
    assert "no case 'case_nope'" in unknown.output


def client_get(runtime, path):
    from disputeflow.webhooks.app import create_app

    return create_app(runtime, {"TESTING": True}).test_client().get(path).status_code
