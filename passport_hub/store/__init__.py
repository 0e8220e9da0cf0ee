"""Storage: SQLite in a file by default (WAL), any SQLAlchemy URL in production.

One transaction per document: a document's records are all stored or none are.
Re-importing a document stores nothing new (record ids are deterministic and unique
per holder).
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import (
    JSON,
    Engine,
    UniqueConstraint,
    bindparam,
    create_engine,
    delete,
    event,
    func,
    insert,
    select,
    text,
    update,
)
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import SQLAlchemyError

from ..config import Settings
from ..contract import Document
from ..errors import ConfigError, NotFoundError
from ..matching import catalog_match_key, normalize_text
from ..model import CONCLUSIVE_STATUSES, CatalogEntry, CredentialRecord, Verification
from .tables import (
    Base,
    CatalogRow,
    DocumentRow,
    HolderDocumentRow,
    HolderRow,
    RecordRow,
    UTCDateTime,
    VerificationRow,
)

DEFAULT_HOLDER = "local"
#: what a holder id may be, wherever it is given (CLI, API): it appears in URLs
HOLDER_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$"
#: the account that owns the registry documents the service imports into the catalog (the store links
#: every document to a holder); no person's wallet, so it is no holder to list, address or name
CATALOG_OWNER = "catalog"
#: ids that fit :data:`HOLDER_ID_PATTERN` but no CLI, Python API or service caller may use as a holder
RESERVED_HOLDER_IDS = frozenset({CATALOG_OWNER})
BATCH_SIZE = 500

def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def make_engine(url: str) -> Engine:
    if url.startswith("sqlite:///"):
        path = url.removeprefix("sqlite:///")
        folder = Path(path).expanduser().parent
        if path and path != ":memory:" and not folder.is_dir():
            # a mistyped path would otherwise become a new, empty database
            missing = "is not a folder" if folder.exists() else "does not exist"
            raise ConfigError(f"cannot open the database {url}: its folder {folder} {missing}")
    engine = create_engine(url, future=True)
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _insert_ignore(conn: Connection, table, rows: list[dict], returning=None):
    """INSERT the rows, skipping those whose primary or unique key already exists.

    SQLite and PostgreSQL do it in the statement (``ON CONFLICT DO NOTHING``), with no
    lookups first; ``returning`` gives back the inserted rows' column (new ids).
    """
    dialect = conn.dialect.name
    if dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    elif dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:  # other databases: ask first, then insert what is missing
        return _insert_missing(conn, table, rows, returning)
    statement = dialect_insert(table).on_conflict_do_nothing()
    if returning is not None:
        return list(conn.scalars(statement.returning(returning), rows))
    return conn.execute(statement, rows).rowcount


def _insert_missing(conn: Connection, table, rows: list[dict], returning=None):
    table = table.__table__ if hasattr(table, "__table__") else table
    keys = [c.name for c in (table.primary_key.columns if returning is None else
                             next(u for u in table.constraints if isinstance(u, UniqueConstraint)).columns)]
    fresh = []
    for row in rows:
        where = [table.c[k] == row[k] for k in keys]
        if conn.scalar(select(table.c[keys[0]]).where(*where)) is None:
            fresh.append(row)
    if fresh:
        conn.execute(insert(table), fresh)
    if returning is not None:
        return [row[returning.key] for row in fresh]
    return len(fresh)


@dataclass
class WriteResult:
    document_sha256: str
    records_new: int = 0
    records_existing: int = 0
    #: records already stored from another document that this document's copy superseded
    records_updated: int = 0
    catalog_new: int = 0
    catalog_updated: int = 0
    items: list[CredentialRecord | CatalogEntry] = field(default_factory=list)


class DocumentWriter:
    """Buffers one document's parsed items inside its open transaction."""

    def __init__(self, conn: Connection, document: Document, holder_id: str, result: WriteResult, *,
                 now: datetime, imported_at: datetime | None = None):
        self.conn, self.document, self.holder_id, self.result = conn, document, holder_id, result
        #: this write's time: new records are created at it
        self.now = now
        #: when the holder first imported this document, if before this write: a record that
        #: existed then took in what the document states, and a later document's update stands
        self.imported_at = imported_at
        self._records: dict[str, dict] = {}
        #: record id -> the id of the record it is an exported copy of
        self._copies: dict[str, str] = {}
        self._catalog: dict[str, dict] = {}

    def add(self, item: CredentialRecord | CatalogEntry) -> None:
        self.result.items.append(item)
        if isinstance(item, CredentialRecord):
            if item.id not in self._records:
                self._records[item.id] = self._record_row(item)
                if item.source.copy_of and item.source.copy_of != item.id:
                    self._copies[item.id] = item.source.copy_of
            if len(self._records) >= BATCH_SIZE:
                self.flush()
        else:
            self._catalog[item.id] = self._catalog_row(item)
            if len(self._catalog) >= BATCH_SIZE:
                self.flush()

    def _record_row(self, record: CredentialRecord) -> dict:
        return {
            "record_id": record.id,
            "holder_id": self.holder_id,
            "document_sha256": self.document.sha256,
            "plugin": record.source.plugin,
            "kind": record.achievement.kind,
            "title": record.achievement.title[:500],
            "issuer_name": record.issuer.name[:500],
            "registry_ctid": record.achievement.ctid,
            "issued_on": record.issued_on,
            "expires_on": record.expires_on,
            "status": record.status,
            "data": record.model_dump_json(by_alias=True, exclude_none=True),
            "created_at": self.now,
        }

    def _catalog_row(self, entry: CatalogEntry) -> dict:
        return {
            "id": entry.id,
            "registry_ctid": entry.achievement.ctid,
            "title": entry.achievement.title[:500],
            "issuer_name": entry.issuer.name[:500],
            "match_key": catalog_match_key(entry.issuer.name, entry.achievement.title)[:1000],
            "kind": entry.achievement.kind,
            "status": entry.status,
            "document_sha256": self.document.sha256,
            "data": entry.model_dump_json(by_alias=True, exclude_none=True),
        }

    def flush(self) -> None:
        conn = self.conn
        if self._copies:
            self._drop_copies_of_held_records()
        if self._records:
            new = set(_insert_ignore(conn, RecordRow, list(self._records.values()), returning=RecordRow.record_id))
            self.result.records_new += len(new)
            already = [row for record_id, row in self._records.items() if record_id not in new]
            if already:
                self._supersede(already)
            self._records.clear()
        if self._catalog:
            ids = list(self._catalog)
            existing = set(conn.scalars(select(CatalogRow.id).where(CatalogRow.id.in_(ids))))
            if existing:
                conn.execute(delete(CatalogRow).where(CatalogRow.id.in_(existing)))
            conn.execute(insert(CatalogRow), list(self._catalog.values()))
            self.result.catalog_new += len(ids) - len(existing)
            self.result.catalog_updated += len(existing)
            self._catalog.clear()

    def _drop_copies_of_held_records(self) -> None:
        """A credential a hub exported, imported by a holder who still has the record it was
        exported from, is that record: it stays as it is (with its own provenance) and the copy
        counts as already stored."""
        held = dict(self.conn.execute(
            select(RecordRow.record_id, RecordRow.data)
            .where(RecordRow.holder_id == self.holder_id, RecordRow.record_id.in_(set(self._copies.values())))
        ).all())
        kept = {}  # copy's id -> the record the holder has, reported in the copy's place
        for record_id, original in self._copies.items():
            if original in held and self._records.pop(record_id, None) is not None:
                kept[record_id] = CredentialRecord.model_validate_json(held[original])
        self._copies.clear()
        if kept:
            self.result.records_existing += len(kept)
            self.result.items = [kept.get(item.id, item) if isinstance(item, CredentialRecord) else item
                                 for item in self.result.items]

    def _supersede(self, rows: list[dict]) -> None:
        """Records this holder already has (same deterministic id) that this document states
        differently (a re-issued credential, a newer lookup, a certificate beside a roster):
        the stored record is updated with :func:`merge_records` (what the later document
        states wins; what it leaves out or calls ``unknown`` is kept). The same credential
        from another rendering changes nothing, nor does a document imported again whose
        statements the record took in when it was first imported. The row keeps
        its key, so its verification history stays with it."""
        stored = {
            row.record_id: row for row in self.conn.execute(
                select(RecordRow.record_id, RecordRow.document_sha256, RecordRow.data, RecordRow.created_at)
                .where(RecordRow.holder_id == self.holder_id, RecordRow.record_id.in_([r["record_id"] for r in rows]))
            )
        }
        updated = 0
        for row in rows:
            old = stored.get(row["record_id"])
            if old is None or old.document_sha256 == row["document_sha256"]:
                continue
            if self.imported_at is not None and self.imported_at >= old.created_at:
                continue  # the record already had this document's say (re-importing must not flip it back)
            merged = merge_records(json.loads(old.data), json.loads(row["data"]))
            if merged is None:
                continue
            values = self._record_row(merged)
            self.conn.execute(
                update(RecordRow)
                .where(RecordRow.holder_id == self.holder_id, RecordRow.record_id == row["record_id"])
                .values({k: v for k, v in values.items() if k not in ("holder_id", "record_id", "created_at")})
            )
            updated += 1
        self.result.records_updated += updated
        self.result.records_existing += len(rows) - updated


