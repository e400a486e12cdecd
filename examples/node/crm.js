'use strict';
/**
 * A small Node binding of the crm C ABI (include/crm/crm.h), over koffi.
 *
 * Objects go in and come out as plain JS objects; every failure throws a
 * CrmError subclass carrying the engine's error JSON:
 *
 *     const crm = require('./crm');
 *
 *     const engine = crm.open('shop.db');
 *     try {
 *         const ann = engine.create('customers', { first_name: 'Ann', email: 'ann@example.com' });
 *         for (const c of engine.rows('customers', { ordering: 'last_name' }))
 *             console.log(c.id, c.full_name);
 *     } finally {
 *         engine.close();
 *     }
 *
 * Every call is synchronous (one transaction each, like the C ABI). The shared
 * library is found, in order, from the CRM_LIBRARY environment variable, the
 * usual build folders of this repository (build/default/src, ...), then the
 * system's loader (libcrm.so.0, libcrm.so).
 */

const fs = require('node:fs');
const path = require('node:path');
const koffi = require('koffi');

// Status codes (crm.h); their values never change.
const OK = 0;
const EINVAL = 1;
const ENOTFOUND = 2;
const ECONFLICT = 3;
const EBUSY = 4;
const EIO = 5;
const EMISUSE = 6;
const ENOMEM = 7;
const EINTERNAL = 8;

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/**
 * A failed crm call. `code` is the status name ("invalid", ...), `status` the
 * integer status, `message` the engine's summary and `errors` the list of
 * {field, message} entries (every bad field of a validation failure).
 */
class CrmError extends Error {
    constructor(code, message, errors, status) {
        super(message || code);
        this.name = new.target.name;
        this.code = code;
        this.status = status === undefined ? new.target.status : status;
        this.errors = Array.isArray(errors) ? errors : [];
    }

    /** The field names the error names, in order. */
    get fields() {
        return this.errors.filter((e) => e && typeof e === 'object').map((e) => e.field);
    }
}
CrmError.status = EINTERNAL;

class InvalidError extends CrmError {}
InvalidError.status = EINVAL;
class NotFoundError extends CrmError {}
NotFoundError.status = ENOTFOUND;
class ConflictError extends CrmError {}
ConflictError.status = ECONFLICT;
class BusyError extends CrmError {}
BusyError.status = EBUSY;
class IoError extends CrmError {}
IoError.status = EIO;
class MisuseError extends CrmError {}
MisuseError.status = EMISUSE;
class NoMemError extends CrmError {}
NoMemError.status = ENOMEM;
class InternalError extends CrmError {}
InternalError.status = EINTERNAL;

const ERROR_CLASSES = new Map([
    [EINVAL, InvalidError],
    [ENOTFOUND, NotFoundError],
    [ECONFLICT, ConflictError],
    [EBUSY, BusyError],
    [EIO, IoError],
    [EMISUSE, MisuseError],
    [ENOMEM, NoMemError],
    [EINTERNAL, InternalError],
]);

// ---------------------------------------------------------------------------
// Loading the library
// ---------------------------------------------------------------------------

const REPO = path.resolve(__dirname, '..', '..');
const LIB_NAMES = process.platform === 'darwin' ? ['libcrm.dylib']
    : process.platform === 'win32' ? ['crm.dll', 'libcrm.dll']
    : ['libcrm.so'];
const SYSTEM_NAMES = process.platform === 'darwin' ? ['libcrm.0.dylib', 'libcrm.dylib']
    : process.platform === 'win32' ? ['crm.dll']
    : ['libcrm.so.0', 'libcrm.so'];

/** The paths tried in order: CRM_LIBRARY alone when set, else the build folders then the system. */
function candidates() {
    const env = process.env.CRM_LIBRARY;
    if (env) return [env];
    const found = [];
    for (const build of ['build/default', 'build/debug', 'build']) {
        for (const sub of ['src', '']) {
            for (const name of LIB_NAMES) {
                const file = path.join(REPO, build, sub, name);
                if (fs.existsSync(file)) found.push(file);
            }
        }
    }
    return found.concat(SYSTEM_NAMES); // bare names: the dynamic loader's search path
}

let state = null; // { lib, path, fn: {...}, lazy: Map }

// `char **out_json` is declared as `void **` so the pointer comes back as a
// BigInt we can decode and then hand to crm_free().
const engineType = koffi.opaque('crm_engine');
const enginePtr = koffi.pointer(engineType);
const outEngine = koffi.out(koffi.pointer(engineType, 2));
const outJson = koffi.out(koffi.pointer('void', 2));

