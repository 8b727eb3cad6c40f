"""Approving and declining a return through the WPSwings returns plugin's own REST routes.

wpswings/woo-refund-and-exchange-lite (commit 38c76d7f, v4.5.2; the routes exist since 4.0,
commit a6e6980; checked 2026-12-04), ``package/rest-api/class-woo-refund-and-exchange-lite-
rest-api.php``: ``POST /wp-json/rma/refund-request-accept`` and ``.../refund-request-cancel``
with ``order_id`` and ``secret_key``; the permission check compares ``secret_key`` with the
plugin's option ``wps_rma_secret_key`` and needs ``wps_rma_enable_api = on``. They answer
``{"status": 200, "data": "Return request accepted successfully."}`` or 404 with the reason in
``data``. Accepting runs ``wps_rma_return_req_approve_callback`` (request ``complete``, order
``return-approved``), cancelling ``wps_rma_return_req_cancel_callback`` (``cancel``,
``return-cancelled``). Neither moves money: a refund is a separate action.

Stores on older versions (``ced_rnx_*`` / ``mwb_*`` meta) have no such routes; a return that
the plugin did not record cannot be approved there either: both are refused before queueing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from disputeflow import ActionRequest, ActionResult, ActionType, Case, MarketplaceError
from disputeflow.plugins.woocommerce.client import WooClient
from disputeflow.plugins.woocommerce.mapping import DEFAULT_RETURN_STATUSES
from disputeflow.plugins.woocommerce.returns import return_request, return_snapshot

ROUTES = {ActionType.APPROVE_RETURN: "rma/refund-request-accept",
          ActionType.DECLINE_RETURN: "rma/refund-request-cancel"}  # fmt: skip
DONE = {ActionType.APPROVE_RETURN: "complete", ActionType.DECLINE_RETURN: "cancel"}
VERB = {ActionType.APPROVE_RETURN: "approved", ActionType.DECLINE_RETURN: "declined"}


def veto(case: Case, action: ActionRequest) -> str | None:
    """Why the store cannot approve or decline this return (``None``: it can try)."""
    if action.type not in ROUTES:
        return None
    plugin = case.extra.get("returns_plugin")
    if plugin == "wpswings":
        return None
    if plugin == "wpswings-legacy":
        return (
            "this store's returns plugin predates WPSwings 4.0, which has no REST routes to "
            f"{action.type.value.replace('_', ' ')}: do it in the store, or update the plugin"
        )
    return (
        "this return was not recorded by the WPSwings returns plugin (4.0+), the only returns "
        f"extension with routes to {action.type.value.replace('_', ' ')}: do it in the store"
    )


def perform(
    client: WooClient, settings: Mapping[str, Any], case: Case, action: ActionRequest
) -> ActionResult:
    """Accept or cancel the pending request; a request already in that state is the earlier
    attempt's result (the routes refuse a second call)."""
    secret = settings.get("wpswings_secret_key")
    if not secret:
        raise MarketplaceError(
            "set wpswings_secret_key (the returns plugin's API secret key, WooCommerce > "
            "Refund-Exchange Lite > API settings, with its API enabled) to approve or decline "
            "returns from disputeflow",
            transient=False,
        )
    order_id = case.order.external_id if case.order and case.order.external_id else case.external_id
    state = _request_status(client, order_id)
    recovered = state == DONE[action.type]
    if not recovered:
        if state != "pending":
            raise MarketplaceError(
                f"the return request of order {order_id} is {state or 'missing'}: "
                f"nothing to {action.type.value.replace('_return', '')}",
                transient=False,
            )
        client.post_site_json(ROUTES[action.type], {"order_id": order_id, "secret_key": secret})
    return ActionResult(
        external_id=order_id,
        message=f"return of order {order_id} {VERB[action.type]}",
        snapshot=fresh_return(client, settings, order_id),
        data={"order_id": order_id, "recovered": recovered},
    )


def _request_status(client: WooClient, order_id: str) -> str | None:
    order = client.get_json(f"orders/{order_id}")
    request = return_request(order) if isinstance(order, Mapping) else None
    status = (request or {}).get("status")
    return str(status) if status is not None else None


def fresh_return(client: WooClient, settings: Mapping[str, Any], order_id: str) -> Any:
    """The return as the order now stands (best effort: the store has acted either way)."""
    try:
        order = client.get_json(f"orders/{order_id}")
    except MarketplaceError:
        return None
    statuses = settings.get("return_statuses") or DEFAULT_RETURN_STATUSES
    return return_snapshot(order, statuses) if isinstance(order, Mapping) else None
