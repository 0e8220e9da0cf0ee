"""The hub from Python: :class:`Hub` does what the CLI's commands do, with the same pieces.

    from passport_hub import Hub

    with Hub("sqlite:///passport.db") as hub:
        hub.import_paths("transcripts/", holder="alex")
        records = hub.records("alex")

Also the steps the CLI shares with it: the holder id rule, resolving (shortened) record ids,
the records an export is made of and checking it against its schema. The pipeline, the
plugins, verification and exports are imported when first used, as in the CLI.
"""

from __future__ import annotations

import copy
import errno
import os
import re
from collections.abc import Iterable
from functools import cached_property
from typing import TYPE_CHECKING, Any

from .config import Settings
from .errors import AmbiguousError, ErrorKind, NotFoundError, PassportHubError
from .store import DEFAULT_HOLDER, HOLDER_ID_PATTERN, RESERVED_HOLDER_IDS, Store, open_store

if TYPE_CHECKING:
    from .loader import Registry
    from .model import CredentialRecord, Verification
    from .pipeline import Outcome, Pipeline

#: :data:`~passport_hub.store.HOLDER_ID_PATTERN` in words
HOLDER_ID_RULE = "letters, digits, '.', '_' and '-', starting with a letter or digit, at most 64 (as in the API's URLs)"


def holder_id_problem(value: str) -> str | None:
    """Why ``value`` cannot be a holder id, or ``None``: the service's URLs must be able to address it,
    and it must be none of the hub's own accounts (such as the one that owns the catalog's registry
    documents)."""
    if value in RESERVED_HOLDER_IDS:
        return f"{value!r} is the hub's own account (it holds the catalog's registry documents); choose another id"
    if re.fullmatch(HOLDER_ID_PATTERN, value) is None:
        return HOLDER_ID_RULE
    return None


def selected_rows(
    store: Store, record_ids: Iterable[str] | None, holder: str | None = None, *,
    several_holders_hint: str = "pass holder=...",
) -> list[tuple[int, CredentialRecord]]:
    """``(store key, record)`` of the records ``record_ids`` name, each once, or of every record of
    ``holder`` (all holders' when ``None``) when ``record_ids`` is ``None``.

    An id may be shortened to any unique beginning (as tables show it). ``NotFoundError`` naming the
    ids that name no record (of ``holder``); ``AmbiguousError`` when one begins several ids, or several
    holders hold that record and ``holder`` does not say whose (``several_holders_hint`` says how to).
    """
    if record_ids is None:
        return store.record_rows(holder)
    record_ids = list(record_ids)
    # the common case, whole ids of one holder's records (a service request of up to 1,000): one query
    whole = {r.id: (pk, r) for pk, r in store.record_rows(holder, record_ids)} if holder is not None else {}
    owners = {record_id: (record_id, holder) if record_id in whole else
              _owner(store, record_id, holder, several_holders_hint) for record_id in record_ids}
    if missing := [record_id for record_id, owner in owners.items() if owner is None]:
        named = ", ".join(repr(record_id) for record_id in missing[:10]) + (", ..." if len(missing) > 10 else "")
        raise NotFoundError(f"no record{'s' if len(missing) > 1 else ''} {named}"
                            + (f" for holder {holder!r}" if holder else ""))
    return [whole[owner[0]] if owner[0] in whole else store.find_record(*owner)
            for owner in dict.fromkeys(owners.values())]


#: how many ids an ambiguous beginning lists
OWNERS_SHOWN = 10


def _owner(store: Store, record_id: str, holder: str | None, several_holders_hint: str) -> tuple[str, str] | None:
    if not record_id:  # as a prefix, "" would name every record
        return None
    owners = store.record_owners(record_id, holder, limit=OWNERS_SHOWN + 1)
    exact = [owner for owner in owners if owner[0] == record_id]
    owners = exact or owners
    if not owners:
        return None
    ids = sorted({rid for rid, _ in owners[:OWNERS_SHOWN]})
    if len(ids) > 1:
        more = ", ..." if len(owners) > OWNERS_SHOWN else ""
        raise AmbiguousError(f"{record_id!r} begins several record ids ({', '.join(ids)}{more}); give more of it")
    if len(owners) > 1:
        raise AmbiguousError(f"{owners[0][0]} is held by several holders ({', '.join(h for _, h in owners)}); "
                             f"{several_holders_hint}")
    return owners[0]


