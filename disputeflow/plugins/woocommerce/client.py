"""The WooCommerce REST API (v3) and WooPayments' routes, through the core's PlatformClient.

Authentication as WooCommerce requires it (``class-wc-rest-authentication.php``): HTTP Basic
with the consumer key and secret over HTTPS, or, with ``query_string_auth`` (hosts that strip
the ``Authorization`` header), ``consumer_key`` and ``consumer_secret`` as query parameters,
over HTTPS only (WooCommerce REST API docs, "Authentication over HTTPS", checked 2026-12-04);
over plain HTTP the server only tries OAuth 1.0a, one-legged (no token), HMAC-SHA256,
parameters in the query string, signed by ``oauthlib``. Either way the credentials never
appear in an error or a log line (:mod:`.redact`).

Errors keep WordPress's own words: ``{"code", "message", "data"}``. A ``WP_Error`` whose
``data`` is a bare integer (the refund errors) comes back as HTTP 500 although it is a
deterministic refusal, so it becomes a permanent error, never a retry.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast
from urllib.parse import urlsplit

import requests
from oauthlib import oauth1

if TYPE_CHECKING:
    from oauthlib.common import _HTTPMethod as HTTPMethod

from disputeflow import MarketplaceError, PlatformClient
from disputeflow.plugins.woocommerce.redact import install_log_filter, redact
from disputeflow.plugins.woocommerce.settings import api_base_url, has_keys

install_log_filter()  # urllib3 logs each URL at DEBUG: query-string credentials included

USER_AGENT = "disputeflow-woocommerce"
PER_PAGE = 100  # the WordPress maximum for per_page

_HINTS = {
    "woocommerce_rest_authentication_error": "check the consumer key and secret",
    "woocommerce_rest_cannot_view": "the key's user cannot read this (needs manage_woocommerce)",
    "rest_no_route": "the route does not exist on this store (is the plugin active?)",
    "rest_forbidden": "not allowed: for the returns plugin's routes, check wpswings_secret_key "
    "and that its REST API is enabled",
    "woocommerce_rest_cannot_create_order_refund": (
        "the gateway cannot refund this order automatically; set api_refund=false to record "
        "refunds made outside WooCommerce"
    ),
}


class OAuth1Query(requests.auth.AuthBase):
    """OAuth 1.0a one-legged, HMAC-SHA256, in the query string: a fresh nonce per request."""

    def __init__(self, key: str, secret: str) -> None:
        self.key = key
        self.secret = secret

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        client = oauth1.Client(
            self.key,
            client_secret=self.secret,
            signature_method=oauth1.SIGNATURE_HMAC_SHA256,
            signature_type=oauth1.SIGNATURE_TYPE_QUERY,
        )
        # Only query parameters are signed: WooCommerce never signs a JSON body.
        method = cast("HTTPMethod", str(request.method).upper())
        signed_url, _, _ = client.sign(str(request.url), http_method=method)
        request.url = signed_url
        return request


class QueryStringAuth(requests.auth.AuthBase):
    """``consumer_key`` and ``consumer_secret`` as query parameters (HTTPS only)."""

    def __init__(self, key: str, secret: str) -> None:
        self.key = key
        self.secret = secret

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.prepare_url(
            str(request.url), {"consumer_key": self.key, "consumer_secret": self.secret}
        )
        return request


def auth_for(
    base_url: str, key: str, secret: str, *, query_string: bool = False
) -> requests.auth.AuthBase:
    """Basic (or query-string) over HTTPS, OAuth 1.0a over HTTP (WooCommerce tries Basic and
    query-string keys only when is_ssl())."""
    if urlsplit(base_url).scheme == "https":
        if query_string:
            return QueryStringAuth(key, secret)
        return requests.auth.HTTPBasicAuth(key, secret)
    return OAuth1Query(key, secret)


class WooClient:
    """One connection's API: reads retry 429/5xx; writes are sent once (the action runner
    retries them, after checking what the store already did)."""

    def __init__(
        self,
        settings: Mapping[str, Any],
        *,
        sleep: Callable[[float], None] = time.sleep,
        session: requests.Session | None = None,
    ) -> None:
        if not has_keys(settings):
            raise MarketplaceError(
                "this WooCommerce connection has no API keys yet: finish the install, or "
                "set consumer_key and consumer_secret",
                transient=False,
            )
        base = api_base_url(settings)
        key, secret = settings["consumer_key"], settings["consumer_secret"]
        self.secrets = tuple(
            str(v) for v in (key, secret, settings.get("wpswings_secret_key")) if v
        )
        session = session or requests.Session()
        query_string = bool(settings.get("query_string_auth"))
        session.auth = auth_for(base, key, secret, query_string=query_string)
        headers = {"Accept": "application/json", "User-Agent": USER_AGENT}
        self.reads = PlatformClient(base, headers=headers, session=session, sleep=sleep)
        self.writes = PlatformClient(base, session=session, retries=0, sleep=sleep)
        # Routes of other plugins (``/wp-json/rma/...``) get no WooCommerce keys: WooCommerce
        # 11.1+ refuses an API key outside its own namespaces, and they authenticate otherwise.
        self.site = PlatformClient(
            wp_json_url(base), headers=headers, session=requests.Session(), retries=0, sleep=sleep
        )

    def get(self, path: str, params: Mapping[str, Any] | None = None) -> requests.Response:
        """A GET, retried on 429/5xx; a refusal raises a permanent MarketplaceError."""
        return self._call(self.reads, "GET", path, params=dict(params or {}))

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return _json(self.get(path, params))

    def post_json(self, path: str, body: Mapping[str, Any]) -> Any:
        """A POST with a JSON body, sent once."""
        return _json(self._call(self.writes, "POST", path, json=dict(body)))

    def post_files(self, path: str, data: Mapping[str, str], files: Mapping[str, Any]) -> Any:
        """A multipart POST (a file upload), sent once."""
        return _json(self._call(self.writes, "POST", path, data=dict(data), files=dict(files)))

    def put_json(self, path: str, body: Mapping[str, Any]) -> Any:
        """A PUT with a JSON body, sent once."""
        return _json(self._call(self.writes, "PUT", path, json=dict(body)))

    def post_site_json(self, path: str, body: Mapping[str, Any]) -> Any:
        """A POST to another plugin's route under ``/wp-json`` (no WooCommerce keys), once."""
        return _json(self._call(self.site, "POST", path, json=dict(body)))

    def _call(
        self, client: PlatformClient, method: str, path: str, **kwargs: Any
    ) -> requests.Response:
        """One call; any failure comes out as a MarketplaceError with the credentials masked
        (``requests`` quotes the URL, query-string credentials and OAuth values included)."""
        try:
            return _call(client, method, path, **kwargs)
        except MarketplaceError as error:
            raise MarketplaceError(
                redact(error.message, self.secrets),
                transient=error.transient,
                retry_after=error.retry_after,
                platform_status=error.platform_status,
            ) from None
        except requests.RequestException as error:
            text = redact(f"{method} {path}: {type(error).__name__}: {error}", self.secrets)
            raise MarketplaceError(text, transient=True) from None

    def pages(self, path: str, params: Mapping[str, Any]) -> Iterator[list[Any]]:
        """Every page of a WordPress collection (``X-WP-TotalPages``, else ``Link: next``)."""
        page = 1
        while True:
            response = self.get(path, {**params, "per_page": PER_PAGE, "page": page})
            items = _json(response)
            if not isinstance(items, list):
                raise MarketplaceError(f"GET {path}: expected a list, got {type(items).__name__}")
            yield items
            if not items or not _has_next(response, page, len(items)):
                return
            page += 1


