"""Storage: one TinyDB file per organisation, and the repository functions over it.

This is the only module that touches TinyDB. Each organisation's data lives in memory and in
`DATA_DIR/orgs/org_<id>.json`. A write is applied in memory at once (so its result, a new id, is
known) and acknowledged only after the whole file has been written atomically (see
`bot.atomicfile`). Writes made while a flush is running go to disk together in the next one (group
commit), behind one lock per file. A file lock and a change check on every read keep a second
process (`app.py tick`) consistent: when that process wrote in between, the writes not yet on disk
are applied again on what it wrote, and one whose outcome would differ fails instead of landing.

Inside `one_commit()` (the router wraps every turn in it) a write does not wait for the disk; the
block's end waits for all of them, so a turn that changes three records waits for one flush.
"""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import copy
import fcntl
import json
import logging
import os
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote, unquote

from tinydb import TinyDB
from tinydb.storages import Storage

from bot.atomicfile import atomic_write, remove_stale_temporaries
from bot.records import Organisation, Record, to_json

log = logging.getLogger(__name__)
LOOK_EVERY = 0.001
"""Seconds between two looks at an organisation's file for another process's writes, when reading."""
INLINE_WRITE_MAX = 0.005
"""A file write (with its fsyncs) that took at most this many seconds lets the next one run on the event
loop itself; a slower one sends the writes to a worker thread until one is quick again."""
R = TypeVar("R", bound=Record)
T = TypeVar("T")
MAX_ORG_ID = 200


class StorageError(RuntimeError):
    """The data could not be written; nothing of the failed write was kept."""


class NotFound(LookupError):
    pass


@dataclass(eq=False)
class _Pending:
    """A write applied in memory whose flush has not finished: what it did and who waits for it."""

    fn: Callable[[TinyDB], Any]
    result: Any
    future: asyncio.Future[Any]
    failed: BaseException | None = None


@dataclass(eq=False)
class Disk:
    """What the stores of one folder learned about their disk: whether a write is quick enough for the
    event loop (see INLINE_WRITE_MAX). Shared, since they all sit on the same disk: after one slow write
    every store uses the worker thread, not each one only after a slow write of its own."""

    quick: bool = True


@dataclass(eq=False)
class _Scope:
    task: asyncio.Task[Any] | None
    pending: list[asyncio.Future[Any]] = field(default_factory=list)


_SCOPE: contextvars.ContextVar[_Scope | None] = contextvars.ContextVar("partnerbot_one_commit", default=None)


async def _settle(futures: list[asyncio.Future[Any]]) -> None:
    """Wait for every one of `futures`; then raise the first failure among them."""
    if not futures:
        return
    outcomes = await asyncio.gather(*futures, return_exceptions=True)
    for outcome in outcomes:
        if isinstance(outcome, BaseException):
            raise outcome


@contextlib.asynccontextmanager
async def one_commit() -> AsyncIterator[None]:
    """Writes made in this block (by this task) return as soon as they are applied in memory; leaving
    the block waits until all of them are on disk and raises the first failure (a StorageError).

    So a reply sent after the block still only promises what is stored, and a turn that changes its
    position, a step and its state waits for one flush instead of three in a row.
    """
    scope = _Scope(asyncio.current_task())
    token = _SCOPE.set(scope)
    try:
        yield
    except BaseException:
        _SCOPE.reset(token)
        await asyncio.gather(*scope.pending, return_exceptions=True)  # the block's own error wins
        raise
    _SCOPE.reset(token)
    await _settle(scope.pending)


async def settle() -> None:
    """Inside `one_commit()`: wait until the writes made so far are on disk. Call it before telling
    anyone outside (a message to another person) about something just written."""
    scope = _SCOPE.get()
    if scope is not None:
        done, scope.pending = scope.pending, []
        await _settle(done)


class _MemoryStorage(Storage):
    """TinyDB storage that keeps the tables in a dict owned by `OrgStore`."""

    def __init__(self, holder: OrgStore) -> None:
        self._holder = holder

    def read(self) -> dict[str, Any] | None:
        return self._holder._data

    def write(self, data: dict[str, Any]) -> None:
        self._holder._data = data


