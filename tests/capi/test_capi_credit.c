/*
 * test_capi_credit.c - tickets, the loyalty ledger, credit requests and the
 * four crm_credit_* calls through the C ABI (crm.h) from plain C99, linked
 * against the shared library as a C host links it.
 *
 * The fixtures are seed 003's payloads (/work/shared/seeds/003_*.txt):
 * POST /api/credit's body verbatim, POST /api/allow_credit's body with the
 * uuid the engine gave the customer in place of the seed's idClient, and
 * GET /api/get_tickets's two tickets written with the engine's field names
 * (prices in currency units there, cents here).
 *
 * The checks come from capi_check.h, as in test_capi.c: CHECK records a
 * failure and goes on, REQUIRE stops when the rest cannot run. The last line
 * is "N passed, M failed"; the exit status is non-zero when anything failed.
 */
#include "capi_check.h"

/* POST /api/credit, verbatim: card 33 paid 26, card 42 paid 55. */
static const char SEED_CREDIT[] =
    "{\"Tickets\" : [\n"
    "{\n"
    "\"carteFid\": 33,\n"
    "\"Montant\": 26\n"
    "},\n"
    "{\n"
    "\"carteFid\": 42,\n"
    "\"Montant\": 55\n"
    "}\n"
    "]\n"
    "}";

/* POST /api/allow_credit, verbatim but for the idClient (a %s here). */
static const char SEED_ALLOW_CREDIT_FMT[] =
    "{\n"
    "\"idClient\": \"%s\",\n"
    "\"Montant\": 36000,\n"
    "\"Date\": \"2019-12-06\"\n"
    "}";

/* GET /api/get_tickets's ticket 42 (customer by uuid, a %s here): 2 x X1-0
 * at 800.00 -50% and 1 x X1-9 at 48.00 -50%; the second line's after price
 * given, the first's derived. 2 x 40000 + 2400 = 82400 cents. */
static const char SEED_TICKET_42_FMT[] =
    "{\"customer_uuid\":\"%s\",\"date\":\"2019-10-09T17:01:29.408701Z\","
    "\"payment_mode\":\"cash\",\"origin\":\"e-commerce\",\"lines\":["
    "{\"product_code\":\"X1-0\",\"unit_price_before_cents\":80000,\"promo_percent\":50,\"quantity\":2},"
    "{\"product_code\":\"X1-9\",\"unit_price_before_cents\":4800,\"unit_price_after_cents\":2400,"
    "\"promo_percent\":50,\"quantity\":1}]}";

/* Its ticket 38: 2 x X1-4 at 36.00 -50%: 3600 cents; by customer id. */
static const char SEED_TICKET_38_FMT[] =
    "{\"customer_id\":%lld,\"date\":\"2019-10-09T18:03:45.408701Z\",\"payment_mode\":\"Card\","
    "\"origin\":\"e-commerce\",\"ref\":\"seed-38\",\"lines\":["
    "{\"product_code\":\"X1-4\",\"unit_price_before_cents\":3600,\"promo_percent\":50,\"quantity\":2}]}";

/* Copies the string value of the first `"key":"` into buf ("" when absent). */
static const char *json_str(const char *json, const char *key, char *buf, size_t size)
{
    char needle[64];
    const char *p, *end;
    size_t n;
    buf[0] = '\0';
    if (json == NULL) return buf;
    snprintf(needle, sizeof needle, "\"%s\":\"", key);
    p = strstr(json, needle);
    if (p == NULL) return buf;
    p += strlen(needle);
    end = strchr(p, '"');
    if (end == NULL) return buf;
    n = (size_t)(end - p);
    if (n >= size) n = size - 1;
    memcpy(buf, p, n);
    buf[n] = '\0';
    return buf;
}

/* The customer's credit_cents as stored (or -1). */
static long long credit_of(crm_engine *e, long long customer)
{
    char *out = NULL;
    long long n = -1;
    if (crm_get(e, "customers", customer, &out) != CRM_OK) return -1;
    n = json_int(out, "credit_cents");
    crm_free(out);
    return n;
}

/* The balance crm_credit_balance reports for `card` (or -1). */
static long long balance_of(crm_engine *e, const char *card)
{
    char *out = NULL;
    long long n = -1;
    if (crm_credit_balance(e, card, &out) != CRM_OK) return -1;
    n = json_int(out, "balance_cents");
    crm_free(out);
    return n;
}

