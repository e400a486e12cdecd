/* A plain C host of the installed crm, built with
 * cc main.c $(pkg-config --cflags --libs crm). */
#include <crm/crm.h>

#include <stdio.h>
#include <string.h>

int main(void) {
    char expected[32];
    crm_engine *engine = NULL;
    char *json = NULL;
    int rc;

    snprintf(expected, sizeof expected, "%d.%d.%d", CRM_VERSION_MAJOR, CRM_VERSION_MINOR,
             CRM_VERSION_PATCH);
    if (strcmp(crm_version(), expected) != 0) {
        printf("crm_version() is %s, the header says %s\n", crm_version(), expected);
        return 1;
    }
    rc = crm_open(":memory:", NULL, &engine);
    if (rc != CRM_OK) {
        printf("crm_open: %s\n", crm_status_name(rc));
        return 1;
    }
    rc = crm_create(engine, "customers", "{\"first_name\":\"Grace\",\"last_name\":\"Hopper\"}", &json);
    if (rc != CRM_OK || json == NULL) {
        printf("crm_create: %s %s\n", crm_status_name(rc), crm_last_error());
        crm_close(engine);
        return 1;
    }
    if (strstr(json, "\"id\":1,") == NULL || strstr(json, "\"full_name\":\"Grace Hopper\"") == NULL) {
        printf("unexpected customer: %s\n", json);
        crm_free(json);
        crm_close(engine);
        return 1;
    }
    crm_free(json);
    json = NULL;
    rc = crm_create(engine, "customers", "{\"email\":\"not-an-email\"}", &json);
    if (rc != CRM_EINVAL || json != NULL || crm_last_error() == NULL) {
        printf("invalid create: rc=%d\n", rc);
        crm_close(engine);
        return 1;
    }
    crm_close(engine);
    printf("c consumer ok: crm %s (%d)\n", crm_version(), CRM_VERSION_NUMBER);
    return 0;
}
