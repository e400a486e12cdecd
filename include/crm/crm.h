/**
 * @file crm.h
 * The C ABI of the crm engine.
 *
 * This header is the whole contract for C, Python (ctypes), Node (koffi),
 * Rust and Go hosts: nothing outside it is API. It is self-contained C99 and
 * valid C++; no C++, Boost or SQLite type appears in it.
 *
 * Conventions
 * - Every function returning `int` returns one of the CRM_* status codes.
 *   On failure every out-pointer is left NULL and the calling thread's last
 *   error is set (see crm_last_error()); on success the last error is cleared.
 * - Any such function may also fail with CRM_EBUSY (database locked past the
 *   busy timeout), CRM_EIO (file error), CRM_ENOMEM or CRM_EINTERNAL; the
 *   codes listed per function are the ones that depend on its arguments.
 * - Objects cross the boundary as UTF-8 JSON text. Every `char *` handed out
 *   through an out-pointer is owned by the caller and must be released with
 *   crm_free() (never free()).
 * - Strings passed in are borrowed for the duration of the call only.
 * - One engine may be used from several threads at once, and several
 *   processes may open the same file at once. crm_close() must not run while
 *   another thread is inside a call on the same engine. Every call is one
 *   transaction: it commits whole or changes nothing.
 *
 * Version: CRM_VERSION_* below are the version of this header; crm_version()
 * is the version of the library actually loaded (for FFI callers, who cannot
 * see macros).
 *
 * Collections: `collection` is one of "customers", "orders", "tickets",
 * "messages", "forms", "ledger" (list only), "credit_requests" (list and get
 * only); any other name is CRM_ENOTFOUND. Tickets are immutable
 * (crm_replace/crm_update are CRM_EINVAL); a call a list-only collection does
 * not take (a write to "ledger" or "credit_requests", a get on "ledger") is
 * CRM_EINVAL. Each `out_json` receives the stored object as it now is (for
 * crm_list, the page object), owned by the caller: free it with crm_free().
 *
 * Linking: every function is marked `CRM_API` (the export attribute). Define
 * `CRM_STATIC` before including this header when linking the static library.
 */
#ifndef CRM_CRM_H
#define CRM_CRM_H

#include <stddef.h>
#include <stdint.h>

/** Major version of this header. */
#define CRM_VERSION_MAJOR 0
/** Minor version of this header. */
#define CRM_VERSION_MINOR 1
/** Patch version of this header. */
#define CRM_VERSION_PATCH 0
/** The header's version as one number: MAJOR * 10000 + MINOR * 100 + PATCH. */
#define CRM_VERSION_NUMBER (CRM_VERSION_MAJOR * 10000 + CRM_VERSION_MINOR * 100 + CRM_VERSION_PATCH)
/** True when the header is at least version X.Y.Z. */
#define CRM_VERSION_CHECK(x, y, z) (CRM_VERSION_NUMBER >= ((x) * 10000 + (y) * 100 + (z)))

/* CRM_API marks exported symbols. Define CRM_STATIC when linking the static
 * library; the library's own build defines CRM_BUILDING. */
#ifndef CRM_API
#  if defined(CRM_STATIC)
#    define CRM_API
#  elif defined(_WIN32)
#    if defined(CRM_BUILDING)
#      define CRM_API __declspec(dllexport)
#    else
#      define CRM_API __declspec(dllimport)
#    endif
#  elif defined(__GNUC__) || defined(__clang__)
#    define CRM_API __attribute__((visibility("default")))
#  else
#    define CRM_API
#  endif
#endif

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes. Their values and meanings never change. */
#define CRM_OK 0        /**< success */
#define CRM_EINVAL 1    /**< "invalid": malformed JSON, unknown field or filter, failed validation */
#define CRM_ENOTFOUND 2 /**< "not_found": no such id, card or collection */
#define CRM_ECONFLICT 3 /**< "conflict": uniqueness, illegal status move, insufficient balance, reused ref */
#define CRM_EBUSY 4     /**< "busy": the database stayed locked past the busy timeout */
#define CRM_EIO 5       /**< "io": cannot open/read/write the file, corrupt file, newer schema */
#define CRM_EMISUSE 6   /**< "misuse": NULL engine or required pointer */
#define CRM_ENOMEM 7    /**< "nomem": allocation failed */
#define CRM_EINTERNAL 8 /**< "internal": a bug */

