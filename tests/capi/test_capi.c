/*
 * test_capi.c - the C ABI (crm.h) driven from plain C99, linked against the
 * shared library exactly as a C host links it.
 *
 * The checks come from capi_check.h: CHECK records a failure (printing
 * file:line and the condition) and goes on, so one run reports every failure;
 * REQUIRE stops at once when the rest of the program cannot run. The last line is "N passed, M failed"; the exit status
 * is non-zero when anything failed.
 */
#include "capi_check.h"

static void test_version_and_status_names(void)
{
    char expected[32];
    const char *v = crm_version();
    snprintf(expected, sizeof expected, "%d.%d.%d", CRM_VERSION_MAJOR, CRM_VERSION_MINOR,
             CRM_VERSION_PATCH);
    REQUIRE(v != NULL);
    CHECK(strcmp(v, expected) == 0);
    CHECK(CRM_VERSION_NUMBER == CRM_VERSION_MAJOR * 10000 + CRM_VERSION_MINOR * 100 + CRM_VERSION_PATCH);
    CHECK(CRM_VERSION_CHECK(0, 0, 0));
    CHECK(!CRM_VERSION_CHECK(CRM_VERSION_MAJOR + 1, 0, 0));

    CHECK(CRM_OK == 0 && CRM_EINVAL == 1 && CRM_ENOTFOUND == 2 && CRM_ECONFLICT == 3);
    CHECK(CRM_EBUSY == 4 && CRM_EIO == 5 && CRM_EMISUSE == 6 && CRM_ENOMEM == 7 && CRM_EINTERNAL == 8);

    CHECK(strcmp(crm_status_name(0), "ok") == 0);
    CHECK(strcmp(crm_status_name(1), "invalid") == 0);
    CHECK(strcmp(crm_status_name(2), "not_found") == 0);
    CHECK(strcmp(crm_status_name(3), "conflict") == 0);
    CHECK(strcmp(crm_status_name(4), "busy") == 0);
    CHECK(strcmp(crm_status_name(5), "io") == 0);
    CHECK(strcmp(crm_status_name(6), "misuse") == 0);
    CHECK(strcmp(crm_status_name(7), "nomem") == 0);
    CHECK(strcmp(crm_status_name(8), "internal") == 0);
    CHECK(strcmp(crm_status_name(-1), "internal") == 0);
    CHECK(strcmp(crm_status_name(9), "internal") == 0);
    CHECK(strcmp(crm_status_name(99), "internal") == 0);
}

static void test_open_and_close(void)
{
    crm_engine *e = SENTINEL_ENGINE;
    const char *missing = "/nonexistent-crm-capi-test-dir/sub/dir/test.db";

    /* NULL options. */
    CHECK_STATUS(crm_open(":memory:", NULL, &e), CRM_OK);
    CHECK(e != NULL && e != SENTINEL_ENGINE);
    CHECK(crm_last_error() == NULL);
    if (e != SENTINEL_ENGINE) crm_close(e);

    /* Every documented option. */
    e = NULL;
    CHECK_STATUS(crm_open(":memory:",
                          "{\"credit_rate\":\"0.25\",\"max_refusals\":5,"
                          "\"credit_limit_multiplier\":12,\"busy_timeout_ms\":1000}",
                          &e),
                 CRM_OK);
    CHECK(e != NULL);
    CHECK(crm_last_error() == NULL);
    crm_close(e);

    /* An empty options object. */
    e = NULL;
    CHECK_STATUS(crm_open(":memory:", "{}", &e), CRM_OK);
    CHECK(e != NULL);
    crm_close(e);

    /* Unknown option key. */
    e = SENTINEL_ENGINE;
    CHECK_STATUS(crm_open(":memory:", "{\"no_such_option\":1}", &e), CRM_EINVAL);
    CHECK(e == NULL);
    CHECK_LAST_ERROR("invalid");
    CHECK_CONTAINS(crm_last_error(), "invalid");
    CHECK_CONTAINS(crm_last_error(), "no_such_option");

    /* Malformed options JSON. */
    e = SENTINEL_ENGINE;
    CHECK_STATUS(crm_open(":memory:", "{\"busy_timeout_ms\":", &e), CRM_EINVAL);
    CHECK(e == NULL);
    CHECK_LAST_ERROR("invalid");

    /* A successful open clears the last error. */
    e = NULL;
    CHECK_STATUS(crm_open(":memory:", NULL, &e), CRM_OK);
    CHECK(crm_last_error() == NULL);
    crm_close(e);

    /* A path in a missing folder. */
    e = SENTINEL_ENGINE;
    CHECK_STATUS(crm_open(missing, NULL, &e), CRM_EIO);
    CHECK(e == NULL);
    CHECK_LAST_ERROR("io");
    {
        FILE *f = fopen(missing, "rb");
        CHECK(f == NULL); /* nothing was created */
        if (f) fclose(f);
    }

    /* NULL path or out pointer. */
    e = SENTINEL_ENGINE;
    CHECK_STATUS(crm_open(NULL, NULL, &e), CRM_EMISUSE);
    CHECK(e == NULL);
    CHECK_LAST_ERROR("misuse");
    CHECK_STATUS(crm_open(":memory:", NULL, NULL), CRM_EMISUSE);
    CHECK_LAST_ERROR("misuse");

    /* NULL is a no-op for close and free. */
    crm_close(NULL);
    crm_free(NULL);
    CHECK(1);
}

