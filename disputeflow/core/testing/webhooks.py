"""Conformance tests of webhook deliveries: sample deliveries, signatures, dedup keys and
secrets. Part of :class:`~disputeflow.core.testing.MarketplaceAdapterTests`, or a mixin on
its own (:class:`BaseWebhookTests`)."""

from __future__ import annotations

import json
from dataclasses import replace

import pytest

from disputeflow.core.errors import SignatureError
from disputeflow.core.marketplace import (
    Connection,
    InboundRequest,
    Marketplace,
    SampleDelivery,
    VerifiedDelivery,
)
from disputeflow.core.testing.probes import (
    forged_values,
    refused,
    secret_values,
    signature_headers,
    with_header,
)
from disputeflow.core.testing.support import (
    MarketplaceFixtures,
    _forge_one_byte,
    _is_aware,
    _is_text,
    _perturb,
    translate_request,
)


class BaseWebhookTests(MarketplaceFixtures):
    """Sample deliveries and their verification: signatures, dedup keys, secrets."""

    def test_has_sample_deliveries(self, samples: list[SampleDelivery]) -> None:
        assert samples, "sample_deliveries must return at least one delivery"
        names = [sample.name for sample in samples]
        assert len(set(names)) == len(names), f"sample names must be unique: {names}"
        for sample in samples:
            assert isinstance(sample, SampleDelivery)
            assert _is_text(sample.name)
            assert isinstance(sample.request, InboundRequest)
            assert sample.request.method.upper() == "POST"
            assert isinstance(sample.request.body, bytes)
            assert sample.request.body, f"{sample.name}: empty body"

    def test_sample_deliveries_verify(
        self, marketplace: Marketplace, connection: Connection, samples: list[SampleDelivery]
    ) -> None:
        """Every sample verifies with the connection it was made for: a sample that does not
        is a named failure (it would be refused when the platform sends it)."""
        for sample in samples:
            try:
                verified = marketplace.verify_delivery(connection, sample.request)
            except SignatureError as error:
                pytest.fail(f"sample delivery {sample.name!r} does not verify: {error}")
            assert isinstance(verified, VerifiedDelivery), sample.name
            assert _is_text(verified.dedup_key), sample.name
            assert _is_text(verified.topic), sample.name
            assert all(
                isinstance(k, str) and isinstance(v, str) for k, v in verified.headers.items()
            )
            occurred = verified.occurred_at
            assert occurred is None or _is_aware(occurred), f"{sample.name}: naive occurred_at"

    def test_forged_body_rejected(
        self, marketplace: Marketplace, connection: Connection, samples: list[SampleDelivery]
    ) -> None:
        for sample in samples:
            forged = replace(sample.request, body=_forge_one_byte(sample.request.body))
            assert forged.body != sample.request.body
            with pytest.raises(SignatureError):
                marketplace.verify_delivery(connection, forged)

    def test_wrong_secret_rejected(
        self, marketplace: Marketplace, connection: Connection, samples: list[SampleDelivery]
    ) -> None:
        settings = dict(connection.settings)
        replaced = [n for n in marketplace.secret_fields() if isinstance(settings.get(n), str)]
        assert replaced, (
            "no secret string setting to replace; see test_secret_fields_exist_in_schema"
        )
        for name in replaced:
            settings[name] = _perturb(settings[name])
        impostor = replace(connection, settings=settings)
        for sample in samples:
            with pytest.raises(SignatureError):
                marketplace.verify_delivery(impostor, sample.request)

    def test_forged_signature_rejected(
        self, marketplace: Marketplace, connection: Connection, samples: list[SampleDelivery]
    ) -> None:
        """Removing any one header passes or raises SignatureError (never another error);
        some header must matter, and a request without headers is always refused. Some
        header's altered value must be refused; of those, the signature headers (named
        "signature", "hmac" or "sign"; all of them if none is) are also refused truncated,
        and when they carry an HMAC of the body made with another algorithm (MD5, SHA-1,
        SHA-224, SHA-384, SHA-512) under any secret setting."""
        secrets = secret_values(marketplace, connection)
        for sample in samples:
            request = sample.request
            needed = [
                name
                for name in request.headers
                if refused(marketplace, connection, with_header(request, name, None))
            ]
            assert needed, (
                f"{sample.name}: verification needs none of the headers {list(request.headers)}"
            )
            with pytest.raises(SignatureError):
                marketplace.verify_delivery(connection, replace(request, headers={}))
            signed = [
                name
                for name in needed
                if refused(
                    marketplace,
                    connection,
                    with_header(request, name, _perturb(request.headers[name])),
                )
            ]
            assert signed, (
                f"{sample.name}: altered values of {needed} still verify: no signature is checked"
            )
            for name in signature_headers(signed):
                self.check_forged_values(marketplace, connection, sample, name, secrets)

    def check_forged_values(
        self,
        marketplace: Marketplace,
        connection: Connection,
        sample: SampleDelivery,
        name: str,
        secrets: list[str],
    ) -> None:
        """Each forged value of header ``name`` is refused."""
        value = sample.request.headers[name]
        for what, forged in forged_values(value, secrets, sample.request.body).items():
            request = with_header(sample.request, name, forged)
            assert refused(marketplace, connection, request), (
                f"{sample.name}: header {name} {what} still verifies"
            )

    def test_duplicate_delivery_same_dedup_key(
        self, marketplace: Marketplace, connection: Connection, samples: list[SampleDelivery]
    ) -> None:
        for sample in samples:
            first = marketplace.verify_delivery(connection, sample.request)
            again = marketplace.verify_delivery(connection, sample.request)
            assert first.dedup_key == again.dedup_key, sample.name

    def test_distinct_deliveries_distinct_dedup_keys(
        self, marketplace: Marketplace, connection: Connection, samples: list[SampleDelivery]
    ) -> None:
        keys = [marketplace.verify_delivery(connection, s.request).dedup_key for s in samples]
        assert len(set(keys)) == len(keys), f"distinct samples share a dedup key: {keys}"

    def test_secrets_not_kept(
        self, marketplace: Marketplace, connection: Connection, samples: list[SampleDelivery]
    ) -> None:
        secrets = [
            value
            for name in marketplace.secret_fields()
            if isinstance(value := connection.settings.get(name), str) and len(value) >= 4
        ]
        for sample in samples:
            verified = marketplace.verify_delivery(connection, sample.request)
            kept = json.dumps(dict(verified.headers)) + " ".join(
                json.dumps(s.to_dict())
                for s in translate_request(marketplace, connection, sample.request)
            )
            for secret in secrets:
                assert secret not in kept, f"{sample.name}: a secret setting is kept in the store"
