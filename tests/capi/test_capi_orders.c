/*
 * test_capi_orders.c - orders, messages and forms through the C ABI (crm.h)
 * from plain C99, linked against the shared library as a C host links it.
 *
 * The checks come from capi_check.h, as in test_capi.c: CHECK records a
 * failure and goes on, REQUIRE stops when the rest cannot run. The last line is "N passed, M failed"; the
 * exit status is non-zero when anything failed.
 */
#include "capi_check.h"

static void test_orders(crm_engine *e)
{
    char buf[512];
    char *out = NULL;
    long long cust, other, o1, o2, o3, o10, o11;

    cust = create_id(e, "customers", "{\"last_name\":\"Buyer\"}");
    other = create_id(e, "customers", "{\"last_name\":\"Other\"}");
    REQUIRE(cust > 0 && other > 0);

    /* create: number 1 first, then max + 1; explicit numbers kept */
    snprintf(buf, sizeof buf, "{\"customer_id\":%lld,\"quantity\":2,\"description\":\" With client \"}", cust);
    CHECK_STATUS(crm_create(e, "orders", buf, &out), CRM_OK);
    REQUIRE(out != NULL);
    CHECK(crm_last_error() == NULL);
    o1 = json_id(out);
    CHECK(o1 > 0);
    CHECK(json_int(out, "number") == 1);
    CHECK(json_int(out, "customer_id") == cust);
    CHECK_CONTAINS(out, "\"status\":\"draft\"");
    CHECK_CONTAINS(out, "\"submit_date\":null");
    CHECK_CONTAINS(out, "\"quantity\":2");
    CHECK_CONTAINS(out, "\"description\":\"With client\"");
    CHECK_CONTAINS(out, "\"customer_required\":true");
    CHECK_CONTAINS(out, "\"total_cents\":0");
    CHECK_CONTAINS(out, "\"created_at\":\"");
    crm_free(out);
    out = NULL;

    snprintf(buf, sizeof buf, "{\"customer_id\":%lld,\"status\":1}", cust);
    CHECK_STATUS(crm_create(e, "orders", buf, &out), CRM_OK);
    o2 = json_id(out);
    CHECK(json_int(out, "number") == 2);
    CHECK_CONTAINS(out, "\"status\":\"submitted\"");
    CHECK_LACKS(out, "\"submit_date\":null");
    crm_free(out);
    out = NULL;

    snprintf(buf, sizeof buf, "{\"customer_id\":%lld,\"number\":10,\"status\":\"revoked\"}", cust);
    o10 = create_id(e, "orders", buf);
    snprintf(buf, sizeof buf, "{\"customer_id\":%lld}", other);
    o11 = create_id(e, "orders", buf);
    CHECK(o10 > 0 && o11 > 0);
    CHECK_STATUS(crm_get(e, "orders", o11, &out), CRM_OK);
    CHECK(json_int(out, "number") == 11);
    crm_free(out);
    out = NULL;
    snprintf(buf, sizeof buf, "{\"customer_id\":%lld,\"status\":\"draft\"}", cust);
    o3 = create_id(e, "orders", buf);
    CHECK(o3 > 0);

    /* get */
    CHECK_STATUS(crm_get(e, "orders", o10, &out), CRM_OK);
    CHECK(json_int(out, "number") == 10);
    CHECK_CONTAINS(out, "\"status\":\"revoked\"");
    crm_free(out);
    out = NULL;

    /* update: draft -> submitted sets submit_date; number kept */
    CHECK_STATUS(crm_update(e, "orders", o1, "{\"status\":\"submitted\"}", &out), CRM_OK);
    CHECK_CONTAINS(out, "\"status\":\"submitted\"");
    CHECK_LACKS(out, "\"submit_date\":null");
    CHECK(json_int(out, "number") == 1);
    crm_free(out);
    out = NULL;

    /* illegal moves: conflict naming status, out pointer NULL, nothing changed */
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_update(e, "orders", o1, "{\"status\":\"draft\"}", &out), CRM_ECONFLICT);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("conflict");
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"status\"");
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_update(e, "orders", o10, "{\"status\":0}", &out), CRM_ECONFLICT);
    CHECK(out == NULL);
    out = SENTINEL_JSON;
    snprintf(buf, sizeof buf, "{\"customer_id\":%lld,\"status\":\"submitted\"}", cust);
    CHECK_STATUS(crm_replace(e, "orders", o10, buf, &out), CRM_ECONFLICT);
    CHECK(out == NULL);
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"status\"");
    out = NULL;
    CHECK_STATUS(crm_get(e, "orders", o10, &out), CRM_OK);
    CHECK_CONTAINS(out, "\"status\":\"revoked\"");
    crm_free(out);
    out = NULL;
    /* submitted -> revoked is allowed */
    CHECK_STATUS(crm_update(e, "orders", o2, "{\"status\":2}", &out), CRM_OK);
    CHECK_CONTAINS(out, "\"status\":\"revoked\"");
    CHECK_LACKS(out, "\"submit_date\":null");
    crm_free(out);
    out = NULL;

    /* replace keeps number and date when left out */
    snprintf(buf, sizeof buf, "{\"customer_id\":%lld,\"quantity\":7}", cust);
    CHECK_STATUS(crm_replace(e, "orders", o3, buf, &out), CRM_OK);
    CHECK(json_int(out, "number") == 12);
    CHECK_CONTAINS(out, "\"quantity\":7");
    crm_free(out);
    out = NULL;

    /* invalid customer_id: missing, unknown, required */
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_create(e, "orders", "{\"customer_id\":999999}", &out), CRM_EINVAL);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("invalid");
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"customer_id\"");
    CHECK_CONTAINS(crm_last_error(), "999999");
    CHECK(count_of(crm_last_error(), "\"field\":") == 1);
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_create(e, "orders", "{\"quantity\":1}", &out), CRM_EINVAL);
    CHECK(out == NULL);
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"customer_id\"");
    CHECK_STATUS(crm_create(e, "orders", "{\"customer_required\":false}", &out), CRM_OK);
    CHECK_CONTAINS(out, "\"customer_id\":null");
    CHECK(json_int(out, "number") == 13);
    CHECK_STATUS(crm_delete(e, "orders", json_id(out)), CRM_OK);
    crm_free(out);
    out = NULL;
    /* several bad fields at once */
    snprintf(buf, sizeof buf,
             "{\"customer_id\":%lld,\"quantity\":-1,\"total_cents\":1000000000000001,"
             "\"activation_birth_date\":\"2024-01-02T00:00:00Z\","
             "\"activation_death_date\":\"2024-01-01T00:00:00Z\",\"bogus\":1}",
             cust);
    CHECK_STATUS(crm_create(e, "orders", buf, &out), CRM_EINVAL);
    CHECK_CONTAINS(crm_last_error(), "\"message\":\"4 fields are invalid\"");
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"quantity\"");
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"total_cents\"");
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"activation_death_date\"");
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"bogus\"");
    CHECK_STATUS(crm_create(e, "orders", "{\"customer_id\":", &out), CRM_EINVAL);
    CHECK(out == NULL);

    /* list a customer's orders the seed 001 way */
    snprintf(buf, sizeof buf, "{\"customer_id\":%lld,\"offset\":0}", cust);
    CHECK_STATUS(crm_list(e, "orders", buf, &out), CRM_OK);
    CHECK(json_int(out, "count") == 4);
    CHECK_CONTAINS(out, "\"limit\":100");
    CHECK_CONTAINS(out, "\"offset\":0");
    CHECK_BEFORE(out, "\"number\":1,", "\"number\":2,");
    CHECK_BEFORE(out, "\"number\":2,", "\"number\":10,");
    CHECK_BEFORE(out, "\"number\":10,", "\"number\":12,");
    CHECK_LACKS(out, "\"number\":11,");
    crm_free(out);
    out = NULL;
    snprintf(buf, sizeof buf,
             "{\"customer_id\":%lld,\"status\":\"0,1\",\"sortby\":\"number\",\"direction\":\"desc\","
             "\"offset\":0,\"limit\":10}",
             cust);
    CHECK_STATUS(crm_list(e, "orders", buf, &out), CRM_OK);
    CHECK(json_int(out, "count") == 2); /* o1 submitted, o3 draft */
    CHECK_BEFORE(out, "\"number\":12,", "\"number\":1,");
    CHECK_LACKS(out, "\"number\":10,");
    CHECK_LACKS(out, "\"number\":2,");
    crm_free(out);
    out = NULL;
    snprintf(buf, sizeof buf, "{\"customer_id\":%lld,\"status\":[\"draft\",\"submitted\"]}", cust);
    CHECK(list_count(e, "orders", buf) == 2);
    snprintf(buf, sizeof buf, "{\"customer_id\":%lld,\"status\":2}", cust);
    CHECK(list_count(e, "orders", buf) == 2);
    snprintf(buf, sizeof buf, "{\"customer_id\":%lld,\"sortby\":\"submitdate\",\"offset\":1,\"limit\":2}", cust);
    CHECK_STATUS(crm_list(e, "orders", buf, &out), CRM_OK);
    CHECK(count_of(out, "\"customer_id\":") == 2);
    crm_free(out);
    out = NULL;
    CHECK_STATUS(crm_list(e, "orders", "{\"sortby\":\"date\"}", &out), CRM_EINVAL);
    CHECK(out == NULL);
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"sortby\"");
    CHECK_STATUS(crm_list(e, "orders", "{\"status\":\"7\"}", &out), CRM_EINVAL);
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"status\"");

    /* a customer with orders cannot be deleted; archived it keeps them */
    CHECK_STATUS(crm_delete(e, "customers", cust), CRM_ECONFLICT);
    CHECK_LAST_ERROR("conflict");
    CHECK_STATUS(crm_get(e, "customers", cust, &out), CRM_OK);
    crm_free(out);
    out = NULL;
    CHECK_STATUS(crm_update(e, "customers", cust, "{\"archived\":true}", &out), CRM_OK);
    CHECK_CONTAINS(out, "\"archived\":true");
    crm_free(out);
    out = NULL;
    snprintf(buf, sizeof buf, "{\"customer_id\":%lld}", cust);
    CHECK(list_count(e, "orders", buf) == 4);

    /* delete and not_found */
    CHECK_STATUS(crm_delete(e, "orders", o11), CRM_OK);
    CHECK(crm_last_error() == NULL);
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_get(e, "orders", o11, &out), CRM_ENOTFOUND);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("not_found");
    CHECK_STATUS(crm_delete(e, "orders", o11), CRM_ENOTFOUND);
    CHECK_STATUS(crm_update(e, "orders", 0, "{}", &out), CRM_ENOTFOUND);
    CHECK_STATUS(crm_replace(e, "orders", -1, "{}", &out), CRM_ENOTFOUND);
    /* the customer of the deleted order has none left: deletable */
    CHECK_STATUS(crm_delete(e, "customers", other), CRM_OK);

    /* NULL pointers */
    CHECK_STATUS(crm_create(NULL, "orders", "{}", &out), CRM_EMISUSE);
    CHECK_STATUS(crm_create(e, "orders", NULL, &out), CRM_EMISUSE);
    CHECK_STATUS(crm_list(e, "orders", NULL, NULL), CRM_EMISUSE);
    CHECK_STATUS(crm_list(e, "orders", NULL, &out), CRM_OK);
    CHECK(json_int(out, "count") == 4);
    crm_free(out);
    out = NULL;

    /* collection names are exact */
    CHECK_STATUS(crm_list(e, "ticket", NULL, &out), CRM_ENOTFOUND);
    CHECK(out == NULL);
}