static void test_file_database(void)
{
    const char *path = "test_capi_file.db";
    const char *junk = "test_capi_not_a_database.db";
    crm_engine *e = NULL;
    char *out = NULL;
    long long id;
    FILE *f;

    remove(path);
    remove("test_capi_file.db-wal");
    remove("test_capi_file.db-shm");
    remove("test_capi_file.db-journal");

    CHECK_STATUS(crm_open(path, NULL, &e), CRM_OK);
    REQUIRE(e != NULL);
    CHECK_STATUS(crm_create(e, "customers", "{\"first_name\":\"Persist\",\"email\":\"p@example.com\"}", &out),
                 CRM_OK);
    id = json_id(out);
    CHECK(id > 0);
    crm_free(out);
    crm_close(e);

    /* Reopened, the customer is still there. */
    e = NULL;
    out = NULL;
    CHECK_STATUS(crm_open(path, NULL, &e), CRM_OK);
    REQUIRE(e != NULL);
    CHECK_STATUS(crm_get(e, "customers", id, &out), CRM_OK);
    CHECK_CONTAINS(out, "\"first_name\":\"Persist\"");
    CHECK_CONTAINS(out, "\"email\":\"p@example.com\"");
    crm_free(out);
    crm_close(e);

    remove(path);
    remove("test_capi_file.db-wal");
    remove("test_capi_file.db-shm");
    remove("test_capi_file.db-journal");

    /* A file that is not a database. */
    f = fopen(junk, "wb");
    REQUIRE(f != NULL);
    {
        int i;
        for (i = 0; i < 200; ++i) fputs("this is not an sqlite database at all\n", f);
    }
    fclose(f);
    e = SENTINEL_ENGINE;
    CHECK_STATUS(crm_open(junk, NULL, &e), CRM_EIO);
    CHECK(e == NULL);
    CHECK_LAST_ERROR("io");
    remove(junk);
}