def export_items(store: Store, holder: str, record_ids: list[str] | None) -> list[CredentialRecord]:
    """The records an export of ``holder``'s is made of: those ``record_ids`` name (in that order,
    resolved by :func:`selected_rows`: an id that names none of ``holder``'s records is a
    ``NotFoundError``, one that begins several an ``AmbiguousError``), or all when it is ``None``.
    ``NotFoundError`` when there are none."""
    items = [record for _pk, record in selected_rows(store, record_ids, holder)]
    if not items:
        raise NotFoundError(f"no records for holder {holder!r}" + (" with those ids" if record_ids is not None else ""))
    return items


def schema_mismatch(document: Any, fmt: str) -> str | None:
    """What is wrong with an export of format ``fmt`` (signed credentials checked by their
    content), or ``None`` when it matches the format's published JSON Schema."""
    from .exports.signing import unverified_credential
    from .exports.validate import errors

    docs = [unverified_credential(d) if isinstance(d, str) else d
            for d in (document if isinstance(document, list) else [document])]
    problems = [e for d in docs for e in errors(d, fmt)]
    return f"the {fmt} export does not match its schema: " + "; ".join(problems[:5]) if problems else None


def _holder(holder: str) -> str:
    if problem := holder_id_problem(holder):
        raise ValueError(f"holder id {holder!r}: {problem}")
    return holder


def _listed(values: str | os.PathLike | Iterable | None) -> list | None:
    """One path or id as a list of one (a string is not a list of its characters)."""
    if values is None:
        return None
    return [values] if isinstance(values, str | os.PathLike) else list(values)


