// A C++ host of the installed crm: one in-memory database, one customer
// through the typed API.
#include <crm/crm.hpp>

#include <cstdio>
#include <cstring>

int main() {
    if (std::strcmp(crm_version(), CRM_EXPECTED_VERSION) != 0) {
        std::printf("crm_version() is %s, expected %s\n", crm_version(), CRM_EXPECTED_VERSION);
        return 1;
    }
    try {
        crm::Engine engine(":memory:");
        crm::Customer c;
        c.first_name = "Ada";
        c.last_name = "Lovelace";
        c.email = "ADA@Example.org";
        const crm::Customer stored = engine.customers().create(c);
        const crm::Customer again = engine.customers().get(stored.id);
        std::printf("customer %lld %s %s\n", static_cast<long long>(stored.id),
                    again.full_name.c_str(), again.email.value_or("-").c_str());
        return 0;
    } catch (const crm::Error& e) {
        std::printf("crm::Error: %s\n", e.what());
        return 1;
    }
}