/* Seed 003's credit POST, then ref'd payments, duplicates and failures. */
static void test_accrue_and_balance(crm_engine *e, long long c33, long long c42)
{
    char expected[512];
    char buf[256];
    char *out = NULL;
    char *err = NULL;

    /* 26.00 -> 2600 cents -> 1300 at the default rate 0.5; 55.00 -> 2750 */
    CHECK_STATUS(crm_credit_accrue(e, SEED_CREDIT, &out), CRM_OK);
    CHECK(crm_last_error() == NULL);
    snprintf(expected, sizeof expected,
             "{\"results\":[{\"card\":\"33\",\"customer_id\":%lld,\"accrued_cents\":1300,"
             "\"balance_cents\":1300,\"duplicate\":false},{\"card\":\"42\",\"customer_id\":%lld,"
             "\"accrued_cents\":2750,\"balance_cents\":2750,\"duplicate\":false}]}",
             c33, c42);
    CHECK(out != NULL && strcmp(out, expected) == 0);
    if (out != NULL && strcmp(out, expected) != 0) fprintf(stderr, "    got %s\n", out);
    crm_free(out);
    out = NULL;

    /* GET /api/credit/33: {"carteFid":33,"Credit":13} */
    CHECK_STATUS(crm_credit_balance(e, "33", &out), CRM_OK);
    snprintf(expected, sizeof expected, "{\"card\":\"33\",\"customer_id\":%lld,\"balance_cents\":1300}", c33);
    CHECK(out != NULL && strcmp(out, expected) == 0);
    crm_free(out);
    out = NULL;
    CHECK(credit_of(e, c33) == 1300);
    CHECK(credit_of(e, c42) == 2750);

    /* our shape, with a ref: applied once */
    CHECK_STATUS(crm_credit_accrue(e, "{\"payments\":[{\"card\":\"33\",\"amount_cents\":2600,\"ref\":\"pos1-42\"}]}",
                                   &out),
                 CRM_OK);
    snprintf(expected, sizeof expected,
             "{\"results\":[{\"card\":\"33\",\"customer_id\":%lld,\"accrued_cents\":1300,"
             "\"balance_cents\":2600,\"duplicate\":false}]}",
             c33);
    CHECK(out != NULL && strcmp(out, expected) == 0);
    crm_free(out);
    out = NULL;
    /* the same ref again, and twice within one batch: skipped, reported */
    CHECK_STATUS(crm_credit_accrue(e,
                                   "{\"payments\":[{\"card\":\"33\",\"amount_cents\":2600,\"ref\":\"pos1-42\"},"
                                   "{\"card\":42,\"amount_cents\":101,\"ref\":\"pos1-43\"},"
                                   "{\"card\":\"42\",\"amount_cents\":101,\"ref\":\"pos1-43\"}]}",
                                   &out),
                 CRM_OK);
    snprintf(expected, sizeof expected,
             "{\"results\":[{\"card\":\"33\",\"customer_id\":%lld,\"accrued_cents\":0,"
             "\"balance_cents\":2600,\"duplicate\":true},{\"card\":\"42\",\"customer_id\":%lld,"
             "\"accrued_cents\":50,\"balance_cents\":2800,\"duplicate\":false},{\"card\":\"42\","
             "\"customer_id\":%lld,\"accrued_cents\":0,\"balance_cents\":2800,\"duplicate\":true}]}",
             c33, c42, c42);
    CHECK(out != NULL && strcmp(out, expected) == 0);
    if (out != NULL && strcmp(out, expected) != 0) fprintf(stderr, "    got %s\n", out);
    crm_free(out);
    out = NULL;
    CHECK(balance_of(e, "33") == 2600);
    CHECK(balance_of(e, "42") == 2800);

    /* an empty batch, a zero payment (one ledger entry of 0) */
    CHECK_STATUS(crm_credit_accrue(e, "{\"payments\":[]}", &out), CRM_OK);
    CHECK(out != NULL && strcmp(out, "{\"results\":[]}") == 0);
    crm_free(out);
    out = NULL;
    snprintf(buf, sizeof buf, "{\"customer_id\":%lld,\"reason\":\"accrual\"}", c33);
    CHECK(list_count(e, "ledger", buf) == 2);
    CHECK_STATUS(crm_credit_accrue(e, "{\"payments\":[{\"card\":\"33\",\"amount_cents\":1}]}", &out), CRM_OK);
    CHECK_CONTAINS(out, "\"accrued_cents\":0,\"balance_cents\":2600,\"duplicate\":false");
    crm_free(out);
    out = NULL;
    CHECK(list_count(e, "ledger", buf) == 3);
    snprintf(buf, sizeof buf, "{\"customer_id\":%lld,\"delta_cents\":0}", c33);
    CHECK(list_count(e, "ledger", buf) == 1);
    CHECK(list_count(e, "ledger", "{\"ref\":\"pos1-42\"}") == 1);
    CHECK(list_count(e, "ledger", "{\"ref\":\"pos1-43\"}") == 1);

    /* seed Montant with a fraction of a cent: 154.62542724609375 -> 15462 -> 7731 */
    CHECK_STATUS(crm_credit_accrue(e, "{\"Tickets\":[{\"carteFid\":\"42\",\"Montant\":154.62542724609375}]}", &out),
                 CRM_OK);
    CHECK_CONTAINS(out, "\"accrued_cents\":7731,\"balance_cents\":10531,");
    crm_free(out);
    out = NULL;

    /* unknown card: not_found naming the item, nothing of the batch applied */
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_credit_accrue(e,
                                   "{\"payments\":[{\"card\":\"33\",\"amount_cents\":5000,\"ref\":\"lost\"},"
                                   "{\"card\":\"99\",\"amount_cents\":100}]}",
                                   &out),
                 CRM_ENOTFOUND);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("not_found");
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"payments[1].card\"");
    CHECK(count_of(crm_last_error(), "\"field\":") == 1);
    CHECK(balance_of(e, "33") == 2600);
    CHECK(list_count(e, "ledger", "{\"ref\":\"lost\"}") == 0);
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_credit_accrue(e, "{\"Tickets\":[{\"carteFid\":99,\"Montant\":1}]}", &out), CRM_ENOTFOUND);
    CHECK(out == NULL);
    CHECK_CONTAINS(crm_last_error(), "99");

    /* invalid items: every one named */
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_credit_accrue(e,
                                   "{\"payments\":[{\"card\":\"33\",\"amount_cents\":-1},{\"amount_cents\":1},"
                                   "{\"card\":\"33\"}]}",
                                   &out),
                 CRM_EINVAL);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("invalid");
    CHECK_CONTAINS(crm_last_error(), "\"message\":\"3 fields are invalid\"");
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"payments[0].amount_cents\"");
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"payments[1].card\"");
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"payments[2].amount_cents\"");
    CHECK_STATUS(crm_credit_accrue(e, "{\"Tickets\":[{\"carteFid\":33,\"Montant\":-1}]}", &out), CRM_EINVAL);
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"Tickets[0].Montant\"");
    CHECK(count_of(crm_last_error(), "\"field\":") == 1);
    CHECK_STATUS(crm_credit_accrue(e, "{\"payments\":[{\"card\":\"33\",\"amount_cents\":1000000000000001}]}", &out),
                 CRM_EINVAL);
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"payments[0].amount_cents\"");
    CHECK_STATUS(crm_credit_accrue(e, "{\"payments\":{}}", &out), CRM_EINVAL);
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"payments\"");
    CHECK_STATUS(crm_credit_accrue(e, "{\"payments\":[],\"bogus\":1}", &out), CRM_EINVAL);
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"bogus\"");
    CHECK_STATUS(crm_credit_accrue(e, "{\"payments\":[", &out), CRM_EINVAL);
    CHECK(out == NULL);
    CHECK_STATUS(crm_credit_accrue(e, "[]", &out), CRM_EINVAL);
    CHECK(balance_of(e, "33") == 2600);

    /* balance: unknown card */
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_credit_balance(e, "99", &out), CRM_ENOTFOUND);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("not_found");
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"card\"");
    err = copy_last_error();
    CHECK_CONTAINS(err, "99");
    free(err);
}

