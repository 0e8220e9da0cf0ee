"""Service-side storage: holder tokens, shares and audit events (tables in passport_hub.store.tables).

The core :class:`~passport_hub.store.Store` owns records, documents and the catalog; this
module adds the account, sharing and audit queries the service needs, on the same engine.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Integer, String, Text, column, func, insert, select, text, update

from ..store import RESERVED_HOLDER_IDS, Store
from ..store.tables import AuditEventRow, HolderRow, RecordRow, ShareRecordRow, ShareRow, UTCDateTime
from .tokens import HOLDER_PREFIX, SHARE_PREFIX, new_id, new_token, same, token_hash

#: the share view in one round trip: the share, its records (still the holder's), each record's
#: newest verification; a share without records still gives its row (LEFT JOINs)
_SHARE_VIEW = text(
    "SELECT s.id, s.holder_id, s.token_hash, s.audience, s.include_cpl, s.created_at, s.expires_at, s.revoked_at,"
    " r.pk AS record_pk, r.record_id, r.data,"
    " (SELECT v.data FROM verifications v WHERE v.record_pk = r.pk ORDER BY v.pk DESC LIMIT 1) AS verification"
    " FROM shares s"
    " LEFT JOIN share_records sr ON sr.share_id = s.id"
    " LEFT JOIN records r ON r.pk = sr.record_pk AND r.holder_id = s.holder_id"
    " WHERE s.token_hash = :digest"
    " ORDER BY r.pk"
).columns(
    column("id", String), column("holder_id", String), column("token_hash", String), column("audience", String),
    column("include_cpl", String), column("created_at", UTCDateTime()),
    column("expires_at", UTCDateTime()),
    column("revoked_at", UTCDateTime()), column("record_pk", Integer), column("record_id", String),
    column("data", Text), column("verification", Text),
)


def _holder_token() -> tuple[str, str]:
    """A new holder token and its hash, all the store keeps of it."""
    token = new_token(HOLDER_PREFIX)
    return token, token_hash(token)


@dataclass
class SharedRow:
    """A shared record as stored: its JSON and its newest verification's JSON (or None)."""

    pk: int
    record_id: str
    data: str
    verification: str | None


@dataclass
class ShareInfo:
    id: str
    holder_id: str
    audience: str | None
    created_at: datetime
    expires_at: datetime
    revoked_at: datetime | None
    record_ids: list[str]
    #: the college whose credit-for-prior-learning section the share shows, if any
    cpl_college: str | None = None

    def state(self, now: datetime) -> str:
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at <= now:
            return "expired"
        return "active"

    def as_dict(self, now: datetime) -> dict:
        return {
            "id": self.id,
            "audience": self.audience,
            "created_at": self.created_at.isoformat(),
            "link_expires_at": self.expires_at.isoformat(),
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
            "state": self.state(now),
            "cpl_college": self.cpl_college,
            "record_ids": self.record_ids,
        }