/** An open database. Opaque; created by crm_open(), released by crm_close(). */
typedef struct crm_engine crm_engine;

/** "MAJOR.MINOR.PATCH" of the loaded library. Static storage (do not free);
 * never NULL. */
CRM_API const char *crm_version(void);

/** The `code` string of a status ("ok", "invalid", ...). Static storage (do
 * not free); never NULL ("internal" for a value that is not a status). */
CRM_API const char *crm_status_name(int status);

/** The calling thread's last error as JSON:
 *
 *     {"code":"invalid","message":"2 fields are invalid",
 *      "errors":[{"field":"email","message":"is not a valid email address"}]}
 *
 * NULL after a successful call. Owned by the library (do not free); valid
 * until the next crm_ call on this thread. Serves a failed crm_open, which
 * has no handle. */
CRM_API const char *crm_last_error(void);

/** Opens `path` (a file, created with its schema when missing and migrated
 * when older; or ":memory:") and sets `*out_engine`. `options_json` may be
 * NULL; its keys are credit_rate (decimal string, default "0.5"),
 * max_refusals (default 3), credit_limit_multiplier (default 10),
 * busy_timeout_ms (default 5000).
 * On success `*out_engine` is a handle owned by the caller, to release with
 * crm_close(); on failure it is NULL.
 * Returns CRM_EMISUSE when `path` or `out_engine` is NULL; CRM_EINVAL for
 * malformed options JSON, an unknown key or a bad value; CRM_EIO when the
 * file cannot be opened, is not a crm database, is corrupt, or has a newer
 * schema than this library. */
CRM_API int crm_open(const char *path, const char *options_json, crm_engine **out_engine);

/** Closes the engine and frees it; the handle is invalid afterwards. NULL is
 * a no-op. Must not run while another thread is inside a call on it. */
CRM_API void crm_close(crm_engine *engine);

/** Frees a `char *` the library handed out through an out_json pointer.
 * NULL is a no-op. Not for crm_version(), crm_status_name() or
 * crm_last_error(), whose strings the library keeps. */
CRM_API void crm_free(char *json);

/* Collections: see "Collections" in the file comment. Each function below
 * sets `*out_json` to a string owned by the caller (free it with crm_free())
 * on success, and to NULL on failure. */

/** Validates and stores a new object in `collection` from `json` (a JSON
 * object; read-only fields are ignored); `*out_json` receives it as stored.
 * Returns CRM_EMISUSE when `e`, `collection`, `json` or `out_json` is NULL;
 * CRM_ENOTFOUND for an unknown collection; CRM_EINVAL for malformed JSON, a
 * body that is not an object, an unknown field or a failed rule (every bad
 * field named in crm_last_error()); CRM_ECONFLICT when a unique value (e.g.
 * a customer's email or loyalty_card) is taken. */
CRM_API int crm_create(crm_engine *e, const char *collection, const char *json, char **out_json);
/** Reads the object `id` of `collection` into `*out_json`. Returns
 * CRM_EMISUSE when `e`, `collection` or `out_json` is NULL; CRM_ENOTFOUND
 * for an unknown collection or an `id` that does not exist (or is <= 0). */
CRM_API int crm_get(crm_engine *e, const char *collection, int64_t id, char **out_json);
/** PUT: a full replacement; writable fields left out return to their defaults.
 * `*out_json` receives the object as stored. Returns the codes of crm_create()
 * (NULL `json` is CRM_EMISUSE), CRM_ENOTFOUND for a missing `id`, and
 * CRM_ECONFLICT for a status move the rules forbid (orders). */
CRM_API int crm_replace(crm_engine *e, const char *collection, int64_t id, const char *json,
                        char **out_json);
