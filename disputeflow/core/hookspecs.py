"""Every hook specification disputeflow calls, each with when, arguments, result and an example.

Plugins implement these with ``from disputeflow import hookimpl``. Hooks are called with
keyword arguments only, so an implementation may accept fewer arguments than its spec.
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
    from disputeflow.core.notices import Notifier
    from disputeflow.core.snapshot import CaseSnapshot
    from disputeflow.core.taxonomy import ActionType
    from disputeflow.core.values import TimelineEntry

PROJECT = "disputeflow"

hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


# ---------------------------------------------------------------------------------------
# Discovery: called once when the plugin manager is built
# ---------------------------------------------------------------------------------------


@hookspec
def disputeflow_register_marketplaces() -> Iterable[Marketplace]:
    """Return the marketplace adapters this plugin provides.

    Called when the host first needs its marketplaces (a request, a CLI command).

    :return: an iterable of :class:`disputeflow.Marketplace` instances. Two adapters with
        one ``name`` across all plugins are refused with a ``DuplicateMarketplaceError``
        naming both plugins.

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
            @cli.command()
            def etsy_status():
                click.echo("ok")
    """


@hookspec
def disputeflow_register_blueprints() -> Iterable[Blueprint]:
    """Return Flask blueprints with a plugin's own pages and endpoints (an install flow).

    Called once when the HTTP app is created. The routes need no API token: check what
    they receive (HMAC, state nonce) themselves. ``current_app.extensions["disputeflow"]``
    is the :class:`~disputeflow.engine.runtime.Runtime`.

    :return: an iterable of ``flask.Blueprint``; use URL prefixes of your own, such as
        ``/install/<marketplace>``.

    Example::

        @hookimpl
        def disputeflow_register_blueprints():
            return [install_blueprint]
    """


@hookspec
def disputeflow_register_notifiers(settings: Any) -> Iterable[Notifier]:
    """Return the channels notices go through (e-mail, chat, SMS, the merchant's systems).

    Called by the worker before each round of notices. Every step of a case (opened,
    information requested, offer made, decision, refund issued, deadline approaching,
    closed, the buyer replied) becomes a notice per audience (buyer, merchant), rendered in
    the reader's language and handed to each notifier whose ``audiences`` include it; the
    built-in ones are e-mail and the merchant's signed webhook.

    :param settings: the installation's settings (a ``disputeflow.engine.config.Settings``;
        ``settings.notices`` holds the SMTP and
        webhook configuration; read your own from the environment).
    :return: an iterable of :class:`disputeflow.Notifier` instances, whose ``name`` is
        unique across plugins (two with one name are a ``PluginError`` naming both).

    Example::

        @hookimpl
        def disputeflow_register_notifiers(settings):
            return [SlackNotifier(os.environ["SLACK_WEBHOOK_URL"])]
    """


# ---------------------------------------------------------------------------------------
# Case lifecycle
# ---------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def disputeflow_classify_case(case: Case, snapshot: CaseSnapshot | None) -> Classification | None:
    """Decide a case's common category when the platform's reason is generic.

    Called after a snapshot is merged, before the change is committed. Stops at the first
    non-``None`` result (``firstresult``), so a trained model registered ``tryfirst`` wins
    over the built-in rules.

    :param case: the case as merged so far.
    :param snapshot: the snapshot just merged, or ``None`` when classifying on demand.
    :return: a :class:`disputeflow.Classification`, or ``None`` to leave the decision to the
        next plugin (and, if none decides, keep the platform's mapping).

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
            if case.buyer and case.buyer.country == "DE":
                return "team-dach"
            return None
    """


@hookspec
def disputeflow_case_changed(change: CaseChange) -> None:
    """React to a committed change of a case (notify, automate, export).

    Called after the change is committed to the store, once per change. An exception here
    is logged and never undoes the change.

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

    Called when disputeflow compares amounts across currencies: a case's priority and the
    amount conditions of routing and automation rules are in the merchant's reporting
    currency. Never for refunds, which always stay in the order's own currency. The rules
    file's ``[rates]`` table is asked first; this hook only for the currencies it lacks.
    It may be called while a case is being saved: answer from memory or a cache, never
    with a slow network call. Stops at the first non-``None`` result (``firstresult``).

    :param base: the ISO 4217 code of the amount's currency, e.g. ``"USD"``.
    :param quote: the ISO 4217 code of the reporting currency, e.g. ``"EUR"``.
    :return: a positive ``Decimal``, how many units of ``quote`` one unit of ``base`` is
        worth; or ``None`` when this plugin does not know (the amount then counts as
        unconverted: no amount points, and amount conditions do not match).

    Example::

        @hookimpl
        def disputeflow_exchange_rate(base, quote):
            return ecb_reference_rates().get((base, quote))
    """


# ---------------------------------------------------------------------------------------
# Actions: before / after / on error
# ---------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def disputeflow_before_action(case: Case, action: ActionRequest) -> str | None:
    """Vet an action before it is queued for the platform.

    Called after the flow has checked that the action is allowed, before it is stored.
    Stops at the first non-``None`` result (``firstresult``).

    :param case: the case the action is for.
    :param action: the requested action.
    :return: a reason string to refuse the action (the client sees it with HTTP 409), or
        ``None`` to allow it.

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
            number = etsy_tracking_number(connection, case.order_id)
            return [EvidenceItem("tracking", number, "Etsy receipt", "tracking_code")]
    """


# ---------------------------------------------------------------------------------------
# Prevention: order volume and dispute-ratio alerts
# ---------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def disputeflow_order_volume(connection: Connection, start: datetime, end: datetime) -> int | None:
    """Count the orders (for a payment channel: the card transactions) a connection took.

    Called by the prevention analytics and the dispute-ratio monitor, for each connection
    and period they show (a month, the report's period, the month so far), possibly while
    a page is being served: answer from the platform's reports or a cache, quickly. Stops
    at the first non-``None`` result (``firstresult``).

    :param connection: the connection (its settings decrypted).
    :param start: the first moment counted (aware UTC).
    :param end: the moment after the last one counted (aware UTC).
    :return: the number of orders placed in ``[start, end)``, or ``None`` when this plugin
        does not know (rates and ratios are then not shown, never guessed).

    Example::

        @hookimpl
        def disputeflow_order_volume(connection, start, end):
            if connection.platform != "etsy":
                return None
            return etsy_reports(connection).count_orders(start, end)
    """


@hookspec
def disputeflow_ratio_alert(alert: Any) -> None:
    """Hear that a payment channel's dispute ratio is near, or over, a card-network threshold.

    Called by ``disputeflow ratios --alert`` (run it daily, e.g. from cron) once for each
    channel and programme threshold whose state is not ``ok``: ``approaching``,
    ``projected`` (the month-end projection crosses it), ``crossed`` or ``needs_volume``.
    An exception here is logged and the other alerts are still raised.

    :param alert: a :class:`disputeflow.features.analytics.ratios.RatioAlert` with the
        channel, the month, the state, the threshold (programme, level, ratio and minimum
        count), the figures so far and projected, and a one-line ``message``.
    :return: nothing; the return value is ignored.

    Example::

        @hookimpl
        def disputeflow_ratio_alert(alert):
            if alert.state in ("projected", "crossed"):
                pager.alert(alert.message)
    """


# ---------------------------------------------------------------------------------------
# The service's own steps: the engine calls these, the built-in features answer them
# (docs/plugin_hooks.md). ``session``: the caller's transaction; never commit it.
# ---------------------------------------------------------------------------------------


@hookspec(firstresult=True)
def disputeflow_load_rules(settings: Any) -> object | None:
    """Load the merchant's rules (routing, deadlines, fairness, automation) once at start.

    Called when the runtime is built; the result is kept as ``runtime.rules`` and handed to
    the other hooks of this section as ``rules``. A bad rules file should raise here, so
    the service never starts on rules it misread. Stops at the first non-``None`` result
    (``firstresult``).

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
    place. Must be idempotent: a second call on an unchanged case changes nothing and
    adds no entry.

    :param session: the ingest transaction (read the store; never commit).
    :param plugins: the plugin manager, to ask other hooks (``disputeflow_classify_case``).
    :param rules: ``runtime.rules``.
    :param case: the merged case.
    :param snapshot: the snapshot just merged.
    :param at: when the platform observed the change (timeline entries carry it).
    :param now: the current time.
    :return: the timeline entries added to ``case.timeline``; the results of every plugin
        are recorded.

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
    :return: parameters to add (a request for information gets the buyer's answer window,
        ``buyer_response_due``), or ``None``.

    Example::

        @hookimpl
        def disputeflow_prepare_action(action_type, params):
            if action_type == "send_message":
                return {"signature": "The ACME team"}
            return None
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

    Called after the flow's own checks, before ``disputeflow_before_action``. Raise
    ``InvalidInputError`` (HTTP 422, input missing) or ``ActionNotAllowedError`` (409) to
    refuse.

    :param case: the case the action is for.
    :param action_type: the action requested.
    :param params: its parameters.
    :param rationale: why, as given (or the message).
    :param evidence_ids: the case's evidence the decision rests on.
    :param rules: ``runtime.rules``.
    :param now: the current time.
    :return: a note recorded beside the request on the timeline (the buyer's statutory
        right it honours), or ``None``.

    Example::

        @hookimpl
        def disputeflow_check_action(case, action_type, rationale):
            if action_type == "decline_return" and not rationale:
                raise InvalidInputError("say why", errors={"rationale": ["required"]})
            return None
    """


@hookspec
def disputeflow_refresh_case(case: Case, rules: object) -> bool:
    """Recompute what follows from a case's timeline (its deadlines) after a local change.

    Called after a merchant's action request or a buyer's answer is added to the
    timeline, inside that transaction.

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

    Called by the automation rules in the worker, once per case they evaluate, only when a
    rule tests one of ``names``; never during ingest. A ``None`` value means unknown: the
    conditions on it fail. Each plugin's answer is merged, the first to know a fact wins.

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

    Called by the store wherever an entry is recorded (a merge, an action, a note), so
    what it queues exists exactly when the entry was committed; the built-in notices
    queue the notices of the steps among them here.

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

    :param connection: the stored connection row (``disputeflow.engine.store.tables.
        ConnectionRow``); its secrets are encrypted, never read them here.
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
    """Carry out an effect a marketplace's translation returned that the engine does not
    handle itself (a buyer's personal-data erasure or export request).

    Called inside the delivery's transaction. Stops at the first non-``None`` result
    (``firstresult``); an effect nobody handles fails the delivery, which is kept and
    retried.

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
                crm.forget(effect.customer_email)
            return None
    """


@hookspec
def disputeflow_worker_round(runtime: Any, batch_size: int, policy: Any) -> int:
    """Do one round of a feature's queued work in the worker (notices, automation rules).

    Called in every worker round after deliveries, actions and syncs; each plugin's
    implementation is called on its own, and its exception is logged without stopping the
    others.

    :param runtime: the running installation.
    :param batch_size: how many items a round should take at most.
    :param policy: the worker's retry policy (``disputeflow.engine.processing.RetryPolicy``).
    :return: how many items were handled (the worker goes again at once while work is
        handled).

    Example::

        @hookimpl
        def disputeflow_worker_round(runtime, batch_size):
            return send_my_digest(runtime, limit=batch_size)
    """


@hookspec
def disputeflow_housekeeping(runtime: Any) -> None:
    """Periodic upkeep (raise approaching deadlines, re-read store policies, drop expired
    personal data).

    Called by the worker at most once per ``housekeeping_interval``; each implementation
    on its own, its exception logged without stopping the others.

    :param runtime: the running installation.
    :return: nothing; the return value is ignored.

    Example::

        @hookimpl
        def disputeflow_housekeeping(runtime):
            purge_my_cache(older_than=timedelta(days=7))
    """
