/*
 * test_capi_import.c - crm_import, crm_export and crm_set_progress through the
 * C ABI (crm.h) from plain C99, linked against the shared library as a C host
 * links it: the report JSON, an atomic failure's per-row last error, NULL
 * pointers, the export callback and its stop, and progress.
 *
 * The crm-app payload is seed 003's POST /api/update_db body
 * (/work/shared/seeds/003_*.txt) verbatim.
 *
 * The checks come from capi_check.h: CHECK records a failure and goes on,
 * REQUIRE stops when the rest cannot run. The last line is "N passed, M
 * failed"; the exit status is non-zero when anything failed.
 */
#include "capi_check.h"

#include <stdint.h>

/* seed 003, POST /api/update_db, verbatim. */
static const char SEED_UPDATE_DB[] =
    "{\"clients\" : [\n"
    "{\n"
    "\"Nom\": \"Eddison-18\",\n"
    "\"Prenom\": \"Jean\",\n"
    "\"Credit\": 0.0,\n"
    "\"Paiement\": 25,\n"
    "\"Date_paiement\": \"2019-01-18\",\n"
    "\"Montant\": 125,\n"
    "\"Compte\": \"BKN1CST18\"\n"
    "},\n"
    "{\n"
    "\"Nom\": \"Sarkozy-51\",\n"
    "\"Prenom\": \"Marc\",\n"
    "\"Credit\": 0.0,\n"
    "\"Paiement\": 25,\n"
    "\"Date_paiement\": \"2019-01-08\",\n"
    "\"Montant\": 125,\n"
    "\"Compte\": \"BKN1CST53\"\n"
    "},\n"
    "{\n"
    "\"Nom\": \"Eddison-53\",\n"
    "\"Prenom\": \"Anne\",\n"
    "\"Credit\": 154.62542724609375,\n"
    "\"Paiement\": 25,\n"
    "\"Date_paiement\": \"2020-05-19\",\n"
    "\"Montant\": 125\n"
    "}\n"
    "]\n"
    "}";

/* What an export wrote: every line appended, and how the callback ran. */
struct sink {
    char *text;
    size_t len;
    size_t cap;
    int calls;
    int stop_at; /* return non-zero on this call (0: never) */
    int bad_line; /* a line not ending in exactly one '\n' */
};

static int sink_write(void *ctx, const char *data, size_t len)
{
    struct sink *s = (struct sink *)ctx;
    size_t i;
    ++s->calls;
    if (len == 0 || data[len - 1] != '\n') s->bad_line = 1;
    for (i = 0; i + 1 < len; ++i)
        if (data[i] == '\n') s->bad_line = 1;
    if (s->len + len + 1 > s->cap) {
        size_t cap = (s->cap ? s->cap * 2 : 4096) + len;
        char *p = (char *)realloc(s->text, cap);
        if (p == NULL) return 1;
        s->text = p;
        s->cap = cap;
    }
    memcpy(s->text + s->len, data, len);
    s->len += len;
    s->text[s->len] = '\0';
    return s->stop_at != 0 && s->calls >= s->stop_at;
}

static void sink_reset(struct sink *s, int stop_at)
{
    free(s->text);
    memset(s, 0, sizeof *s);
    s->stop_at = stop_at;
}

/* Progress calls seen. */
struct progress {
    int calls;
    int64_t first_done;
    int64_t last_done;
    int64_t last_total;
    int64_t max_gap;
    int backwards;
};

static void on_progress(void *ctx, int64_t done, int64_t total)
{
    struct progress *p = (struct progress *)ctx;
    if (p->calls == 0) p->first_done = done;
    if (done < p->last_done) p->backwards = 1;
    if (done - p->last_done > p->max_gap) p->max_gap = done - p->last_done;
    ++p->calls;
    p->last_done = done;
    p->last_total = total;
}

