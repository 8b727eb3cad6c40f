"""Every hook specification disputeflow calls, each with when, arguments, result and an example.

Plugins implement these with ``from disputeflow import hookimpl``. Hooks are called with
keyword arguments only, so an implementation may accept fewer arguments than its spec.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from datetime import datetime
    from decimal import Decimal

    import click
    from flask import Blueprint

    from disputeflow.core.actions import ActionRequest, ActionResult
    from disputeflow.core.case import Case
    from disputeflow.core.config import Settings
    from disputeflow.core.events import CaseChange, Classification
    from disputeflow.core.marketplace import Connection, Marketplace
    from disputeflow.core.notices.model import Notifier
    from disputeflow.core.ratios import RatioAlert
    from disputeflow.core.snapshot import CaseSnapshot

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
    is the :class:`~disputeflow.core.runtime.Runtime`.

    :return: an iterable of ``flask.Blueprint``; use URL prefixes of your own, such as
        ``/install/<marketplace>``.

    Example::

        @hookimpl
        def disputeflow_register_blueprints():
            return [install_blueprint]
    """


@hookspec
def disputeflow_register_notifiers(settings: Settings) -> Iterable[Notifier]:
    """Return the channels notices go through (e-mail, chat, SMS, the merchant's systems).

    Called by the worker before each round of notices. Every step of a case (opened,
    information requested, offer made, decision, refund issued, deadline approaching,
    closed, the buyer replied) becomes a notice per audience (buyer, merchant), rendered in
    the reader's language and handed to each notifier whose ``audiences`` include it; the
    built-in ones are e-mail and the merchant's signed webhook.

    :param settings: the installation's settings (``settings.notices`` holds the SMTP and
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
def disputeflow_ratio_alert(alert: RatioAlert) -> None:
    """Hear that a payment channel's dispute ratio is near, or over, a card-network threshold.

    Called by ``disputeflow ratios --alert`` (run it daily, e.g. from cron) once for each
    channel and programme threshold whose state is not ``ok``: ``approaching``,
    ``projected`` (the month-end projection crosses it), ``crossed`` or ``needs_volume``.
    An exception here is logged and the other alerts are still raised.

    :param alert: a :class:`disputeflow.core.ratios.RatioAlert` with the channel, the month,
        the state, the threshold (programme, level, ratio and minimum count), the figures
        so far and projected, and a one-line ``message``.
    :return: nothing; the return value is ignored.

    Example::

        @hookimpl
        def disputeflow_ratio_alert(alert):
            if alert.state in ("projected", "crossed"):
                pager.alert(alert.message)
    """