static void test_redeem(crm_engine *e, long long c33)
{
    char expected[256];
    char buf[128];
    char *out = NULL;
    long long ledger_id, entries;

    snprintf(buf, sizeof buf, "{\"customer_id\":%lld}", c33);
    entries = list_count(e, "ledger", buf);
    REQUIRE(balance_of(e, "33") == 2600);

    CHECK_STATUS(crm_credit_redeem(e, "33", 500, "r-1", &out), CRM_OK);
    CHECK(crm_last_error() == NULL);
    ledger_id = json_int(out, "ledger_id");
    CHECK(ledger_id > 0);
    snprintf(expected, sizeof expected,
             "{\"card\":\"33\",\"customer_id\":%lld,\"redeemed_cents\":500,\"balance_cents\":2100,"
             "\"duplicate\":false,\"ledger_id\":%lld}",
             c33, ledger_id);
    CHECK(out != NULL && strcmp(out, expected) == 0);
    crm_free(out);
    out = NULL;
    CHECK(list_count(e, "ledger", buf) == entries + 1);

    /* the same ref, card and amount: duplicate, nothing spent, the original's entry */
    CHECK_STATUS(crm_credit_redeem(e, "33", 500, "r-1", &out), CRM_OK);
    snprintf(expected, sizeof expected,
             "{\"card\":\"33\",\"customer_id\":%lld,\"redeemed_cents\":0,\"balance_cents\":2100,"
             "\"duplicate\":true,\"ledger_id\":%lld}",
             c33, ledger_id);
    CHECK(out != NULL && strcmp(out, expected) == 0);
    crm_free(out);
    out = NULL;
    /* the same ref for another amount or card: conflict naming ref */
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_credit_redeem(e, "33", 501, "r-1", &out), CRM_ECONFLICT);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("conflict");
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"ref\"");
    CHECK_STATUS(crm_credit_redeem(e, "42", 500, "r-1", &out), CRM_ECONFLICT);
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"ref\"");
    CHECK(list_count(e, "ledger", buf) == entries + 1);

    /* overspend: conflict naming amount_cents, nothing written */
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_credit_redeem(e, "33", 2101, NULL, &out), CRM_ECONFLICT);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("conflict");
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"amount_cents\"");
    CHECK(count_of(crm_last_error(), "\"field\":") == 1);
    CHECK(balance_of(e, "33") == 2100);
    CHECK(list_count(e, "ledger", buf) == entries + 1);
    CHECK_STATUS(crm_credit_redeem(e, "33", 2101, "r-2", &out), CRM_ECONFLICT);
    CHECK(list_count(e, "ledger", "{\"ref\":\"r-2\"}") == 0);

    /* amount range 1 .. 10^15 */
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_credit_redeem(e, "33", 0, NULL, &out), CRM_EINVAL);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("invalid");
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"amount_cents\"");
    CHECK_STATUS(crm_credit_redeem(e, "33", -5, NULL, &out), CRM_EINVAL);
    CHECK_STATUS(crm_credit_redeem(e, "33", 1000000000000001LL, NULL, &out), CRM_EINVAL);
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"amount_cents\"");
    CHECK_STATUS(crm_credit_redeem(e, "33", 1000000000000000LL, NULL, &out), CRM_ECONFLICT);

    /* unknown card */
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_credit_redeem(e, "99", 1, NULL, &out), CRM_ENOTFOUND);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("not_found");
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"card\"");

    /* NULL ref: spends; the whole balance can be spent, not more */
    CHECK_STATUS(crm_credit_redeem(e, "33", 2100, NULL, &out), CRM_OK);
    CHECK_CONTAINS(out, "\"redeemed_cents\":2100,\"balance_cents\":0,\"duplicate\":false,");
    crm_free(out);
    out = NULL;
    CHECK_STATUS(crm_credit_redeem(e, "33", 1, NULL, &out), CRM_ECONFLICT);
    CHECK(credit_of(e, c33) == 0);
    snprintf(buf, sizeof buf, "{\"customer_id\":%lld,\"reason\":\"redemption\"}", c33);
    CHECK(list_count(e, "ledger", buf) == 2);
    /* back to 2600 for what follows */
    CHECK_STATUS(crm_credit_accrue(e, "{\"payments\":[{\"card\":\"33\",\"amount_cents\":5200}]}", &out), CRM_OK);
    crm_free(out);
    out = NULL;
    CHECK(balance_of(e, "33") == 2600);
}