def merge_records(stored: dict, later: dict) -> CredentialRecord | None:
    """The ``stored`` record (as stored: its JSON) updated with what ``later`` (the same
    credential, read from a later document) states, or ``None`` when it states nothing new.

    What the later copy states wins: a status other than ``unknown``, dates, texts; what it
    leaves out is kept (a certificate PDF beside the sponsor's roster does not drop the
    roster's credit hours). Results are joined by name and identifiers by scheme and value,
    the later copy's first; warnings are joined. Provenance is the later document's.
    """
    merged = _fill(later, stored)
    if {k: v for k, v in merged.items() if k != "source"} == {k: v for k, v in stored.items() if k != "source"}:
        return None
    # whole, not filled in: a locator left over from the earlier document would point into the later one
    merged["source"] = later["source"]
    return CredentialRecord.model_validate(merged)


#: lists joined item by item (later first), by the key that identifies an item
_JOINED = {
    "results": lambda item: item.get("name"),  # a name the later copy gives is all its own
    "identifiers": lambda item: (item.get("scheme"), item.get("value")),
    "warnings": lambda item: item,
}


def _fill(new: dict, old: dict) -> dict:
    out = dict(new)
    for key, before in old.items():
        now = out.get(key)
        if key in _JOINED and isinstance(now, list) and isinstance(before, list):
            ident = _JOINED[key]
            seen = {ident(item) for item in now}
            out[key] = now + [item for item in before if ident(item) not in seen]
        elif now in (None, "", [], {}) or (key == "status" and now == "unknown"):
            out[key] = before
        elif isinstance(now, dict) and isinstance(before, dict):
            out[key] = _fill(now, before)
    return out


