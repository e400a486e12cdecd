"""The C ABI driven from Python: through examples/python/crm.py and through
raw ctypes calls. Standard library only. Run by ctest with CRM_LIBRARY set to
the built library and PYTHONPATH=examples/python."""

import ctypes
import datetime
import json
import os
import re
import threading
import unittest

import crm
import support
from support import TIMESTAMP

CUSTOMER_FIELDS = {
    "id", "uuid", "kind", "first_name", "last_name", "company_name", "full_name",
    "email", "phone", "mobile", "gender", "date_of_birth", "age", "note", "status",
    "is_active", "archived", "archived_at", "accepts_marketing", "email_allowed",
    "sms_allowed", "call_allowed", "user_type", "channel_id", "channel_code",
    "erp_code", "crm_id", "ref_id", "account", "loyalty_card", "coupons",
    "date_joined", "attributes", "extra_field", "localized_attributes",
    "credit_cents", "refusal_count", "last_payment_date", "last_payment_cents",
    "average_basket_cents", "created_at", "updated_at",
}
UUID_V4 = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")

LIB = crm.library()


def raw_out():
    return ctypes.c_void_p()


def take(ptr):
    """Reads and frees a char* handed out through an out-pointer."""
    try:
        return json.loads(ctypes.string_at(ptr.value).decode("utf-8"))
    finally:
        LIB.crm_free(ptr)


def last_error():
    raw = LIB.crm_last_error()
    return None if raw is None else json.loads(raw.decode("utf-8"))


class Base(support.EngineTest):
    def create(self, **fields):
        return self.engine.create("customers", fields)

    def assertFails(self, cls, code, fields, fn, *args):
        """support.EngineTest.assertFails, and the error is a crm.CrmError."""
        err = super().assertFails(cls, code, fields, fn, *args)
        self.assertIsInstance(err, crm.CrmError)
        return err


class VersionAndStatus(unittest.TestCase):
    def test_version(self):
        self.assertRegex(crm.version(), r"^\d+\.\d+\.\d+$")
        self.assertEqual(crm.version(), LIB.crm_version().decode())

    def test_status_names(self):
        names = ["ok", "invalid", "not_found", "conflict", "busy", "io", "misuse", "nomem", "internal"]
        for status, name in enumerate(names):
            self.assertEqual(crm.status_name(status), name)
            self.assertEqual(LIB.crm_status_name(status), name.encode())
        for bad in (-1, 9, 99, 2**31 - 1, -2**31):
            self.assertEqual(crm.status_name(bad), "internal")

    def test_exception_classes(self):
        expected = {
            crm.InvalidError: 1, crm.NotFoundError: 2, crm.ConflictError: 3, crm.BusyError: 4,
            crm.IoError: 5, crm.MisuseError: 6, crm.NoMemError: 7, crm.InternalError: 8,
        }
        for cls, status in expected.items():
            self.assertTrue(issubclass(cls, crm.CrmError))
            self.assertEqual(cls.status, status)