class OrgStore:
    def __init__(self, path: Path, disk: Disk | None = None) -> None:
        self.path = path
        self._disk = disk or Disk()
        self._lock_path = path.with_name(path.name + ".lock")
        self._data: dict[str, Any] = {}
        self._looked = float("-inf")
        self._derived: dict[tuple[str, str], tuple[dict[str, Any], Any]] = {}  # see `derived`
        self._stamp: tuple[int, int, int] | None = None
        self._queue: list[_Pending] = []  # applied in memory, waiting for the next flush
        self._inflight: list[_Pending] = []  # applied, being flushed now
        self._flushing = False  # this process holds the file lock and is writing: the file changes are ours
        self._lock = asyncio.Lock()
        self._flusher: asyncio.Task[None] | None = None
        self.db = TinyDB(storage=_MemoryStorage, holder=self)
        self._load()

    # -- reading ---------------------------------------------------------------------------
    def _stat(self) -> tuple[int, int, int] | None:
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            return None
        return (st.st_ino, st.st_mtime_ns, st.st_size)

    def _load(self) -> None:
        """Read the file into memory; then apply again the writes of this process not yet on disk."""
        self._read_file()
        while not self._replay():
            self._read_file()

    def _replay(self) -> bool:
        """Apply the pending writes again on freshly read data. A write whose result now differs (an id
        another process took, a compare-and-set that no longer holds) is failed, and False says the
        data must be read again without it (it may have changed something already)."""
        for pending in (*self._inflight, *self._queue):
            if pending.failed is not None:
                continue
            try:
                same = pending.fn(self.db) == pending.result
            except Exception as exc:
                pending.failed = StorageError(f"the write no longer applies: {exc}")
                return False
            if not same:
                pending.failed = StorageError("another process changed the same data at the same moment; "
                                              "try again")
                return False
        return True

    def _read_file(self) -> None:
        stamp = self._stat()
        data: dict[str, Any] = {}
        if stamp is not None:
            raw = self.path.read_bytes()
            try:
                data = json.loads(raw) if raw.strip() else {}
            except ValueError:
                aside = self.path.with_name(f"{self.path.name}.corrupt-{int(time.time())}")
                os.replace(self.path, aside)
                log.error("store %s could not be read; kept it aside as %s", self.path, aside.name)
                data, stamp = {}, None
        self._data = data
        self._stamp = stamp
        self.db = TinyDB(storage=_MemoryStorage, holder=self)

    def _refresh(self, *, force: bool = False) -> None:
        """Pick up a write made by another process since we last looked.

        Readers look at the file at most once per `LOOK_EVERY` seconds (a turn reads several tables;
        a read that is a millisecond behind another process is as if it came a millisecond sooner);
        writers always look, under the lock.
        """
        if self._flushing:  # nobody else can write while we hold the file lock
            return
        now = time.monotonic()
        if not force and now - self._looked < LOOK_EVERY:
            return
        self._looked = now
        if self._stat() != self._stamp:
            self._load()

    def read(self, fn: Callable[[TinyDB], Any]) -> Any:
        self._refresh()
        return fn(self.db)

    def table(self, name: str) -> dict[str, dict[str, Any]]:
        """One table's raw documents by id (as text), current; callers must not change them.

        Reading the dict TinyDB keeps is several times faster than going through its Table and
        Document objects, which matters on the hot path (every turn reads a few tables).
        """
        self._refresh()
        return self._data.get(name) or {}

    def derived(self, name: str, what: str, compute: Callable[[dict[str, dict[str, Any]]], T]) -> T:
        """`compute(table)` for table `name`, computed again only after that table changed.

        TinyDB gives a table a new dict on every write to it (and a reload gives every table a new
        one), so the dict's identity tells whether anything in it changed; the cache holds the dict,
        so its identity cannot pass to another.
        """
        return self._derived_of(name, self.table(name), what, compute)

    def _derived_of(self, name: str, docs: dict[str, dict[str, Any]], what: str,
                    compute: Callable[[dict[str, dict[str, Any]]], T]) -> T:
        cached = self._derived.get((name, what))
        if cached is not None and cached[0] is docs:
            return cached[1]
        value = compute(docs)
        self._derived[(name, what)] = (docs, value)
        return value

    def having(self, name: str, field: str, value: Any) -> list[tuple[str, dict[str, Any]]]:
        """(id as text, document) of the documents in table `name` whose `field` equals `value`
        (a hashable JSON value); like `table`, current and not to be changed by the caller.

        An index per (table, field), built on first use after a change to the table: a turn looks up
        the user's state and membership by id, and scanning every user's documents for that grew with
        the team.
        """
        def index(docs: dict[str, dict[str, Any]]) -> dict[Any, list[str]]:
            found: dict[Any, list[str]] = {}
            for doc_id, doc in docs.items():
                key = doc.get(field)
                if isinstance(key, (str, int, float, bool)) or key is None:
                    found.setdefault(key, []).append(doc_id)
            return found

        table = self.table(name)  # one look at the file for both the index and the documents
        ids = self._derived_of(name, table, f"index:{field}", index).get(value, ())
        return [(doc_id, table[doc_id]) for doc_id in ids]

    # -- writing ---------------------------------------------------------------------------
    def submit(self, fn: Callable[[TinyDB], Any]) -> tuple[Any, asyncio.Future[Any]]:
        """Apply `fn` to the data in memory now; its result, and a future that gets the same result
        once the change is durably on disk (or a StorageError when it could not be written).

        `fn` must check everything before it changes anything: when it raises, nothing changed and
        nothing is queued. It may run again, on what another process wrote in the meantime.
        """
        self._refresh(force=True)
        result = fn(self.db)
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._queue.append(_Pending(fn, result, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.ensure_future(self._flush_all())
        return result, future

    async def write(self, fn: Callable[[TinyDB], Any]) -> Any:
        """Apply `fn` (see `submit`) and return its result once it is durably on disk; inside
        `one_commit()` at once, the block's end waits for the disk."""
        result, future = self.submit(fn)
        scope = _SCOPE.get()
        if scope is not None and scope.task is asyncio.current_task():
            scope.pending.append(future)
            return result
        return await future

    def write_soon(self, fn: Callable[[TinyDB], Any]) -> asyncio.Future[Any]:
        """Apply `fn` now and write it in the next batch without anybody waiting for it.

        For changes that may be lost in a crash (a language preference); the returned future tells
        when they are on disk, and its failure must be retrieved by the caller.
        """
        return self.submit(fn)[1]

    async def _write_file(self, payload: bytes) -> None:
        """Write the file, on the loop while the disk is quick, else in a worker thread.

        On a busy server a turn that waits for a worker thread waits a whole round of the event loop
        (every other request in it) before it hears the write is done; a write of about a millisecond
        on the loop costs the others less than that. A slow disk (network storage) must not stall every
        user, though: once a write takes longer than INLINE_WRITE_MAX the thread takes over, until a
        write there is quick again.
        """
        def timed() -> float:
            started = time.perf_counter()
            atomic_write(self.path, payload)
            return time.perf_counter() - started

        took = timed() if self._disk.quick else await asyncio.to_thread(timed)
        self._disk.quick = took <= INLINE_WRITE_MAX

    async def _flush_all(self) -> None:
        async with self._lock:
            while self._queue:
                batch, self._queue = self._queue, []
                self._inflight = batch
                try:
                    await self._flush(batch)
                except BaseException as exc:  # whatever happened, no writer may wait forever
                    self._inflight = []
                    for pending in batch:
                        if not pending.future.done():
                            pending.future.set_exception(
                                StorageError(f"the write was not finished ({type(exc).__name__})"))
                    if not isinstance(exc, Exception):
                        raise
                    log.exception("writing %s failed", self.path)
                    self._load()
                finally:
                    self._inflight = []

    async def _flush(self, batch: list[_Pending]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        lock_fd = os.open(self._lock_path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            try:
                fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:  # another process (`app.py tick`) is writing: wait off the loop
                await asyncio.to_thread(fcntl.flock, lock_fd, fcntl.LOCK_EX)
            self._refresh(force=True)  # what it wrote, with this batch applied again on top
            self._flushing = True
            try:
                payload = _encode(self._data)
                await self._write_file(payload)
            except (OSError, TypeError, ValueError) as exc:  # ValueError: e.g. a lone surrogate in a text
                log.error("writing %s failed: %s", self.path, exc)
                error = StorageError(str(exc))
                for pending in batch:
                    pending.failed = pending.failed or error
                self._inflight = []
                self._flushing = False
                self._load()  # back to what is on disk (none of this batch), with the next batch on top
            else:
                self._stamp = self._stat()
        finally:
            self._flushing = False
            fcntl.flock(lock_fd, fcntl.LOCK_UN)
            os.close(lock_fd)
        for pending in batch:
            if pending.future.done():
                continue
            if pending.failed is None:
                pending.future.set_result(pending.result)
            else:
                pending.future.set_exception(pending.failed)


class StoreRegistry:
    """All organisations' stores in one folder of the data directory (`orgs/`, or e.g. `seen/`)."""

    def __init__(self, data_dir: Path, folder: str = "orgs") -> None:
        self.root = Path(data_dir) / folder
        self.root.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(self.root)
        self._stores: dict[str, OrgStore] = {}
        self._disk = Disk()

    @staticmethod
    def check_org_id(org_id: str) -> str:
        if not isinstance(org_id, str) or not org_id.strip() or len(org_id) > MAX_ORG_ID \
                or not org_id.isprintable():
            raise ValueError("organisation id must be 1 to 200 printable characters")
        return org_id.strip()

    def _path(self, org_id: str) -> Path:
        return self.root / f"org_{quote(org_id, safe='-_')}.json"

    def store(self, org_id: str) -> OrgStore:
        org_id = self.check_org_id(org_id)
        store = self._stores.get(org_id)
        if store is None:
            store = self._stores[org_id] = OrgStore(self._path(org_id), self._disk)
        return store

    def repo(self, org_id: str) -> Repository:
        return Repository(self.store(org_id), org_id)

    def org_ids(self) -> list[str]:
        """Every organisation that has stored something, plus those loaded in this process."""
        ids = {unquote(p.name[4:-5]) for p in self.root.glob("org_*.json")}
        return sorted(ids | set(self._stores))


def _encode(data: Any) -> bytes:
    """The file's bytes; ValueError for what JSON in UTF-8 cannot hold (a lone surrogate), TypeError for a
    value that is no JSON at all."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def _storable(doc: dict[str, Any]) -> None:
    """Refuse a record that could not be written before it joins a batch (and fails the others in it)."""
    try:
        _encode(doc)
    except (TypeError, ValueError) as exc:
        raise StorageError(f"this record cannot be stored: {exc}") from None


def _match(doc: dict[str, Any], equals: dict[str, Any]) -> bool:
    return all(doc.get(k) == v for k, v in equals.items())


def _clone(value: Any) -> Any:
    """A copy of a stored JSON value (dicts, lists, scalars): what `copy.deepcopy` does, faster."""
    if isinstance(value, dict):
        return {k: _clone(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_clone(v) for v in value]
    return value


class Repository:
    """Create, read, update and list records of one organisation."""

    def __init__(self, store: OrgStore, org_id: str) -> None:
        self._store = store
        self.org_id = org_id

    @staticmethod
    def _record(cls: type[R], doc_id: int, doc: dict[str, Any]) -> R:
        return cls.from_doc(_clone(doc), doc_id)

    def _matching(self, cls: type[R], equals: dict[str, Any]) -> list[tuple[int, dict[str, Any]]]:
        eq = {k: to_json(v) for k, v in equals.items()}
        field = next((k for k, v in eq.items() if isinstance(v, (str, int, float, bool)) or v is None), None)
        docs = self._store.table(cls.table).items() if field is None else \
            self._store.having(cls.table, field, eq[field])
        found = [(int(key), doc) for key, doc in docs if _match(doc, eq)]
        found.sort(key=lambda pair: pair[0])
        return found

    async def get(self, cls: type[R], record_id: int) -> R | None:
        if not isinstance(record_id, int) or isinstance(record_id, bool):
            return None
        doc = self._store.table(cls.table).get(str(record_id))
        return self._record(cls, record_id, doc) if doc is not None else None

    async def list(self, cls: type[R], **equals: Any) -> list[R]:
        return [self._record(cls, doc_id, doc) for doc_id, doc in self._matching(cls, equals)]

    async def find(self, cls: type[R], **equals: Any) -> R | None:
        """The matching record with the lowest id (only that one is copied out of the store)."""
        found = self._matching(cls, equals)
        return self._record(cls, *found[0]) if found else None

    async def count(self, cls: type[R]) -> int:
        return len(self._store.table(cls.table))

    async def revision(self, cls: type[R], field: str) -> tuple[int, int, Any]:
        """How many records the table holds, its highest id and the highest value of `field` (None when
        no record has one), read without copying a record.

        A cheap way to notice any change to a table whose writers raise `field` (a revision number)
        on every add and update: a removal lowers the count.
        """
        def summary(docs: dict[str, dict[str, Any]]) -> tuple[int, int, Any]:
            values = [doc[field] for doc in docs.values() if doc.get(field) is not None]
            return len(docs), max(map(int, docs), default=0), max(values, default=None)

        return self._store.derived(cls.table, f"revision:{field}", summary)

    async def add(self, record: R) -> R:
        record.validate()
        doc = record.to_doc()
        _storable(doc)
        record.id = await self._store.write(lambda db: db.table(record.table).insert(doc))
        return record

    async def add_once(self, record: R, **key: Any) -> R | None:
        """Add unless a record with these key values exists (atomic); None when it existed."""
        record.validate()
        doc = record.to_doc()
        _storable(doc)
        eq = {k: to_json(v) for k, v in key.items()}

        def insert(db: TinyDB) -> int | None:
            table = db.table(record.table)
            if any(_match(d, eq) for d in table.all()):
                return None
            return table.insert(doc)

        new_id = await self._store.write(insert)
        if new_id is None:
            return None
        record.id = new_id
        return record

    async def update(self, record: R) -> R:
        if not await self._replace(record, None):
            raise NotFound(f"{record.table} {record.id}")
        return record

    async def update_if(self, record: R, **expected: Any) -> bool:
        """Update only while the stored record still has these values (compare-and-set, atomic).

        False when the record is gone or another writer (maybe another process) changed one of them.
        """
        return await self._replace(record, {k: to_json(v) for k, v in expected.items()})

    def update_soon(self, record: R) -> asyncio.Future[Any]:
        """`update` that changes what readers see at once and reaches the disk in the background
        (see `OrgStore.write_soon`); only for changes a crash may lose."""
        return self._store.write_soon(self._replacer(record, None))

    async def _replace(self, record: R, expected: dict[str, Any] | None) -> bool:
        return await self._store.write(self._replacer(record, expected))

    @staticmethod
    def _replacer(record: R, expected: dict[str, Any] | None) -> Callable[[TinyDB], bool]:
        if record.id is None:
            raise NotFound(f"{record.table} without id")
        record.validate()
        doc = record.to_doc()
        _storable(doc)

        def replace(db: TinyDB) -> bool:
            table = db.table(record.table)
            current = table.get(doc_id=record.id)
            if current is None or (expected is not None and not _match(current, expected)):
                return False

            def put(d: dict[str, Any]) -> None:
                d.clear()
                d.update(doc)

            table.update(put, doc_ids=[record.id])
            return True

        return replace

    async def save(self, record: R) -> R:
        return await self.add(record) if record.id is None else await self.update(record)

    async def delete_many(self, cls: type[R], record_ids: list[int]) -> int:
        """Delete these records in one write; how many there were."""
        def remove(db: TinyDB) -> int:
            table = db.table(cls.table)
            present = [i for i in record_ids if table.contains(doc_id=i)]
            if present:
                table.remove(doc_ids=present)
            return len(present)

        return await self._store.write(remove) if record_ids else 0

    async def delete(self, cls: type[R], record_id: int) -> bool:
        return await self.delete_many(cls, [record_id]) == 1

    async def organisation(self, defaults: Organisation | None = None) -> Organisation:
        """The organisation's settings; unsaved defaults when nothing is stored yet."""
        found = await self.find(Organisation)
        if found is not None:
            return found
        org = copy.copy(defaults) if defaults else Organisation()
        org.org_id = self.org_id
        return org

    async def save_organisation(self, org: Organisation, now: datetime | None = None) -> Organisation:
        if org.id is None:
            existing = await self.find(Organisation)
            if existing is not None:
                org.id = existing.id
        if org.created_at is None and now is not None:
            org.created_at = now
        org.org_id = self.org_id
        if org.id is None:  # the first save; two turns may make it at once, only one may add
            if await self.add_once(org) is not None:
                return org
            existing = await self.find(Organisation)
            assert existing is not None
            org.id = existing.id
        return await self.save(org)
