"""eBay platform notifications (SOAP XML): read safely, read tolerantly, check what is signed.

``defusedxml`` refuses any DTD, so entity expansion bombs and external entities never get
a chance. Elements are found by local name whatever their namespace, because eBay's own
samples declare broken namespaces (a line break inside ``xmlns:ser``) and repeat elements
(a date inside a ``ReturnStatus``).

A Trading-style notification may carry ``NotificationSignature`` = base64(MD5(Timestamp +
DevID + AppID + CertID)) (eBay KB 1201). It signs only the timestamp, not the body, so a
notification is never taken at its word: it only names the return or case to fetch from
eBay's API, and the signature, when present and checkable, merely refuses forgeries early.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml
from defusedxml.ElementTree import fromstring

from disputeflow.plugins.ebay.errors import MalformedNotification, SignatureMismatch
from disputeflow.plugins.ebay.values import time


@dataclass(frozen=True)
class PlatformNotification:
    """What a platform notification names: its event and the objects it is about."""

    event: str | None
    fields: dict[str, list[str]] = field(default_factory=dict)

    def first(self, name: str) -> str | None:
        values = self.fields.get(name)
        return values[0] if values else None

    @property
    def occurred_at(self) -> datetime | None:
        return time(self.first("Timestamp")) or time(self.first("CreationDate"))

    def targets(self) -> list[tuple[str, str]]:
        """``(object_type, id)`` of each object to fetch, in a stable order."""
        found = []
        for name, object_type in (("ReturnId", "return"), ("InquiryId", "inquiry"),
                                  ("CaseId", "case")):  # fmt: skip
            value = self.first(name)
            if value:
                found.append((object_type, value))
        return found


def looks_like_xml(body: bytes) -> bool:
    """Whether a body is XML (platform notifications) rather than JSON."""
    return body.lstrip()[:1] == b"<"


def _local(tag: Any) -> str:
    return str(tag).rsplit("}", 1)[-1]


def parse(body: bytes) -> PlatformNotification:
    """Read a platform notification; refuse anything that is not a plain SOAP envelope."""
    try:
        root: Element = fromstring(body, forbid_dtd=True)
    except defusedxml.DefusedXmlException as error:
        raise MalformedNotification(f"refused XML: {type(error).__name__}") from None
    except ParseError as error:
        raise MalformedNotification(f"not well-formed XML: {error}") from None
    if _local(root.tag) != "Envelope":
        raise MalformedNotification("not a SOAP envelope")
    fields: dict[str, list[str]] = {}
    for element in root.iter():
        value = (element.text or "").strip()
        if value and len(element) == 0:
            fields.setdefault(_local(element.tag), []).append(value)
    return PlatformNotification(event=_first(fields, "NotificationEventName"), fields=fields)


def _first(fields: Mapping[str, list[str]], name: str) -> str | None:
    values = fields.get(name)
    return values[0] if values else None


def expected_signature(timestamp: str, dev_id: str, app_id: str, cert_id: str) -> str:
    """eBay's NotificationSignature for a timestamp and the app's keys."""
    digest = hashlib.md5((timestamp + dev_id + app_id + cert_id).encode()).digest()  # noqa: S324
    return base64.b64encode(digest).decode()


def check_signature(note: PlatformNotification, settings: Mapping[str, Any]) -> bool:
    """Whether the signature was checked; raises :class:`SignatureMismatch` when it is wrong.

    Unchecked (``False``): the notification has no signature, or the connection has no
    ``dev_id`` to check it with. Either way it is only a trigger.
    """
    signature = note.first("NotificationSignature")
    dev_id = settings.get("dev_id")
    if signature is None or not dev_id:
        return False
    timestamp = note.first("Timestamp")
    if timestamp is None:
        raise SignatureMismatch("a signed platform notification without a Timestamp")
    cert_id = settings.get("cert_id") or settings["client_secret"]
    expected = expected_signature(timestamp, str(dev_id), settings["client_id"], str(cert_id))
    if not hmac.compare_digest(expected.encode(), signature.encode()):
        raise SignatureMismatch("NotificationSignature does not match this app's keys")
    return True