def wp_json_url(api_base: str) -> str:
    """``{site}/wp-json`` from the WooCommerce API base (``{site}/wp-json/wc/v3``)."""
    base = api_base.rstrip("/")
    return base[: -len("/wc/v3")] if base.endswith("/wc/v3") else base


def _has_next(response: requests.Response, page: int, count: int) -> bool:
    total = response.headers.get("X-WP-TotalPages", "").strip()
    if total.isascii() and total.isdigit():
        return page < int(total)
    if "Link" in response.headers:
        return 'rel="next"' in response.headers["Link"]
    return count >= PER_PAGE


def _call(client: PlatformClient, method: str, path: str, **kwargs: Any) -> requests.Response:
    seen: list[requests.Response] = []

    def keep(response: requests.Response, *args: Any, **kw: Any) -> requests.Response:
        seen.append(response)
        return response

    try:
        response = client.request(method, path, hooks={"response": keep}, **kwargs)
    except MarketplaceError:
        if seen and (_is_refusal(seen[-1]) or _is_woopayments_refusal(path, seen[-1])):
            raise refusal(method, path, seen[-1]) from None
        raise
    if response.status_code >= 400:
        raise refusal(method, path, response)
    return response


def _envelope(response: requests.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}


def _is_refusal(response: requests.Response) -> bool:
    """A ``WP_Error`` with bare-integer data: HTTP 500, yet the same answer every time."""
    body = _envelope(response)
    data = body.get("data")
    return (
        isinstance(body.get("code"), str)
        and isinstance(data, int)
        and not isinstance(data, bool)
        and 400 <= data < 600
    )


def _is_woopayments_refusal(path: str, response: requests.Response) -> bool:
    """WooPayments' admin routes turn its server's refusal into a ``WP_Error`` without data
    (``WC_Payments_REST_Controller::forward_request``): HTTP 500, ``"data": null``, and the
    reason in ``code`` and ``message``. That is an answer, not an outage."""
    body = _envelope(response)
    return (
        path.startswith("payments/")
        and response.status_code == 500
        and "data" in body
        and body["data"] is None
        and isinstance(body.get("code"), str)
        and isinstance(body.get("message"), str)
    )


def refusal(method: str, path: str, response: requests.Response) -> MarketplaceError:
    """The store's refusal as a permanent error, in its own words, with a hint."""
    body = _envelope(response)
    code = str(body.get("code") or f"http_{response.status_code}")
    # WPSwings' routes answer {"status": 404, "data": "<message>"}
    said = body.get("message") or (body.get("data") if isinstance(body.get("data"), str) else None)
    message = str(said or response.reason or "no message")
    who = "WooPayments" if path.startswith("payments/") else "WooCommerce"
    text = f"{who} refused {method} {path} (HTTP {response.status_code}, {code}): {message}"
    if code in _HINTS:
        text += f" ({_HINTS[code]})"
    elif _is_woopayments_refusal(path, response):
        text += " (WooPayments reports every refusal of its admin routes as HTTP 500)"
    return MarketplaceError(text, transient=False, platform_status=response.status_code)


def _json(response: requests.Response) -> Any:
    """The body, decimals kept exact; a store that answers HTML (a maintenance page, a
    security plugin) is a transient failure. The URL is left out: it may carry OAuth values."""
    if not response.content:
        return None
    try:
        return json.loads(response.content, parse_float=Decimal)
    except ValueError:
        raise MarketplaceError(
            f"the store did not answer JSON (HTTP {response.status_code})", transient=True
        ) from None
