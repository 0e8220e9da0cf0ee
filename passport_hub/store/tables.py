"""The database schema (SQLAlchemy 2 typed ORM). Migrations live in passport_hub/migrations."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from ..dates import as_utc


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timestamp written and read back in UTC on every database: SQLite keeps no time zone
    (so it is given UTC and hands back naive UTC), PostgreSQL answers in its session's zone."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else as_utc(value)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else as_utc(value)


class Base(DeclarativeBase):
    type_annotation_map = {dict: JSON, datetime: UTCDateTime()}


class HolderRow(Base):
    """An account in the wallet (not the person data inside records)."""

    __tablename__ = "holders"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    display_name: Mapped[str | None] = mapped_column(String(200))
    token_hash: Mapped[str | None] = mapped_column(String(128), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DocumentRow(Base):
    """Original document bytes, kept so records can be re-derived; keyed by SHA-256."""

    __tablename__ = "documents"
    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(500))
    media_type: Mapped[str | None] = mapped_column(String(200))
    size: Mapped[int] = mapped_column(Integer)
    origin: Mapped[str] = mapped_column(String(50))
    plugin: Mapped[str | None] = mapped_column(String(100))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class HolderDocumentRow(Base):
    """Who owns a document (one document can belong to several holders)."""

    __tablename__ = "holder_documents"
    holder_id: Mapped[str] = mapped_column(ForeignKey("holders.id", ondelete="CASCADE"), primary_key=True)
    document_sha256: Mapped[str] = mapped_column(
        ForeignKey("documents.sha256", ondelete="CASCADE"), primary_key=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class RecordRow(Base):
    __tablename__ = "records"
    __table_args__ = (
        UniqueConstraint("holder_id", "record_id", name="uq_records_holder_record"),
        Index("ix_records_document", "document_sha256"),
        Index("ix_records_registry_ctid", "registry_ctid"),
    )
    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_id: Mapped[str] = mapped_column(String(80))
    holder_id: Mapped[str] = mapped_column(ForeignKey("holders.id", ondelete="CASCADE"), index=True)
    document_sha256: Mapped[str] = mapped_column(ForeignKey("documents.sha256"))
    plugin: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(40))
    title: Mapped[str] = mapped_column(String(500))
    issuer_name: Mapped[str] = mapped_column(String(500))
    registry_ctid: Mapped[str | None] = mapped_column(String(100))
    issued_on: Mapped[date | None] = mapped_column(Date)
    expires_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20))
    verification_status: Mapped[str | None] = mapped_column(String(20))
    data: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class VerificationRow(Base):
    """Verification history; the newest row is the record's current status."""

    __tablename__ = "verifications"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    record_pk: Mapped[int] = mapped_column(ForeignKey("records.pk", ondelete="CASCADE"), index=True)
    checked_at: Mapped[datetime] = mapped_column()
    status: Mapped[str] = mapped_column(String(20))
    data: Mapped[str] = mapped_column(Text)


class CatalogRow(Base):
    """An approved credential from the registry."""

    __tablename__ = "catalog"
    id: Mapped[str] = mapped_column(String(80), primary_key=True)
    registry_ctid: Mapped[str | None] = mapped_column(String(100), index=True)
    title: Mapped[str] = mapped_column(String(500))
    issuer_name: Mapped[str] = mapped_column(String(500))
    match_key: Mapped[str] = mapped_column(String(1000), index=True)
    kind: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    document_sha256: Mapped[str] = mapped_column(ForeignKey("documents.sha256"))
    data: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class ShareRow(Base):
    __tablename__ = "shares"
    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder_id: Mapped[str] = mapped_column(ForeignKey("holders.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(128), unique=True)
    audience: Mapped[str | None] = mapped_column(String(200))
    include_cpl: Mapped[str | None] = mapped_column(String(200))
    expires_at: Mapped[datetime] = mapped_column()
    revoked_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ShareRecordRow(Base):
    __tablename__ = "share_records"
    share_id: Mapped[str] = mapped_column(ForeignKey("shares.id", ondelete="CASCADE"), primary_key=True)
    record_pk: Mapped[int] = mapped_column(ForeignKey("records.pk", ondelete="CASCADE"), primary_key=True)


class AuditEventRow(Base):
    """Every share view and admin read, for the holder to see."""

    __tablename__ = "audit_events"
    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    holder_id: Mapped[str] = mapped_column(ForeignKey("holders.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    action: Mapped[str] = mapped_column(String(50))
    actor: Mapped[str] = mapped_column(String(50))
    share_id: Mapped[str | None] = mapped_column(String(40))
    detail: Mapped[dict] = mapped_column(default=dict)