class Open(unittest.TestCase):
    def setUp(self):
        self.dir = support.temp_dir(self, "crm-py-")

    def test_memory_with_options(self):
        with crm.open(":memory:", credit_rate="0.25", max_refusals=5,
                      credit_limit_multiplier=12, busy_timeout_ms=1000) as engine:
            self.assertFalse(engine.closed)
            self.assertEqual(engine.list("customers")["count"], 0)
        self.assertTrue(engine.closed)

    def test_unknown_option(self):
        with self.assertRaises(crm.InvalidError) as ctx:
            crm.open(":memory:", no_such_option=1)
        self.assertEqual(ctx.exception.code, "invalid")

    def test_missing_folder(self):
        path = os.path.join(self.dir, "missing", "sub", "x.db")
        with self.assertRaises(crm.IoError) as ctx:
            crm.open(path)
        self.assertEqual(ctx.exception.code, "io")
        self.assertFalse(os.path.exists(os.path.dirname(path)))

    def test_not_a_database(self):
        path = os.path.join(self.dir, "junk.db")
        with open(path, "wb") as f:
            f.write(b"definitely not a database file\n" * 200)
        with self.assertRaises(crm.IoError):
            crm.open(path)

    def test_file_persists(self):
        path = os.path.join(self.dir, "crm.db")
        with crm.open(path) as engine:
            created = engine.create("customers", {"first_name": "Kept", "email": "kept@example.com"})
        self.assertTrue(os.path.exists(path))
        with crm.open(path) as engine:
            got = engine.get("customers", created["id"])
        self.assertEqual(got, created)

    def test_raw_open_failure_leaves_null(self):
        handle = ctypes.c_void_p(12345)
        status = LIB.crm_open(b":memory:", b'{"bogus":true}', ctypes.byref(handle))
        self.assertEqual(status, crm.EINVAL)
        self.assertIsNone(handle.value)
        self.assertEqual(last_error()["code"], "invalid")
        handle = ctypes.c_void_p(12345)
        status = LIB.crm_open(os.path.join(self.dir, "no", "x.db").encode(), None, ctypes.byref(handle))
        self.assertEqual(status, crm.EIO)
        self.assertIsNone(handle.value)
        self.assertEqual(last_error()["code"], "io")

    def test_closed_engine_is_misuse(self):
        engine = crm.open()
        engine.close()
        engine.close()  # twice is fine
        with self.assertRaises(crm.MisuseError):
            engine.list("customers")


