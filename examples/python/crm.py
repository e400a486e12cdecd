"""A small ctypes binding of the crm C ABI (include/crm/crm.h).

Standard library only. Objects go in and come out as Python dicts; every
failure raises a CrmError subclass carrying the engine's error JSON::

    import crm

    with crm.open("shop.db") as engine:
        ann = engine.create("customers", {"first_name": "Ann", "email": "ann@example.com",
                                          "loyalty_card": "33"})
        page = engine.list("customers", {"page_size": 10})
        for customer in engine.rows("customers", {"ordering": "last_name"}):
            print(customer["full_name"])
        # seed 003: tickets through the generic calls, and loyalty credit
        engine.create("tickets", {"customer_id": ann["id"], "lines": [
            {"product_code": "X1-0", "unit_price_before_cents": 800, "quantity": 2}]})
        engine.credit_accrue([{"card": "33", "amount_cents": 2600, "ref": "pos1-42"}])
        engine.credit_redeem("33", 500, ref="r-1")
        engine.credit_balance("33")["balance_cents"]
        engine.credit_check({"customer_id": ann["id"], "amount_cents": 3600000})

Every collection of crm.h goes through create/get/replace/update/delete/
list: "tickets" (immutable: no replace/update), "ledger" (list only) and
"credit_requests" (list and get) included.

Bulk import and streaming export (crm_import, crm_export, crm_set_progress)::

    report = engine.import_rows("customers", open("clients.json").read(), format="crm-app")
    report = engine.import_rows("customers", [{"email": "a@example.com"}], mode="upsert", key="email")
    for customer in engine.export("customers", {"ordering": "last_name"}):   # streamed
        print(customer["id"])
    engine.set_progress(lambda done, total: print(f"{done}/{total}"))

The shared library is found, in order, from the CRM_LIBRARY environment
variable, the usual build folders of this repository (build/default/src,
...), then ctypes.util.find_library("crm").
"""

from __future__ import annotations

import ctypes
import ctypes.util
import json
import os
import queue
import sys
import threading
from pathlib import Path
from typing import Any, Iterator, Mapping, Optional, Sequence, Union

__all__ = [
    "CrmError",
    "InvalidError",
    "NotFoundError",
    "ConflictError",
    "BusyError",
    "IoError",
    "MisuseError",
    "NoMemError",
    "InternalError",
    "Engine",
    "open",
    "version",
    "library",
    "OK",
    "EINVAL",
    "ENOTFOUND",
    "ECONFLICT",
    "EBUSY",
    "EIO",
    "EMISUSE",
    "ENOMEM",
    "EINTERNAL",
]

# Status codes (crm.h); their values never change.
OK = 0
EINVAL = 1
ENOTFOUND = 2
ECONFLICT = 3
EBUSY = 4
EIO = 5
EMISUSE = 6
ENOMEM = 7
EINTERNAL = 8

Json = Union[Mapping[str, Any], str, bytes]


# --------------------------------------------------------------------------
# Errors
# --------------------------------------------------------------------------
class CrmError(Exception):
    """A failed crm call. `code` is the status name ("invalid", ...),
    `status` the integer status, `message` the summary and `errors` the
    list of {"field": ..., "message": ...} entries."""

    status = EINTERNAL

    def __init__(self, code: str, message: str, errors: Optional[list] = None,
                 status: Optional[int] = None) -> None:
        super().__init__(f"{code}: {message}" if message else code)
        self.code = code
        self.message = message
        self.errors = list(errors or [])
        if status is not None:
            self.status = status

    @property
    def fields(self) -> list:
        """The field names the error names, in order."""
        return [e.get("field") for e in self.errors if isinstance(e, dict)]


class InvalidError(CrmError):
    status = EINVAL


class NotFoundError(CrmError):
    status = ENOTFOUND


class ConflictError(CrmError):
    status = ECONFLICT


class BusyError(CrmError):
    status = EBUSY


class IoError(CrmError):
    status = EIO


class MisuseError(CrmError):
    status = EMISUSE


class NoMemError(CrmError):
    status = ENOMEM


class InternalError(CrmError):
    status = EINTERNAL