/* A static counter for the NULL-ctx progress test. */
static int g_null_ctx_calls = 0;
static int g_null_ctx_seen_ctx = 0;
static void on_progress_null_ctx(void *ctx, int64_t done, int64_t total)
{
    (void)done;
    (void)total;
    if (ctx != NULL) g_null_ctx_seen_ctx = 1;
    ++g_null_ctx_calls;
}
static int g_null_ctx_writes = 0;
static int write_null_ctx(void *ctx, const char *data, size_t len)
{
    (void)data;
    (void)len;
    if (ctx != NULL) g_null_ctx_seen_ctx = 1;
    ++g_null_ctx_writes;
    return 0;
}

/* n canonical customers as NDJSON ("{\"last_name\":\"N<i>\"}\n"); free() it. */
static char *ndjson_customers(int n)
{
    size_t cap = (size_t)n * 40 + 1;
    char *s = (char *)malloc(cap);
    size_t len = 0;
    int i;
    if (s == NULL) return NULL;
    for (i = 0; i < n; ++i) len += (size_t)sprintf(s + len, "{\"last_name\":\"N%06d\"}\n", i);
    s[len] = '\0';
    return s;
}

static void test_report(crm_engine *e)
{
    char *out = SENTINEL_JSON;
    char *list = NULL;

    CHECK_STATUS(crm_import(e, "customers", SEED_UPDATE_DB, "{\"format\":\"crm-app\"}", &out), CRM_OK);
    CHECK(crm_last_error() == NULL);
    CHECK(out != NULL && strcmp(out, "{\"created\":3,\"updated\":0,\"failed\":0,\"errors\":[]}") == 0);
    crm_free(out);
    CHECK(list_count(e, "customers", NULL) == 3);
    /* the fractional Credit: 154.62542724609375 -> 15462 cents, one import entry */
    CHECK_STATUS(crm_list(e, "customers", "{\"last_name\":\"Eddison-53\"}", &list), CRM_OK);
    CHECK_CONTAINS(list, "\"credit_cents\":15462");
    CHECK_CONTAINS(list, "\"extra_field\":{\"paiement\":25}");
    CHECK_CONTAINS(list, "\"last_payment_date\":\"2020-05-19\"");
    CHECK_CONTAINS(list, "\"last_payment_cents\":125");
    crm_free(list);
    list = NULL;
    CHECK_STATUS(crm_list(e, "ledger", NULL, &list), CRM_OK);
    CHECK(json_int(list, "count") == 1);
    CHECK_CONTAINS(list, "\"delta_cents\":15462");
    CHECK_CONTAINS(list, "\"reason\":\"import\"");
    crm_free(list);

    /* options_json NULL: canonical, create, atomic. NDJSON with CRLF and blank lines. */
    out = NULL;
    CHECK_STATUS(crm_import(e, "customers", "{\"last_name\":\"A\",\"email\":\"a@example.com\"}\r\n\r\n{\"last_name\":\"B\"}\r\n",
                            NULL, &out),
                 CRM_OK);
    CHECK(out != NULL && strcmp(out, "{\"created\":2,\"updated\":0,\"failed\":0,\"errors\":[]}") == 0);
    crm_free(out);

    /* not atomic: the failures listed, the rest kept */
    out = NULL;
    CHECK_STATUS(crm_import(e, "customers",
                            "[{\"last_name\":\"C\"},{\"last_name\":\"D\",\"email\":\"A@example.com\"},{\"colour\":1}]",
                            "{\"atomic\":false}", &out),
                 CRM_OK);
    CHECK(out != NULL &&
          strcmp(out, "{\"created\":1,\"updated\":0,\"failed\":2,\"errors\":["
                      "{\"index\":1,\"code\":\"conflict\",\"errors\":[{\"field\":\"email\",\"message\":\"is already used by another customer\"}]},"
                      "{\"index\":2,\"code\":\"invalid\",\"errors\":[{\"field\":\"colour\",\"message\":\"is not a known field\"}]}]}") == 0);
    crm_free(out);
    CHECK(list_count(e, "customers", NULL) == 6);

    /* upsert by email */
    out = NULL;
    CHECK_STATUS(crm_import(e, "customers", "{\"email\":\"A@EXAMPLE.com\",\"first_name\":\"Ann\"}\n{\"email\":\"new@example.com\"}",
                            "{\"mode\":\"upsert\",\"key\":\"email\"}", &out),
                 CRM_OK);
    CHECK(out != NULL && strcmp(out, "{\"created\":1,\"updated\":1,\"failed\":0,\"errors\":[]}") == 0);
    crm_free(out);
    list = NULL;
    CHECK_STATUS(crm_list(e, "customers", "{\"email\":\"a@example.com\"}", &list), CRM_OK);
    CHECK_CONTAINS(list, "\"full_name\":\"Ann A\"");
    crm_free(list);
    CHECK(list_count(e, "customers", NULL) == 7);
}