class Crud(Base):
    def test_create_shape_and_defaults(self):
        c = self.create(first_name=" Ann ", last_name="Lee", email="Ann@Example.COM")
        self.assertEqual(set(c), CUSTOMER_FIELDS)
        self.assertIsInstance(c["id"], int)
        self.assertGreater(c["id"], 0)
        self.assertRegex(c["uuid"], UUID_V4)
        self.assertEqual(c["first_name"], "Ann")
        self.assertEqual(c["last_name"], "Lee")
        self.assertEqual(c["full_name"], "Ann Lee")
        self.assertEqual(c["email"], "ann@example.com")
        self.assertEqual(c["kind"], "person")
        self.assertEqual(c["gender"], "unknown")
        self.assertEqual(c["user_type"], "registered")
        self.assertIs(c["is_active"], True)
        self.assertIs(c["archived"], False)
        for key in ("accepts_marketing", "email_allowed", "sms_allowed", "call_allowed"):
            self.assertIs(c[key], False, key)
        for key in ("company_name", "phone", "mobile", "date_of_birth", "age", "note", "archived_at",
                    "channel_id", "channel_code", "erp_code", "crm_id", "ref_id", "account",
                    "loyalty_card", "last_payment_date", "last_payment_cents"):
            self.assertIsNone(c[key], key)
        self.assertEqual(c["status"], 0)
        self.assertEqual(c["coupons"], [])
        self.assertEqual(c["attributes"], {})
        self.assertEqual(c["extra_field"], {})
        self.assertEqual(c["localized_attributes"], {})
        self.assertEqual(c["credit_cents"], 0)
        self.assertEqual(c["refusal_count"], 0)
        self.assertEqual(c["average_basket_cents"], 0)
        for key in ("created_at", "updated_at", "date_joined"):
            self.assertRegex(c[key], TIMESTAMP)

    def test_get_replace_update_delete(self):
        c = self.create(first_name="Bob", last_name="Brown", phone="+33 (1) 23-45.67.89",
                        gender="male", loyalty_card=33, coupons=[" A1 ", "B2"])
        self.assertEqual(c["phone"], "+33 (1) 23-45.67.89")
        self.assertEqual(c["loyalty_card"], "33")
        self.assertEqual(c["coupons"], ["A1", "B2"])
        self.assertEqual(self.engine.get("customers", c["id"]), c)

        # A GET result can be sent back as PUT.
        same = self.engine.replace("customers", c["id"], c)
        for key in CUSTOMER_FIELDS - {"updated_at"}:
            self.assertEqual(same[key], c[key], key)

        # PUT: what is left out returns to its default.
        r = self.engine.replace("customers", c["id"], {"first_name": "Robert"})
        self.assertEqual(r["id"], c["id"])
        self.assertEqual(r["uuid"], c["uuid"])
        self.assertEqual(r["created_at"], c["created_at"])
        self.assertEqual(r["first_name"], "Robert")
        self.assertIsNone(r["last_name"])
        self.assertIsNone(r["phone"])
        self.assertEqual(r["gender"], "unknown")
        self.assertIsNone(r["loyalty_card"])
        self.assertEqual(r["coupons"], [])
        self.assertEqual(self.engine.get("customers", c["id"]), r)

        u = self.engine.update("customers", c["id"], {"last_name": "Brown", "status": 2})
        self.assertEqual(u["first_name"], "Robert")
        self.assertEqual(u["last_name"], "Brown")
        self.assertEqual(u["full_name"], "Robert Brown")
        self.assertEqual(u["status"], 2)

        self.assertIsNone(self.engine.delete("customers", c["id"]))
        self.assertFails(crm.NotFoundError, "not_found", None, self.engine.get, "customers", c["id"])
        self.assertFails(crm.NotFoundError, "not_found", None, self.engine.delete, "customers", c["id"])
        self.assertEqual(self.engine.list("customers")["count"], 0)

    def test_booleans_and_archiving(self):
        c = self.create(first_name="Flag", is_active="false", accepts_marketing=1, sms_allowed="true",
                        call_allowed=0)
        self.assertIs(c["is_active"], False)
        self.assertIs(c["accepts_marketing"], True)
        self.assertIs(c["sms_allowed"], True)
        self.assertIs(c["call_allowed"], False)
        a = self.engine.update("customers", c["id"], {"archived": True})
        self.assertIs(a["archived"], True)
        self.assertRegex(a["archived_at"], TIMESTAMP)
        b = self.engine.update("customers", c["id"], {"note": "still archived"})
        self.assertEqual(b["archived_at"], a["archived_at"])
        d = self.engine.update("customers", c["id"], {"archived": False})
        self.assertIsNone(d["archived_at"])

    def test_company_and_full_name(self):
        c = self.create(kind="company", company_name="ACME")
        self.assertEqual(c["kind"], "company")
        self.assertEqual(c["full_name"], "ACME")
        self.assertEqual(self.create()["full_name"], "")

    def test_date_of_birth_and_age(self):
        today = datetime.datetime.now(datetime.timezone.utc).date()
        c = self.create(date_of_birth="1990-06-15")
        self.assertEqual(c["date_of_birth"], "1990-06-15")
        expected = today.year - 1990 - ((today.month, today.day) < (6, 15))
        self.assertEqual(c["age"], expected)

    def test_unicode(self):
        c = self.create(first_name="Éloïse", last_name="李", note="naïve – ✓ 🎉")
        self.assertEqual(c["first_name"], "Éloïse")
        self.assertEqual(c["last_name"], "李")
        self.assertEqual(c["full_name"], "Éloïse 李")
        self.assertEqual(c["note"], "naïve – ✓ 🎉")
        got = self.engine.get("customers", c["id"])
        self.assertEqual(got["full_name"], "Éloïse 李")
        # Lengths count code points: 200 two-byte characters fit, 201 do not.
        ok = self.create(first_name="é" * 200)
        self.assertEqual(ok["first_name"], "é" * 200)
        self.assertFails(crm.InvalidError, "invalid", ["first_name"], self.engine.create, "customers",
                         {"first_name": "é" * 201})

    def test_merge_patch(self):
        c = self.create(first_name="Mia", gender="female", note="n",
                        attributes={"a": 1, "b": {"c": 2, "d": 3}, "drop": "x"})
        p = self.engine.update("customers", c["id"], {
            "attributes": {"b": {"c": None, "e": 4}, "drop": None, "z": [1, 2]},
            "gender": None,
            "note": None,
        })
        self.assertEqual(p["attributes"], {"a": 1, "b": {"d": 3, "e": 4}, "z": [1, 2]})
        self.assertEqual(p["gender"], "unknown")
        self.assertIsNone(p["note"])
        self.assertEqual(p["first_name"], "Mia")
        # An empty patch changes nothing but is a valid write.
        q = self.engine.update("customers", c["id"], {})
        self.assertEqual(q["attributes"], p["attributes"])
        self.assertFails(crm.InvalidError, "invalid", None, self.engine.update, "customers", c["id"], "[1]")
        self.assertFails(crm.InvalidError, "invalid", None, self.engine.update, "customers", c["id"], "3")


