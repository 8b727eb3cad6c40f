"""``disputeflow rights`` and ``disputeflow rules check``, through click's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from disputeflow.cli import cli

DOC = Path(__file__).parents[1] / "docs" / "handling.md"


@pytest.fixture
def invoke(tmp_path, fake_plugins, monkeypatch):
    """Run ``disputeflow ARGS`` with an isolated home; returns the click result."""
    monkeypatch.setenv("DISPUTEFLOW_HOME", str(tmp_path / "home"))
    for name in ("DISPUTEFLOW_DATABASE_URL", "DISPUTEFLOW_SECRET_KEY", "DISPUTEFLOW_RULES"):
        monkeypatch.delenv(name, raising=False)
    runner = CliRunner()

    def run(*args: str):
        return runner.invoke(cli, list(args), obj=fake_plugins, catch_exceptions=False)

    return run


def add_shop(invoke, days):
    result = invoke(
        "connections", "add", "fake", "--name", f"shop-{days}", "--set", "shop=s",
        "--set", "signing_secret=x", "--set", f"return_window_days={days}", "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize(
    ("country", "effective", "below"), [("DE", 14, True), ("US", 7, False), ("CN", 7, False)]
)
def test_rights_json_with_a_connection(invoke, country, effective, below):
    shop = add_shop(invoke, 7)
    result = invoke("rights", "--country", country, "--connection", "shop-7", "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.output)
    assert report["store_policy"]["connection_id"] == shop["id"]
    assert report["store_policy"]["window_days"] == 7
    assert report["effective"]["effective_window_days"] == effective
    assert report["effective"]["below_statutory"] is below
    assert report["statutory"]["sources"]


def test_rights_for_people(invoke):
    add_shop(invoke, 7)
    result = invoke("rights", "--country", "de", "--connection", "shop-7")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].startswith("Germany (DE): Consumer Rights Directive 2011/83/EU")
    assert "  withdrawal: 14 days, from the day the buyer" in result.output
    assert "  source: https://eur-lex.europa.eu/eli/dir/2011/83/oj" in lines
    assert "store policy: 7 days (connection setting return_window_days)" in lines
    assert lines[-1] == (
        "effective window: 14 days (the store's policy is below the statutory minimum: "
        "the law's applies)"
    )
    japan = invoke("rights", "--country", "JP").output
    assert "withdrawal: 8 days (only when the store states no return policy)" in japan
    us = invoke("rights", "--country", "US").output
    assert (
        "  withdrawal: none: the law of United States gives no general right to withdraw "
        "from a distance sale"
    ) in us.splitlines()
    assert us.splitlines()[-1] == "effective window: none"


def test_rights_list_prints_every_country_with_its_sources(invoke):
    result = invoke("rights", "list")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split() == ["COUNTRY", "NAME", "WITHDRAWAL", "LAW"]
    assert lines[-1] == (
        "62 countries; * (not confirmed by the sources: verify before relying on it)"
    )
    rows = {line.split()[0]: i for i, line in enumerate(lines[1:-1], 1) if line[0] != " "}
    assert len(rows) == 62
    mexico = lines[rows["MX"]]
    assert mexico.split()[:4] == ["MX", "Mexico", "5", "business"]
    assert lines[rows["MX"] + 1] == (
        "        from: delivery of the goods or signature of the contract, whichever is later "
        "(Art. 56)"
    )
    assert lines[rows["MX"] + 2] == (
        "        source: https://juristas.mx/en/laws/ley-federal-de-proteccion-al-consumidor/"
        "articulo-56"
    )
    assert lines[rows["HK"]].split()[:4] == ["HK", "Hong", "Kong", "none"]
    assert lines[rows["HK"] + 1].startswith("        source: https://www.legco.gov.hk/")
    assert lines[rows["AE"]].split()[4:6] == ["none", "Federal"]  # checked: no "*"
    assert lines[rows["MY"]].split()[2:4] == ["none", "*"]  # a sourced none, unverified
    assert lines[rows["VN"]].split()[:4] == ["VN", "Vietnam", "none", "*"]  # unverified
    assert lines[rows["LA"]].split()[:3] == ["LA", "Laos", "unknown"]
    assert lines[rows["DE"]].split()[2:4] == ["14", "days"]


def test_rights_list_filters_and_json(invoke):
    result = invoke("rights", "list", "--right", "none", "--json")
    assert result.exit_code == 0, result.output
    body = json.loads(result.output)
    countries = {item["country"] for item in body["items"]}
    assert countries == {"AU", "CA", "CH", "IN", "SG", "US", "AE", "HK", "NZ", "PH", "MY", "VN"}
    assert body["count"] == 12
    assert all(item["sources"] and item["withdrawal_days"] is None for item in body["items"])
    unknown = invoke("rights", "list", "--right", "unknown").output.splitlines()
    assert unknown[-1] == "5 countries"
    assert invoke("rights", "list", "--right", "maybe").exit_code == 2


def test_rights_of_a_country_whose_law_is_not_confirmed(invoke):
    result = invoke("rights", "--country", "KH")
    assert result.exit_code == 0, result.output
    assert "  withdrawal: unknown: not confirmed in the sources (see the notes)" in (
        result.output.splitlines()
    )
    assert "  notes: A cooling-off right exists but its length was not found" in result.output
    nothing = invoke("rights")
    assert nothing.exit_code == 2
    assert "give --country XX, or run `disputeflow rights list`" in nothing.output


def test_rights_errors_are_one_line(invoke):
    unknown = invoke("rights", "--country", "ZZ")
    assert unknown.exit_code == 1
    assert "no statutory rights data for ZZ" in unknown.output
    assert "Traceback" not in unknown.output


def test_rules_check_validates_the_documented_example(invoke, tmp_path):
    text = DOC.read_text().split("### Example rules file", 1)[1]
    example = text.split("```toml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "rules.toml"
    path.write_text(example)
    result = invoke("rules", "check", str(path), "--json")
    assert result.exit_code == 0, result.output
    summary = json.loads(result.output)
    assert summary["reporting_currency"] == "EUR"
    assert [r["name"] for r in summary["routes"]] == ["dach-high-value", "fraud", "asia-returns"]
    assert [r["action"] for r in summary["automation"]] == [
        "approve_return", "accept", "submit_tracking", "submit_evidence",
        "request_information", "assign",
    ]  # fmt: skip
    people = invoke("--rules", str(path), "rules", "check")
    assert people.exit_code == 0
    assert f"{path}: valid" in people.output
    assert "accept-tiny-chargebacks: accept, at most 10 a day (dry run)" in people.output
    assert "fight-complete-fraud: submit_evidence, at most 50 a day" in people.output
    assert summary["fees"]["stripe"]["dispute_fee"] == {"value": "20.00", "currency": "EUR"}
    assert summary["fees"]["paypal"]["source"].startswith("https://www.paypal.com/")
    assert (
        "fees stripe: dispute fee 20.00 EUR (kept if won), counter fee 20.00 EUR "
        "(returned if won); from rules file, [fees.stripe]" in people.output
    )
    assert "fees paypal: dispute fee 15.00 USD (returned if won), counter fee none" in (
        people.output
    )


def test_rules_check_lists_every_problem_with_its_line(invoke, tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text('[[route]]\nname = "x"\nqueue = "q"\nwhen = { colour = "red" }\n')
    result = invoke("rules", "check", str(path))
    assert result.exit_code == 1
    assert "line 4: [[route]] 'x'.when.colour: unknown field 'colour'" in result.output
    nothing = invoke("rules", "check")
    assert nothing.exit_code == 1
    assert "name a rules file" in nothing.output


def test_a_broken_rules_file_stops_commands_that_need_the_runtime(invoke, tmp_path):
    path = tmp_path / "rules.toml"
    path.write_text("colour = 1\n")
    result = invoke("--rules", str(path), "cases", "list")
    assert result.exit_code == 1
    assert "rules.colour: unknown setting" in result.output


def test_cases_show_prints_priority_and_the_return_window(invoke, fake_plugins):
    from disputeflow.engine.config import Settings
    from disputeflow.engine.ingest import ingest_snapshot
    from disputeflow.engine.runtime import Runtime
    from tests.core.handling.conftest import a_return

    shop = add_shop(invoke, 7)
    runtime = Runtime.create(Settings.from_env(), plugins=fake_plugins)
    try:
        case = ingest_snapshot(
            runtime.database, runtime.plugins, shop["id"], a_return("r1", country="DE")
        ).case
    finally:
        runtime.close()
    shown = invoke("cases", "show", case.id)
    assert shown.exit_code == 0, shown.output
    assert "priority: " in shown.output
    assert (
        "return window: 14 days in DE (store 7, law 14) "
        "(store policy below the statutory minimum); within: True"
    ) in shown.output
    listed = invoke("cases", "list", "--queue", "returns", "--json")
    assert [item["id"] for item in json.loads(listed.output)["items"]] == [case.id]


def test_connections_show_flags_a_short_policy(invoke):
    add_shop(invoke, 7)
    shown = invoke("connections", "show", "shop-7").output
    assert "return policy: 7 days (connection setting return_window_days)" in shown
    assert "return policy below the statutory minimum for buyers in: AR, AT, BE, BG" in shown
    add_shop(invoke, 30)
    assert "below the statutory minimum" not in invoke("connections", "show", "shop-30").output
