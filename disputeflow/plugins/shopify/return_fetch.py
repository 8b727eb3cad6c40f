"""Reading returns through the Admin GraphQL API, completely: every line item of a return
and every return of an order, page by page (no cap, so nothing is ever cut off).

Pages: shopify.dev/docs/api/admin-graphql/2026-10/objects/Return (``returnLineItems``),
.../objects/Order (``returns``), .../interfaces/ReturnLineItemType; checked 2026-12-04.
"""

from __future__ import annotations

from typing import Any

from disputeflow.plugins.shopify import queries, returns
from disputeflow.plugins.shopify.client import ShopifyClient
from disputeflow.plugins.shopify.settings import DEFAULT_API_VERSION
from disputeflow.plugins.shopify.values import dig, gid


def _query(client: ShopifyClient, query: str) -> str:
    version = str(client.settings.get("api_version") or DEFAULT_API_VERSION)
    return queries.for_version(query, version)


def _more(connection: Any) -> str | None:
    info = connection.get("pageInfo") if isinstance(connection, dict) else None
    if isinstance(info, dict) and info.get("hasNextPage") and info.get("endCursor"):
        return str(info["endCursor"])
    return None


def complete_lines(client: ShopifyClient, node: dict[str, Any]) -> dict[str, Any]:
    """``node`` (a Return) with all its line items: the pages after the first are read."""
    lines = node.get("returnLineItems") or {}
    nodes = list(lines.get("nodes") or [])
    after = _more(lines)
    while after:
        data = client.graphql(
            _query(client, queries.RETURN_LINE_ITEMS), {"id": node["id"], "after": after}
        )
        page = dig(data, "return", "returnLineItems") or {}
        nodes.extend(page.get("nodes") or [])
        after = _more(page)
    return {**node, "returnLineItems": {"nodes": nodes}}


def fetch_return(client: ShopifyClient, return_id: str) -> dict[str, Any]:
    """One Return in the plain shape, all line items included; ``{}`` when unknown."""
    data = client.graphql(_query(client, queries.RETURN), {"id": gid("Return", return_id)})
    node = data.get("return")
    if not isinstance(node, dict):
        return {}
    return returns.from_graphql(complete_lines(client, node))


def order_returns(client: ShopifyClient, order: dict[str, Any]) -> list[dict[str, Any]]:
    """Every Return of ``order`` (an ``orders`` node), each with all its line items."""
    connection = order.get("returns") or {}
    nodes = [n for n in connection.get("nodes") or () if isinstance(n, dict)]
    after = _more(connection)
    while after and order.get("id"):
        data = client.graphql(
            _query(client, queries.ORDER_RETURNS), {"id": order["id"], "after": after}
        )
        page = dig(data, "order", "returns") or {}
        nodes.extend(n for n in page.get("nodes") or () if isinstance(n, dict))
        after = _more(page)
    return [complete_lines(client, node) for node in nodes]


def orders_page(client: ShopifyClient, variables: dict[str, Any]) -> dict[str, Any]:
    """One page of orders updated since the cursor, with their returns."""
    data = client.graphql(_query(client, queries.ORDERS_WITH_RETURNS), variables)
    page = data.get("orders")
    return page if isinstance(page, dict) else {}