def open_store(settings: Settings) -> Store:
    """The store the settings name; the default SQLite file's folder (the hub's home) is made
    on first use, a folder the database URL names must exist."""
    if not settings.database_url:
        try:
            settings.home.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ConfigError(f"cannot make the hub's home {settings.home}: {type(exc).__name__}: {exc}") from None
    return Store(settings.effective_database_url)


class Store:
    def __init__(self, url: str, *, migrate: bool = True):
        self.url = url
        try:
            self.engine = make_engine(url)
            if migrate:
                self.upgrade()
        except (SQLAlchemyError, ImportError) as exc:
            shown = make_url(url).render_as_string(hide_password=True) if "://" in url else "(unparsable URL)"
            if isinstance(exc, ImportError):
                hint = " (install the driver, e.g. pip install 'passport-hub[postgres]')"
            elif url.startswith("postgres:"):  # Heroku's and libpq's spelling, which SQLAlchemy does not take
                hint = " (write postgresql+psycopg://..., as SQLAlchemy names PostgreSQL and its driver)"
            else:
                hint = ""
            raise ConfigError(
                f"cannot open the database {shown}: {type(exc).__name__}: {(str(exc).splitlines() or [''])[0]}{hint}"
            ) from None

    def upgrade(self) -> None:
        """Bring the schema to the newest migration (Alembic)."""
        from .migrate import upgrade

        upgrade(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    # -- holders -----------------------------------------------------------
    def ensure_holder(self, holder_id: str, display_name: str | None = None, conn: Connection | None = None) -> bool:
        """Create the holder if it does not exist; ``True`` when it was created."""

        def run(c: Connection) -> bool:
            return _insert_ignore(c, HolderRow, [{"id": holder_id, "display_name": display_name}]) == 1

        if conn is not None:
            return run(conn)
        with self.engine.begin() as c:
            return run(c)

    def holder_exists(self, holder_id: str) -> bool:
        """Whether the hub has a holder ``holder_id``; the hub's own accounts (:data:`RESERVED_HOLDER_IDS`,
        the catalog's documents' owner) are none."""
        if holder_id in RESERVED_HOLDER_IDS:
            return False
        with self.engine.connect() as conn:
            return conn.scalar(select(HolderRow.id).where(HolderRow.id == holder_id)) is not None

    def require_holder(self, holder_id: str | None) -> None:
        """``NotFoundError`` when ``holder_id`` names no holder (``None``, every holder, always passes)."""
        if holder_id is not None and not self.holder_exists(holder_id):
            raise NotFoundError(f"no holder {holder_id!r}")

    # -- ingest ------------------------------------------------------------
    @contextmanager
    def write_document(
        self, document: Document, *, holder_id: str = DEFAULT_HOLDER, plugin: str | None = None
    ) -> Iterator[DocumentWriter]:
        """One transaction for one document: commit on success, roll everything back on error."""
        result = WriteResult(document.sha256)
        now = datetime.now(UTC)
        with self.engine.begin() as conn:
            self.ensure_holder(holder_id, conn=conn)
            _insert_ignore(conn, DocumentRow, [{
                "sha256": document.sha256,
                "name": document.name[:500],
                "media_type": document.media_type,
                "size": len(document.data),
                "origin": document.origin,
                "plugin": plugin,
                "data": document.data,
                "created_at": now,
            }])
            imported_at = conn.scalar(select(HolderDocumentRow.created_at).where(
                HolderDocumentRow.holder_id == holder_id, HolderDocumentRow.document_sha256 == document.sha256,
            ))
            if imported_at is None:  # (ignoring a conflict: another import of it may be running)
                _insert_ignore(conn, HolderDocumentRow, [{
                    "holder_id": holder_id, "document_sha256": document.sha256, "created_at": now
                }])
            writer = DocumentWriter(conn, document, holder_id, result, now=now, imported_at=imported_at)
            yield writer
            writer.flush()

    # -- records -----------------------------------------------------------
    def records(self, holder_id: str | None = None, record_ids: Iterable[str] | None = None, *,
                kind: str | None = None, limit: int | None = None, offset: int = 0) -> list[CredentialRecord]:
        """Stored records in import order, each with its latest verification; ``kind``,
        ``limit`` and ``offset`` are applied in the query (a page costs a page)."""
        return [record for _pk, record in self.record_rows(holder_id, record_ids, kind=kind, limit=limit,
                                                            offset=offset)]

    def record_rows(
        self, holder_id: str | None = None, record_ids: Iterable[str] | None = None, *,
        kind: str | None = None, limit: int | None = None, offset: int = 0,
    ) -> list[tuple[int, CredentialRecord]]:
        query = select(RecordRow.pk, RecordRow.data).order_by(RecordRow.pk)
        if holder_id is not None:
            query = query.where(RecordRow.holder_id == holder_id)
        if record_ids is not None:
            query = query.where(RecordRow.record_id.in_(list(record_ids)))
        if kind is not None:
            query = query.where(RecordRow.kind == kind)
        if limit is not None or offset:
            query = query.limit(limit).offset(offset)
        with self.engine.connect() as conn:
            rows = conn.execute(query).all()
            latest = self._latest_verifications(conn, [pk for pk, _ in rows])
        out = []
        for pk, data in rows:
            record = CredentialRecord.model_validate_json(data)
            if pk in latest:
                record.verification = latest[pk]
            out.append((pk, record))
        return out

    def record_holders(self, pks: Iterable[int]) -> dict[int, str]:
        """The holder whose wallet each record row is in (a record names the person, not the wallet)."""
        with self.engine.connect() as conn:
            query = select(RecordRow.pk, RecordRow.holder_id).where(RecordRow.pk.in_(list(pks)))
            return dict(conn.execute(query).all())

    def _latest_verifications(self, conn: Connection, pks: list[int]) -> dict[int, Verification]:
        if not pks:
            return {}
        newest = (
            select(VerificationRow.record_pk, func.max(VerificationRow.pk).label("pk"))
            .where(VerificationRow.record_pk.in_(pks))
            .group_by(VerificationRow.record_pk)
            .subquery()
        )
        rows = conn.execute(
            select(VerificationRow.record_pk, VerificationRow.data).join(newest, newest.c.pk == VerificationRow.pk)
        ).all()
        return {pk: Verification.model_validate_json(data) for pk, data in rows}

    def standing_verifications(self, holder_id: str, record_ids: Iterable[str]) -> dict[str, Verification]:
        """Each record's newest conclusive verification (verified, failed, revoked or expired),
        by record id: a later check that could not reach the issuer (``unverifiable``) or broke
        (``error``) does not undo a failed one."""
        newest = (
            select(VerificationRow.record_pk, func.max(VerificationRow.pk).label("pk"))
            .join(RecordRow, RecordRow.pk == VerificationRow.record_pk)
            .where(RecordRow.holder_id == holder_id, RecordRow.record_id.in_(list(record_ids)),
                   VerificationRow.status.in_([str(s) for s in CONCLUSIVE_STATUSES]))
            .group_by(VerificationRow.record_pk)
            .subquery()
        )
        query = (select(RecordRow.record_id, VerificationRow.data)
                 .join(newest, newest.c.pk == VerificationRow.pk)
                 .join(RecordRow, RecordRow.pk == VerificationRow.record_pk))
        with self.engine.connect() as conn:
            return {record_id: Verification.model_validate_json(data) for record_id, data in conn.execute(query)}

    def record_count(self, holder_id: str | None = None) -> int:
        query = select(func.count()).select_from(RecordRow)
        if holder_id is not None:
            query = query.where(RecordRow.holder_id == holder_id)
        with self.engine.connect() as conn:
            return conn.scalar(query) or 0

    def record_owners(self, id_or_prefix: str, holder_id: str | None = None, limit: int = 10) -> list[tuple[str, str]]:
        """``(record id, holder)`` of the records whose id is ``id_or_prefix`` or starts with it
        (for ids shortened in a table), at most ``limit``."""
        query = select(RecordRow.record_id, RecordRow.holder_id).where(
            RecordRow.record_id.startswith(id_or_prefix, autoescape=True),
            # SQLite's LIKE ignores case; ids do not (PostgreSQL's LIKE agrees)
            func.substr(RecordRow.record_id, 1, len(id_or_prefix)) == id_or_prefix)
        if holder_id is not None:
            query = query.where(RecordRow.holder_id == holder_id)
        with self.engine.connect() as conn:
            return [tuple(row) for row in conn.execute(query.order_by(RecordRow.pk).limit(limit))]

    def find_record(self, record_id: str, holder_id: str | None = None) -> tuple[int, CredentialRecord] | None:
        rows = self.record_rows(holder_id, [record_id])
        return rows[0] if rows else None

    def document_bytes(self, sha256: str) -> bytes | None:
        with self.engine.connect() as conn:
            return conn.scalar(select(DocumentRow.data).where(DocumentRow.sha256 == sha256))

    def add_verification(self, record_pk: int, verification: Verification) -> None:
        self.add_verifications([(record_pk, verification)])

    def add_verifications(self, items: Iterable[tuple[int, Verification]]) -> None:
        """Store ``(record pk, verification)`` pairs in one transaction, each as its record's newest."""
        items = list(items)
        if not items:
            return
        newest = {pk: verification.status for pk, verification in items}  # a record's last one wins
        by_status: dict[str, list[int]] = {}
        for pk, status in newest.items():
            by_status.setdefault(status, []).append(pk)
        with self.engine.begin() as conn:
            conn.execute(
                insert(VerificationRow),
                [
                    {
                        "record_pk": pk,
                        "checked_at": v.checked_at,
                        "status": v.status,
                        "data": v.model_dump_json(exclude_none=True),
                    }
                    for pk, v in items
                ],
            )
            for status, pks in by_status.items():
                conn.execute(update(RecordRow).where(RecordRow.pk.in_(pks)).values(verification_status=status))

    def delete_records(self, holder_id: str, record_ids: Iterable[str]) -> int:
        """Delete a holder's records, and documents no remaining record or holder needs."""
        ids = list(record_ids)
        with self.engine.begin() as conn:
            rows = conn.execute(
                select(RecordRow.pk, RecordRow.document_sha256).where(
                    RecordRow.holder_id == holder_id, RecordRow.record_id.in_(ids)
                )
            ).all()
            if not rows:
                return 0
            pks = [pk for pk, _ in rows]
            conn.execute(delete(VerificationRow).where(VerificationRow.record_pk.in_(pks)))
            from .tables import ShareRecordRow

            conn.execute(delete(ShareRecordRow).where(ShareRecordRow.record_pk.in_(pks)))
            conn.execute(delete(RecordRow).where(RecordRow.pk.in_(pks)))
            for sha in {sha for _, sha in rows}:
                self._drop_document_if_unused(conn, holder_id, sha)
        return len(rows)

    def _drop_document_if_unused(self, conn: Connection, holder_id: str, sha: str) -> None:
        left = conn.scalar(
            select(func.count()).select_from(RecordRow).where(
                RecordRow.holder_id == holder_id, RecordRow.document_sha256 == sha
            )
        )
        if left:
            return
        conn.execute(
            delete(HolderDocumentRow).where(
                HolderDocumentRow.holder_id == holder_id, HolderDocumentRow.document_sha256 == sha
            )
        )
        others = conn.scalar(
            select(func.count()).select_from(HolderDocumentRow).where(HolderDocumentRow.document_sha256 == sha)
        )
        used = conn.scalar(select(func.count()).select_from(RecordRow).where(RecordRow.document_sha256 == sha))
        in_catalog = conn.scalar(
            select(func.count()).select_from(CatalogRow).where(CatalogRow.document_sha256 == sha)
        )
        if not others and not used and not in_catalog:
            conn.execute(delete(DocumentRow).where(DocumentRow.sha256 == sha))

    def document_exists(self, sha256: str) -> bool:
        with self.engine.connect() as conn:
            return conn.scalar(select(DocumentRow.sha256).where(DocumentRow.sha256 == sha256)) is not None

    # -- catalog -----------------------------------------------------------
    def catalog(self) -> StoreCatalog:
        return StoreCatalog(self)

    def catalog_entries(self, query: str | None = None, limit: int = 100, offset: int = 0) -> list[CatalogEntry]:
        stmt = select(CatalogRow.data).order_by(CatalogRow.title, CatalogRow.id).limit(limit).offset(offset)
        if query:
            stmt = stmt.where(CatalogRow.match_key.contains(normalize_text(query)))
        with self.engine.connect() as conn:
            return [CatalogEntry.model_validate_json(row) for row in conn.scalars(stmt)]

    # -- audit -------------------------------------------------------------
    def audit(self, holder_id: str, action: str, actor: str, share_id: str | None = None, **detail) -> None:
        """Append an audit event, committed before this returns."""
        with self.engine.begin() as conn:
            conn.execute(_AUDIT_INSERT, {
                "holder_id": holder_id, "at": datetime.now(UTC), "action": action, "actor": actor,
                "share_id": share_id, "detail": json.loads(json.dumps(detail, default=str)),
            })


# built once: an audit event is written on every share view, the service's hottest write
_AUDIT_INSERT = text(
    "INSERT INTO audit_events (holder_id, at, action, actor, share_id, detail)"
    " VALUES (:holder_id, :at, :action, :actor, :share_id, :detail)"
).bindparams(bindparam("at", type_=UTCDateTime()), bindparam("detail", type_=JSON))


class StoreCatalog:
    """The catalog as verifiers see it (:class:`passport_hub.contract.CatalogLookup`)."""

    def __init__(self, store: Store):
        self.store = store

    def is_empty(self) -> bool:
        with self.store.engine.connect() as conn:
            return conn.scalar(select(CatalogRow.id).limit(1)) is None

    def by_ctid(self, ctid: str) -> CatalogEntry | None:
        with self.store.engine.connect() as conn:
            query = select(CatalogRow.data).where(CatalogRow.registry_ctid == ctid.strip().lower())
            data = conn.scalar(query.limit(1))
        return CatalogEntry.model_validate_json(data) if data else None

    def ctids_by_match_key(self, keys: Iterable[str]) -> dict[str, str]:
        """``{match key: CTID}`` for the catalog entries with these issuer + title keys
        (:func:`passport_hub.matching.catalog_match_key`), in one query per 500 keys."""
        wanted = sorted(set(keys))
        found: dict[str, str] = {}
        with self.store.engine.connect() as conn:
            for start in range(0, len(wanted), 500):
                rows = conn.execute(
                    select(CatalogRow.match_key, CatalogRow.registry_ctid)
                    .where(CatalogRow.match_key.in_(wanted[start:start + 500]), CatalogRow.registry_ctid.is_not(None))
                    .order_by(CatalogRow.id)
                ).all()
                for key, ctid in rows:
                    found.setdefault(key, ctid)
        return found

    def by_issuer_title(self, issuer: str, title: str) -> CatalogEntry | None:
        with self.store.engine.connect() as conn:
            data = conn.scalar(
                select(CatalogRow.data).where(CatalogRow.match_key == catalog_match_key(issuer, title)).limit(1)
            )
        return CatalogEntry.model_validate_json(data) if data else None


__all__ = ["DEFAULT_HOLDER", "Base", "Store", "StoreCatalog", "catalog_match_key", "normalize_text"]
