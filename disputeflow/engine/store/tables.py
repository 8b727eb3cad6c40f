"""The relational schema (SQLAlchemy 2 declarative). Alembic migrations mirror it.

Cases keep the fields clients filter and sort on as columns, and the rest of the case
document (order, buyer, deadlines, extra) as JSON. Money is stored exactly: the decimal
string in the document, and integer minor units plus currency in columns for sorting.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Aware UTC in, aware UTC out, on every database (SQLite keeps no zone of its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"refusing to store naive datetime {value.isoformat()}")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base with a naming convention, so migrations name constraints stably."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict[str, Any]: JSON}  # noqa: RUF012


class ConnectionRow(Base):
    __tablename__ = "connections"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    platform: Mapped[str] = mapped_column(String(40), index=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    settings: Mapped[dict[str, Any]]
    secrets: Mapped[str] = mapped_column(Text)  # Fernet token of the secret settings
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    webhook_verified_at: Mapped[datetime | None]
    rejected_deliveries: Mapped[int] = mapped_column(Integer, default=0)
    last_rejected_at: Mapped[datetime | None]
    # The store's return policy as the marketplace last stated it (StorePolicy.to_dict()),
    # read by the worker outside any transaction; None: not read (or not offered).
    return_policy: Mapped[dict[str, Any] | None]
    return_policy_checked_at: Mapped[datetime | None]
    # active | needs_reauth | uninstalled (0005): only an active connection syncs and acts.
    state: Mapped[str] = mapped_column(String(20), default="active", server_default="active")
    state_reason: Mapped[str | None] = mapped_column(Text)
    state_changed_at: Mapped[datetime | None]
    demo: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")  # `demo`


class CaseRow(Base):
    __tablename__ = "cases"
    __table_args__ = (
        UniqueConstraint("connection_id", "object_type", "external_id"),
        Index("ix_cases_status_due_at", "status", "due_at"),
        Index("ix_cases_updated_at", "updated_at"),
        Index("ix_cases_buyer_email", "connection_id", "buyer_email"),
        Index("ix_cases_buyer_external_id", "connection_id", "buyer_external_id"),
        Index("ix_cases_rules_due_at", "rules_due_at"),
        # the urgent order (due_at, then id) of the case list, read as a range (0004)
        Index("ix_cases_due_at_id", "due_at", "id"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    connection_id: Mapped[str] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[str] = mapped_column(String(40), index=True)
    object_type: Mapped[str] = mapped_column(String(40))
    external_id: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), index=True)
    status: Mapped[str] = mapped_column(String(20))
    category: Mapped[str] = mapped_column(String(40), index=True)
    stage: Mapped[str | None] = mapped_column(String(20))
    outcome: Mapped[str | None] = mapped_column(String(20))
    queue: Mapped[str | None] = mapped_column(String(100), index=True)
    amount_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    buyer_country: Mapped[str | None] = mapped_column(String(2))
    # The buyer's history (their earlier cases on the connection) is counted by these.
    buyer_email: Mapped[str | None] = mapped_column(String(320))  # lower case
    buyer_external_id: Mapped[str | None] = mapped_column(String(200))
    order_external_id: Mapped[str | None] = mapped_column(String(200), index=True)
    search_text: Mapped[str] = mapped_column(Text, default="")
    due_at: Mapped[datetime | None]
    opened_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # The newest snapshot applied: the platform's clock, so late ones are spotted cheaply.
    snapshot_at: Mapped[datetime]
    snapshot_revision: Mapped[int] = mapped_column(BigInteger)
    snapshot_fingerprint: Mapped[str] = mapped_column(String(64))
    document: Mapped[dict[str, Any]]
    # Set when the case changes; the worker then runs the automation rules and clears it.
    rules_due_at: Mapped[datetime | None]


class CaseSnapshotRow(Base):
    __tablename__ = "case_snapshots"
    __table_args__ = (UniqueConstraint("case_id", "fingerprint"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    observed_at: Mapped[datetime]
    data: Mapped[dict[str, Any]]


class TimelineRow(Base):
    __tablename__ = "timeline_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(String(20))
    kind: Mapped[str] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text)
    data: Mapped[dict[str, Any]]
    derived: Mapped[bool] = mapped_column(Boolean)


class EvidenceRow(Base):
    __tablename__ = "evidence"
    __table_args__ = (UniqueConstraint("case_id", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str] = mapped_column(String(200))
    party: Mapped[str] = mapped_column(String(20))
    submitted_at: Mapped[datetime]
    data: Mapped[dict[str, Any]]


class MessageRow(Base):
    __tablename__ = "messages"
    __table_args__ = (UniqueConstraint("case_id", "external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    external_id: Mapped[str] = mapped_column(String(200))
    party: Mapped[str] = mapped_column(String(20))
    sent_at: Mapped[datetime]
    body: Mapped[str] = mapped_column(Text)


class DeliveryRow(Base):
    """A webhook delivery, stored raw before it is acknowledged; processed later."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("connection_id", "dedup_key"),
        Index("ix_deliveries_status_next_attempt_at", "status", "next_attempt_at"),
    )

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    connection_id: Mapped[str] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), index=True
    )
    platform: Mapped[str] = mapped_column(String(40))
    dedup_key: Mapped[str] = mapped_column(String(200))
    topic: Mapped[str] = mapped_column(String(100))
    headers: Mapped[dict[str, Any]]
    body: Mapped[bytes] = mapped_column(LargeBinary)
    received_at: Mapped[datetime]
    status: Mapped[str] = mapped_column(String(20))  # pending, done, failed, dead
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    processed_at: Mapped[datetime | None]