/** PATCH: a JSON merge patch (RFC 7396) applied to the stored object; null
 * returns a field to its default. `*out_json` receives the object as stored.
 * Returns the codes of crm_replace() (NULL `patch` is CRM_EMISUSE; a patch
 * that is not a JSON object is CRM_EINVAL). */
CRM_API int crm_update(crm_engine *e, const char *collection, int64_t id, const char *patch,
                       char **out_json);
/** Deletes the object `id` of `collection`. Returns CRM_EMISUSE when `e` or
 * `collection` is NULL; CRM_ENOTFOUND for an unknown collection or a missing
 * `id`; CRM_ECONFLICT when a customer still has orders, tickets or ledger
 * entries (archive it instead). A customer's messages and credit requests
 * are deleted with it. Deleting a ticket writes a `reversal` ledger entry
 * taking back the credit it accrued (CRM_ECONFLICT when that credit was
 * already spent). */
CRM_API int crm_delete(crm_engine *e, const char *collection, int64_t id);
/** One page of `collection` (spec/query.md) into `*out_json`: the page object
 * {"count","results","next_cursor", paging keys}. `query_json` may be NULL:
 * first page, default ordering. Returns CRM_EMISUSE when `e`, `collection`
 * or `out_json` is NULL; CRM_ENOTFOUND for an unknown collection; CRM_EINVAL
 * for malformed JSON, a query that is not an object, or a bad key, value or
 * cursor (named in crm_last_error()). */
CRM_API int crm_list(crm_engine *e, const char *collection, const char *query_json, char **out_json);

/* Bulk import, streaming export, progress. */

/** Imports `payload` into `collection` ("customers", "orders", "tickets",
 * "messages", "forms"): a JSON array of rows, an object holding one array
 * (seed 003's {"clients":[...]}), or NDJSON (one row per line). Rows are
 * parsed one at a time: the payload is never held as one JSON document.
 * `options_json` may be NULL; keys: "format" ("canonical" (default),
 * "crm-app", "v1", "heidian", "akinon": the seeds' shapes, spec/seed-map.md),
 * "mode" ("create" (default) or "upsert", customers only), "key" (the upsert
 * match: "email" (default), "uuid", "crm_id", "erp_code", "loyalty_card"),
 * "atomic" (default true: all rows or none).
 * On success `*out_report_json` receives {"created":n,"updated":n,
 * "failed":n,"errors":[{"index":i,"code":"invalid"|"conflict","errors":[...]}]}
 * (`errors` is [] when nothing failed; with atomic false, the failing rows
 * are listed there and the others kept; a ticket replayed under a stored
 * `ref` counts in none of the three numbers).
 * Returns CRM_EMISUSE for a NULL `e`, `collection`, `payload` or
 * `out_report_json`; CRM_ENOTFOUND for an unknown collection; CRM_EINVAL for
 * bad options, a payload of none of the shapes, a list-only collection, or
 * (atomic) any failing row: then nothing is written and crm_last_error()'s
 * "errors" is the per-row list above. */
CRM_API int crm_import(crm_engine *e, const char *collection, const char *payload, const char *options_json,
                       char **out_report_json);

/** Receives export output: `len` bytes of `data` (one NDJSON line, with its
 * newline; not NUL-terminated, valid during the call only). Return 0 to go
 * on, anything else to stop the export. */
typedef int (*crm_write_fn)(void *ctx, const char *data, size_t len);

/** Streams every row of `collection` matching `query_json` (filters and
 * ordering of crm_list; no paging keys; without an ordering, rows go in id
 * order) to `write` as NDJSON, one object per line and per call, with
 * memory independent of the collection's size. `ctx` (may be NULL) is
 * handed back to `write` untouched. When `write` returns non-zero the
 * export stops at once (no further call) and returns CRM_OK. Rows are read
 * page by page: other calls may run meanwhile, and a row that exists for
 * the whole export is written exactly once unless a write changes its sort
 * key meanwhile (never in the default id order). Returns CRM_EMISUSE for a NULL
 * `e`, `collection` or `write`; CRM_ENOTFOUND for an unknown collection;
 * CRM_EINVAL for a bad query. */