static void test_tickets(crm_engine *e, long long c33, const char *uuid33, long long plain)
{
    char buf[1024];
    char text[64];
    char *out = NULL;
    char *again = NULL;
    long long t42, t38, t_plain;

    /* seed ticket 42 by uuid: after price derived, total computed, 0.5 accrued */
    snprintf(buf, sizeof buf, SEED_TICKET_42_FMT, uuid33);
    CHECK_STATUS(crm_create(e, "tickets", buf, &out), CRM_OK);
    REQUIRE(out != NULL);
    t42 = json_id(out);
    CHECK(t42 > 0);
    CHECK(json_int(out, "customer_id") == c33);
    CHECK(strcmp(json_str(out, "customer_uuid", text, sizeof text), uuid33) == 0);
    CHECK_CONTAINS(out, "\"date\":\"2019-10-09T17:01:29.408701Z\"");
    CHECK_CONTAINS(out, "\"payment_mode\":\"CASH\"");
    CHECK_CONTAINS(out, "\"origin\":\"e-commerce\"");
    CHECK_CONTAINS(out, "\"lines\":[{\"product_code\":\"X1-0\",\"unit_price_before_cents\":80000,"
                        "\"promo_percent\":50,\"unit_price_after_cents\":40000,\"quantity\":2},"
                        "{\"product_code\":\"X1-9\",\"unit_price_before_cents\":4800,\"promo_percent\":50,"
                        "\"unit_price_after_cents\":2400,\"quantity\":1}]");
    CHECK_CONTAINS(out, "\"total_cents\":82400,\"loyalty_points_cents\":41200,\"ref\":null,\"created_at\":\"");
    /* get gives the same object */
    CHECK_STATUS(crm_get(e, "tickets", t42, &again), CRM_OK);
    CHECK(again != NULL && strcmp(out, again) == 0);
    crm_free(again);
    again = NULL;
    crm_free(out);
    out = NULL;
    CHECK(balance_of(e, "33") == 2600 + 41200);

    /* seed ticket 38 by id, with a ref */
    snprintf(buf, sizeof buf, SEED_TICKET_38_FMT, c33);
    CHECK_STATUS(crm_create(e, "tickets", buf, &out), CRM_OK);
    t38 = json_id(out);
    CHECK(t38 > t42);
    CHECK_CONTAINS(out, "\"payment_mode\":\"CARD\"");
    CHECK_CONTAINS(out, "\"unit_price_after_cents\":1800,\"quantity\":2}]");
    CHECK_CONTAINS(out, "\"total_cents\":3600,\"loyalty_points_cents\":1800,\"ref\":\"seed-38\"");
    CHECK(strcmp(json_str(out, "customer_uuid", text, sizeof text), uuid33) == 0);
    crm_free(out);
    out = NULL;
    /* the same payload under its ref: the stored ticket, no second accrual */
    CHECK_STATUS(crm_create(e, "tickets", buf, &out), CRM_OK);
    CHECK(json_id(out) == t38);
    crm_free(out);
    out = NULL;
    CHECK(balance_of(e, "33") == 2600 + 41200 + 1800);
    /* another payload under it: conflict naming ref */
    out = SENTINEL_JSON;
    snprintf(buf, sizeof buf,
             "{\"customer_id\":%lld,\"ref\":\"seed-38\",\"lines\":[{\"product_code\":\"X1-4\","
             "\"unit_price_before_cents\":3600,\"quantity\":3}]}",
             c33);
    CHECK_STATUS(crm_create(e, "tickets", buf, &out), CRM_ECONFLICT);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("conflict");
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"ref\"");

    /* the customer's payment statistics and balance */
    CHECK_STATUS(crm_get(e, "customers", c33, &out), CRM_OK);
    CHECK_CONTAINS(out, "\"credit_cents\":45600,");
    CHECK_CONTAINS(out, "\"last_payment_date\":\"2019-10-09\",\"last_payment_cents\":3600,"
                        "\"average_basket_cents\":43000,");
    crm_free(out);
    out = NULL;

    /* the ledger entries of the two tickets */
    snprintf(buf, sizeof buf, "{\"ticket_id\":%lld}", t42);
    CHECK_STATUS(crm_list(e, "ledger", buf, &out), CRM_OK);
    CHECK(json_int(out, "count") == 1);
    snprintf(buf, sizeof buf, "\"customer_id\":%lld,\"delta_cents\":41200,\"reason\":\"accrual\",\"ref\":null,"
                              "\"ticket_id\":%lld,",
             c33, t42);
    CHECK_CONTAINS(out, buf);
    crm_free(out);
    out = NULL;

    /* a customer without a card: a ticket, no credit, no ledger entry */
    snprintf(buf, sizeof buf,
             "{\"customer_id\":%lld,\"payment_mode\":\"transfer\",\"total_cents\":999,"
             "\"lines\":[{\"product_code\":\"P\",\"unit_price_before_cents\":999,\"quantity\":1}]}",
             plain);
    CHECK_STATUS(crm_create(e, "tickets", buf, &out), CRM_OK);
    t_plain = json_id(out);
    CHECK_CONTAINS(out, "\"payment_mode\":\"TRANSFER\",\"origin\":\"store\",");
    CHECK_CONTAINS(out, "\"total_cents\":999,\"loyalty_points_cents\":0,");
    crm_free(out);
    out = NULL;
    snprintf(buf, sizeof buf, "{\"ticket_id\":%lld}", t_plain);
    CHECK(list_count(e, "ledger", buf) == 0);

    /* list: a customer's tickets, newest date first by default */
    snprintf(buf, sizeof buf, "{\"customer_uuid\":\"%s\"}", uuid33);
    CHECK_STATUS(crm_list(e, "tickets", buf, &out), CRM_OK);
    CHECK(json_int(out, "count") == 2);
    CHECK_BEFORE(out, "\"ref\":\"seed-38\"", "\"ref\":null");
    crm_free(out);
    out = NULL;
    CHECK(list_count(e, "tickets", "{\"payment_mode\":\"CARD\"}") == 1);
    CHECK(list_count(e, "tickets", "{\"total_cents__gte\":3600,\"origin\":\"e-commerce\"}") == 2);
    CHECK(list_count(e, "tickets", "{\"date__lt\":\"2019-10-09T18:00:00Z\"}") == 1);
    CHECK(list_count(e, "tickets", NULL) == 3);
    CHECK_STATUS(crm_list(e, "tickets", "{\"ordering\":\"total_cents\"}", &out), CRM_OK);
    CHECK_BEFORE(out, "\"total_cents\":999,", "\"total_cents\":3600,");
    CHECK_BEFORE(out, "\"total_cents\":3600,", "\"total_cents\":82400,");
    crm_free(out);
    out = NULL;
    CHECK_STATUS(crm_list(e, "tickets", "{\"lines\":1}", &out), CRM_EINVAL);
    CHECK(out == NULL);
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"lines\"");

    /* invalid tickets: every field named */
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_create(e, "tickets",
                            "{\"customer_id\":999999,\"payment_mode\":\"barter\",\"lines\":["
                            "{\"product_code\":\"A\",\"unit_price_before_cents\":100,\"quantity\":0},"
                            "{\"product_code\":\"B\",\"unit_price_before_cents\":100,\"promo_percent\":101}]}",
                            &out),
                 CRM_EINVAL);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("invalid");
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"payment_mode\"");
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"lines[0].quantity\"");
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"lines[1].promo_percent\"");
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"customer_id\"");
    CHECK(count_of(crm_last_error(), "\"field\":") == 4);
    CHECK_STATUS(crm_create(e, "tickets",
                            "{\"total_cents\":5,\"lines\":[{\"product_code\":\"A\",\"unit_price_before_cents\":100,"
                            "\"quantity\":2}]}",
                            &out),
                 CRM_EINVAL);
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"total_cents\"");
    CHECK(count_of(crm_last_error(), "\"field\":") == 1);
    CHECK_STATUS(crm_create(e, "tickets", "{\"customer_uuid\":\"nope\",\"lines\":[]}", &out), CRM_EINVAL);
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"customer_uuid\"");
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"lines\"");
    CHECK_STATUS(crm_create(e, "tickets",
                            "{\"lines\":[{\"product_code\":\"A\",\"unit_price_before_cents\":100,"
                            "\"unit_price_after_cents\":101}]}",
                            &out),
                 CRM_EINVAL);
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"lines[0].unit_price_after_cents\"");
    CHECK(list_count(e, "tickets", NULL) == 3);

    /* immutable: replace and update are invalid, the ticket unchanged */
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_update(e, "tickets", t42, "{\"origin\":\"store\"}", &out), CRM_EINVAL);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("invalid");
    CHECK_CONTAINS(crm_last_error(), "immutable");
    out = SENTINEL_JSON;
    snprintf(buf, sizeof buf, SEED_TICKET_42_FMT, uuid33);
    CHECK_STATUS(crm_replace(e, "tickets", t42, buf, &out), CRM_EINVAL);
    CHECK(out == NULL);
    CHECK_CONTAINS(crm_last_error(), "immutable");
    CHECK_STATUS(crm_get(e, "tickets", t42, &out), CRM_OK);
    CHECK_CONTAINS(out, "\"origin\":\"e-commerce\"");
    crm_free(out);
    out = NULL;

    /* a customer with tickets cannot be deleted */
    CHECK_STATUS(crm_delete(e, "customers", plain), CRM_ECONFLICT);
    CHECK_LAST_ERROR("conflict");

    /* delete: a reversal entry; the statistics follow the remaining tickets */
    CHECK_STATUS(crm_delete(e, "tickets", t38), CRM_OK);
    CHECK(crm_last_error() == NULL);
    CHECK(balance_of(e, "33") == 2600 + 41200);
    snprintf(buf, sizeof buf, "{\"ticket_id\":%lld,\"reason\":\"reversal\"}", t38);
    CHECK_STATUS(crm_list(e, "ledger", buf, &out), CRM_OK);
    CHECK(json_int(out, "count") == 1);
    CHECK_CONTAINS(out, "\"delta_cents\":-1800,\"reason\":\"reversal\"");
    crm_free(out);
    out = NULL;
    CHECK_STATUS(crm_get(e, "customers", c33, &out), CRM_OK);
    CHECK_CONTAINS(out, "\"last_payment_date\":\"2019-10-09\",\"last_payment_cents\":82400,"
                        "\"average_basket_cents\":82400,");
    crm_free(out);
    out = NULL;
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_get(e, "tickets", t38, &out), CRM_ENOTFOUND);
    CHECK(out == NULL);
    CHECK_STATUS(crm_delete(e, "tickets", t38), CRM_ENOTFOUND);
    CHECK_STATUS(crm_delete(e, "tickets", 0), CRM_ENOTFOUND);

    /* its credit spent: the delete is refused, nothing changes */
    CHECK_STATUS(crm_credit_redeem(e, "33", 2600 + 1, NULL, &out), CRM_OK);
    crm_free(out);
    out = NULL;
    CHECK_STATUS(crm_delete(e, "tickets", t42), CRM_ECONFLICT);
    CHECK_LAST_ERROR("conflict");
    CHECK_STATUS(crm_get(e, "tickets", t42, &out), CRM_OK);
    crm_free(out);
    out = NULL;
    CHECK(balance_of(e, "33") == 41200 - 1);
    snprintf(buf, sizeof buf, "{\"ticket_id\":%lld}", t42);
    CHECK(list_count(e, "ledger", buf) == 1);
    /* give the credit back: now it goes, balance 0 */
    CHECK_STATUS(crm_credit_accrue(e, "{\"payments\":[{\"card\":\"33\",\"amount_cents\":2}]}", &out), CRM_OK);
    crm_free(out);
    out = NULL;
    CHECK_STATUS(crm_delete(e, "tickets", t42), CRM_OK);
    CHECK(balance_of(e, "33") == 0);
    CHECK(credit_of(e, c33) == 0);
    CHECK_STATUS(crm_get(e, "customers", c33, &out), CRM_OK);
    CHECK_CONTAINS(out, "\"last_payment_date\":null,\"last_payment_cents\":null,\"average_basket_cents\":0,");
    crm_free(out);
    out = NULL;
    /* the customer still has ledger entries: not deletable */
    CHECK_STATUS(crm_delete(e, "customers", c33), CRM_ECONFLICT);
}