class ActionRow(Base):
    """An action in the outbox: stored with its idempotency key, then run by a worker."""

    __tablename__ = "actions"
    __table_args__ = (Index("ix_actions_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    type: Mapped[str] = mapped_column(String(40))
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    params: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(20))  # pending, running, succeeded, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    # A worker that claimed the action holds it until then; a crash lets it expire.
    lease_until: Mapped[datetime | None]
    external_id: Mapped[str | None] = mapped_column(String(200))
    last_error: Mapped[str | None] = mapped_column(Text)
    result: Mapped[dict[str, Any] | None]
    requested_by: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class SyncCursorRow(Base):
    __tablename__ = "sync_cursors"

    connection_id: Mapped[str] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), primary_key=True
    )
    cursor: Mapped[str | None] = mapped_column(Text)
    interval_seconds: Mapped[int] = mapped_column(Integer, default=900)
    last_synced_at: Mapped[datetime | None]
    next_sync_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(Text)


class OrderRefundRow(Base):
    """A refund on an order, shown on every case of that order (also later ones)."""

    __tablename__ = "order_refunds"
    __table_args__ = (UniqueConstraint("connection_id", "refund_external_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    connection_id: Mapped[str] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), index=True
    )
    order_external_id: Mapped[str] = mapped_column(String(200), index=True)
    refund_external_id: Mapped[str] = mapped_column(String(200))
    data: Mapped[dict[str, Any]]  # OrderRefund.to_dict()


class PrivacyRequestRow(Base):
    """An erasure or a data request, with what it touched (and, for requests, the export)."""

    __tablename__ = "privacy_requests"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    connection_id: Mapped[str] = mapped_column(
        ForeignKey("connections.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20))  # erasure, data_request
    reason: Mapped[str] = mapped_column(Text)
    subject: Mapped[dict[str, Any]]
    cases_affected: Mapped[int] = mapped_column(Integer, default=0)
    export: Mapped[dict[str, Any] | None]
    created_at: Mapped[datetime]


class TokenRow(Base):
    """An API token: only its SHA-256 is kept; the token itself is shown once."""

    __tablename__ = "api_tokens"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class RuleRunRow(Base):
    """An automation rule's decision on a case: once per rule and case, counted per day."""

    __tablename__ = "rule_runs"
    __table_args__ = (
        UniqueConstraint("rule", "case_id"),
        Index("ix_rule_runs_rule_at", "rule", "at"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    rule: Mapped[str] = mapped_column(String(100))
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(40))
    # pending, requested, dry_run, assigned, refused
    outcome: Mapped[str] = mapped_column(String(20))
    dry_run: Mapped[bool] = mapped_column(Boolean)
    action_id: Mapped[str | None] = mapped_column(String(40))
    message: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime]


class DeadlineAlertRow(Base):
    """A deadline raised as approaching (or missed) once, at one lead time."""

    __tablename__ = "deadline_alerts"
    __table_args__ = (UniqueConstraint("case_id", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(300))
    raised_at: Mapped[datetime]


class AuditRow(Base):
    """One entry of the tamper-evident audit trail: each carries the hash of the one before
    it in its lane (see :mod:`disputeflow.engine.store.audit`); appended, never updated."""

    __tablename__ = "audit_log"
    __table_args__ = (UniqueConstraint("lane", "prev_seq"),)  # one successor each (0010)

    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    lane: Mapped[int] = mapped_column(Integer)  # a shard of cases; -1: before lanes (0010)
    prev_seq: Mapped[int] = mapped_column(BigInteger)  # the entry before it in its lane
    at: Mapped[datetime]
    kind: Mapped[str] = mapped_column(String(20))  # state, action, rule, notice, view
    case_id: Mapped[str | None] = mapped_column(String(40), index=True)  # kept after a case goes
    actor: Mapped[str] = mapped_column(String(200))
    subject: Mapped[str] = mapped_column(String(100))
    details: Mapped[dict[str, Any]]
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class NoticeRow(Base):
    """A notice in the outbox: one per case, step, occurrence and audience (the key), sent
    by a worker to each channel once (``channels`` records the ones done)."""

    __tablename__ = "notices"
    __table_args__ = (Index("ix_notices_status_next_attempt_at", "status", "next_attempt_at"),)

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    step: Mapped[str] = mapped_column(String(40))
    audience: Mapped[str] = mapped_column(String(20))  # buyer, merchant
    idempotency_key: Mapped[str] = mapped_column(String(300), unique=True)
    data: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(20))  # pending, running, sent, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]
    channels: Mapped[dict[str, Any]]  # notifier name -> {"status", "recipient", "external_id"}
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]


class EvidenceFileRow(Base):
    """A file a buyer uploaded: stored under a random name in the data directory."""

    __tablename__ = "evidence_files"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[str | None] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    stored_name: Mapped[str] = mapped_column(String(100), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    party: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime]


class RateLimitRow(Base):
    """How often a key (an IP address, an order) was used in one fixed window."""

    __tablename__ = "rate_limits"

    key: Mapped[str] = mapped_column(String(300), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