function declare(lib) {
    return {
        crm_version: lib.func('crm_version', 'const char *', []),
        crm_status_name: lib.func('crm_status_name', 'const char *', ['int']),
        crm_last_error: lib.func('crm_last_error', 'const char *', []),
        crm_open: lib.func('crm_open', 'int', ['const char *', 'const char *', outEngine]),
        crm_close: lib.func('crm_close', 'void', [enginePtr]),
        crm_free: lib.func('crm_free', 'void', ['void *']),
        crm_create: lib.func('crm_create', 'int', [enginePtr, 'const char *', 'const char *', outJson]),
        crm_get: lib.func('crm_get', 'int', [enginePtr, 'const char *', 'int64_t', outJson]),
        crm_replace: lib.func('crm_replace', 'int',
            [enginePtr, 'const char *', 'int64_t', 'const char *', outJson]),
        crm_update: lib.func('crm_update', 'int',
            [enginePtr, 'const char *', 'int64_t', 'const char *', outJson]),
        crm_delete: lib.func('crm_delete', 'int', [enginePtr, 'const char *', 'int64_t']),
        crm_list: lib.func('crm_list', 'int', [enginePtr, 'const char *', 'const char *', outJson]),
    };
}

// Functions bound on first use, so that this module loads (and the rest of it
// works) on a library built before they existed.
const LAZY = {
    crm_credit_accrue: ['int', [enginePtr, 'const char *', outJson]],
    crm_credit_redeem: ['int', [enginePtr, 'const char *', 'int64_t', 'const char *', outJson]],
    crm_credit_balance: ['int', [enginePtr, 'const char *', outJson]],
    crm_credit_check: ['int', [enginePtr, 'const char *', outJson]],
};

/** The loaded library: { path, fn } with every function of crm.h declared. */
function library() {
    if (state) return state;
    const tried = [];
    for (const file of candidates()) {
        let lib;
        try {
            lib = koffi.load(file);
        } catch (err) {
            tried.push(`${file}: ${err.message}`);
            continue;
        }
        state = { lib, path: file, fn: declare(lib), lazy: new Map() };
        return state;
    }
    throw new Error('cannot load libcrm (set CRM_LIBRARY to its path): '
        + (tried.length ? tried.join('; ') : 'no candidate found'));
}

/** A function of LAZY, bound now; throws a plain Error when the library lacks it. */
function lazy(name) {
    const st = library();
    let f = st.lazy.get(name);
    if (!f) {
        const [ret, args] = LAZY[name];
        try {
            f = st.lib.func(name, ret, args);
        } catch (err) {
            throw new Error(`${name} is not in ${st.path} (a library older than this binding?): `
                + err.message);
        }
        st.lazy.set(name, f);
    }
    return f;
}

/** The version of the loaded library, "MAJOR.MINOR.PATCH". */
function version() {
    return library().fn.crm_version();
}

/** The code string of a status ("ok", "invalid", ...). */
function statusName(status) {
    return library().fn.crm_status_name(status);
}

// ---------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------

/** JSON text for the C side: strings and Buffers are passed as they are. */
function encode(value) {
    if (value === undefined || value === null) return null;
    if (typeof value === 'string') return value;
    if (Buffer.isBuffer(value)) return value.toString('utf8');
    return JSON.stringify(value);
}

/** Throws the CrmError subclass for a failed call, from the thread's last error. */
function fail(status) {
    const raw = library().fn.crm_last_error();
    let code = statusName(status);
    let message = '';
    let errors = [];
    if (raw !== null && raw !== undefined) {
        try {
            const data = JSON.parse(raw);
            code = data.code || code;
            message = data.message || '';
            errors = Array.isArray(data.errors) ? data.errors : [];
        } catch {
            message = raw;
        }
    }
    const Cls = ERROR_CLASSES.get(status) || InternalError;
    throw new Cls(code, message, errors, status);
}

/** Decodes the JSON text the library handed out through `out`, frees it, parses it. */
function take(out) {
    const ptr = out[0];
    if (ptr === null || ptr === undefined || ptr === 0n)
        throw new InternalError('internal', 'the library returned no JSON', [], EINTERNAL);
    let text;
    try {
        text = koffi.decode.string(ptr);
    } finally {
        library().fn.crm_free(ptr);
    }
    return JSON.parse(text);
}

/** Calls `f(...args, out)`, throws on failure, returns the parsed out_json. */
function call(f, ...args) {
    const out = [null];
    const status = f(...args, out);
    if (status !== OK) {
        if (out[0]) library().fn.crm_free(out[0]); // never set on failure; belt and braces
        fail(status);
    }
    return take(out);
}

const PAGING_KEYS = new Set(['page', 'page_size', 'offset', 'limit', 'cursor']);

// Engines dropped without close(): closed when garbage collected.
const finalizer = new FinalizationRegistry((handle) => {
    if (state) state.fn.crm_close(handle);
});

// ---------------------------------------------------------------------------
// Credit (loyalty) calls, as engine.credit
// ---------------------------------------------------------------------------

class Credit {
    constructor(engine) {
        this._engine = engine;
    }

    /**
     * Accrues loyalty credit for payments: an array of {card, amount_cents, ref},
     * or a whole body ({payments: [...]} or the seed's {Tickets: [...]}).
     * Returns {results: [{card, customer_id, accrued_cents, balance_cents, duplicate}]}.
     */
    accrue(payments) {
        const body = Array.isArray(payments) ? { payments } : payments;
        return call(lazy('crm_credit_accrue'), this._engine._handle, encode(body));
    }