static void test_messages(crm_engine *e)
{
    char buf[256];
    char *out = NULL;
    long long cust, gone, m1, m2, m3;

    cust = create_id(e, "customers", "{\"last_name\":\"Talker\"}");
    gone = create_id(e, "customers", "{\"last_name\":\"Leaver\"}");
    REQUIRE(cust > 0 && gone > 0);

    snprintf(buf, sizeof buf, "{\"customer_id\":%lld,\"context\":\"  first \"}", cust);
    CHECK_STATUS(crm_create(e, "messages", buf, &out), CRM_OK);
    m1 = json_id(out);
    CHECK(m1 > 0);
    CHECK_CONTAINS(out, "\"context\":\"first\"");
    CHECK(json_int(out, "customer_id") == cust);
    CHECK_CONTAINS(out, "\"created_at\":\"");
    crm_free(out);
    out = NULL;
    snprintf(buf, sizeof buf, "{\"customer_id\":%lld,\"context\":\"second\"}", cust);
    m2 = create_id(e, "messages", buf);
    snprintf(buf, sizeof buf, "{\"customer_id\":%lld,\"context\":\"bye\"}", gone);
    m3 = create_id(e, "messages", buf);
    CHECK(m2 > m1 && m3 > m2);

    /* required, existing customer; context required */
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_create(e, "messages", "{\"context\":\"x\"}", &out), CRM_EINVAL);
    CHECK(out == NULL);
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"customer_id\"");
    CHECK_STATUS(crm_create(e, "messages", "{\"customer_id\":999999,\"context\":\"x\"}", &out), CRM_EINVAL);
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"customer_id\"");
    snprintf(buf, sizeof buf, "{\"customer_id\":%lld,\"context\":\"   \"}", cust);
    CHECK_STATUS(crm_create(e, "messages", buf, &out), CRM_EINVAL);
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"context\"");

    /* get, update */
    CHECK_STATUS(crm_get(e, "messages", m2, &out), CRM_OK);
    CHECK_CONTAINS(out, "\"context\":\"second\"");
    crm_free(out);
    out = NULL;
    CHECK_STATUS(crm_update(e, "messages", m2, "{\"context\":\"second, edited\"}", &out), CRM_OK);
    CHECK_CONTAINS(out, "\"context\":\"second, edited\"");
    crm_free(out);
    out = NULL;

    /* a customer's messages, newest first */
    snprintf(buf, sizeof buf, "{\"customer_id\":%lld,\"ordering\":\"-id\"}", cust);
    CHECK_STATUS(crm_list(e, "messages", buf, &out), CRM_OK);
    CHECK(json_int(out, "count") == 2);
    CHECK_BEFORE(out, "\"context\":\"second, edited\"", "\"context\":\"first\"");
    CHECK_LACKS(out, "bye");
    crm_free(out);
    out = NULL;

    /* deleting a customer without orders deletes its messages */
    CHECK_STATUS(crm_delete(e, "customers", gone), CRM_OK);
    snprintf(buf, sizeof buf, "{\"customer_id\":%lld}", gone);
    CHECK(list_count(e, "messages", buf) == 0);
    CHECK_STATUS(crm_get(e, "messages", m3, &out), CRM_ENOTFOUND);
    CHECK(out == NULL);

    CHECK_STATUS(crm_delete(e, "messages", m1), CRM_OK);
    CHECK_STATUS(crm_delete(e, "messages", m1), CRM_ENOTFOUND);
    snprintf(buf, sizeof buf, "{\"customer_id\":%lld}", cust);
    CHECK(list_count(e, "messages", buf) == 1);
}