static void test_crud(crm_engine *e)
{
    char *out = NULL;
    char *out2 = NULL;
    long long ann, bob;

    /* create */
    CHECK_STATUS(crm_create(e, "customers",
                            "{\"first_name\":\"  Ann \",\"last_name\":\"Lee\","
                            "\"email\":\"Ann@Example.COM\",\"phone\":\"+33 1 23 45 67 89\"}",
                            &out),
                 CRM_OK);
    REQUIRE(out != NULL);
    CHECK(crm_last_error() == NULL);
    ann = json_id(out);
    CHECK(ann > 0);
    CHECK_CONTAINS(out, "\"email\":\"ann@example.com\"");
    CHECK_CONTAINS(out, "\"first_name\":\"Ann\"");
    CHECK_CONTAINS(out, "\"last_name\":\"Lee\"");
    CHECK_CONTAINS(out, "\"full_name\":\"Ann Lee\"");
    CHECK_CONTAINS(out, "\"phone\":\"+33 1 23 45 67 89\"");
    CHECK_CONTAINS(out, "\"kind\":\"person\"");
    CHECK_CONTAINS(out, "\"gender\":\"unknown\"");
    CHECK_CONTAINS(out, "\"user_type\":\"registered\"");
    CHECK_CONTAINS(out, "\"is_active\":true");
    CHECK_CONTAINS(out, "\"archived\":false");
    CHECK_CONTAINS(out, "\"archived_at\":null");
    CHECK_CONTAINS(out, "\"status\":0");
    CHECK_CONTAINS(out, "\"company_name\":null");
    CHECK_CONTAINS(out, "\"mobile\":null");
    CHECK_CONTAINS(out, "\"age\":null");
    CHECK_CONTAINS(out, "\"coupons\":[]");
    CHECK_CONTAINS(out, "\"attributes\":{}");
    CHECK_CONTAINS(out, "\"credit_cents\":0");
    CHECK_CONTAINS(out, "\"uuid\":\"");
    CHECK_CONTAINS(out, "\"created_at\":\"");
    CHECK_CONTAINS(out, "\"updated_at\":\"");
    crm_free(out);

    out = NULL;
    CHECK_STATUS(crm_create(e, "customers",
                            "{\"first_name\":\"Bob\",\"last_name\":\"Brown\",\"loyalty_card\":33,"
                            "\"coupons\":[\" A1 \",\"B2\"],\"attributes\":{\"vip\":true}}",
                            &out),
                 CRM_OK);
    bob = json_id(out);
    CHECK(bob > 0 && bob != ann);
    CHECK_CONTAINS(out, "\"loyalty_card\":\"33\"");
    CHECK_CONTAINS(out, "\"coupons\":[\"A1\",\"B2\"]");
    CHECK_CONTAINS(out, "\"attributes\":{\"vip\":true}");
    CHECK_CONTAINS(out, "\"email\":null");
    crm_free(out);

    /* get */
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_get(e, "customers", ann, &out), CRM_OK);
    REQUIRE(out != NULL && out != SENTINEL_JSON);
    CHECK(json_id(out) == ann);
    CHECK_CONTAINS(out, "\"email\":\"ann@example.com\"");
    CHECK_CONTAINS(out, "\"full_name\":\"Ann Lee\"");
    CHECK(crm_last_error() == NULL);

    /* A GET result sent back as PUT is accepted (read-only fields ignored). */
    out2 = NULL;
    CHECK_STATUS(crm_replace(e, "customers", ann, out, &out2), CRM_OK);
    CHECK_CONTAINS(out2, "\"email\":\"ann@example.com\"");
    CHECK_CONTAINS(out2, "\"phone\":\"+33 1 23 45 67 89\"");
    crm_free(out2);
    crm_free(out);

    /* replace: fields left out return to their defaults */
    out = NULL;
    CHECK_STATUS(crm_replace(e, "customers", ann, "{\"first_name\":\"Ann\",\"last_name\":\"Smith\",\"gender\":\"female\"}", &out),
                 CRM_OK);
    CHECK(json_id(out) == ann);
    CHECK_CONTAINS(out, "\"last_name\":\"Smith\"");
    CHECK_CONTAINS(out, "\"full_name\":\"Ann Smith\"");
    CHECK_CONTAINS(out, "\"gender\":\"female\"");
    CHECK_CONTAINS(out, "\"email\":null");
    CHECK_CONTAINS(out, "\"phone\":null");
    crm_free(out);

    /* update: merge patch; null returns a field to its default */
    out = NULL;
    CHECK_STATUS(crm_update(e, "customers", ann,
                            "{\"note\":\"vip\",\"gender\":null,\"email\":\"ann@example.com\"}", &out),
                 CRM_OK);
    CHECK_CONTAINS(out, "\"note\":\"vip\"");
    CHECK_CONTAINS(out, "\"gender\":\"unknown\"");
    CHECK_CONTAINS(out, "\"first_name\":\"Ann\"");
    CHECK_CONTAINS(out, "\"last_name\":\"Smith\"");
    CHECK_CONTAINS(out, "\"email\":\"ann@example.com\"");
    crm_free(out);

    out = NULL;
    CHECK_STATUS(crm_update(e, "customers", bob, "{\"attributes\":{\"tier\":\"gold\"},\"archived\":true}", &out),
                 CRM_OK);
    CHECK_CONTAINS(out, "\"vip\":true");
    CHECK_CONTAINS(out, "\"tier\":\"gold\"");
    CHECK_CONTAINS(out, "\"archived\":true");
    CHECK_LACKS(out, "\"archived_at\":null");
    crm_free(out);

    /* list: default query */
    out = NULL;
    CHECK_STATUS(crm_list(e, "customers", NULL, &out), CRM_OK);
    CHECK_CONTAINS(out, "\"count\":2");
    CHECK_CONTAINS(out, "\"page\":1");
    CHECK_CONTAINS(out, "\"page_size\":50");
    CHECK_CONTAINS(out, "\"next_cursor\":null");
    CHECK_CONTAINS(out, "\"results\":[");
    CHECK(count_of(out, "\"uuid\":") == 2);
    /* Default order: last_name (company_name null for both): Brown before Smith. */
    {
        const char *b = out ? strstr(out, "\"last_name\":\"Brown\"") : NULL;
        const char *s = out ? strstr(out, "\"last_name\":\"Smith\"") : NULL;
        CHECK(b != NULL && s != NULL && b < s);
    }
    CHECK(crm_last_error() == NULL);
    crm_free(out);

    /* list: paging */
    out = NULL;
    CHECK_STATUS(crm_list(e, "customers", "{\"ordering\":\"id\",\"page\":2,\"page_size\":1}", &out), CRM_OK);
    CHECK_CONTAINS(out, "\"count\":2");
    CHECK_CONTAINS(out, "\"page\":2");
    CHECK_CONTAINS(out, "\"page_size\":1");
    CHECK(count_of(out, "\"uuid\":") == 1);
    CHECK(json_id(out ? strstr(out, "\"results\":") : NULL) == bob);
    crm_free(out);

    out = NULL;
    CHECK_STATUS(crm_list(e, "customers", "{\"ordering\":\"-id\",\"offset\":0,\"limit\":1}", &out), CRM_OK);
    CHECK_CONTAINS(out, "\"offset\":0");
    CHECK_CONTAINS(out, "\"limit\":1");
    CHECK(json_id(out ? strstr(out, "\"results\":") : NULL) == bob);
    crm_free(out);

    out = NULL;
    CHECK_STATUS(crm_list(e, "customers", "{\"count\":false}", &out), CRM_OK);
    CHECK_CONTAINS(out, "\"count\":null");
    crm_free(out);

    /* list: each page handed out is the caller's own (crm_list writes into
       a buffer kept per thread and hands out a copy): a later call, longer
       or shorter, or failing, leaves an earlier page as it was. */
    {
        char *first = NULL, *second = NULL, *third = NULL, *bad = NULL;
        CHECK_STATUS(crm_list(e, "customers", "{\"ordering\":\"id\",\"page_size\":1}", &first), CRM_OK);
        char *copy = first ? malloc(strlen(first) + 1) : NULL;
        if (copy) memcpy(copy, first, strlen(first) + 1);
        CHECK_STATUS(crm_list(e, "customers", "{\"ordering\":\"id\"}", &second), CRM_OK);
        CHECK_STATUS(crm_list(e, "customers", "{\"page_size\":0}", &bad), CRM_EINVAL);
        CHECK_STATUS(crm_list(e, "customers", "{\"ordering\":\"-id\",\"page_size\":1,\"count\":false}", &third),
                     CRM_OK);
        CHECK(first != NULL && copy != NULL && strcmp(first, copy) == 0);
        CHECK(first != second && second != third && first != third);
        CHECK(count_of(first, "\"uuid\":") == 1);
        CHECK(count_of(second, "\"uuid\":") == 2);
        CHECK(json_id(first ? strstr(first, "\"results\":") : NULL) != bob);
        CHECK(json_id(third ? strstr(third, "\"results\":") : NULL) == bob);
        CHECK_CONTAINS(third, "\"count\":null");
        free(copy);
        crm_free(first);
        crm_free(second);
        crm_free(third);
    }

    /* list: bad queries */
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_list(e, "customers", "{\"page_size\":0}", &out), CRM_EINVAL);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("invalid");
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"page_size\"");
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_list(e, "customers", "{\"page_size\":1001}", &out), CRM_EINVAL);
    CHECK(out == NULL);
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_list(e, "customers", "{\"no_such_key\":1}", &out), CRM_EINVAL);
    CHECK(out == NULL);
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"no_such_key\"");
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_list(e, "customers", "{\"ordering\":\"note\"}", &out), CRM_EINVAL);
    CHECK(out == NULL);
    CHECK_CONTAINS(crm_last_error(), "note");
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_list(e, "customers", "{\"page\":1,\"offset\":0}", &out), CRM_EINVAL);
    CHECK(out == NULL);
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_list(e, "customers", "{\"page\":", &out), CRM_EINVAL);
    CHECK(out == NULL);
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_list(e, "customers", "[]", &out), CRM_EINVAL);
    CHECK(out == NULL);

    /* delete */
    CHECK_STATUS(crm_delete(e, "customers", ann), CRM_OK);
    CHECK(crm_last_error() == NULL);
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_get(e, "customers", ann, &out), CRM_ENOTFOUND);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("not_found");
    CHECK_STATUS(crm_delete(e, "customers", ann), CRM_ENOTFOUND);
    CHECK_LAST_ERROR("not_found");
    out = NULL;
    CHECK_STATUS(crm_list(e, "customers", NULL, &out), CRM_OK);
    CHECK_CONTAINS(out, "\"count\":1");
    CHECK(count_of(out, "\"uuid\":") == 1);
    crm_free(out);

    CHECK_STATUS(crm_delete(e, "customers", bob), CRM_OK);
    out = NULL;
    CHECK_STATUS(crm_list(e, "customers", NULL, &out), CRM_OK);
    CHECK_CONTAINS(out, "\"count\":0");
    CHECK_CONTAINS(out, "\"results\":[]");
    crm_free(out);
}

