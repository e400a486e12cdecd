/*
 * capi_check.h - the check macros and helpers shared by the C99 tests of the
 * C ABI (test_capi.c, test_capi_orders.c). Each test program includes it once.
 *
 * CHECK records a failure (printing file:line and the condition) and goes on,
 * so one run reports every failure; REQUIRE stops at once when the rest of the
 * program cannot run. capi_check_finish() prints the last line,
 * "N passed, M failed", and returns the exit status (non-zero when anything
 * failed).
 */
#ifndef CRM_TESTS_CAPI_CHECK_H
#define CRM_TESTS_CAPI_CHECK_H

#include <crm/crm.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int g_passed = 0;
static int g_failed = 0;

static inline void check_at(int ok, const char *expr, const char *file, int line)
{
    if (ok) {
        ++g_passed;
        return;
    }
    ++g_failed;
    fprintf(stderr, "%s:%d: CHECK failed: %s\n", file, line, expr);
    {
        const char *err = crm_last_error();
        fprintf(stderr, "    crm_last_error() = %s\n", err ? err : "(null)");
    }
}

#define CHECK(cond) check_at((cond) ? 1 : 0, #cond, __FILE__, __LINE__)
#define REQUIRE(cond)                                                                   \
    do {                                                                                \
        int require_ok_ = (cond) ? 1 : 0; /* evaluated once */                          \
        check_at(require_ok_, #cond, __FILE__, __LINE__);                               \
        if (!require_ok_) {                                                             \
            fprintf(stderr, "%s:%d: REQUIRE failed, stopping\n", __FILE__, __LINE__);   \
            fprintf(stderr, "%d passed, %d failed\n", g_passed, g_failed);              \
            exit(EXIT_FAILURE);                                                         \
        }                                                                               \
    } while (0)

/* Prints "N passed, M failed" and returns the exit status for main. */
static inline int capi_check_finish(void)
{
    printf("%d passed, %d failed\n", g_passed, g_failed);
    return g_failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* Checks that `haystack` contains `needle`, printing both when it does not. */
static inline void contains_at(const char *haystack, const char *needle, const char *file, int line)
{
    int ok = haystack != NULL && strstr(haystack, needle) != NULL;
    if (ok) {
        ++g_passed;
        return;
    }
    ++g_failed;
    fprintf(stderr, "%s:%d: CHECK_CONTAINS failed\n    expected substring: %s\n    in: %s\n", file,
            line, needle, haystack ? haystack : "(null)");
}
#define CHECK_CONTAINS(h, n) contains_at((h), (n), __FILE__, __LINE__)

/* Checks that `haystack` is set and does not contain `needle`. */
static inline void lacks_at(const char *haystack, const char *needle, const char *file, int line)
{
    int ok = haystack != NULL && strstr(haystack, needle) == NULL;
    if (ok) {
        ++g_passed;
        return;
    }
    ++g_failed;
    fprintf(stderr, "%s:%d: CHECK_LACKS failed\n    unexpected substring: %s\n    in: %s\n", file,
            line, needle, haystack ? haystack : "(null)");
}
#define CHECK_LACKS(h, n) lacks_at((h), (n), __FILE__, __LINE__)

/* `first` occurs in `haystack`, and before `second`. */
static inline void before_at(const char *haystack, const char *first, const char *second,
                             const char *file, int line)
{
    const char *a = haystack ? strstr(haystack, first) : NULL;
    const char *b = haystack ? strstr(haystack, second) : NULL;
    if (a != NULL && b != NULL && a < b) {
        ++g_passed;
        return;
    }
    ++g_failed;
    fprintf(stderr, "%s:%d: CHECK_BEFORE failed\n    expected %s before %s\n    in: %s\n", file, line,
            first, second, haystack ? haystack : "(null)");
}
#define CHECK_BEFORE(h, a, b) before_at((h), (a), (b), __FILE__, __LINE__)

/* Checks that a call returns the `expected` status, naming both when not. */
static inline void status_at(int got, int expected, const char *expr, const char *file, int line)
{
    if (got == expected) {
        ++g_passed;
        return;
    }
    ++g_failed;
    {
        const char *err = crm_last_error();
        fprintf(stderr, "%s:%d: %s returned %d (%s), expected %d (%s)\n    crm_last_error() = %s\n",
                file, line, expr, got, crm_status_name(got), expected, crm_status_name(expected),
                err ? err : "(null)");
    }
}
#define CHECK_STATUS(call, expected) status_at((call), (expected), #call, __FILE__, __LINE__)

/* Checks that the last error is set and its code is `code`. */
static inline void last_error_code_at(const char *code, const char *file, int line)
{
    char needle[64];
    snprintf(needle, sizeof needle, "\"code\":\"%s\"", code);
    contains_at(crm_last_error(), needle, file, line);
}
#define CHECK_LAST_ERROR(code) last_error_code_at((code), __FILE__, __LINE__)

/* A pointer that is never NULL and never handed to the library for freeing:
 * out-pointers are preset to it so the tests see that a failure resets them. */
static char g_sentinel_storage[1];
#define SENTINEL_JSON (g_sentinel_storage)
#define SENTINEL_ENGINE ((crm_engine *)(void *)g_sentinel_storage)

/* Reads the top-level "id" of a stored object (the first "id": key). */
static inline long long json_id(const char *json)
{
    const char *p;
    if (json == NULL) return -1;
    p = strstr(json, "\"id\":");
    if (p == NULL) return -1;
    return strtoll(p + 5, NULL, 10);
}

/* The integer after the first `"key":`, or -1. */
static inline long long json_int(const char *json, const char *key)
{
    char needle[64];
    const char *p;
    if (json == NULL) return -1;
    snprintf(needle, sizeof needle, "\"%s\":", key);
    p = strstr(json, needle);
    if (p == NULL) return -1;
    return strtoll(p + strlen(needle), NULL, 10);
}

/* Counts the occurrences of `needle` in `haystack` (-1 when it is NULL). */
static inline int count_of(const char *haystack, const char *needle)
{
    int n = 0;
    const char *p = haystack;
    size_t len = strlen(needle);
    if (haystack == NULL) return -1;
    while ((p = strstr(p, needle)) != NULL) {
        ++n;
        p += len;
    }
    return n;
}

/* Copies the last error (valid only until the next crm_ call); free() it. */
static inline char *copy_last_error(void)
{
    const char *err = crm_last_error();
    char *copy;
    if (err == NULL) return NULL;
    copy = (char *)malloc(strlen(err) + 1);
    if (copy != NULL) strcpy(copy, err);
    return copy;
}

/* Creates `json` in `collection`; returns its id (or -1). */
static inline long long create_id(crm_engine *e, const char *collection, const char *json)
{
    char *out = NULL;
    long long id = -1;
    int rc = crm_create(e, collection, json, &out);
    if (rc != CRM_OK) {
        fprintf(stderr, "create %s %s failed: %s\n", collection, json,
                crm_last_error() ? crm_last_error() : "(null)");
        return -1;
    }
    id = json_id(out);
    crm_free(out);
    return id;
}

/* The "count" of a list (or -1). */
static inline long long list_count(crm_engine *e, const char *collection, const char *query)
{
    char *out = NULL;
    long long n = -1;
    if (crm_list(e, collection, query, &out) != CRM_OK) return -1;
    n = json_int(out, "count");
    crm_free(out);
    return n;
}

#endif /* CRM_TESTS_CAPI_CHECK_H */
