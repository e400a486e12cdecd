#!/usr/bin/env python3
"""A tour of the crm Python binding.

    python3 example.py              # uses ./example.db (created when missing)
    python3 example.py :memory:     # a throw-away in-memory database

Set CRM_LIBRARY to the path of libcrm if it is not in build/default/src.
"""

import sys

import crm


def show(customer):
    email = customer["email"] or "no email"
    return f"#{customer['id']} {customer['full_name']} <{email}>"


def main(argv):
    path = argv[1] if len(argv) > 1 else "example.db"
    print(f"crm {crm.version()}, database {path}")

    with crm.open(path, busy_timeout_ms=2000) as engine:
        ada = engine.create("customers", {
            "first_name": "Ada",
            "last_name": "Lovelace",
            "phone": "+44 20 7946 0000",
            "attributes": {"language": "en"},
        })
        print("created", show(ada))

        grace = engine.create("customers", {"first_name": "Grace", "last_name": "Hopper"})
        grace = engine.update("customers", grace["id"], {"note": "rear admiral"})
        print("created", show(grace), "-", grace["note"])

        page = engine.list("customers", {"page_size": 10})
        print(f"{page['count']} customers:")
        for customer in page["results"]:
            print("  ", show(customer))

        try:
            engine.create("customers", {"first_name": "Bad", "email": "not-an-email"})
        except crm.InvalidError as err:
            print(f"caught InvalidError: {err.message} (fields: {', '.join(err.fields)})")

        try:
            engine.get("customers", 10**9)
        except crm.NotFoundError as err:
            print(f"caught NotFoundError: {err.code}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