_ERROR_CLASSES = {
    EINVAL: InvalidError,
    ENOTFOUND: NotFoundError,
    ECONFLICT: ConflictError,
    EBUSY: BusyError,
    EIO: IoError,
    EMISUSE: MisuseError,
    ENOMEM: NoMemError,
    EINTERNAL: InternalError,
}


# --------------------------------------------------------------------------
# Loading the library
# --------------------------------------------------------------------------
if sys.platform == "darwin":
    _LIB_NAMES = ("libcrm.dylib",)
elif os.name == "nt":
    _LIB_NAMES = ("crm.dll", "libcrm.dll")
else:
    _LIB_NAMES = ("libcrm.so",)

_REPO = Path(__file__).resolve().parent.parent.parent


def _candidates():
    env = os.environ.get("CRM_LIBRARY")
    if env:
        yield env
        return
    for build in ("build/default", "build/debug", "build/asan", "build"):
        for sub in ("src", ""):
            for name in _LIB_NAMES:
                path = _REPO / build / sub / name
                if path.is_file():
                    yield str(path)
    found = ctypes.util.find_library("crm")
    if found:
        yield found


# crm_write_fn and crm_progress_fn (crm.h). The data pointer of a write is
# taken as void* so that ctypes does not stop at a NUL or copy it twice.
_WRITE_FN = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t)
_PROGRESS_FN = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_int64, ctypes.c_int64)


def _declare(lib: ctypes.CDLL) -> ctypes.CDLL:
    c_char_p, c_void_p, c_int, c_int64 = ctypes.c_char_p, ctypes.c_void_p, ctypes.c_int, ctypes.c_int64
    out_p = ctypes.POINTER(c_void_p)  # char ** kept as void* so we can free it

    def fn(name, restype, *argtypes):
        f = getattr(lib, name)
        f.restype = restype
        f.argtypes = list(argtypes)

    fn("crm_version", c_char_p)
    fn("crm_status_name", c_char_p, c_int)
    fn("crm_last_error", c_char_p)
    fn("crm_open", c_int, c_char_p, c_char_p, ctypes.POINTER(c_void_p))
    fn("crm_close", None, c_void_p)
    fn("crm_free", None, c_void_p)
    fn("crm_create", c_int, c_void_p, c_char_p, c_char_p, out_p)
    fn("crm_get", c_int, c_void_p, c_char_p, c_int64, out_p)
    fn("crm_replace", c_int, c_void_p, c_char_p, c_int64, c_char_p, out_p)
    fn("crm_update", c_int, c_void_p, c_char_p, c_int64, c_char_p, out_p)
    fn("crm_delete", c_int, c_void_p, c_char_p, c_int64)
    fn("crm_list", c_int, c_void_p, c_char_p, c_char_p, out_p)
    fn("crm_credit_accrue", c_int, c_void_p, c_char_p, out_p)
    fn("crm_credit_redeem", c_int, c_void_p, c_char_p, c_int64, c_char_p, out_p)
    fn("crm_credit_balance", c_int, c_void_p, c_char_p, out_p)
    fn("crm_credit_check", c_int, c_void_p, c_char_p, out_p)
    fn("crm_import", c_int, c_void_p, c_char_p, c_char_p, c_char_p, out_p)
    fn("crm_export", c_int, c_void_p, c_char_p, c_char_p, _WRITE_FN, c_void_p)
    fn("crm_set_progress", None, c_void_p, _PROGRESS_FN, c_void_p)
    return lib


_lib: Optional[ctypes.CDLL] = None
_lib_lock = threading.Lock()


def library() -> ctypes.CDLL:
    """The loaded libcrm with every function of crm.h declared."""
    global _lib
    with _lib_lock:
        if _lib is None:
            tried = []
            for path in _candidates():
                try:
                    _lib = _declare(ctypes.CDLL(path))
                    break
                except OSError as exc:
                    tried.append(f"{path}: {exc}")
            if _lib is None:
                detail = "; ".join(tried) if tried else "no candidate found"
                raise OSError("cannot load libcrm (set CRM_LIBRARY to its path): " + detail)
        return _lib


def version() -> str:
    """The version of the loaded library, "MAJOR.MINOR.PATCH"."""
    return library().crm_version().decode("utf-8")


def status_name(status: int) -> str:
    """The code string of a status ("ok", "invalid", ...)."""
    return library().crm_status_name(status).decode("utf-8")


