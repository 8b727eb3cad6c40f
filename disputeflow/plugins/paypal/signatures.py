"""PayPal's webhook signature, checked locally.

PayPal signs ``<transmission_id>|<transmission_time>|<webhook_id>|<crc32>`` with SHA256withRSA,
where ``crc32`` is the CRC-32 of the raw body written as an unsigned decimal number, and
sends the base64 signature in ``PAYPAL-TRANSMISSION-SIG`` with the signing certificate's URL
in ``PAYPAL-CERT-URL`` (https://developer.paypal.com/api/rest/webhooks/rest/, "Verify the
signature"; PayPal's Java SDK ``SSLUtil.crc32`` and ``Event.validateReceivedEvent`` build the
same string; checked 2026-12-04). The certificate must be PayPal's message-verification
certificate (its CN, as the Java SDK checks) and valid when the delivery was signed.

PayPal signs a CRC-32 of the body, not a cryptographic digest: another body with the same
CRC-32 as a genuine delivery would verify. Only someone holding a genuine delivery (TLS
keeps it from anyone else) could try; docs/platforms/paypal.md says what follows from it.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from disputeflow import SignatureError

ALGORITHM = "SHA256withRSA"
MAX_SIGNATURE = 1024  # base64 of a 4096-bit RSA signature is 684 characters
CN_PREFIX = "messageverificationcerts"
CN_SUFFIX = ".paypal.com"


def crc32_decimal(body: bytes) -> str:
    """The CRC-32 of ``body`` as PayPal writes it: unsigned, in decimal."""
    return str(zlib.crc32(body) & 0xFFFFFFFF)


def signed_message(transmission_id: str, transmission_time: str, webhook_id: str,
                   body: bytes) -> bytes:  # fmt: skip
    """The bytes PayPal signs for one delivery."""
    return f"{transmission_id}|{transmission_time}|{webhook_id}|{crc32_decimal(body)}".encode()


def decode_signature(value: str) -> bytes:
    """The raw signature from ``PAYPAL-TRANSMISSION-SIG``; anything else is a mismatch."""
    if not value or len(value) > MAX_SIGNATURE:
        raise SignatureError("PAYPAL-TRANSMISSION-SIG is missing or too long to be PayPal's")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError("PAYPAL-TRANSMISSION-SIG is not base64") from None


def load_certificate(pem: bytes) -> x509.Certificate:
    """The first certificate of a PEM document; a document that holds none is refused."""
    try:
        return x509.load_pem_x509_certificate(pem)
    except ValueError:
        raise SignatureError("PAYPAL-CERT-URL does not hold a PEM certificate") from None


def check_certificate(certificate: x509.Certificate, signed_at: datetime) -> None:
    """PayPal's message-verification certificate, valid when the delivery was signed."""
    names = certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    common = str(names[0].value) if names else ""
    if not (common.startswith(CN_PREFIX) and common.endswith(CN_SUFFIX)):
        raise SignatureError("the certificate is not PayPal's message-verification certificate")
    if not certificate.not_valid_before_utc <= signed_at <= certificate.not_valid_after_utc:
        raise SignatureError("the certificate was not valid when the delivery was signed")


def verify(public_key: object, message: bytes, signature: bytes) -> None:
    """Check an RSA PKCS#1 v1.5 SHA-256 signature; raise ``SignatureError`` when it fails."""
    if not isinstance(public_key, rsa.RSAPublicKey):
        raise SignatureError("the certificate's key is not an RSA key")
    try:
        public_key.verify(signature, message, padding.PKCS1v15(), hashes.SHA256())
    except InvalidSignature:
        raise SignatureError("PAYPAL-TRANSMISSION-SIG does not match the delivery") from None