    /** Spends `amountCents` of a card's credit; `ref` (optional) makes it idempotent. */
    redeem(card, amountCents, ref = null) {
        return call(lazy('crm_credit_redeem'), this._engine._handle, String(card), amountCents,
            ref === undefined ? null : ref);
    }

    /** {card, customer_id, balance_cents} of a loyalty card. */
    balance(card) {
        return call(lazy('crm_credit_balance'), this._engine._handle, String(card));
    }

    /**
     * Decides a credit request ({customer_id | customer_uuid, amount_cents, date})
     * and returns the stored request, with `allowed` and `reasons`.
     */
    check(request) {
        return call(lazy('crm_credit_check'), this._engine._handle, encode(request));
    }
}

// ---------------------------------------------------------------------------
// Engine
// ---------------------------------------------------------------------------

/** An open crm database. Call close() when done (or use `using` where supported). */
class Engine {
    /**
     * Opens `file` (created when missing) or ":memory:". `options`:
     * credit_rate (string), max_refusals, credit_limit_multiplier, busy_timeout_ms.
     */
    constructor(file = ':memory:', options = undefined) {
        this.path = String(file);
        this._handle = null;
        const { fn } = library();
        const out = [null];
        const opts = options && Object.keys(options).length ? encode(options) : null;
        const status = fn.crm_open(this.path, opts, out);
        if (status !== OK) fail(status);
        this._handle = out[0];
        this._token = {};
        finalizer.register(this, this._handle, this._token);
        this.credit = new Credit(this);
    }

    /** Same as `new Engine(file, options)`. */
    static open(file = ':memory:', options = undefined) {
        return new Engine(file, options);
    }

    /** Closes the database; later calls on this engine throw MisuseError. Idempotent. */
    close() {
        const handle = this._handle;
        this._handle = null;
        if (handle !== null) {
            finalizer.unregister(this._token);
            library().fn.crm_close(handle);
        }
    }

    get closed() {
        return this._handle === null;
    }

    // CRUD: a closed engine passes NULL, which the library answers with misuse.

    /** Validates and stores a new object; returns it as stored. */
    create(collection, obj) {
        return call(library().fn.crm_create, this._handle, collection, encode(obj));
    }

    /** The object `id` of `collection`. */
    get(collection, id) {
        return call(library().fn.crm_get, this._handle, collection, id);
    }

    /** PUT: full replacement (writable fields left out return to their defaults). */
    replace(collection, id, obj) {
        return call(library().fn.crm_replace, this._handle, collection, id, encode(obj));
    }

    /** PATCH: a JSON merge patch (RFC 7396); null returns a field to its default. */
    update(collection, id, patch) {
        return call(library().fn.crm_update, this._handle, collection, id, encode(patch));
    }

    /** Deletes the object `id` of `collection`. */
    remove(collection, id) {
        const status = library().fn.crm_delete(this._handle, collection, id);
        if (status !== OK) fail(status);
    }

    /** One page: {count, results, next_cursor, ...paging keys}. `query` may be omitted. */
    list(collection, query = null) {
        return call(library().fn.crm_list, this._handle, collection, encode(query));
    }

    /**
     * Yields every page of a listing, following next_cursor (keyset paging: no
     * row repeated or skipped, whatever the depth). `query` holds filters and
     * ordering; paging keys in it are replaced by `pageSize`.
     */
    *pages(collection, query = {}, pageSize = 100) {
        const base = {};
        for (const [k, v] of Object.entries(query || {}))
            if (!PAGING_KEYS.has(k)) base[k] = v;
        base.page_size = pageSize;
        let page = this.list(collection, base);
        for (;;) {
            yield page;
            if (!page.next_cursor) return;
            page = this.list(collection, { ...base, cursor: page.next_cursor, count: false });
        }
    }

    /** Yields every row of a listing, page after page (see pages()). */
    *rows(collection, query = {}, pageSize = 100) {
        for (const page of this.pages(collection, query, pageSize))
            yield* page.results;
    }

    toString() {
        return `[crm.Engine ${JSON.stringify(this.path)} ${this.closed ? 'closed' : 'open'}]`;
    }
}

if (typeof Symbol.dispose === 'symbol') {
    Engine.prototype[Symbol.dispose] = function dispose() {
        this.close();
    };
}

/** Opens an engine; same as `new Engine(file, options)`. */
function open(file = ':memory:', options = undefined) {
    return new Engine(file, options);
}

module.exports = {
    open,
    Engine,
    Credit,
    version,
    statusName,
    library,
    CrmError,
    InvalidError,
    NotFoundError,
    ConflictError,
    BusyError,
    IoError,
    MisuseError,
    NoMemError,
    InternalError,
    OK,
    EINVAL,
    ENOTFOUND,
    ECONFLICT,
    EBUSY,
    EIO,
    EMISUSE,
    ENOMEM,
    EINTERNAL,
};