class Errors(Base):
    def test_invalid_fields(self):
        cases = [
            ({"email": "not-an-email"}, ["email"]),
            ({"email": "a@b@c.com"}, ["email"]),
            ({"email": "a@localhost"}, ["email"]),
            ({"email": "bad@example.com", "gender": "robot"}, ["gender"]),
            ({"email": "x y@example.com", "gender": "robot"}, ["email", "gender"]),
            ({"nickname": "x"}, ["nickname"]),
            ({"kind": "company"}, ["company_name"]),
            ({"kind": "robot"}, ["kind"]),
            ({"phone": "12"}, ["phone"]),
            ({"mobile": "+12345abc"}, ["mobile"]),
            ({"user_type": "admin"}, ["user_type"]),
            ({"status": -1}, ["status"]),
            ({"channel_id": 0}, ["channel_id"]),
            ({"date_of_birth": "1899-12-31"}, ["date_of_birth"]),
            ({"date_of_birth": "2023-02-29"}, ["date_of_birth"]),
            ({"loyalty_card": "no spaces"}, ["loyalty_card"]),
            ({"coupons": ["ok", "   "]}, ["coupons[1]"]),
            ({"attributes": [1]}, ["attributes"]),
            ({"note": "x" * 10001}, ["note"]),
            ({"erp_code": "x" * 101}, ["erp_code"]),
            ({"is_active": "maybe"}, ["is_active"]),
        ]
        for body, fields in cases:
            with self.subTest(body={k: (v if len(repr(v)) < 60 else repr(v)[:40] + "...") for k, v in body.items()}):
                err = self.assertFails(crm.InvalidError, "invalid", fields, self.engine.create, "customers", body)
                expected = "1 field is invalid" if len(fields) == 1 else f"{len(fields)} fields are invalid"
                self.assertEqual(err.message, expected)
        self.assertEqual(self.engine.list("customers")["count"], 0)

    def test_two_fields_message(self):
        err = self.assertFails(crm.InvalidError, "invalid", ["email", "gender"], self.engine.create,
                               "customers", {"email": "nope", "gender": "robot"})
        self.assertEqual(err.message, "2 fields are invalid")

    def test_malformed_and_non_object(self):
        for text in ('{"first_name":', "", "nope", "[]", '"str"', "null", "42"):
            with self.subTest(text=text):
                self.assertFails(crm.InvalidError, "invalid", None, self.engine.create, "customers", text)

    def test_not_found(self):
        c = self.create(first_name="Here")
        for bad in (0, -1, -2**63, c["id"] + 1000, 2**63 - 1):
            with self.subTest(id=bad):
                self.assertFails(crm.NotFoundError, "not_found", None, self.engine.get, "customers", bad)
                self.assertFails(crm.NotFoundError, "not_found", None, self.engine.update, "customers", bad, {})
                self.assertFails(crm.NotFoundError, "not_found", None, self.engine.replace, "customers", bad, {})
                self.assertFails(crm.NotFoundError, "not_found", None, self.engine.delete, "customers", bad)
        for coll in ("widgets", "", "Customers", "customers "):
            with self.subTest(collection=coll):
                self.assertFails(crm.NotFoundError, "not_found", None, self.engine.get, coll, c["id"])
                self.assertFails(crm.NotFoundError, "not_found", None, self.engine.list, coll)
                self.assertFails(crm.NotFoundError, "not_found", None, self.engine.create, coll, {})

    def test_conflicts(self):
        a = self.create(email="dup@example.com", loyalty_card="CARD1")
        err = self.assertFails(crm.ConflictError, "conflict", ["email"], self.engine.create, "customers",
                               {"email": "DUP@Example.com"})
        self.assertTrue(err.errors[0]["message"])
        self.assertFails(crm.ConflictError, "conflict", ["loyalty_card"], self.engine.create, "customers",
                         {"loyalty_card": "CARD1"})
        b = self.create(email="other@example.com")
        self.assertFails(crm.ConflictError, "conflict", ["email"], self.engine.update, "customers", b["id"],
                         {"email": "dup@EXAMPLE.com"})
        self.assertEqual(self.engine.get("customers", b["id"])["email"], "other@example.com")
        # Keeping one's own email is not a conflict.
        self.assertEqual(self.engine.update("customers", a["id"], {"email": "Dup@example.com"})["email"],
                         "dup@example.com")
        self.assertEqual(self.engine.list("customers")["count"], 2)