static void test_atomic_failure(crm_engine *e)
{
    char *out = SENTINEL_JSON;
    char *err;
    const long long before = list_count(e, "customers", NULL);

    CHECK_STATUS(crm_import(e, "customers",
                            "[{\"last_name\":\"ok\"},{\"email\":\"nope\",\"phone\":\"1\"},{\"last_name\":\"ok2\"},"
                            "{\"email\":\"a@example.com\"},7]",
                            "{\"atomic\":true}", &out),
                 CRM_EINVAL);
    CHECK(out == NULL);
    err = copy_last_error();
    REQUIRE(err != NULL);
    CHECK(strcmp(err, "{\"code\":\"invalid\",\"message\":\"3 of 5 rows failed: nothing was imported\",\"errors\":["
                      "{\"index\":1,\"code\":\"invalid\",\"errors\":[{\"field\":\"email\",\"message\":\"is not a valid email address\"},"
                      "{\"field\":\"phone\",\"message\":\"must be an optional + then 6 to 20 digits and separators (space - . ( ))\"}]},"
                      "{\"index\":3,\"code\":\"conflict\",\"errors\":[{\"field\":\"email\",\"message\":\"is already used by another customer\"}]},"
                      "{\"index\":4,\"code\":\"invalid\",\"errors\":[{\"field\":\"\",\"message\":\"must be a JSON object\"}]}]}") == 0);
    free(err);
    CHECK(list_count(e, "customers", NULL) == before); /* nothing written */

    /* the seed's tickets verbatim: prix differs from the lines' sum */
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_import(e, "tickets",
                            "{\"tickets\":[{\"id\": 38,\"date\": \"2019-10-09T18:03:45.408701Z\",\"prix\": 7582,"
                            "\"pointsFidelite\": 18,\"modePaiement\": \"CARD\",\"origin\": \"e-commerce\",\"articles\": ["
                            "{\"codeProduit\": \"X1-4\",\"prixAvant\" : 36,\"prixApres\": 18,\"promo\": 50,\"quantity\": 2}]}]}",
                            "{\"format\":\"crm-app\"}", &out),
                 CRM_EINVAL);
    CHECK(out == NULL);
    CHECK_CONTAINS(crm_last_error(),
                   "\"errors\":[{\"index\":0,\"code\":\"invalid\",\"errors\":[{\"field\":\"total_cents\","
                   "\"message\":\"is 758200 but the lines add up to 3600\"}]}]");
    CHECK(list_count(e, "tickets", NULL) == 0);

    /* payload, options, collections */
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_import(e, "customers", "42", NULL, &out), CRM_EINVAL);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("invalid");
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"payload\"");
    CHECK_STATUS(crm_import(e, "customers", "[]", "{\"format\":\"xml\"}", &out), CRM_EINVAL);
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"format\"");
    CHECK_STATUS(crm_import(e, "customers", "[]", "{not json", &out), CRM_EINVAL);
    CHECK_CONTAINS(crm_last_error(), "options_json");
    CHECK_STATUS(crm_import(e, "customers", "[]", "[1]", &out), CRM_EINVAL);
    CHECK_STATUS(crm_import(e, "orders", "[]", "{\"mode\":\"upsert\"}", &out), CRM_EINVAL);
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"mode\"");
    CHECK_STATUS(crm_import(e, "ledger", "[]", NULL, &out), CRM_EINVAL);
    CHECK_STATUS(crm_import(e, "credit_requests", "[]", NULL, &out), CRM_EINVAL);
    CHECK_STATUS(crm_import(e, "nope", "[]", NULL, &out), CRM_ENOTFOUND);
    CHECK_LAST_ERROR("not_found");
    CHECK(out == NULL);
    /* an empty payload imports nothing, with a full report */
    out = NULL;
    CHECK_STATUS(crm_import(e, "customers", "", NULL, &out), CRM_OK);
    CHECK(out != NULL && strcmp(out, "{\"created\":0,\"updated\":0,\"failed\":0,\"errors\":[]}") == 0);
    crm_free(out);
}

