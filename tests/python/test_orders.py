"""Orders, messages and forms through the C ABI from Python (examples/python/crm.py).
Standard library only. Run by ctest with CRM_LIBRARY set to the built library and
PYTHONPATH=examples/python."""

import json
import os
import threading
import time
import unittest

import crm
import support
from support import TIMESTAMP

ORDER_FIELDS = {
    "id", "customer_id", "number", "date", "status", "submit_date", "type", "quantity",
    "activation_limit", "description", "is_demo", "archived", "archived_at",
    "can_overwrite_container", "customer_required", "activation_birth_date",
    "activation_death_date", "crm_id", "ref_id", "total_cents", "created_at", "updated_at",
}
STATUSES = ["draft", "submitted", "revoked"]
ALLOWED = {("draft", "draft"), ("draft", "submitted"), ("draft", "revoked"),
           ("submitted", "submitted"), ("submitted", "revoked"), ("revoked", "revoked")}


def wait_next_second():
    """Engine timestamps have whole seconds: returns once a new second has begun."""
    start = int(time.time())
    while int(time.time()) == start:
        time.sleep(0.005)


class Base(support.EngineTest):
    def customer(self, **fields):
        fields.setdefault("last_name", "Buyer")
        return self.engine.create("customers", fields)["id"]

    def order(self, customer_id, **fields):
        fields["customer_id"] = customer_id
        return self.engine.create("orders", fields)