class Hub:
    """A career-passport hub: import documents, fetch from issuers, list, verify and export records.

    :param database_url: any SQLAlchemy URL; default ``PASSPORT_HUB_DATABASE_URL``, else
        ``hub.db`` (SQLite) in ``PASSPORT_HUB_HOME`` (``~/.passport-hub``), as for the CLI.
    :param settings: default ``Settings.from_env()`` (the environment and ``PASSPORT_HUB_CONFIG``).

    Plugins are those installed (entry points), filtered by the settings, loaded on first use; the
    database is opened (and migrated) on first use. ``close()`` (or leaving a ``with`` block)
    releases its connections. Failures raise :class:`~passport_hub.errors.PassportHubError`
    (e.g. ``NotFoundError``); a holder id to import into that no URL could address raises
    ``ValueError``, a path to import that does not exist ``FileNotFoundError``.
    ``verify`` and ``fetch`` run their own event loop: from async code, call them in a thread.
    """

    def __init__(self, database_url: str | None = None, *, settings: Settings | None = None):
        if settings is None:
            settings = Settings.from_env()
        if database_url is not None:
            settings = copy.copy(settings)  # the caller's settings stay as they were
            settings.database_url = database_url
        self.settings = settings

    def __enter__(self) -> Hub:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the database connections (a later call opens them again)."""
        store = self.__dict__.pop("_store", None)
        if store is not None:
            store.close()

    @cached_property
    def _registry(self) -> Registry:
        from .loader import load_plugins

        return load_plugins(self.settings)

    @cached_property
    def _store(self) -> Store:
        return open_store(self.settings)

    def _known_holder(self, holder: str | None) -> str | None:
        """``holder`` (``None``: every holder); ``NotFoundError`` when the hub has no such holder."""
        self._store.require_holder(holder)
        return holder

    def _pipeline(self, dry_run: bool = False) -> Pipeline:
        from .pipeline import Pipeline

        return Pipeline(self._registry, self.settings, None if dry_run else self._store)

    # -- plugins -------------------------------------------------------------------------------
    def plugins(self) -> list[dict[str, Any]]:
        """The installed plugins, as ``passport-hub plugins --json`` lists them (name, status,
        sources, verifiers, error, each component's config schema...)."""
        registry = self._registry
        return [p.as_dict(registry) for p in registry.plugins]

    # -- import --------------------------------------------------------------------------------
    def import_paths(self, paths: str | os.PathLike | Iterable[str | os.PathLike], *, holder: str = DEFAULT_HOLDER,
                     dry_run: bool = False) -> list[Outcome]:
        """Import files and folders (walked recursively in sorted order; hidden files and notes
        such as README or ``*.md`` skipped): one :class:`~passport_hub.pipeline.Outcome` per
        document, each stored in one transaction. A document that fails is an outcome with an
        ``error``; the others are stored. ``dry_run`` reads and stores nothing.

        A path that does not exist raises ``FileNotFoundError`` before anything is read (the CLI's
        usage error); a folder without documents gives no outcomes (``[]``)."""
        from .pipeline import iter_paths

        holder = _holder(holder)
        paths = _listed(paths)
        # all checked before any is read: a mistyped path (the caller's mistake, not a document
        # that failed) imports nothing, as the CLI refuses its arguments
        for path in paths:
            if not os.path.exists(path):
                raise FileNotFoundError(errno.ENOENT, os.strerror(errno.ENOENT), os.fspath(path))
        return self._pipeline(dry_run).ingest_paths(iter_paths(paths), holder_id=holder, dry_run=dry_run)

    def import_document(self, data: bytes, name: str, *, holder: str = DEFAULT_HOLDER) -> Outcome:
        """Import one document given as bytes; ``name`` (a file name) names it in outcomes and
        errors, and its extension tells its type as for a file."""
        from .pipeline import named_document

        holder = _holder(holder)
        return self._pipeline().ingest(named_document(data, name), holder_id=holder)

    def fetch(self, source: str, /, *, holder: str = DEFAULT_HOLDER, dry_run: bool = False,
              **params: str) -> list[Outcome]:
        """Ask ``source`` to fetch documents from its issuer (``params``: its query, e.g.
        ``certificate_id="02AK63B"``) and import them as they arrive. A failed fetch is the last
        outcome, with its ``error``. ``NotFoundError`` when no source has that name."""
        holder = _holder(holder)
        return self._pipeline(dry_run).fetch(source, params, holder_id=holder, dry_run=dry_run)

    # -- records -------------------------------------------------------------------------------
    def records(self, holder: str | None = None) -> list[CredentialRecord]:
        """Stored records in import order, each with its newest verification; every holder's
        when ``holder`` is ``None``. ``NotFoundError`` for a holder the hub does not have (one that
        exists but has no records gives ``[]``)."""
        return self._store.records(self._known_holder(holder))

    def record(self, record_id: str, holder: str | None = None) -> CredentialRecord:
        """One record, by its id or a unique beginning of it. ``NotFoundError`` when there is
        none; ``AmbiguousError`` when the beginning fits several, or several holders hold the
        record and ``holder`` does not say whose."""
        [(_pk, record)] = selected_rows(self._store, [record_id], holder)
        return record

    def verify(self, record_ids: str | Iterable[str] | None = None, *,
               holder: str | None = None) -> dict[str, Verification]:
        """Verify stored records now with every installed verifier (all of ``holder``'s, every
        holder's when ``holder`` is ``None``, or those ``record_ids`` name, resolved as by
        :meth:`record`); each result is stored as the record's newest verification.
        Returns record id → :class:`~passport_hub.model.Verification`. ``NotFoundError`` for a
        ``holder`` the hub does not have, as for :meth:`records`."""
        import asyncio

        from .verify import verify_stored

        store = self._store
        rows = selected_rows(store, _listed(record_ids), self._known_holder(holder))
        return asyncio.run(verify_stored(self._registry, self.settings, store, rows))

    # -- export --------------------------------------------------------------------------------
    def export(self, holder: str, format: str, record_ids: str | Iterable[str] | None = None, *,
               link: str | None = None, base_url: str = "", validate: bool = True) -> Any:
        """A holder's records (or those of ``record_ids``) as ``ob3`` (a list: one Open Badges 3.0
        credential per record), ``clr``, ``ler-rs`` or ``json-resume`` (a dict), as
        ``passport-hub export`` prints it: with a signing key configured, ``ob3`` is a list of
        VC-JWT strings and ``clr`` one. ``link``: a verification link to put in it; ``base_url``:
        the hub's public URL. ``record_ids`` are resolved as by :meth:`record` among ``holder``'s
        records: ``NotFoundError`` for an id that names none of them (or when there are none),
        ``AmbiguousError`` for one that begins several. Checked against the format's JSON Schema
        unless ``validate`` is false: a mismatch is a ``PassportHubError`` of kind ``system``."""
        from .exports import export_records
        from .exports.signing import Signer

        signer = Signer.from_settings(self.settings)
        items = export_items(self._store, holder, _listed(record_ids))
        document = export_records(items, format, link=link, issuer_url=base_url.rstrip("/"), signer=signer)
        if validate and (problem := schema_mismatch(document, format)):
            # the hub's own output is wrong, not a document it read nor an issuer's answer: of the
            # kinds, only system (a fault of passport-hub or a plugin) says that
            raise PassportHubError(problem, kind=ErrorKind.SYSTEM)
        return document