class RawCtypes(Base):
    def handle(self):
        return self.engine._handle

    def test_last_error_cleared_by_success(self):
        out = raw_out()
        self.assertEqual(LIB.crm_get(self.handle(), b"customers", 424242, ctypes.byref(out)), crm.ENOTFOUND)
        self.assertIsNone(out.value)
        self.assertEqual(last_error()["code"], "not_found")
        out = raw_out()
        self.assertEqual(LIB.crm_create(self.handle(), b"customers", b'{"first_name":"Raw"}', ctypes.byref(out)),
                         crm.OK)
        self.assertIsNone(LIB.crm_last_error())
        created = take(out)
        self.assertEqual(created["first_name"], "Raw")
        out = raw_out()
        self.assertEqual(LIB.crm_list(self.handle(), b"customers", None, ctypes.byref(out)), crm.OK)
        self.assertIsNone(LIB.crm_last_error())
        self.assertEqual([r["id"] for r in take(out)["results"]], [created["id"]])

    def test_error_json_shape(self):
        out = ctypes.c_void_p(1)
        status = LIB.crm_create(self.handle(), b"customers", b'{"email":"x","gender":"robot"}', ctypes.byref(out))
        self.assertEqual(status, crm.EINVAL)
        self.assertIsNone(out.value)
        err = last_error()
        self.assertEqual(set(err), {"code", "message", "errors"})
        self.assertEqual(err["code"], "invalid")
        self.assertEqual(err["message"], "2 fields are invalid")
        self.assertEqual(sorted(e["field"] for e in err["errors"]), ["email", "gender"])
        for entry in err["errors"]:
            self.assertIsInstance(entry["message"], str)
            self.assertTrue(entry["message"])

    def test_null_pointers_are_misuse(self):
        c = self.create(first_name="Target")
        h, body = self.handle(), b'{"first_name":"X"}'
        calls = [
            ("create engine", lambda o: LIB.crm_create(None, b"customers", body, o)),
            ("create collection", lambda o: LIB.crm_create(h, None, body, o)),
            ("create json", lambda o: LIB.crm_create(h, b"customers", None, o)),
            ("create out", lambda o: LIB.crm_create(h, b"customers", body, None)),
            ("get engine", lambda o: LIB.crm_get(None, b"customers", c["id"], o)),
            ("get collection", lambda o: LIB.crm_get(h, None, c["id"], o)),
            ("get out", lambda o: LIB.crm_get(h, b"customers", c["id"], None)),
            ("replace engine", lambda o: LIB.crm_replace(None, b"customers", c["id"], body, o)),
            ("replace collection", lambda o: LIB.crm_replace(h, None, c["id"], body, o)),
            ("replace json", lambda o: LIB.crm_replace(h, b"customers", c["id"], None, o)),
            ("replace out", lambda o: LIB.crm_replace(h, b"customers", c["id"], body, None)),
            ("update engine", lambda o: LIB.crm_update(None, b"customers", c["id"], body, o)),
            ("update collection", lambda o: LIB.crm_update(h, None, c["id"], body, o)),
            ("update patch", lambda o: LIB.crm_update(h, b"customers", c["id"], None, o)),
            ("update out", lambda o: LIB.crm_update(h, b"customers", c["id"], body, None)),
            ("delete engine", lambda o: LIB.crm_delete(None, b"customers", c["id"])),
            ("delete collection", lambda o: LIB.crm_delete(h, None, c["id"])),
            ("list engine", lambda o: LIB.crm_list(None, b"customers", None, o)),
            ("list collection", lambda o: LIB.crm_list(h, None, None, o)),
            ("list out", lambda o: LIB.crm_list(h, b"customers", None, None)),
            ("open path", lambda o: LIB.crm_open(None, None, o)),
            ("open out", lambda o: LIB.crm_open(b":memory:", None, None)),
        ]
        for name, call in calls:
            with self.subTest(call=name):
                out = ctypes.c_void_p(1)
                self.assertEqual(call(ctypes.byref(out)), crm.EMISUSE)
                self.assertEqual(last_error()["code"], "misuse")
                if not name.endswith(" out") and not name.startswith("delete"):
                    self.assertIsNone(out.value)
        LIB.crm_close(None)
        LIB.crm_free(None)
        # Nothing was written or deleted.
        page = self.engine.list("customers")
        self.assertEqual([r["id"] for r in page["results"]], [c["id"]])
        self.assertEqual(page["results"][0]["first_name"], "Target")