static void test_forms(crm_engine *e)
{
    char *out = NULL;
    long long form, cust;

    /* fields as a JSON string (seed 000) */
    CHECK_STATUS(crm_create(e, "forms",
                            "{\"name\":\"Profile\",\"fields\":\"[{\\\"name\\\":\\\"size\\\",\\\"type\\\":"
                            "\\\"integer\\\",\\\"required\\\":true},{\\\"name\\\":\\\"color\\\",\\\"type\\\":"
                            "\\\"enum\\\",\\\"options\\\":[\\\"red\\\",\\\"blue\\\"]}]\"}",
                            &out),
                 CRM_OK);
    REQUIRE(out != NULL);
    form = json_id(out);
    CHECK(form > 0);
    CHECK_CONTAINS(out, "\"name\":\"Profile\"");
    CHECK_CONTAINS(out, "\"active\":true");
    CHECK_CONTAINS(out, "{\"name\":\"size\",\"label\":null,\"type\":\"integer\",\"required\":true}");
    CHECK_CONTAINS(out, "\"options\":[\"red\",\"blue\"]");
    CHECK(count_of(out, "\"options\"") == 1);
    crm_free(out);
    out = NULL;

    /* unique name; field errors named fields[i].key */
    CHECK_STATUS(crm_create(e, "forms", "{\"name\":\"Profile\"}", &out), CRM_ECONFLICT);
    CHECK(out == NULL);
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"name\"");
    CHECK_STATUS(crm_create(e, "forms",
                            "{\"name\":\"Bad\",\"fields\":[{\"name\":\"ok\",\"type\":\"string\"},"
                            "{\"name\":\"x\",\"type\":\"enum\"}]}",
                            &out),
                 CRM_EINVAL);
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"fields[1].options\"");

    /* enforcement: every error of the customer reported together */
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_create(e, "customers",
                            "{\"email\":\"nope\",\"attributes\":{\"color\":\"green\"}}", &out),
                 CRM_EINVAL);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("invalid");
    CHECK_CONTAINS(crm_last_error(), "\"message\":\"3 fields are invalid\"");
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"email\"");
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"attributes.size\"");
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"attributes.color\"");
    CHECK(count_of(crm_last_error(), "\"field\":") == 3);

    CHECK_STATUS(crm_create(e, "customers", "{\"last_name\":\"Fits\",\"attributes\":{\"size\":3}}", &out),
                 CRM_OK);
    cust = json_id(out);
    CHECK(cust > 0);
    crm_free(out);
    out = NULL;
    CHECK_STATUS(crm_update(e, "customers", cust, "{\"attributes\":{\"size\":\"3\"}}", &out), CRM_EINVAL);
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"attributes.size\"");
    CHECK_STATUS(crm_replace(e, "customers", cust, "{\"last_name\":\"Fits\"}", &out), CRM_EINVAL);
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"attributes.size\"");
    CHECK_STATUS(crm_list(e, "customers", "{\"attributes__size\":3}", &out), CRM_OK);
    CHECK(json_int(out, "count") == 1);
    crm_free(out);
    out = NULL;

    /* list, update, deactivate lifts the rules, delete */
    CHECK(list_count(e, "forms", NULL) == 1);
    CHECK_STATUS(crm_update(e, "forms", form, "{\"active\":false}", &out), CRM_OK);
    CHECK_CONTAINS(out, "\"active\":false");
    crm_free(out);
    out = NULL;
    CHECK_STATUS(crm_create(e, "customers", "{\"last_name\":\"Free\"}", &out), CRM_OK);
    crm_free(out);
    out = NULL;
    CHECK_STATUS(crm_update(e, "forms", form, "{\"active\":true}", &out), CRM_OK);
    crm_free(out);
    out = NULL;
    CHECK_STATUS(crm_create(e, "customers", "{\"last_name\":\"Blocked\"}", &out), CRM_EINVAL);
    CHECK_STATUS(crm_delete(e, "forms", form), CRM_OK);
    CHECK_STATUS(crm_create(e, "customers", "{\"last_name\":\"Free again\"}", &out), CRM_OK);
    crm_free(out);
    out = NULL;
    CHECK_STATUS(crm_get(e, "forms", form, &out), CRM_ENOTFOUND);
    CHECK(list_count(e, "forms", NULL) == 0);
}

int main(void)
{
    crm_engine *e = NULL;

    REQUIRE(crm_open(":memory:", NULL, &e) == CRM_OK);
    REQUIRE(e != NULL);
    test_orders(e);
    test_messages(e);
    test_forms(e);
    crm_close(e);

    return capi_check_finish();
}
