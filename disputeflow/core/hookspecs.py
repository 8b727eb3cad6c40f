"""Every hook specification disputeflow calls, each with when, arguments, result and an example.

Plugins implement these with ``from disputeflow import hookimpl``. Hooks are called with
keyword arguments only, so an implementation may accept fewer arguments than its spec.
docs/plugin_hooks.md is the long form of each docstring. Types from outside the core (the
settings, the runtime, a notifier) are ``Any`` here; each docstring names the class.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from collections.abc import Mapping
    from datetime import datetime
    from decimal import Decimal

    import click
    from flask import Blueprint
    from sqlalchemy.orm import Session

    from disputeflow.core.actions import ActionRequest, ActionResult
    from disputeflow.core.case import Case
    from disputeflow.core.events import CaseChange, Classification
    from disputeflow.core.evidence import EvidenceItem
    from disputeflow.core.marketplace import Connection, Marketplace
    from disputeflow.core.snapshot import CaseSnapshot
    from disputeflow.core.taxonomy import ActionType
    from disputeflow.core.values import TimelineEntry

PROJECT = "disputeflow"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# -- Discovery: called once when the plugin manager is built ------------------------------


@hookspec
def disputeflow_register_marketplaces() -> Iterable[Marketplace]:
    """Return the marketplace adapters this plugin provides.

    Called when the host first needs its marketplaces (a request, a CLI command).

    :return: :class:`disputeflow.Marketplace` instances; two adapters with one ``name``
        across all plugins are a ``DuplicateMarketplaceError`` naming both plugins.

    Example::

        @hookimpl
        def disputeflow_register_marketplaces():
            return [EtsyMarketplace()]
    """


@hookspec
def disputeflow_register_commands(cli: click.Group) -> None:
    """Add commands to the ``disputeflow`` command line.

    Called once when the CLI starts, before arguments are parsed.

    :param cli: the top-level ``click.Group``; add commands or groups to it.
    :return: nothing; the return value is ignored.

    Example::

        @hookimpl
        def disputeflow_register_commands(cli):
            cli.add_command(etsy_status)
    """


@hookspec
def disputeflow_register_blueprints() -> Iterable[Blueprint]:
    """Return Flask blueprints with a plugin's own pages and endpoints (an install flow).

    Called once when the HTTP app is created. The routes need no API token: check what
    they receive (HMAC, state nonce) yourself.

    :return: ``flask.Blueprint`` objects under URL prefixes of your own (``/install/etsy``).

    Example::

        @hookimpl
        def disputeflow_register_blueprints():
            return [install_blueprint]
    """


@hookspec
def disputeflow_register_notifiers(settings: Any) -> Iterable[Any]:
    """Return the channels notices go through (e-mail, chat, SMS, the merchant's systems).

    Called by the worker before each round of notices; each notice goes to every notifier
    whose ``audiences`` include its reader (built in: e-mail and the merchant's webhook).

    :param settings: the installation's ``disputeflow.engine.config.Settings``
        (``settings.notices``: SMTP and webhook); read your own from the environment.
    :return: :class:`disputeflow.Notifier` instances, each ``name`` unique across plugins.

    Example::

        @hookimpl
        def disputeflow_register_notifiers(settings):
            return [SlackNotifier(os.environ["SLACK_WEBHOOK_URL"])]
    """


# -- Case lifecycle -----------------------------------------------------------------------


@hookspec(firstresult=True)
def disputeflow_classify_case(case: Case, snapshot: CaseSnapshot | None) -> Classification | None:
    """Decide a case's common category when the platform's reason is generic.

    Called after a snapshot is merged, before the change is committed. Stops at the first
    non-``None`` result (``firstresult``): a model registered ``tryfirst`` beats the rules.

    :param case: the case as merged so far.
    :param snapshot: the snapshot just merged, or ``None`` when classifying on demand.
    :return: a :class:`disputeflow.Classification`, or ``None`` to pass (nobody deciding
        keeps the platform's mapping).

    Example::

        @hookimpl
        def disputeflow_classify_case(case, snapshot):
            if "never arrived" in (case.platform_reason or ""):
                return Classification(Category.NOT_RECEIVED, 0.9, "phrase:never-arrived")
            return None
    """


@hookspec(firstresult=True)
def disputeflow_route_case(case: Case) -> str | None:
    """Name the queue a case belongs to.

    Called after a case is created or changes kind, category or status. Stops at the first
    non-``None`` result (``firstresult``); the built-in router (``trylast``) routes by kind.

    :param case: the case to route.
    :return: a queue name such as ``"chargebacks-high-value"``, or ``None`` to pass.

    Example::

        @hookimpl(tryfirst=True)
        def disputeflow_route_case(case):
            return "team-dach" if case.buyer and case.buyer.country == "DE" else None
    """


@hookspec
def disputeflow_case_changed(change: CaseChange) -> None:
    """React to a committed change of a case (notify, automate, export).

    Called after the change is committed, once per change; an exception here is logged
    and never undoes the change.

    :param change: the case, whether it was created, the timeline entries added and the
        cause (``"snapshot"``, ``"action"``, ``"note"`` ...).
    :return: nothing; the return value is ignored.

    Example::

        @hookimpl
        def disputeflow_case_changed(change):
            if change.created:
                slack.post(f"new {change.case.kind}: {change.case.id}")
    """


@hookspec(firstresult=True)
def disputeflow_exchange_rate(base: str, quote: str) -> Decimal | None:
    """Give the rate that converts an amount in one currency into another.

    Called to compare amounts in the reporting currency (priority, rule conditions), never
    for refunds, and only for currencies the rules file's ``[rates]`` lacks; maybe while a
    case is saved, so answer from memory. Stops at the first non-``None`` (``firstresult``).

    :param base: the ISO 4217 code of the amount's currency, e.g. ``"USD"``.
    :param quote: the ISO 4217 code of the reporting currency, e.g. ``"EUR"``.
    :return: a positive ``Decimal`` (units of ``quote`` per unit of ``base``), or ``None``
        when unknown (the amount then counts as unconverted).

    Example::

        @hookimpl
        def disputeflow_exchange_rate(base, quote):
            return ecb_reference_rates().get((base, quote))
    """


# -- Actions: before / after / on error ---------------------------------------------------


@hookspec(firstresult=True)
def disputeflow_before_action(case: Case, action: ActionRequest) -> str | None:
    """Vet an action before it is queued for the platform.

    Called after the flow has checked that the action is allowed, before it is stored.
    Stops at the first non-``None`` result (``firstresult``).

    :param case: the case the action is for.
    :param action: the requested action.
    :return: a reason to refuse the action (HTTP 409), or ``None`` to allow it.

    Example::

        @hookimpl
        def disputeflow_before_action(case, action):
            if action.type == "refund" and action.amount.value > 500:
                return "refunds over 500 need a manager"
            return None
    """


@hookspec
def disputeflow_after_action(case: Case, action: ActionRequest, result: ActionResult) -> None:
    """React to an action the platform carried out.

    Called after the result is committed to the store.

    :param case: the case as updated by the result.
    :param action: the action that ran.
    :param result: what the platform answered.
    :return: nothing; the return value is ignored.

    Example::

        @hookimpl
        def disputeflow_after_action(case, action, result):
            audit_log.write(case.id, action.type, result.external_id)
    """


@hookspec
def disputeflow_on_action_error(case: Case, action: ActionRequest, error: Exception) -> None:
    """React to an action that failed for good (after its retries).

    Called after the failure is committed to the store.

    :param case: the case the action was for.
    :param action: the action that failed.
    :param error: the final error, usually a ``MarketplaceError`` with the platform's message.
    :return: nothing; the return value is ignored.

    Example::

        @hookimpl
        def disputeflow_on_action_error(case, action, error):
            pager.alert(f"{action.type} failed on {case.id}: {error}")
    """


@hookspec
def disputeflow_collect_evidence(case: Case, connection: Connection) -> Iterable[EvidenceItem]:
    """Return what this plugin knows toward contesting a case (tracking, the order, ...).

    Called when a case's evidence packet is assembled; every plugin's items are gathered.
    Answer only for ``connection.platform``, never call out for ``connection.demo``; a
    ``MarketplaceError`` is shown beside the packet, the other plugins' items are kept.

    :param case: the case to contest.
    :param connection: the connection the case came through, its settings decrypted.
    :return: :class:`disputeflow.EvidenceItem` values (empty when you know nothing).

    Example::

        @hookimpl
        def disputeflow_collect_evidence(case, connection):
            if connection.platform != "etsy":
                return []
            return [EvidenceItem("tracking", etsy_tracking(case), "Etsy receipt", "tracking")]
    """


# -- Prevention: order volume and dispute-ratio alerts ------------------------------------


@hookspec(firstresult=True)
def disputeflow_order_volume(connection: Connection, start: datetime, end: datetime) -> int | None:
    """Count the orders (for a payment channel: the card transactions) a connection took.

    Called by the prevention analytics and the ratio monitor per connection and period,
    maybe while a page is served: answer from reports or a cache, quickly. Stops at the
    first non-``None`` result (``firstresult``).

    :param connection: the connection (its settings decrypted).
    :param start: the first moment counted (aware UTC).
    :param end: the moment after the last one counted (aware UTC).
    :return: the number of orders placed in ``[start, end)``, or ``None`` when unknown
        (rates and ratios are then not shown, never guessed).

    Example::

        @hookimpl
        def disputeflow_order_volume(connection, start, end):
            if connection.platform == "etsy":
                return etsy_reports(connection).count_orders(start, end)
            return None
    """


@hookspec
def disputeflow_ratio_alert(alert: Any) -> None:
    """Hear that a payment channel's dispute ratio is near, or over, a card-network threshold.

    Called by ``disputeflow ratios --alert`` (run it daily) once per channel and threshold
    whose state is not ``ok``; an exception is logged and the other alerts still raised.

    :param alert: a ``disputeflow.features.analytics.ratios.RatioAlert`` (channel, month,
        ``state``: approaching, projected, crossed or needs_volume; figures; ``message``).
    :return: nothing; the return value is ignored.

    Example::

        @hookimpl
        def disputeflow_ratio_alert(alert):
            if alert.state in ("projected", "crossed"):
                pager.alert(alert.message)
    """


# -- The service's own steps: the engine calls these, the built-in features answer them ---
# (docs/plugin_hooks.md). ``session``: the caller's transaction; never commit it.


@hookspec(firstresult=True)
def disputeflow_load_rules(settings: Any) -> object | None:
    """Load the merchant's rules (routing, deadlines, fairness, automation) once at start.

    Called when the runtime is built; the result is ``runtime.rules``, handed to this
    section's hooks as ``rules``. A bad rules file raises here, so the service never starts
    on rules it misread. Stops at the first non-``None`` result (``firstresult``).

    :param settings: the installation's settings (``settings.rules_path``).
    :return: the rules object, or ``None`` to leave it to the next plugin.

    Example::

        @hookimpl(tryfirst=True)
        def disputeflow_load_rules(settings):
            return rules_from_my_admin_ui()
    """


@hookspec
def disputeflow_triage_case(
    session: Session,
    plugins: Any,
    rules: object,
    case: Case,
    snapshot: CaseSnapshot | None,
    at: datetime,
    now: datetime,
) -> list[TimelineEntry]:
    """Classify, prioritise, set deadlines and route a case after a snapshot is merged.

    Called inside the ingest transaction, before the case is saved; change ``case`` in
    place, idempotently (an unchanged case: no change, no entry).

    :param session: the ingest transaction (read the store; never commit).
    :param plugins: the plugin manager, to ask other hooks (``disputeflow_classify_case``).
    :param rules: ``runtime.rules``.
    :param case: the merged case.
    :param snapshot: the snapshot just merged.
    :param at: when the platform observed the change (timeline entries carry it).
    :param now: the current time.
    :return: the timeline entries added to ``case.timeline``.

    Example::

        @hookimpl
        def disputeflow_triage_case(case, at):
            case.extra["vip"] = bool(case.buyer and case.buyer.email in VIPS)
            return []
    """


@hookspec
def disputeflow_prepare_action(
    case: Case, action_type: ActionType, params: Mapping[str, Any], rules: object, now: datetime
) -> Mapping[str, Any] | None:
    """Add parameters to a merchant's action before it is checked and stored.

    Called first when an action is requested (and in dry runs of automation rules).

    :param case: the case the action is for.
    :param action_type: the action requested.
    :param params: the parameters given so far.
    :param rules: ``runtime.rules``.
    :param now: the current time.
    :return: parameters to add (``buyer_response_due`` for a request for information), or
        ``None``.

    Example::

        @hookimpl
        def disputeflow_prepare_action(action_type, params):
            return {"signature": "ACME"} if action_type == "send_message" else None
    """


@hookspec
def disputeflow_check_action(
    case: Case,
    action_type: ActionType,
    params: Mapping[str, Any],
    rationale: str | None,
    evidence_ids: tuple[str, ...],
    rules: object,
    now: datetime,
) -> str | None:
    """Refuse an action the law or the merchant's fairness rules forbid, or annotate it.

    Called after the flow's own checks, before ``disputeflow_before_action``; raise
    ``InvalidInputError`` (422) or ``ActionNotAllowedError`` (409) to refuse.

    :param case: the case the action is for.
    :param action_type: the action requested.
    :param params: its parameters.
    :param rationale: why, as given (or the message).
    :param evidence_ids: the case's evidence the decision rests on.
    :param rules: ``runtime.rules``.
    :param now: the current time.
    :return: a note recorded beside the request (the statutory right it honours), or ``None``.

    Example::

        @hookimpl
        def disputeflow_check_action(case, action_type, rationale):
            if action_type == "decline_return" and not rationale:
                raise InvalidInputError("say why", errors={"rationale": ["required"]})
    """


@hookspec
def disputeflow_refresh_case(case: Case, rules: object) -> bool:
    """Recompute what follows from a case's timeline (its deadlines) after a local change.

    Called after a merchant's action request or a buyer's answer is added to the timeline,
    inside that transaction.

    :param case: the case, its timeline updated; change it in place.
    :param rules: ``runtime.rules``.
    :return: ``True`` when ``case`` changed and must be saved.

    Example::

        @hookimpl
        def disputeflow_refresh_case(case):
            return recompute_my_sla(case)
    """


@hookspec
def disputeflow_case_facts(runtime: Any, case: Case, names: frozenset[str]) -> Mapping[str, Any]:
    """Tell automation rules facts only a plugin knows (``packet_complete``: the evidence).

    Called by the automation rules in the worker, per case, only when a rule tests one of
    ``names``. A ``None`` value is unknown (its conditions fail); the first to know wins.

    :param runtime: the running installation.
    :param case: the case the rules are evaluating.
    :param names: the plugin-supplied facts the rules test (docs/handling.md).
    :return: facts by name (an empty mapping when you know none).

    Example::

        @hookimpl
        def disputeflow_case_facts(runtime, case, names):
            return {"packet_complete": my_packet(runtime, case).complete}
    """


@hookspec
def disputeflow_entries_recorded(
    session: Session, case_id: str, entries: tuple[TimelineEntry, ...]
) -> None:
    """Hear of timeline entries new to a case, in the transaction that records them.

    Called by the store wherever an entry is recorded (merge, action, note), so what it
    queues exists exactly when the entry does; the built-in notices queue theirs here.

    :param session: the recording transaction (add rows to it; never commit).
    :param case_id: the case.
    :param entries: the new entries.
    :return: nothing; the return value is ignored.

    Example::

        @hookimpl
        def disputeflow_entries_recorded(session, case_id, entries):
            session.add_all(MyOutboxRow(case_id=case_id, summary=e.summary) for e in entries)
    """


@hookspec
def disputeflow_connection_details(connection: Any) -> Mapping[str, Any] | None:
    """Add fields to the public description of a connection (API, CLI, workspace).

    Called each time a connection is described; keep it quick (no platform calls).

    :param connection: the stored ``disputeflow.engine.store.tables.ConnectionRow`` (its
        secrets encrypted: never read them here).
    :return: fields to add (the built-in handling adds ``policy``), or ``None``.

    Example::

        @hookimpl
        def disputeflow_connection_details(connection):
            return {"team": TEAMS.get(connection.id)}
    """


@hookspec(firstresult=True)
def disputeflow_apply_effect(
    session: Session, settings: Any, connection_id: str, effect: object, delivery_id: str
) -> bool | None:
    """Carry out an effect of a translation the engine does not handle itself (an erasure).

    Called inside the delivery's transaction. Stops at the first non-``None`` result
    (``firstresult``); an effect nobody handles fails the delivery (kept and retried).

    :param session: the delivery's transaction.
    :param settings: the installation's settings (``settings.home`` holds uploaded files).
    :param connection_id: the connection the delivery came through.
    :param effect: the effect (``PersonalDataErasure``, ``DataRequest`` ...).
    :param delivery_id: the delivery carrying it (an erasure keeps it as its own record).
    :return: ``True`` when handled, ``None`` to pass.

    Example::

        @hookimpl
        def disputeflow_apply_effect(effect):
            if isinstance(effect, PersonalDataErasure):
                crm.forget(effect.subject.email)
    """


@hookspec
def disputeflow_worker_round(runtime: Any, batch_size: int, policy: Any) -> int:
    """Do one round of a feature's queued work in the worker (notices, automation rules).

    Called in every worker round after deliveries, actions and syncs, each implementation
    on its own (its exception logged without stopping the others).

    :param runtime: the running installation.
    :param batch_size: how many items a round should take at most.
    :param policy: the worker's ``disputeflow.engine.processing.RetryPolicy``.
    :return: how many items were handled (the worker goes again at once while any are).

    Example::

        @hookimpl
        def disputeflow_worker_round(runtime, batch_size):
            return send_my_digest(runtime, limit=batch_size)
    """


@hookspec
def disputeflow_housekeeping(runtime: Any) -> None:
    """Periodic upkeep (approaching deadlines, store policies, expired personal data).

    Called by the worker at most once per ``housekeeping_interval``, each implementation on
    its own (its exception logged without stopping the others).

    :param runtime: the running installation.
    :return: nothing; the return value is ignored.

    Example::

        @hookimpl
        def disputeflow_housekeeping(runtime):
            purge_my_cache(older_than=timedelta(days=7))
    """