class Paging(Base):
    def setUp(self):
        super().setUp()
        # Default order: company_name, last_name, first_name (case-insensitive, nulls first), then id.
        self.ids = {}
        for key, fields in [
            ("zed", {"first_name": "Zed", "last_name": "adams"}),
            ("amy", {"first_name": "amy", "last_name": "Adams"}),
            ("co", {"kind": "company", "company_name": "Acme"}),
            ("bob", {"first_name": "Bob", "last_name": "Baker"}),
            ("nobody", {}),
            ("amy2", {"first_name": "Amy", "last_name": "ADAMS"}),
            ("carl", {"first_name": "Carl", "last_name": "Clark"}),
        ]:
            self.ids[key] = self.create(**fields)["id"]

    def ids_of(self, page):
        return [r["id"] for r in page["results"]]

    def test_default_order(self):
        i = self.ids
        page = self.engine.list("customers")
        self.assertEqual(page["count"], 7)
        self.assertEqual(page["page"], 1)
        self.assertEqual(page["page_size"], 50)
        self.assertIsNone(page["next_cursor"])
        self.assertEqual(self.ids_of(page),
                         [i["nobody"], i["amy"], i["amy2"], i["zed"], i["bob"], i["carl"], i["co"]])

    def test_page_style(self):
        i = self.ids
        p2 = self.engine.list("customers", {"ordering": "id", "page": 2, "page_size": 3})
        self.assertEqual(p2["count"], 7)
        self.assertEqual((p2["page"], p2["page_size"]), (2, 3))
        self.assertEqual(self.ids_of(p2), [i["bob"], i["nobody"], i["amy2"]])
        p3 = self.engine.list("customers", {"ordering": "id", "page": 3, "page_size": 3})
        self.assertEqual(self.ids_of(p3), [i["carl"]])
        self.assertIsNone(p3["next_cursor"])
        p9 = self.engine.list("customers", {"page": 9, "page_size": 3})
        self.assertEqual(p9["results"], [])
        self.assertEqual(p9["count"], 7)

    def test_offset_style_and_ordering(self):
        i = self.ids
        page = self.engine.list("customers", {"ordering": "-id", "offset": 1, "limit": 2})
        self.assertEqual((page["offset"], page["limit"]), (1, 2))
        self.assertNotIn("page", page)
        self.assertEqual(self.ids_of(page), [i["amy2"], i["nobody"]])
        by_first = self.engine.list("customers", {"ordering": "first_name,-id"})
        self.assertEqual(self.ids_of(by_first),
                         [i["nobody"], i["co"], i["amy2"], i["amy"], i["bob"], i["carl"], i["zed"]])
        no_count = self.engine.list("customers", {"count": False, "page_size": 1})
        self.assertIsNone(no_count["count"])
        self.assertEqual(len(no_count["results"]), 1)

    def test_bad_queries(self):
        for query, field in [
            ({"page_size": 0}, "page_size"),
            ({"page_size": 1001}, "page_size"),
            ({"page": 0}, "page"),
            ({"limit": 0}, "limit"),
            ({"offset": -1}, "offset"),
            ({"no_such_key": 1}, "no_such_key"),
        ]:
            with self.subTest(query=query):
                self.assertFails(crm.InvalidError, "invalid", [field], self.engine.list, "customers", query)
        # A field that cannot be sorted on is named (as the key or in the message).
        for ordering in ("note", "-note", "id,age"):
            with self.subTest(ordering=ordering):
                err = self.assertFails(crm.InvalidError, "invalid", None, self.engine.list, "customers",
                                       {"ordering": ordering})
                bad = ordering.split(",")[-1].lstrip("-")
                self.assertTrue(any(bad in (f or "") for f in err.fields)
                                or any(bad in (e.get("message") or "") for e in err.errors)
                                or bad in err.message, err.errors)
        err = self.assertFails(crm.InvalidError, "invalid", None, self.engine.list, "customers",
                               {"page": 1, "offset": 0})
        self.assertTrue(set(err.fields) <= {"page", "page_size", "offset", "limit"}, err.fields)
        self.assertTrue(err.fields)
        self.assertFails(crm.InvalidError, "invalid", None, self.engine.list, "customers", "{")
        self.assertFails(crm.InvalidError, "invalid", None, self.engine.list, "customers", "[]")