/* The ledger is list-only; credit requests are list and get only. */
static void test_list_only(crm_engine *e)
{
    char *out = NULL;
    long long first;

    out = SENTINEL_JSON;
    CHECK_STATUS(crm_create(e, "ledger", "{\"customer_id\":1,\"delta_cents\":5,\"reason\":\"adjustment\"}", &out),
                 CRM_EINVAL);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("invalid");
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_get(e, "ledger", 1, &out), CRM_EINVAL);
    CHECK(out == NULL);
    CHECK_STATUS(crm_get(e, "ledger", 999999, &out), CRM_EINVAL);
    CHECK_STATUS(crm_update(e, "ledger", 1, "{\"delta_cents\":5}", &out), CRM_EINVAL);
    CHECK_STATUS(crm_replace(e, "ledger", 1, "{\"delta_cents\":5}", &out), CRM_EINVAL);
    CHECK_STATUS(crm_delete(e, "ledger", 1), CRM_EINVAL);
    CHECK_LAST_ERROR("invalid");
    CHECK(out == NULL);

    CHECK_STATUS(crm_create(e, "credit_requests", "{\"customer_id\":1,\"amount_cents\":5}", &out), CRM_EINVAL);
    CHECK_STATUS(crm_update(e, "credit_requests", 1, "{\"allowed\":true}", &out), CRM_EINVAL);
    CHECK_STATUS(crm_replace(e, "credit_requests", 1, "{}", &out), CRM_EINVAL);
    CHECK_STATUS(crm_delete(e, "credit_requests", 1), CRM_EINVAL);
    CHECK_LAST_ERROR("invalid");
    CHECK(out == NULL);

    /* list and get work: ledger ordered by id by default */
    CHECK_STATUS(crm_list(e, "ledger", "{\"ordering\":\"-id\",\"page_size\":1}", &out), CRM_OK);
    first = json_id(strstr(out ? out : "", "\"results\":"));
    CHECK(first > 1);
    crm_free(out);
    out = NULL;
    CHECK_STATUS(crm_list(e, "ledger", "{\"reason\":\"bonus\"}", &out), CRM_EINVAL);
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"reason\"");
    CHECK_STATUS(crm_list(e, "ledger", "{\"ordering\":\"delta_cents\"}", &out), CRM_EINVAL);
    CHECK_STATUS(crm_list(e, "credit_requests", "{\"amount_cents__gt\":0}", &out), CRM_OK);
    crm_free(out);
    out = NULL;
    CHECK_STATUS(crm_get(e, "credit_requests", 999999, &out), CRM_ENOTFOUND);
    CHECK(out == NULL);
}