# --------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------
def _encode(value: Optional[Json]) -> Optional[bytes]:
    if value is None:
        return None
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode("utf-8")
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def _card(card: Union[str, int]) -> bytes:
    """A loyalty card as the C ABI takes it: text (an int as its decimal text)."""
    if isinstance(card, bool) or not isinstance(card, (str, int)):
        raise TypeError(f"a loyalty card is a str or an int, not {type(card).__name__}")
    return str(card).encode("utf-8")


def _error(status: int) -> CrmError:
    """The exception for a failed call, from the calling thread's last error."""
    lib = library()
    raw = lib.crm_last_error()
    code, message, errors = status_name(status), "", []
    if raw is not None:
        try:
            data = json.loads(raw.decode("utf-8"))
            code = data.get("code", code)
            message = data.get("message", "") or ""
            errors = data.get("errors") or []
        except (ValueError, AttributeError):
            message = raw.decode("utf-8", "replace")
    cls = _ERROR_CLASSES.get(status, InternalError)
    return cls(code, message, errors, status)


def _raise(status: int) -> None:
    """Raises the exception for a failed call, from the thread's last error."""
    raise _error(status)


def _ndjson(rows: Sequence[Mapping[str, Any]]) -> bytes:
    """Rows as NDJSON: one compact JSON object per line."""
    return b"".join(json.dumps(row, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"
                    for row in rows)


def _take(ptr: ctypes.c_void_p) -> Any:
    """Reads the JSON text the library handed out, frees it, parses it."""
    if not ptr.value:
        raise InternalError("internal", "the library returned no JSON", [], EINTERNAL)
    try:
        text = ctypes.string_at(ptr.value).decode("utf-8")
    finally:
        library().crm_free(ptr)
    return json.loads(text)


# --------------------------------------------------------------------------
# Engine
# --------------------------------------------------------------------------
class Engine:
    """An open crm database. Use as a context manager, or call close()."""

    # Lines an export may hold between the library and the reader (bounded
    # memory whatever the export's size).
    EXPORT_BUFFER = 256

    def __init__(self, path: Union[str, os.PathLike] = ":memory:", **options: Any) -> None:
        self._handle: Optional[int] = None
        self._progress = None  # the ctypes callback set by set_progress (kept alive here)
        self.path = os.fspath(path)
        lib = library()
        handle = ctypes.c_void_p()
        opts = _encode(options) if options else None
        status = lib.crm_open(os.fsencode(path), opts, ctypes.byref(handle))
        if status != OK:
            _raise(status)
        self._handle = handle.value

    @classmethod
    def open(cls, path: Union[str, os.PathLike] = ":memory:", **options: Any) -> "Engine":
        """Opens `path` (created when missing) or ":memory:". Options:
        credit_rate (str), max_refusals, credit_limit_multiplier, busy_timeout_ms."""
        return cls(path, **options)

    # Lifecycle --------------------------------------------------------------
    def close(self) -> None:
        handle, self._handle = self._handle, None
        if handle:
            library().crm_close(handle)
        self._progress = None

    @property
    def closed(self) -> bool:
        return self._handle is None

    def __enter__(self) -> "Engine":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:  # interpreter shutdown
            pass

    def __repr__(self) -> str:
        state = "closed" if self.closed else "open"
        return f"<crm.Engine {self.path!r} {state}>"

    # CRUD -------------------------------------------------------------------
    # A closed engine passes NULL, which the library answers with misuse.
    def create(self, collection: str, obj: Json) -> dict:
        out = ctypes.c_void_p()
        status = library().crm_create(self._handle, collection.encode("utf-8"), _encode(obj),
                                      ctypes.byref(out))
        if status != OK:
            _raise(status)
        return _take(out)

    def get(self, collection: str, id: int) -> dict:
        out = ctypes.c_void_p()
        status = library().crm_get(self._handle, collection.encode("utf-8"), id, ctypes.byref(out))
        if status != OK:
            _raise(status)
        return _take(out)

    def replace(self, collection: str, id: int, obj: Json) -> dict:
        out = ctypes.c_void_p()
        status = library().crm_replace(self._handle, collection.encode("utf-8"), id, _encode(obj),
                                       ctypes.byref(out))
        if status != OK:
            _raise(status)
        return _take(out)

    def update(self, collection: str, id: int, patch: Json) -> dict:
        out = ctypes.c_void_p()
        status = library().crm_update(self._handle, collection.encode("utf-8"), id, _encode(patch),
                                      ctypes.byref(out))
        if status != OK:
            _raise(status)
        return _take(out)

    def delete(self, collection: str, id: int) -> None:
        status = library().crm_delete(self._handle, collection.encode("utf-8"), id)
        if status != OK:
            _raise(status)

    def list(self, collection: str, query: Optional[Json] = None) -> dict:
        out = ctypes.c_void_p()
        status = library().crm_list(self._handle, collection.encode("utf-8"), _encode(query),
                                    ctypes.byref(out))
        if status != OK:
            _raise(status)
        return _take(out)

    def pages(self, collection: str, query: Optional[Mapping[str, Any]] = None,
              page_size: int = 100) -> Iterator[dict]:
        """Yields every page of a listing, following next_cursor (keyset
        paging: no row repeated or skipped, whatever the depth). `query`
        holds filters and ordering; paging keys in it are replaced."""
        base = {k: v for k, v in (query or {}).items()
                if k not in ("page", "page_size", "offset", "limit", "cursor")}
        base["page_size"] = page_size
        page = self.list(collection, base)
        while True:
            yield page
            if not page["next_cursor"]:
                return
            page = self.list(collection, {**base, "cursor": page["next_cursor"], "count": False})

    def rows(self, collection: str, query: Optional[Mapping[str, Any]] = None,
             page_size: int = 100) -> Iterator[dict]:
        """Yields every row of a listing, page after page (see pages())."""
        for page in self.pages(collection, query, page_size):
            yield from page["results"]

    # Loyalty credit (seed 003) ----------------------------------------------
    # Cards are customers' `loyalty_card` values, given as text or as a
    # non-negative integer (sent as its decimal text). Money is integer cents.
    def credit_accrue(self, payments: Union[Json, Sequence[Mapping[str, Any]]]) -> dict:
        """Accrues credit for bare payments, all or nothing. `payments` is a
        list of {"card", "amount_cents", "ref" (optional)} dicts, or the whole
        request: {"payments": [...]} or seed 003's {"Tickets": [{"carteFid":
        33, "Montant": 26}]} (as a dict or JSON text). Returns {"results":
        [{"card", "customer_id", "accrued_cents", "balance_cents",
        "duplicate"}]}."""
        if isinstance(payments, (list, tuple)):
            payments = {"payments": list(payments)}
        out = ctypes.c_void_p()
        status = library().crm_credit_accrue(self._handle, _encode(payments), ctypes.byref(out))
        if status != OK:
            _raise(status)
        return _take(out)

    def credit_redeem(self, card: Union[str, int], amount_cents: int, ref: Optional[str] = None) -> dict:
        """Spends `amount_cents` (1 .. 10^15) of the card's balance; a `ref`
        already redeemed with the same card and amount is reported
        "duplicate": True and not spent again. Returns {"card",
        "customer_id", "redeemed_cents", "balance_cents", "duplicate",
        "ledger_id"}."""
        out = ctypes.c_void_p()
        status = library().crm_credit_redeem(self._handle, _card(card), amount_cents,
                                             None if ref is None else ref.encode("utf-8"),
                                             ctypes.byref(out))
        if status != OK:
            _raise(status)
        return _take(out)

    def credit_balance(self, card: Union[str, int]) -> dict:
        """The card's balance: {"card", "customer_id", "balance_cents"}."""
        out = ctypes.c_void_p()
        status = library().crm_credit_balance(self._handle, _card(card), ctypes.byref(out))
        if status != OK:
            _raise(status)
        return _take(out)

    def credit_check(self, request: Json) -> dict:
        """Decides a credit request and stores it (collection
        "credit_requests"). `request`: {"customer_id" or "customer_uuid",
        "amount_cents", "date" (default today, UTC)} or seed 003's
        {"idClient", "Montant", "Date"}. Returns the stored request, with
        "allowed" and "reasons"."""
        out = ctypes.c_void_p()
        status = library().crm_credit_check(self._handle, _encode(request), ctypes.byref(out))
        if status != OK:
            _raise(status)
        return _take(out)


    # Bulk import, streaming export, progress ------------------------------
    def import_rows(self, collection: str, payload: Union[str, bytes, Sequence[Mapping[str, Any]]],
                    **options: Any) -> dict:
        """Imports rows into `collection` ("customers", "orders", "tickets",
        "messages", "forms"). `payload` is the text of a JSON array, of an
        object holding one array ({"clients": [...]}) or of NDJSON (str or
        bytes), or a list of dicts (sent as NDJSON). Options: format
        ("canonical", "crm-app", "v1", "heidian", "akinon"), mode ("create",
        "upsert"), key (the upsert match: "email", "uuid", "crm_id",
        "erp_code", "loyalty_card"), atomic (default True). Returns the report
        {"created", "updated", "failed", "errors": [{"index", "code",
        "errors"}]}. An atomic import with failing rows writes nothing and
        raises InvalidError whose `errors` is that per-row list."""
        if isinstance(payload, (bytes, bytearray)):
            data = bytes(payload)
        elif isinstance(payload, str):
            data = payload.encode("utf-8")
        elif isinstance(payload, Mapping):
            raise TypeError("payload is text (str or bytes) or a list of rows, not one dict")
        else:
            data = _ndjson(list(payload))
        out = ctypes.c_void_p()
        status = library().crm_import(self._handle, collection.encode("utf-8"), data,
                                      _encode(options) if options else None, ctypes.byref(out))
        if status != OK:
            _raise(status)
        return _take(out)

    def export(self, collection: str, query: Optional[Json] = None) -> Iterator[dict]:
        """Yields every row of `collection` matching `query` (filters and
        ordering as for list(); no paging keys), streamed: crm_export runs on
        a background thread and hands its lines over through a queue of at
        most EXPORT_BUFFER lines, so memory does not grow with the export.
        Errors (a bad query, an unknown collection) are raised by the
        iteration. Stopping early (break, close()) stops the export; the
        engine must stay open until the iteration ends. set_progress()'s
        function is called on that background thread."""
        lib = library()
        handle = self._handle
        name = collection.encode("utf-8")
        query_bytes = _encode(query)
        lines: "queue.Queue" = queue.Queue(maxsize=self.EXPORT_BUFFER)
        stop = threading.Event()
        done = object()

        def put(item: Any) -> bool:
            # Blocks while the reader is behind; gives up when it stopped.
            while not stop.is_set():
                try:
                    lines.put(item, timeout=0.05)
                    return True
                except queue.Full:
                    continue
            return False

        def write(_ctx: Any, data: Any, size: int) -> int:
            try:
                return 0 if put(ctypes.string_at(data, size)) else 1
            except BaseException:  # never let an exception into C: stop the export
                stop.set()
                return 1

        callback = _WRITE_FN(write)

        def run() -> None:
            try:
                status = lib.crm_export(handle, name, query_bytes, callback, None)
                result: Any = done if status == OK else _error(status)  # last error: this thread's
            except BaseException as exc:  # noqa: BLE001 - handed to the reader
                result = exc
            put(result)

        worker = threading.Thread(target=run, name="crm-export", daemon=True)
        worker.start()
        try:
            while True:
                item = lines.get()
                if item is done:
                    return
                if isinstance(item, BaseException):
                    raise item
                yield json.loads(item)
        finally:
            stop.set()
            worker.join()

    def set_progress(self, fn: Optional[Any]) -> None:
        """Sets fn(done, total), called by import_rows() and export() at
        least every 1% of the rows and once at the end with done == total
        (None removes it). During an import the engine is locked: fn must
        not call the engine. Exceptions raised by fn are printed and
        ignored (they cannot cross the C library)."""
        if fn is None:
            library().crm_set_progress(self._handle, _PROGRESS_FN(), None)
            self._progress = None
            return

        def progress(_ctx: Any, done: int, total: int) -> None:
            fn(done, total)

        callback = _PROGRESS_FN(progress)
        library().crm_set_progress(self._handle, callback, None)
        self._progress = callback


def open(path: Union[str, os.PathLike] = ":memory:", **options: Any) -> Engine:  # noqa: A001
    """Opens an engine; same as Engine(path, **options)."""
    return Engine(path, **options)
