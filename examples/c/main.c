/* A minimal C99 host of the crm C ABI: crm_example_c [path | :memory:] */
#include <crm/crm.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Prints the failure of `what` and returns 1. */
static int fail(const char *what, int status)
{
    const char *err = crm_last_error();
    fprintf(stderr, "%s failed: %s %s\n", what, crm_status_name(status), err ? err : "");
    return 1;
}

int main(int argc, char **argv)
{
    const char *path = argc > 1 ? argv[1] : ":memory:";
    crm_engine *engine = NULL;
    char *json = NULL;
    long long id;
    int status, rc = 1;

    printf("crm %s (header %d.%d.%d)\n", crm_version(), CRM_VERSION_MAJOR, CRM_VERSION_MINOR, CRM_VERSION_PATCH);
    if ((status = crm_open(path, NULL, &engine)) != CRM_OK) return fail("crm_open", status);

    status = crm_create(engine, "customers", "{\"first_name\":\"Ada\",\"last_name\":\"Lovelace\"}", &json);
    if (status != CRM_OK) { fail("crm_create", status); goto done; }
    printf("created: %s\n", json);
    id = strtoll(strstr(json, "\"id\":") + 5, NULL, 10); /* the new customer's id */
    crm_free(json);
    json = NULL;

    if ((status = crm_get(engine, "customers", id, &json)) != CRM_OK) { fail("crm_get", status); goto done; }
    printf("got: %s\n", json);
    crm_free(json);
    json = NULL;

    if ((status = crm_list(engine, "customers", "{\"page_size\":10}", &json)) != CRM_OK) { fail("crm_list", status); goto done; }
    printf("list: %s\n", json);
    crm_free(json);
    json = NULL;

    /* A failure: the error is described by crm_last_error(). */
    status = crm_get(engine, "customers", 999999, &json);
    printf("missing id: %s %s\n", crm_status_name(status), crm_last_error() ? crm_last_error() : "");
    rc = status == CRM_ENOTFOUND ? 0 : 1;

done:
    crm_close(engine);
    return rc;
}