static void test_null_pointers(crm_engine *e)
{
    char *out = SENTINEL_JSON;
    struct sink s;
    memset(&s, 0, sizeof s);

    CHECK_STATUS(crm_import(NULL, "customers", "[]", NULL, &out), CRM_EMISUSE);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("misuse");
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_import(e, NULL, "[]", NULL, &out), CRM_EMISUSE);
    CHECK(out == NULL);
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_import(e, "customers", NULL, NULL, &out), CRM_EMISUSE);
    CHECK(out == NULL);
    CHECK_STATUS(crm_import(e, "customers", "[{\"last_name\":\"never\"}]", NULL, NULL), CRM_EMISUSE);
    CHECK_LAST_ERROR("misuse");
    CHECK(list_count(e, "customers", "{\"last_name\":\"never\"}") == 0);

    CHECK_STATUS(crm_export(NULL, "customers", NULL, sink_write, &s), CRM_EMISUSE);
    CHECK_STATUS(crm_export(e, NULL, NULL, sink_write, &s), CRM_EMISUSE);
    CHECK_STATUS(crm_export(e, "customers", NULL, NULL, &s), CRM_EMISUSE);
    CHECK_LAST_ERROR("misuse");
    CHECK(s.calls == 0);

    /* query_json and ctx may be NULL */
    g_null_ctx_writes = 0;
    g_null_ctx_seen_ctx = 0;
    CHECK_STATUS(crm_export(e, "customers", NULL, write_null_ctx, NULL), CRM_OK);
    CHECK(crm_last_error() == NULL);
    CHECK(g_null_ctx_writes == list_count(e, "customers", NULL));
    CHECK(g_null_ctx_seen_ctx == 0);

    /* progress: NULL engine ignored, NULL ctx handed back as NULL */
    crm_set_progress(NULL, on_progress_null_ctx, NULL);
    g_null_ctx_calls = 0;
    crm_set_progress(e, on_progress_null_ctx, NULL);
    out = NULL;
    CHECK_STATUS(crm_import(e, "customers", "{\"last_name\":\"ctx\"}", NULL, &out), CRM_OK);
    crm_free(out);
    CHECK(g_null_ctx_calls >= 1);
    CHECK(g_null_ctx_seen_ctx == 0);
    crm_set_progress(e, NULL, NULL);
    g_null_ctx_calls = 0;
    out = NULL;
    CHECK_STATUS(crm_import(e, "customers", "{\"last_name\":\"ctx2\"}", NULL, &out), CRM_OK);
    crm_free(out);
    CHECK(g_null_ctx_calls == 0); /* removed */
}