static void test_check(crm_engine *e)
{
    char buf[512];
    char uuid[64];
    char text[64];
    char *out = NULL;
    char *again = NULL;
    long long cust, req, other;

    CHECK_STATUS(crm_create(e, "customers", "{\"first_name\":\"Jacquie\",\"last_name\":\"Bloggs\","
                                            "\"email\":\"Jacquie.check@mimi.com\",\"phone\":\"0102030405\"}",
                            &out),
                 CRM_OK);
    cust = json_id(out);
    json_str(out, "uuid", uuid, sizeof uuid);
    crm_free(out);
    out = NULL;
    REQUIRE(cust > 0 && strlen(uuid) == 36);
    /* the seed's two tickets of 2019-10-09, 86000 cents: a limit of 860000 */
    snprintf(buf, sizeof buf, SEED_TICKET_42_FMT, uuid);
    CHECK(create_id(e, "tickets", buf) > 0);
    snprintf(buf, sizeof buf,
             "{\"customer_uuid\":\"%s\",\"date\":\"2019-10-09T18:03:45Z\",\"lines\":[{\"product_code\":\"X1-4\","
             "\"unit_price_before_cents\":3600,\"promo_percent\":50,\"quantity\":2}]}",
             uuid);
    CHECK(create_id(e, "tickets", buf) > 0);

    /* the seed's allow_credit body: 36000.00 is over ten times 860.00 */
    snprintf(buf, sizeof buf, SEED_ALLOW_CREDIT_FMT, uuid);
    CHECK_STATUS(crm_credit_check(e, buf, &out), CRM_OK);
    CHECK(crm_last_error() == NULL);
    REQUIRE(out != NULL);
    req = json_id(out);
    CHECK(req > 0);
    CHECK(json_int(out, "customer_id") == cust);
    CHECK(strcmp(json_str(out, "customer_uuid", text, sizeof text), uuid) == 0);
    CHECK_CONTAINS(out, "\"amount_cents\":3600000,\"date\":\"2019-12-06\",\"allowed\":false,"
                        "\"reasons\":[\"over_limit\"],\"created_at\":\"");
    /* stored: get gives it back */
    CHECK_STATUS(crm_get(e, "credit_requests", req, &again), CRM_OK);
    CHECK(again != NULL && strcmp(out, again) == 0);
    crm_free(again);
    again = NULL;
    crm_free(out);
    out = NULL;
    CHECK_STATUS(crm_get(e, "customers", cust, &out), CRM_OK);
    CHECK_CONTAINS(out, "\"refusal_count\":1,");
    crm_free(out);
    out = NULL;

    /* exactly the limit is allowed (by id); a cent more is not */
    snprintf(buf, sizeof buf, "{\"customer_id\":%lld,\"amount_cents\":860000,\"date\":\"2019-12-06\"}", cust);
    CHECK_STATUS(crm_credit_check(e, buf, &out), CRM_OK);
    CHECK_CONTAINS(out, "\"allowed\":true,\"reasons\":[],");
    crm_free(out);
    out = NULL;
    /* the window: date - 365 days 00:00 UTC through the end of date */
    snprintf(buf, sizeof buf, "{\"customer_uuid\":\"%s\",\"amount_cents\":860000,\"date\":\"2020-10-08\"}", uuid);
    CHECK_STATUS(crm_credit_check(e, buf, &out), CRM_OK);
    CHECK_CONTAINS(out, "\"allowed\":true,");
    crm_free(out);
    out = NULL;
    snprintf(buf, sizeof buf, "{\"customer_uuid\":\"%s\",\"amount_cents\":1,\"date\":\"2020-10-09\"}", uuid);
    CHECK_STATUS(crm_credit_check(e, buf, &out), CRM_OK);
    CHECK_CONTAINS(out, "\"allowed\":false,\"reasons\":[\"over_limit\"]");
    crm_free(out);
    out = NULL;
    snprintf(buf, sizeof buf, "{\"customer_uuid\":\"%s\",\"amount_cents\":860000,\"date\":\"2019-10-09\"}", uuid);
    CHECK_STATUS(crm_credit_check(e, buf, &out), CRM_OK);
    CHECK_CONTAINS(out, "\"allowed\":true,");
    crm_free(out);
    out = NULL;
    snprintf(buf, sizeof buf, "{\"customer_uuid\":\"%s\",\"amount_cents\":1,\"date\":\"2019-10-08\"}", uuid);
    CHECK_STATUS(crm_credit_check(e, buf, &out), CRM_OK);
    CHECK_CONTAINS(out, "\"reasons\":[\"over_limit\"]");
    crm_free(out);
    out = NULL;
    /* three refusals so far: the next is also too_many_refusals; 0 is not over any limit */
    snprintf(buf, sizeof buf, "{\"customer_id\":%lld,\"amount_cents\":0,\"date\":\"2019-12-06\"}", cust);
    CHECK_STATUS(crm_credit_check(e, buf, &out), CRM_OK);
    CHECK_CONTAINS(out, "\"allowed\":false,\"reasons\":[\"too_many_refusals\"]");
    crm_free(out);
    out = NULL;
    /* inactive first, then the others, in order */
    CHECK_STATUS(crm_update(e, "customers", cust, "{\"is_active\":false}", &out), CRM_OK);
    crm_free(out);
    out = NULL;
    snprintf(buf, sizeof buf, SEED_ALLOW_CREDIT_FMT, uuid);
    CHECK_STATUS(crm_credit_check(e, buf, &out), CRM_OK);
    CHECK_CONTAINS(out, "\"allowed\":false,\"reasons\":[\"inactive\",\"too_many_refusals\",\"over_limit\"]");
    crm_free(out);
    out = NULL;
    CHECK_STATUS(crm_get(e, "customers", cust, &out), CRM_OK);
    CHECK_CONTAINS(out, "\"refusal_count\":5,");
    crm_free(out);
    out = NULL;

    /* every decision listed */
    snprintf(buf, sizeof buf, "{\"customer_id\":%lld}", cust);
    CHECK(list_count(e, "credit_requests", buf) == 8);
    snprintf(buf, sizeof buf, "{\"customer_uuid\":\"%s\",\"allowed\":true}", uuid);
    CHECK(list_count(e, "credit_requests", buf) == 3);
    snprintf(buf, sizeof buf, "{\"customer_id\":%lld,\"date\":\"2019-12-06\",\"ordering\":\"-id\"}", cust);
    CHECK_STATUS(crm_list(e, "credit_requests", buf, &out), CRM_OK);
    CHECK(json_int(out, "count") == 4);
    CHECK_BEFORE(out, "\"reasons\":[\"inactive\",", "\"reasons\":[\"over_limit\"]");
    crm_free(out);
    out = NULL;

    /* the customer a check addresses: not_found; bad input: invalid */
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_credit_check(e, "{\"customer_id\":999999,\"amount_cents\":1}", &out), CRM_ENOTFOUND);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("not_found");
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"customer_id\"");
    CHECK_STATUS(crm_credit_check(e,
                                  "{\"idClient\":\"a14e39ce-e29e-11e9-a8cb-08002751d198\",\"Montant\":36000,"
                                  "\"Date\":\"2019-12-06\"}",
                                  &out),
                 CRM_ENOTFOUND);
    CHECK_LAST_ERROR("not_found");
    CHECK_STATUS(crm_credit_check(e, "{\"customer_id\":0,\"amount_cents\":1}", &out), CRM_ENOTFOUND);
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_credit_check(e, "{\"amount_cents\":1}", &out), CRM_EINVAL);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("invalid");
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"customer_id\"");
    snprintf(buf, sizeof buf, "{\"customer_id\":%lld}", cust);
    CHECK_STATUS(crm_credit_check(e, buf, &out), CRM_EINVAL);
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"amount_cents\"");
    snprintf(buf, sizeof buf, "{\"customer_id\":%lld,\"amount_cents\":1000000000000001}", cust);
    CHECK_STATUS(crm_credit_check(e, buf, &out), CRM_EINVAL);
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"amount_cents\"");
    snprintf(buf, sizeof buf, "{\"customer_id\":%lld,\"amount_cents\":1,\"date\":\"2019-13-01\"}", cust);
    CHECK_STATUS(crm_credit_check(e, buf, &out), CRM_EINVAL);
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"date\"");
    snprintf(buf, sizeof buf, "{\"idClient\":\"%s\",\"Montant\":-1}", uuid);
    CHECK_STATUS(crm_credit_check(e, buf, &out), CRM_EINVAL);
    CHECK_CONTAINS(crm_last_error(), "\"field\":\"Montant\"");
    CHECK_STATUS(crm_credit_check(e, "{\"customer_id\":", &out), CRM_EINVAL);
    CHECK_STATUS(crm_credit_check(e, "[]", &out), CRM_EINVAL);
    CHECK(out == NULL);
    snprintf(buf, sizeof buf, "{\"customer_id\":%lld}", cust);
    CHECK(list_count(e, "credit_requests", buf) == 8);

    /* a customer with only credit requests can be deleted; they go with it */
    other = create_id(e, "customers", "{\"last_name\":\"Asker\"}");
    REQUIRE(other > 0);
    snprintf(buf, sizeof buf, "{\"customer_id\":%lld,\"amount_cents\":5}", other);
    CHECK_STATUS(crm_credit_check(e, buf, &out), CRM_OK);
    CHECK_CONTAINS(out, "\"reasons\":[\"over_limit\"]");
    req = json_id(out);
    crm_free(out);
    out = NULL;
    CHECK_STATUS(crm_delete(e, "customers", other), CRM_OK);
    CHECK_STATUS(crm_get(e, "credit_requests", req, &out), CRM_ENOTFOUND);
    snprintf(buf, sizeof buf, "{\"customer_id\":%lld}", other);
    CHECK(list_count(e, "credit_requests", buf) == 0);
}

