"""HTTP message signatures for eBay calls made for EU- and UK-domiciled sellers.

eBay's "Digital signatures for APIs" guide (developer.ebay.com/develop/guides/
digital-signatures-for-apis, checked 2026-12-04) and its reference implementation
(github.com/eBay/digital-signature-verification-ebay-api, ``SignatureService.java``) sign
with RFC 9421 and RFC 9530:

- ``Content-Digest: sha-256=:<base64 SHA-256 of the body>:`` (only with a body);
- ``x-ebay-signature-key: <the JWE from the Key Management API>``;
- ``Signature-Input: sig1=("content-digest" "x-ebay-signature-key" "@method" "@path"
  "@authority");created=<unix time>`` (without ``content-digest`` when there is no body);
- ``Signature: sig1=:<base64 Ed25519 signature of the signature base>:``.

The signature base is one ``"<component>": <value>`` line per component, then
``"@signature-params": <the Signature-Input value after "sig1=">``, joined by ``\\n``.
Ed25519 is deterministic, so eBay's published example is an exact known answer (tests).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from disputeflow import MarketplaceError


def content_digest(body: bytes) -> str:
    """RFC 9530 ``Content-Digest`` with SHA-256, the only algorithm eBay takes."""
    return f"sha-256=:{base64.b64encode(hashlib.sha256(body).digest()).decode()}:"


def load_private_key(value: str) -> Ed25519PrivateKey:
    """An Ed25519 key from PEM, or from the bare base64 PKCS#8 eBay's createSigningKey gives."""
    text = value.strip()
    try:
        if "-----BEGIN" in text:
            key = serialization.load_pem_private_key(text.encode(), password=None)
        else:
            key = serialization.load_der_private_key(base64.b64decode(text), password=None)
    except (ValueError, TypeError, binascii.Error):
        raise MarketplaceError("the eBay signing key cannot be read", transient=False) from None
    if not isinstance(key, Ed25519PrivateKey):
        raise MarketplaceError("the eBay signing key is not an Ed25519 key", transient=False)
    return key


def _components(body: bytes | None) -> tuple[str, ...]:
    names = ("x-ebay-signature-key", "@method", "@path", "@authority")
    return ("content-digest", *names) if body else names


def signature_base(
    method: str, url: str, headers: Mapping[str, str], components: tuple[str, ...], params: str
) -> str:
    """The RFC 9421 signature base of a request, as eBay's reference code builds it."""
    parts = urlsplit(url)
    derived = {"@method": method.upper(), "@path": parts.path or "/", "@authority": parts.netloc}
    lowered = {name.lower(): value for name, value in headers.items()}
    lines = [f'"{name}": {derived[name] if name.startswith("@") else lowered[name]}'
             for name in components]  # fmt: skip
    lines.append(f'"@signature-params": {params}')
    return "\n".join(lines)


def sign_request(
    method: str,
    url: str,
    body: bytes | None,
    *,
    jwe: str,
    private_key: Ed25519PrivateKey,
    created: int,
) -> dict[str, str]:
    """The four headers eBay wants on a signed call (three without a body)."""
    headers = {"x-ebay-signature-key": jwe}
    if body:
        headers["Content-Digest"] = content_digest(body)
    components = _components(body)
    params = "(" + " ".join(f'"{name}"' for name in components) + f");created={created}"
    base = signature_base(method, url, headers, components, params)
    signature = base64.b64encode(private_key.sign(base.encode("utf-8"))).decode()
    headers["Signature-Input"] = f"sig1={params}"
    headers["Signature"] = f"sig1=:{signature}:"
    return headers