static void test_export(void)
{
    crm_engine *e = NULL;
    char *out = NULL;
    char *rows = ndjson_customers(2500);
    struct sink s;
    struct progress p;
    memset(&s, 0, sizeof s);

    REQUIRE(rows != NULL);
    REQUIRE(crm_open(":memory:", NULL, &e) == CRM_OK);
    memset(&p, 0, sizeof p);
    crm_set_progress(e, on_progress, &p);
    CHECK_STATUS(crm_import(e, "customers", rows, NULL, &out), CRM_OK);
    CHECK(out != NULL && strcmp(out, "{\"created\":2500,\"updated\":0,\"failed\":0,\"errors\":[]}") == 0);
    crm_free(out);
    free(rows);
    /* import progress: at least every 1% (25 rows), ends with done == total */
    CHECK(p.calls >= 100);
    CHECK(p.last_done == 2500);
    CHECK(p.last_total == 2500);
    CHECK(p.max_gap <= 25);
    CHECK(p.backwards == 0);

    /* every row, one line per call, in the query's order */
    memset(&p, 0, sizeof p);
    sink_reset(&s, 0);
    CHECK_STATUS(crm_export(e, "customers", "{\"ordering\":\"-last_name\"}", sink_write, &s), CRM_OK);
    CHECK(s.calls == 2500);
    CHECK(s.bad_line == 0);
    CHECK(count_of(s.text, "\n") == 2500);
    CHECK(s.text != NULL && strncmp(s.text, "{\"id\":2500,", 11) == 0);
    CHECK_BEFORE(s.text, "\"last_name\":\"N002499\"", "\"last_name\":\"N002498\"");
    CHECK_BEFORE(s.text, "\"last_name\":\"N001000\"", "\"last_name\":\"N000999\"");
    CHECK(p.calls >= 100);
    CHECK(p.last_done == 2500);
    CHECK(p.last_total == 2500);
    CHECK(p.max_gap <= 25);
    CHECK(p.backwards == 0);

    /* a filter */
    memset(&p, 0, sizeof p);
    sink_reset(&s, 0);
    CHECK_STATUS(crm_export(e, "customers", "{\"last_name__startswith\":\"N0012\",\"ordering\":\"id\"}", sink_write, &s),
                 CRM_OK);
    CHECK(s.calls == 100);
    CHECK(json_id(s.text) == 1201);
    CHECK(p.last_done == 100);
    CHECK(p.last_total == 100);

    /* the callback stops it: CRM_OK, no further call */
    sink_reset(&s, 1234);
    CHECK_STATUS(crm_export(e, "customers", "{\"ordering\":\"id\"}", sink_write, &s), CRM_OK);
    CHECK(crm_last_error() == NULL);
    CHECK(s.calls == 1234);
    CHECK(count_of(s.text, "\n") == 1234);
    sink_reset(&s, 1);
    CHECK_STATUS(crm_export(e, "customers", NULL, sink_write, &s), CRM_OK);
    CHECK(s.calls == 1);

    /* bad queries, paging keys, unknown collections: no call */
    sink_reset(&s, 0);
    CHECK_STATUS(crm_export(e, "customers", "{\"page_size\":10}", sink_write, &s), CRM_EINVAL);
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"page_size\"");
    CHECK_STATUS(crm_export(e, "customers", "{\"cursor\":\"x\"}", sink_write, &s), CRM_EINVAL);
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"cursor\"");
    CHECK_STATUS(crm_export(e, "customers", "{\"colour\":\"red\"}", sink_write, &s), CRM_EINVAL);
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"colour\"");
    CHECK_STATUS(crm_export(e, "customers", "{bad", sink_write, &s), CRM_EINVAL);
    CHECK_STATUS(crm_export(e, "nope", NULL, sink_write, &s), CRM_ENOTFOUND);
    CHECK(s.calls == 0);

    /* other collections */
    CHECK(create_id(e, "messages", "{\"customer_id\":3,\"context\":\"hello\"}") == 1);
    sink_reset(&s, 0);
    CHECK_STATUS(crm_export(e, "messages", NULL, sink_write, &s), CRM_OK);
    CHECK(s.calls == 1);
    CHECK_CONTAINS(s.text, "\"context\":\"hello\"");
    sink_reset(&s, 0);
    CHECK_STATUS(crm_export(e, "ledger", NULL, sink_write, &s), CRM_OK);
    CHECK(s.calls == 0);

    crm_set_progress(e, NULL, NULL);
    sink_reset(&s, 0);
    free(s.text);
    crm_close(e);
}

int main(void)
{
    crm_engine *e = NULL;

    REQUIRE(crm_open(":memory:", NULL, &e) == CRM_OK);
    REQUIRE(e != NULL);
    test_report(e);
    test_atomic_failure(e);
    test_null_pointers(e);
    crm_close(e);
    test_export();

    return capi_check_finish();
}