static void test_null_pointers(crm_engine *e)
{
    char *out;
    long long id, before;
    const char *body = "{\"first_name\":\"Null\",\"last_name\":\"Probe\"}";

    out = NULL;
    CHECK_STATUS(crm_create(e, "customers", "{\"first_name\":\"Target\"}", &out), CRM_OK);
    id = json_id(out);
    REQUIRE(id > 0);
    crm_free(out);
    before = list_count(e, "customers", NULL);
    CHECK(before >= 1);

#define EXPECT_MISUSE(call)                                                                \
    do {                                                                                   \
        CHECK_STATUS((call), CRM_EMISUSE);                                                 \
        CHECK_LAST_ERROR("misuse");                                                        \
    } while (0)

    /* crm_create */
    out = SENTINEL_JSON;
    EXPECT_MISUSE(crm_create(NULL, "customers", body, &out));
    CHECK(out == NULL);
    out = SENTINEL_JSON;
    EXPECT_MISUSE(crm_create(e, NULL, body, &out));
    CHECK(out == NULL);
    out = SENTINEL_JSON;
    EXPECT_MISUSE(crm_create(e, "customers", NULL, &out));
    CHECK(out == NULL);
    EXPECT_MISUSE(crm_create(e, "customers", body, NULL));

    /* crm_get */
    out = SENTINEL_JSON;
    EXPECT_MISUSE(crm_get(NULL, "customers", id, &out));
    CHECK(out == NULL);
    out = SENTINEL_JSON;
    EXPECT_MISUSE(crm_get(e, NULL, id, &out));
    CHECK(out == NULL);
    EXPECT_MISUSE(crm_get(e, "customers", id, NULL));

    /* crm_replace */
    out = SENTINEL_JSON;
    EXPECT_MISUSE(crm_replace(NULL, "customers", id, body, &out));
    CHECK(out == NULL);
    out = SENTINEL_JSON;
    EXPECT_MISUSE(crm_replace(e, NULL, id, body, &out));
    CHECK(out == NULL);
    out = SENTINEL_JSON;
    EXPECT_MISUSE(crm_replace(e, "customers", id, NULL, &out));
    CHECK(out == NULL);
    EXPECT_MISUSE(crm_replace(e, "customers", id, body, NULL));

    /* crm_update */
    out = SENTINEL_JSON;
    EXPECT_MISUSE(crm_update(NULL, "customers", id, body, &out));
    CHECK(out == NULL);
    out = SENTINEL_JSON;
    EXPECT_MISUSE(crm_update(e, NULL, id, body, &out));
    CHECK(out == NULL);
    out = SENTINEL_JSON;
    EXPECT_MISUSE(crm_update(e, "customers", id, NULL, &out));
    CHECK(out == NULL);
    EXPECT_MISUSE(crm_update(e, "customers", id, body, NULL));

    /* crm_delete */
    EXPECT_MISUSE(crm_delete(NULL, "customers", id));
    EXPECT_MISUSE(crm_delete(e, NULL, id));

    /* crm_list (query_json may be NULL; the rest may not) */
    out = SENTINEL_JSON;
    EXPECT_MISUSE(crm_list(NULL, "customers", NULL, &out));
    CHECK(out == NULL);
    out = SENTINEL_JSON;
    EXPECT_MISUSE(crm_list(e, NULL, NULL, &out));
    CHECK(out == NULL);
    EXPECT_MISUSE(crm_list(e, "customers", NULL, NULL));
    EXPECT_MISUSE(crm_list(e, "customers", "{}", NULL));

#undef EXPECT_MISUSE

    /* None of the misuse calls wrote anything. */
    CHECK(list_count(e, "customers", NULL) == before);
    out = NULL;
    CHECK_STATUS(crm_get(e, "customers", id, &out), CRM_OK);
    CHECK_CONTAINS(out, "\"first_name\":\"Target\"");
    CHECK_CONTAINS(out, "\"last_name\":null");
    crm_free(out);
    CHECK_STATUS(crm_delete(e, "customers", id), CRM_OK);
}