class Orders(Base):
    def test_create_shape_and_numbers(self):
        cust = self.customer()
        first = self.order(cust)
        self.assertEqual(set(first), ORDER_FIELDS)
        self.assertEqual(first["number"], 1)
        self.assertEqual(first["status"], "draft")
        self.assertIsNone(first["submit_date"])
        self.assertEqual(first["quantity"], 1)
        self.assertIs(first["customer_required"], True)
        self.assertEqual(first["date"], first["created_at"])
        self.assertRegex(first["created_at"], TIMESTAMP)
        self.assertEqual(self.engine.get("orders", first["id"]), first)
        self.assertEqual(self.order(cust, number=10)["number"], 10)
        self.assertEqual(self.order(cust)["number"], 11)
        self.assertEqual(self.order(cust, number=3)["number"], 3)
        self.assertEqual(self.order(cust)["number"], 12)

    def test_replace_and_update_keep_number_and_date(self):
        cust = self.customer()
        o = self.order(cust, number=10, date="2024-03-01T10:00:00+02:00", quantity=3)
        self.assertEqual(o["date"], "2024-03-01T08:00:00Z")
        r = self.engine.replace("orders", o["id"], {"customer_id": cust})
        self.assertEqual((r["number"], r["date"], r["quantity"]), (10, "2024-03-01T08:00:00Z", 1))
        u = self.engine.update("orders", o["id"], {"quantity": 4})
        self.assertEqual((u["number"], u["date"], u["quantity"]), (10, "2024-03-01T08:00:00Z", 4))

    def test_every_status_move(self):
        cust = self.customer()
        for src in STATUSES:
            for dst in STATUSES:
                with self.subTest(src=src, dst=dst):
                    o = self.order(cust, status=src)
                    if (src, dst) in ALLOWED:
                        moved = self.engine.update("orders", o["id"], {"status": STATUSES.index(dst)})
                        self.assertEqual(moved["status"], dst)
                        if dst == "submitted":
                            self.assertRegex(moved["submit_date"], TIMESTAMP)
                        elif src != "submitted":
                            self.assertIsNone(moved["submit_date"])
                        else:
                            self.assertEqual(moved["submit_date"], o["submit_date"])
                    else:
                        self.assertFails(crm.ConflictError, "conflict", ["status"],
                                         self.engine.update, "orders", o["id"], {"status": dst})
                        self.assertEqual(self.engine.get("orders", o["id"]), o)

    def test_created_submitted_has_submit_date(self):
        o = self.order(self.customer(), status=1)
        self.assertEqual(o["status"], "submitted")
        self.assertEqual(o["submit_date"], o["created_at"])

    def test_customer_rules(self):
        cust = self.customer()
        self.assertFails(crm.InvalidError, "invalid", ["customer_id"], self.engine.create, "orders", {})
        err = self.assertFails(crm.InvalidError, "invalid", ["customer_id"],
                               self.engine.create, "orders", {"customer_id": 424242})
        self.assertIn("424242", err.errors[0]["message"])
        loose = self.engine.create("orders", {"customer_required": False})
        self.assertIsNone(loose["customer_id"])
        self.assertFails(crm.InvalidError, "invalid", ["customer_id"],
                         self.engine.create, "orders", {"customer_required": False, "customer_id": 424242})
        self.assertFails(crm.InvalidError, "invalid", ["activation_death_date"],
                         lambda: self.order(cust, activation_birth_date="2024-01-01T00:00:00Z",
                                            activation_death_date="2023-12-31T23:59:59Z"))
        self.assertFails(crm.InvalidError, "invalid", ["quantity", "total_cents", "description"],
                         lambda: self.order(cust, quantity=-1, total_cents=10**15 + 1, description="x" * 10001))
        self.assertEqual(self.order(cust, total_cents=10**15, description="é" * 10000)["total_cents"], 10**15)
        # malformed JSON text through the raw ABI path
        self.assertFails(crm.InvalidError, "invalid", None, self.engine.create, "orders", '{"customer_id":')

    def test_list_a_customers_orders(self):
        a, b = self.customer(last_name="A"), self.customer(last_name="B")
        wait_next_second()  # the orders below then share one second
        for number, status in [(3, 1), (1, 0), (5, 2), (2, 1), (4, 0)]:
            self.order(a, number=number, status=status)
        self.order(b, number=6)
        nums = lambda page: [o["number"] for o in page["results"]]  # noqa: E731
        page = self.engine.list("orders", {"customer_id": a, "offset": 0})
        self.assertEqual(nums(page), [1, 2, 3, 4, 5])
        self.assertEqual((page["count"], page["offset"], page["limit"]), (5, 0, 100))
        page = self.engine.list("orders", {"customer_id": a, "sortby": "number", "direction": "desc",
                                           "offset": 1, "limit": 2})
        self.assertEqual(nums(page), [4, 3])
        self.assertEqual(nums(self.engine.list("orders", {"customer_id": a, "status": "0,1"})), [1, 2, 3, 4])
        self.assertEqual(nums(self.engine.list("orders", {"customer_id": a, "status": ["draft", "submitted"]})),
                         [1, 2, 3, 4])
        self.assertEqual(nums(self.engine.list("orders", {"customer_id": a, "status": 2})), [5])
        # no submit_date first ascending (by id: 1, 5, 4), then the submitted (same second, by id: 3, 2)
        self.assertEqual(nums(self.engine.list("orders", {"customer_id": a, "sortby": "submitdate"})),
                         [1, 5, 4, 3, 2])
        self.assertEqual(nums(self.engine.list("orders", {"customer_id": a, "sortby": "submitdate",
                                                          "direction": "desc"})), [3, 2, 1, 5, 4])
        self.assertFails(crm.InvalidError, "invalid", ["sortby"], self.engine.list, "orders", {"sortby": "date"})
        self.assertFails(crm.InvalidError, "invalid", ["status"], self.engine.list, "orders", {"status": "9"})

    def test_customer_with_orders_cannot_be_deleted(self):
        cust = self.customer()
        o = self.order(cust)
        self.engine.create("messages", {"customer_id": cust, "context": "hello"})
        self.assertFails(crm.ConflictError, "conflict", None, self.engine.delete, "customers", cust)
        self.assertEqual(self.engine.get("orders", o["id"]), o)
        self.assertEqual(self.engine.list("messages", {"customer_id": cust})["count"], 1)
        self.engine.update("customers", cust, {"archived": True})
        self.assertEqual(self.engine.list("orders", {"customer_id": cust})["count"], 1)
        self.engine.delete("orders", o["id"])
        self.engine.delete("customers", cust)
        self.assertEqual(self.engine.list("messages", {"customer_id": cust})["count"], 0)
        self.assertFails(crm.NotFoundError, "not_found", None, self.engine.get, "orders", o["id"])
        self.assertFails(crm.NotFoundError, "not_found", None, self.engine.delete, "orders", o["id"])

    def test_threads_get_distinct_numbers(self):
        tmp = support.temp_dir(self, "crm-py-orders-")
        path = os.path.join(tmp, "orders.db")
        with crm.open(path) as setup:
            cust = setup.create("customers", {"last_name": "T"})["id"]
        engines = [crm.open(path), crm.open(path)]
        for e in engines:
            self.addCleanup(e.close)
        numbers, errors, lock = [], [], threading.Lock()

        def run(engine):
            mine = []
            try:
                for _ in range(40):
                    mine.append(engine.create("orders", {"customer_id": cust})["number"])
            except crm.CrmError as exc:  # pragma: no cover - reported below
                with lock:
                    errors.append(str(exc))
            with lock:
                numbers.extend(mine)

        threads = [threading.Thread(target=run, args=(engines[i % 2],)) for i in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(sorted(numbers), list(range(1, 161)))


class Messages(Base):
    def test_crud_and_newest_first(self):
        cust = self.customer()
        m1 = self.engine.create("messages", {"customer_id": cust, "context": "  one "})
        self.assertEqual(set(m1), {"id", "customer_id", "context", "created_at"})
        self.assertEqual(m1["context"], "one")
        self.assertEqual(self.engine.get("messages", m1["id"]), m1)
        m2 = self.engine.create("messages", {"customer_id": cust, "context": "€" * 10000})
        self.assertEqual(m2["context"], "€" * 10000)
        self.assertFails(crm.InvalidError, "invalid", ["context"], self.engine.create, "messages",
                         {"customer_id": cust, "context": "€" * 10001})
        self.assertFails(crm.InvalidError, "invalid", ["customer_id"], self.engine.create, "messages",
                         {"customer_id": 424242, "context": "x"})
        self.assertFails(crm.InvalidError, "invalid", ["customer_id", "context"], self.engine.create,
                         "messages", {})
        page = self.engine.list("messages", {"customer_id": cust, "ordering": "-id"})
        self.assertEqual([m["id"] for m in page["results"]], [m2["id"], m1["id"]])
        self.assertEqual(self.engine.update("messages", m1["id"], {"context": "uno"})["context"], "uno")
        self.engine.delete("messages", m1["id"])
        self.assertFails(crm.NotFoundError, "not_found", None, self.engine.get, "messages", m1["id"])
        self.assertEqual(self.engine.list("messages", {"customer_id": cust})["count"], 1)


class Forms(Base):
    FIELDS = [
        {"name": "size", "type": "integer", "required": True},
        {"name": "color", "label": "Colour", "type": "enum", "options": ["red", "blue"]},
    ]

    def test_fields_as_array_or_string(self):
        a = self.engine.create("forms", {"name": "A", "fields": self.FIELDS})
        b = self.engine.create("forms", {"name": "B", "fields": json.dumps(self.FIELDS), "active": False})
        self.assertEqual(a["fields"], b["fields"])
        self.assertEqual(a["fields"], [
            {"name": "size", "label": None, "type": "integer", "required": True},
            {"name": "color", "label": "Colour", "type": "enum", "required": False, "options": ["red", "blue"]},
        ])
        self.assertFails(crm.ConflictError, "conflict", ["name"], self.engine.create, "forms", {"name": "A"})
        self.assertFails(crm.InvalidError, "invalid", ["fields[0].name", "fields[1].options"],
                         self.engine.create, "forms",
                         {"name": "C", "fields": [{"name": "9x", "type": "string"}, {"name": "e", "type": "enum"}]})
        self.assertEqual(self.engine.list("forms")["count"], 2)

    def test_enforcement(self):
        form = self.engine.create("forms", {"name": "Profile", "fields": self.FIELDS})
        err = self.assertFails(crm.InvalidError, "invalid", ["email", "attributes.size", "attributes.color"],
                               self.engine.create, "customers",
                               {"email": "bad", "attributes": {"color": "green", "free": 1}})
        self.assertEqual(err.message, "3 fields are invalid")
        c = self.engine.create("customers", {"last_name": "Ok", "attributes": {"size": 2, "color": "red"}})
        self.assertFails(crm.InvalidError, "invalid", ["attributes.size"], self.engine.update, "customers",
                         c["id"], {"attributes": {"size": 2.5}})
        self.assertFails(crm.InvalidError, "invalid", ["attributes.size"], self.engine.replace, "customers",
                         c["id"], {"last_name": "Ok"})
        self.assertEqual(self.engine.get("customers", c["id"]), c)
        self.assertEqual(self.engine.list("customers", {"attributes__size": 2})["count"], 1)
        # inactive: ignored; deleted: lifted
        self.engine.update("forms", form["id"], {"active": False})
        self.engine.create("customers", {"last_name": "Loose"})
        self.engine.update("forms", form["id"], {"active": True})
        self.assertFails(crm.InvalidError, "invalid", ["attributes.size"], self.engine.create, "customers",
                         {"last_name": "Blocked"})
        self.engine.delete("forms", form["id"])
        self.engine.create("customers", {"last_name": "Free"})
        self.assertFails(crm.NotFoundError, "not_found", None, self.engine.get, "forms", form["id"])


if __name__ == "__main__":
    unittest.main()