/* Seed 003's allow_credit allowed, as its response says, with a higher
 * multiplier (an engine option); and max_refusals honoured. */
static void test_check_options(void)
{
    crm_engine *e = NULL;
    char buf[512];
    char uuid[64];
    char *out = NULL;
    long long cust;

    REQUIRE(crm_open(":memory:", "{\"credit_limit_multiplier\":50,\"max_refusals\":1}", &e) == CRM_OK);
    CHECK_STATUS(crm_create(e, "customers", "{\"last_name\":\"Bloggs\"}", &out), CRM_OK);
    cust = json_id(out);
    json_str(out, "uuid", uuid, sizeof uuid);
    crm_free(out);
    out = NULL;
    snprintf(buf, sizeof buf, SEED_TICKET_42_FMT, uuid);
    CHECK(create_id(e, "tickets", buf) > 0);
    /* 50 x 82400 = 4120000 >= 3600000 */
    snprintf(buf, sizeof buf, SEED_ALLOW_CREDIT_FMT, uuid);
    CHECK_STATUS(crm_credit_check(e, buf, &out), CRM_OK);
    CHECK_CONTAINS(out, "\"amount_cents\":3600000,\"date\":\"2019-12-06\",\"allowed\":true,\"reasons\":[]");
    crm_free(out);
    out = NULL;
    snprintf(buf, sizeof buf, "{\"customer_id\":%lld,\"amount_cents\":4120001,\"date\":\"2019-12-06\"}", cust);
    CHECK_STATUS(crm_credit_check(e, buf, &out), CRM_OK);
    CHECK_CONTAINS(out, "\"allowed\":false,\"reasons\":[\"over_limit\"]");
    crm_free(out);
    out = NULL;
    /* one refusal reaches max_refusals 1 */
    CHECK_STATUS(crm_credit_check(e, buf, &out), CRM_OK);
    CHECK_CONTAINS(out, "\"reasons\":[\"too_many_refusals\",\"over_limit\"]");
    crm_free(out);
    out = NULL;
    crm_close(e);

    /* credit_rate: an exact decimal, floor */
    REQUIRE(crm_open(":memory:", "{\"credit_rate\":\"0.125\"}", &e) == CRM_OK);
    CHECK(create_id(e, "customers", "{\"last_name\":\"Rate\",\"loyalty_card\":\"A7\"}") > 0);
    CHECK_STATUS(crm_credit_accrue(e, "{\"payments\":[{\"card\":\"A7\",\"amount_cents\":1001}]}", &out), CRM_OK);
    CHECK_CONTAINS(out, "\"accrued_cents\":125,\"balance_cents\":125,");
    crm_free(out);
    out = NULL;
    crm_close(e);
}