class ServiceRepo:
    def __init__(self, store: Store):
        self.store = store
        self.engine = store.engine

    # -- holders -----------------------------------------------------------
    def create_holder(self, display_name: str | None) -> tuple[str, str]:
        """A new holder account; returns (holder id, token). Only the token's hash is kept."""
        token, digest = _holder_token()
        holder_id = new_id("h")
        with self.engine.begin() as conn:
            conn.execute(insert(HolderRow).values(id=holder_id, display_name=display_name, token_hash=digest,
                                                  created_at=datetime.now(UTC)))
        return holder_id, token

    def issue_token(self, holder_id: str) -> tuple[str, str | None]:
        """A new token for an existing holder, replacing its previous one; returns (token, display name).
        Only the token's hash is kept."""
        token, digest = _holder_token()
        with self.engine.begin() as conn:
            display_name = conn.execute(update(HolderRow).where(HolderRow.id == holder_id).values(token_hash=digest)
                                        .returning(HolderRow.display_name)).scalar_one()
        return token, display_name

    def holder_for_token(self, token: str) -> str | None:
        digest = token_hash(token)
        with self.engine.connect() as conn:
            row = conn.execute(select(HolderRow.id, HolderRow.token_hash).where(HolderRow.token_hash == digest)).first()
        # the hub's own accounts (the catalog's) act for no one, even with a token issued before they were reserved
        if row is None or not same(row.token_hash, digest) or row.id in RESERVED_HOLDER_IDS:
            return None
        return row.id

    def holder(self, holder_id: str) -> dict | None:
        if holder_id in RESERVED_HOLDER_IDS:
            return None
        with self.engine.connect() as conn:
            row = conn.execute(
                select(HolderRow.id, HolderRow.display_name, HolderRow.created_at).where(HolderRow.id == holder_id)
            ).first()
            if row is None:
                return None
            count = conn.scalar(select(func.count()).select_from(RecordRow).where(RecordRow.holder_id == holder_id))
        return {"id": row.id, "display_name": row.display_name, "created_at": row.created_at.isoformat(),
                "records": count or 0}

    def holders(self, limit: int, offset: int) -> list[dict]:
        """Holder accounts, oldest first; not the hub's own (the catalog's documents' owner)."""
        counts = (select(RecordRow.holder_id, func.count().label("n")).group_by(RecordRow.holder_id)).subquery()
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(HolderRow.id, HolderRow.display_name, HolderRow.created_at, counts.c.n)
                .outerjoin(counts, counts.c.holder_id == HolderRow.id)
                .where(HolderRow.id.not_in(sorted(RESERVED_HOLDER_IDS)))
                .order_by(HolderRow.created_at, HolderRow.id).limit(limit).offset(offset)
            ).all()
        return [{"id": r.id, "display_name": r.display_name, "created_at": r.created_at.isoformat(),
                 "records": r.n or 0} for r in rows]

    # -- shares ------------------------------------------------------------
    def create_share(self, holder_id: str, record_pks: list[int], expires_at: datetime,
                     audience: str | None, cpl_college: str | None = None) -> tuple[str, str]:
        token = new_token(SHARE_PREFIX)
        share_id = new_id("shr")
        with self.engine.begin() as conn:
            conn.execute(insert(ShareRow).values(
                id=share_id, holder_id=holder_id, token_hash=token_hash(token), audience=audience,
                include_cpl=cpl_college, expires_at=expires_at, created_at=datetime.now(UTC),
            ))
            conn.execute(insert(ShareRecordRow), [{"share_id": share_id, "record_pk": pk} for pk in record_pks])
        return share_id, token

    def _share_info(self, conn, row) -> ShareInfo:
        ids = conn.scalars(
            select(RecordRow.record_id).join(ShareRecordRow, ShareRecordRow.record_pk == RecordRow.pk)
            .where(ShareRecordRow.share_id == row.id).order_by(RecordRow.pk)
        ).all()
        return ShareInfo(row.id, row.holder_id, row.audience, row.created_at, row.expires_at,
                         row.revoked_at, list(ids), row.include_cpl)

    def shares(self, holder_id: str) -> list[ShareInfo]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(ShareRow).where(ShareRow.holder_id == holder_id)
                                .order_by(ShareRow.created_at, ShareRow.id)).all()
            return [self._share_info(conn, row) for row in rows]

    def share(self, holder_id: str, share_id: str) -> ShareInfo | None:
        with self.engine.connect() as conn:
            row = conn.execute(select(ShareRow).where(ShareRow.holder_id == holder_id, ShareRow.id == share_id)).first()
            return self._share_info(conn, row) if row else None

    def revoke_share(self, holder_id: str, share_id: str) -> bool:
        with self.engine.begin() as conn:
            found = conn.execute(
                update(ShareRow).where(ShareRow.holder_id == holder_id, ShareRow.id == share_id,
                                       ShareRow.revoked_at.is_(None))
                .values(revoked_at=datetime.now(UTC))
            ).rowcount
            if found:
                return True
            return conn.scalar(select(ShareRow.id).where(ShareRow.holder_id == holder_id,
                                                         ShareRow.id == share_id)) is not None

    def open_share(self, token: str) -> tuple[ShareInfo, list[SharedRow]] | None:
        """The share a token names and its records that still exist, each with its newest
        verification, as stored JSON text (the caller parses only what it shows).

        One query (share, its records and their latest verifications); the statement is
        built once. The token is looked up by its hash and compared in constant time.
        """
        digest = token_hash(token)
        with self.engine.connect() as conn:
            rows = conn.execute(_SHARE_VIEW, {"digest": digest}).all()
        if not rows or not same(rows[0].token_hash, digest):
            return None
        head = rows[0]
        shared = [SharedRow(r.record_pk, r.record_id, r.data, r.verification) for r in rows if r.record_pk is not None]
        info = ShareInfo(head.id, head.holder_id, head.audience, head.created_at, head.expires_at,
                         head.revoked_at, [r.record_id for r in shared], head.include_cpl)
        if info.state(datetime.now(UTC)) != "active":
            return info, []
        return info, shared

    # -- audit -------------------------------------------------------------
    def audit(self, holder_id: str, action: str, actor: str, share_id: str | None = None, **detail) -> None:
        self.store.audit(holder_id, action, actor, share_id=share_id, **detail)

    def audit_share_view(self, holder_id: str, share_id: str, records: list[str], user_agent: str,
                         fmt: str) -> None:
        """The audit event of one share view, committed before the view is answered."""
        self.store.audit(holder_id, "share.viewed", "share", share_id=share_id, records=records,
                         user_agent=user_agent, format=fmt)

    def audit_events(self, holder_id: str, limit: int, offset: int) -> list[dict]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                select(AuditEventRow).where(AuditEventRow.holder_id == holder_id)
                .order_by(AuditEventRow.pk.desc()).limit(limit).offset(offset)
            ).all()
        out = []
        for r in rows:
            detail = r.detail if isinstance(r.detail, dict) else json.loads(r.detail or "{}")
            out.append({"id": r.pk, "at": r.at.isoformat(), "action": r.action, "actor": r.actor,
                        "share_id": r.share_id, **{k: v for k, v in detail.items() if k not in {"id", "at"}}})
        return out