class Threads(unittest.TestCase):
    THREADS, PER_THREAD = 4, 50

    def run_threads(self, handle):
        failures, ids = [], []
        lock = threading.Lock()

        def work(t):
            for n in range(self.PER_THREAD):
                out = ctypes.c_void_p()
                body = json.dumps({"first_name": f"T{t}", "last_name": f"N{n}",
                                   "email": f"t{t}.n{n}@example.com"}).encode()
                status = LIB.crm_create(handle, b"customers", body, ctypes.byref(out))
                if status != crm.OK:
                    err = LIB.crm_last_error()
                    with lock:
                        failures.append((t, n, status, err))
                    continue
                if LIB.crm_last_error() is not None:
                    with lock:
                        failures.append((t, n, "last_error not NULL after success", None))
                obj = take(out)
                with lock:
                    ids.append(obj["id"])

        threads = [threading.Thread(target=work, args=(t,)) for t in range(self.THREADS)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        return failures, ids

    def check(self, engine):
        failures, ids = self.run_threads(engine._handle)
        total = self.THREADS * self.PER_THREAD
        self.assertEqual(failures, [])
        self.assertEqual(len(ids), total)
        self.assertEqual(len(set(ids)), total)
        page = engine.list("customers", {"page_size": 1000, "ordering": "id"})
        self.assertEqual(page["count"], total)
        self.assertEqual([r["id"] for r in page["results"]], sorted(ids))

    def test_memory(self):
        with crm.open(":memory:") as engine:
            self.check(engine)

    def test_file(self):
        folder = support.temp_dir(self, "crm-py-threads-")
        with crm.open(os.path.join(folder, "t.db")) as engine:
            self.check(engine)

    def test_errors_are_per_thread(self):
        """Each thread sees its own last error."""
        with crm.open(":memory:") as engine:
            handle = engine._handle
            results = {}
            barrier = threading.Barrier(2)

            def fail_then_read(name, call):
                barrier.wait()
                out = ctypes.c_void_p()
                status = call(out)
                barrier.wait()  # both threads have failed before either reads
                raw = LIB.crm_last_error()
                results[name] = (status, None if raw is None else json.loads(raw)["code"])
                if status == crm.OK:
                    LIB.crm_free(out)

            a = threading.Thread(target=fail_then_read, args=(
                "a", lambda o: LIB.crm_get(handle, b"customers", 77, ctypes.byref(o))))
            b = threading.Thread(target=fail_then_read, args=(
                "b", lambda o: LIB.crm_create(handle, b"customers", b"{", ctypes.byref(o))))
            a.start(); b.start(); a.join(); b.join()
            self.assertEqual(results["a"], (crm.ENOTFOUND, "not_found"))
            self.assertEqual(results["b"], (crm.EINVAL, "invalid"))


if __name__ == "__main__":
    unittest.main()