static void test_errors(crm_engine *e)
{
    char *out = NULL;
    char *err;
    long long id;

    out = NULL;
    CHECK_STATUS(crm_create(e, "customers", "{\"first_name\":\"Carol\",\"email\":\"carol@example.com\"}", &out),
                 CRM_OK);
    id = json_id(out);
    REQUIRE(id > 0);
    crm_free(out);

    /* last error: set by a failure, cleared by the next success */
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_get(e, "customers", 999999, &out), CRM_ENOTFOUND);
    CHECK(out == NULL);
    CHECK(crm_last_error() != NULL);
    CHECK_LAST_ERROR("not_found");
    CHECK_CONTAINS(crm_last_error(), "\"message\":\"");
    out = NULL;
    CHECK_STATUS(crm_get(e, "customers", id, &out), CRM_OK);
    CHECK(crm_last_error() == NULL);
    crm_free(out);

    /* not found: id 0, negative ids, missing ids, unknown collection */
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_get(e, "customers", 0, &out), CRM_ENOTFOUND);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("not_found");
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_get(e, "customers", -1, &out), CRM_ENOTFOUND);
    CHECK(out == NULL);
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_replace(e, "customers", 999999, "{\"first_name\":\"X\"}", &out), CRM_ENOTFOUND);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("not_found");
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_replace(e, "customers", 0, "{\"first_name\":\"X\"}", &out), CRM_ENOTFOUND);
    CHECK(out == NULL);
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_update(e, "customers", 999999, "{\"first_name\":\"X\"}", &out), CRM_ENOTFOUND);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("not_found");
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_update(e, "customers", -7, "{}", &out), CRM_ENOTFOUND);
    CHECK(out == NULL);
    CHECK_STATUS(crm_delete(e, "customers", 999999), CRM_ENOTFOUND);
    CHECK_LAST_ERROR("not_found");
    CHECK_STATUS(crm_delete(e, "customers", 0), CRM_ENOTFOUND);

    out = SENTINEL_JSON;
    CHECK_STATUS(crm_get(e, "widgets", id, &out), CRM_ENOTFOUND);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("not_found");
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_create(e, "widgets", "{}", &out), CRM_ENOTFOUND);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("not_found");
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_list(e, "widgets", NULL, &out), CRM_ENOTFOUND);
    CHECK(out == NULL);
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_replace(e, "widgets", id, "{}", &out), CRM_ENOTFOUND);
    CHECK(out == NULL);
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_update(e, "widgets", id, "{}", &out), CRM_ENOTFOUND);
    CHECK(out == NULL);
    CHECK_STATUS(crm_delete(e, "widgets", id), CRM_ENOTFOUND);
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_get(e, "", id, &out), CRM_ENOTFOUND);
    CHECK(out == NULL);
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_get(e, "Customers", id, &out), CRM_ENOTFOUND);
    CHECK(out == NULL);

    /* malformed JSON and non-object bodies */
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_create(e, "customers", "{\"first_name\":", &out), CRM_EINVAL);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("invalid");
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_create(e, "customers", "not json", &out), CRM_EINVAL);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("invalid");
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_create(e, "customers", "", &out), CRM_EINVAL);
    CHECK(out == NULL);
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_create(e, "customers", "[1,2]", &out), CRM_EINVAL);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("invalid");
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_create(e, "customers", "\"text\"", &out), CRM_EINVAL);
    CHECK(out == NULL);
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_replace(e, "customers", id, "{\"first_name\"", &out), CRM_EINVAL);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("invalid");
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_update(e, "customers", id, "{,}", &out), CRM_EINVAL);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("invalid");
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_update(e, "customers", id, "[1]", &out), CRM_EINVAL);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("invalid");

    /* one invalid field */
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_create(e, "customers", "{\"email\":\"not-an-email\"}", &out), CRM_EINVAL);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("invalid");
    CHECK_CONTAINS(crm_last_error(), "\"message\":\"1 field is invalid\"");
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"email\"");
    CHECK(count_of(crm_last_error(), "\"field\":") == 1);

    /* two invalid fields, reported together */
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_create(e, "customers", "{\"email\":\"a@b@c\",\"gender\":\"robot\",\"first_name\":\"Ok\"}", &out),
                 CRM_EINVAL);
    CHECK(out == NULL);
    err = copy_last_error();
    CHECK_CONTAINS(err, "\"code\":\"invalid\"");
    CHECK_CONTAINS(err, "\"message\":\"2 fields are invalid\"");
    CHECK_CONTAINS(err, "\"field\":\"email\"");
    CHECK_CONTAINS(err, "\"field\":\"gender\"");
    CHECK(count_of(err, "\"field\":") == 2);
    CHECK_CONTAINS(err, "\"errors\":[");
    free(err);

    /* an unknown field is named */
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_create(e, "customers", "{\"first_name\":\"X\",\"nickname\":\"x\"}", &out), CRM_EINVAL);
    CHECK(out == NULL);
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"nickname\"");

    /* the same validation applies to replace and update */
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_replace(e, "customers", id, "{\"status\":-1}", &out), CRM_EINVAL);
    CHECK(out == NULL);
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"status\"");
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_update(e, "customers", id, "{\"channel_id\":0}", &out), CRM_EINVAL);
    CHECK(out == NULL);
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"channel_id\"");

    /* duplicate email (different case) -> conflict */
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_create(e, "customers", "{\"first_name\":\"Carol2\",\"email\":\"CAROL@Example.com\"}", &out),
                 CRM_ECONFLICT);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("conflict");
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"email\"");
    {
        long long other;
        out = NULL;
        CHECK_STATUS(crm_create(e, "customers", "{\"first_name\":\"Dave\",\"email\":\"dave@example.com\"}", &out),
                     CRM_OK);
        other = json_id(out);
        crm_free(out);
        out = SENTINEL_JSON;
        CHECK_STATUS(crm_update(e, "customers", other, "{\"email\":\"Carol@example.COM\"}", &out), CRM_ECONFLICT);
        CHECK(out == NULL);
        CHECK_LAST_ERROR("conflict");
        CHECK_CONTAINS(crm_last_error(), "\"field\":\"email\"");
        /* the failed write left the customer as it was */
        out = NULL;
        CHECK_STATUS(crm_get(e, "customers", other, &out), CRM_OK);
        CHECK_CONTAINS(out, "\"email\":\"dave@example.com\"");
        crm_free(out);
        CHECK_STATUS(crm_delete(e, "customers", other), CRM_OK);
    }

    /* the original is untouched by all of the failures above */
    out = NULL;
    CHECK_STATUS(crm_get(e, "customers", id, &out), CRM_OK);
    CHECK_CONTAINS(out, "\"first_name\":\"Carol\"");
    CHECK_CONTAINS(out, "\"email\":\"carol@example.com\"");
    CHECK_CONTAINS(out, "\"status\":0");
    CHECK_CONTAINS(out, "\"channel_id\":null");
    crm_free(out);
    CHECK_STATUS(crm_delete(e, "customers", id), CRM_OK);
    CHECK(list_count(e, "customers", NULL) == 0);
}

int main(void)
{
    crm_engine *e = NULL;

    test_version_and_status_names();
    test_open_and_close();
    test_file_database();

    REQUIRE(crm_open(":memory:", NULL, &e) == CRM_OK);
    REQUIRE(e != NULL);
    test_crud(e);
    test_null_pointers(e);
    test_errors(e);
    crm_close(e);

    return capi_check_finish();
}