/* Every NULL pointer of the four credit calls: misuse, out left NULL, nothing done. */
static void test_null_pointers(crm_engine *e)
{
    char *out = NULL;
    long long before = balance_of(e, "42");
    REQUIRE(before > 0);

    out = SENTINEL_JSON;
    CHECK_STATUS(crm_credit_accrue(NULL, SEED_CREDIT, &out), CRM_EMISUSE);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("misuse");
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_credit_accrue(e, NULL, &out), CRM_EMISUSE);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("misuse");
    CHECK_STATUS(crm_credit_accrue(e, "{\"Tickets\":[{\"carteFid\":42,\"Montant\":55}]}", NULL), CRM_EMISUSE);
    CHECK_LAST_ERROR("misuse");
    CHECK(balance_of(e, "42") == before);

    out = SENTINEL_JSON;
    CHECK_STATUS(crm_credit_redeem(NULL, "42", 1, NULL, &out), CRM_EMISUSE);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("misuse");
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_credit_redeem(e, NULL, 1, "null-card", &out), CRM_EMISUSE);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("misuse");
    CHECK_STATUS(crm_credit_redeem(e, "42", 1, "null-out", NULL), CRM_EMISUSE);
    CHECK_LAST_ERROR("misuse");
    CHECK(balance_of(e, "42") == before);
    CHECK(list_count(e, "ledger", "{\"ref\":\"null-out\"}") == 0);

    out = SENTINEL_JSON;
    CHECK_STATUS(crm_credit_balance(NULL, "42", &out), CRM_EMISUSE);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("misuse");
    out = SENTINEL_JSON;
    CHECK_STATUS(crm_credit_balance(e, NULL, &out), CRM_EMISUSE);
    CHECK(out == NULL);
    CHECK_LAST_ERROR("misuse");
    CHECK_STATUS(crm_credit_balance(e, "42", NULL), CRM_EMISUSE);
    CHECK_LAST_ERROR("misuse");

    {
        long long before_requests = list_count(e, "credit_requests", NULL);
        out = SENTINEL_JSON;
        CHECK_STATUS(crm_credit_check(NULL, "{\"customer_id\":1,\"amount_cents\":1}", &out), CRM_EMISUSE);
        CHECK(out == NULL);
        CHECK_LAST_ERROR("misuse");
        out = SENTINEL_JSON;
        CHECK_STATUS(crm_credit_check(e, NULL, &out), CRM_EMISUSE);
        CHECK(out == NULL);
        CHECK_LAST_ERROR("misuse");
        CHECK_STATUS(crm_credit_check(e, "{\"customer_id\":1,\"amount_cents\":1}", NULL), CRM_EMISUSE);
        CHECK_LAST_ERROR("misuse");
        CHECK(list_count(e, "credit_requests", NULL) == before_requests);
    }

    /* a success clears the last error */
    CHECK_STATUS(crm_credit_balance(e, "42", &out), CRM_OK);
    CHECK(crm_last_error() == NULL);
    crm_free(out);
}

int main(void)
{
    crm_engine *e = NULL;
    char *out = NULL;
    char uuid33[64];
    long long c33, c42, plain;

    REQUIRE(crm_open(":memory:", NULL, &e) == CRM_OK);
    REQUIRE(e != NULL);

    /* seed 003's api/data customers: Jacquie with card 33 (given as a
     * number, stored as its text), Michelle with card 42 */
    REQUIRE(crm_create(e, "customers",
                       "{\"last_name\":\"Jacquie\",\"first_name\":\"Bloggs\",\"gender\":\"male\","
                       "\"email\":\"Jacquie@mimi.com\",\"phone\":\"0102030405\",\"account\":\"BKN1CST53\","
                       "\"loyalty_card\":33}",
                       &out) == CRM_OK);
    c33 = json_id(out);
    CHECK_CONTAINS(out, "\"loyalty_card\":\"33\"");
    CHECK_CONTAINS(out, "\"credit_cents\":0,\"refusal_count\":0,\"last_payment_date\":null,");
    json_str(out, "uuid", uuid33, sizeof uuid33);
    crm_free(out);
    out = NULL;
    c42 = create_id(e, "customers",
                    "{\"last_name\":\"Michelle\",\"first_name\":\"Bloggs\",\"gender\":\"female\","
                    "\"email\":\"Michelle@mimi.com\",\"account\":\"BKN1CST83\",\"loyalty_card\":\"42\"}");
    plain = create_id(e, "customers", "{\"last_name\":\"No card\"}");
    REQUIRE(c33 > 0 && c42 > 0 && plain > 0 && strlen(uuid33) == 36);

    test_accrue_and_balance(e, c33, c42);
    test_redeem(e, c33);
    test_tickets(e, c33, uuid33, plain);
    test_list_only(e);
    test_check(e);
    test_check_options();
    test_null_pointers(e);
    crm_close(e);

    return capi_check_finish();
}