CRM_API int crm_export(crm_engine *e, const char *collection, const char *query_json, crm_write_fn write,
                       void *ctx);

/** Told of progress: rows done so far, and rows in all. */
typedef void (*crm_progress_fn)(void *ctx, int64_t done, int64_t total);

/** Sets the function crm_import and crm_export call with their progress: at
 * least every 1% of the rows and once at the end with done == total. `ctx`
 * (may be NULL) is handed back untouched; a NULL `fn` removes it. It runs on
 * the thread of the import or export; during an import the engine is
 * locked, so it must not call the engine. A NULL `e` is ignored. */
CRM_API void crm_set_progress(crm_engine *e, crm_progress_fn fn, void *ctx);

/* Loyalty credit (seed 003). Cards are customers' `loyalty_card` values.
 * Money is integer cents. Each call is one transaction: a balance is never
 * lost to a concurrent call, from another thread or another process. */

/** Accrues floor(amount_cents * credit_rate) of credit per payment, all or
 * nothing. `payments_json`: {"payments":[{"card":"33","amount_cents":2600,
 * "ref":"pos1-42"}]} (`ref` optional) or seed 003's
 * {"Tickets":[{"carteFid":33,"Montant":26}]} (Montant in currency units,
 * rounded down to the cent). A payment whose `ref` was already applied is
 * skipped and reported "duplicate": true. `*out_json` receives
 * {"results":[{"card","customer_id","accrued_cents","balance_cents","duplicate"}]}.
 * Returns CRM_EMISUSE for a NULL `e`, `payments_json` or `out_json`;
 * CRM_EINVAL for malformed input (the item named: "payments[1].amount_cents")
 * or a balance that would pass 10^15; CRM_ENOTFOUND for a card no customer
 * holds (naming the item). */
CRM_API int crm_credit_accrue(crm_engine *e, const char *payments_json, char **out_json);
/** Spends `amount_cents` (1 .. 10^15) of the card's balance. `ref` may be
 * NULL; a `ref` already redeemed (same card and amount) is reported
 * "duplicate": true and not spent again. `*out_json` receives
 * {"card","customer_id","redeemed_cents","balance_cents","duplicate","ledger_id"}.
 * Returns CRM_EMISUSE for a NULL `e`, `card` or `out_json`; CRM_EINVAL for
 * an amount out of range; CRM_ENOTFOUND for an unknown card; CRM_ECONFLICT
 * when the amount exceeds the balance (nothing written) or `ref` was used by
 * another redemption. */
CRM_API int crm_credit_redeem(crm_engine *e, const char *card, int64_t amount_cents, const char *ref,
                              char **out_json);
/** The card's balance: {"card","customer_id","balance_cents"}. Returns
 * CRM_EMISUSE for a NULL `e`, `card` or `out_json`; CRM_ENOTFOUND for an
 * unknown card. */
CRM_API int crm_credit_balance(crm_engine *e, const char *card, char **out_json);
/** Decides a credit request and stores it (collection "credit_requests");
 * `*out_json` receives it: {"id","customer_id","customer_uuid",
 * "amount_cents","date","allowed","reasons":[...],"created_at"}. Input:
 * {"customer_uuid":"...","amount_cents":3600000,"date":"2019-12-06"} (or
 * "customer_id"; "date" defaults to today, UTC) or seed 003's
 * {"idClient","Montant","Date"} (Montant in currency units). Refusal reasons:
 * "inactive", "too_many_refusals", "over_limit"; a refusal adds 1 to the
 * customer's refusal_count. Returns CRM_EMISUSE for a NULL `e`,
 * `request_json` or `out_json`; CRM_EINVAL for malformed input;
 * CRM_ENOTFOUND when the customer does not exist. */
CRM_API int crm_credit_check(crm_engine *e, const char *request_json, char **out_json);

#ifdef __cplusplus
} /* extern "C" */
#endif

#endif /* CRM_CRM_H */
