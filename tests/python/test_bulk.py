"""Bulk import, streaming export and progress through the C ABI from Python
(examples/python/crm.py: Engine.import_rows, Engine.export, Engine.set_progress).
Standard library only. Run by ctest with CRM_LIBRARY set to the built library
and PYTHONPATH=examples/python.

The crm-app payload is seed 003's POST /api/update_db body verbatim
(../shared/seeds/003_*.txt)."""

import gc
import sys
import threading
import time
import unittest

import crm
import support

# seed 003, POST /api/update_db, verbatim.
SEED_UPDATE_DB = """{"clients" : [
{
"Nom": "Eddison-18",
"Prenom": "Jean",
"Credit": 0.0,
"Paiement": 25,
"Date_paiement": "2019-01-18",
"Montant": 125,
"Compte": "BKN1CST18"
},
{
"Nom": "Sarkozy-51",
"Prenom": "Marc",
"Credit": 0.0,
"Paiement": 25,
"Date_paiement": "2019-01-08",
"Montant": 125,
"Compte": "BKN1CST53"
},
{
"Nom": "Eddison-53",
"Prenom": "Anne",
"Credit": 154.62542724609375,
"Paiement": 25,
"Date_paiement": "2020-05-19",
"Montant": 125
}
]
}"""

EMPTY_REPORT = {"created": 0, "updated": 0, "failed": 0, "errors": []}


def customers(n, prefix="N"):
    return [{"last_name": f"{prefix}{i:06d}", "email": f"{prefix.lower()}{i}@example.com"} for i in range(n)]


class ImportTest(support.EngineTest):
    def test_seed_update_db_verbatim(self):
        report = self.engine.import_rows("customers", SEED_UPDATE_DB, format="crm-app")
        self.assertEqual(report, {"created": 3, "updated": 0, "failed": 0, "errors": []})
        rows = self.engine.list("customers", {"ordering": "id"})["results"]
        self.assertEqual([r["last_name"] for r in rows], ["Eddison-18", "Sarkozy-51", "Eddison-53"])
        anne = rows[2]
        self.assertEqual(anne["first_name"], "Anne")
        self.assertEqual(anne["credit_cents"], 15462)
        self.assertEqual(anne["last_payment_date"], "2020-05-19")
        self.assertEqual(anne["last_payment_cents"], 125)
        self.assertEqual(anne["extra_field"], {"paiement": 25})
        self.assertEqual(rows[0]["account"], "BKN1CST18")
        self.assertEqual(rows[0]["credit_cents"], 0)
        ledger = self.engine.list("ledger")["results"]
        self.assertEqual([(e["customer_id"], e["delta_cents"], e["reason"]) for e in ledger],
                         [(anne["id"], 15462, "import")])
        # bytes work the same (these rows hold no unique value: three more customers)
        report = self.engine.import_rows("customers", SEED_UPDATE_DB.encode("utf-8"), format="crm-app")
        self.assertEqual(report["created"], 3)

    def test_list_of_dicts_is_sent_as_ndjson(self):
        rows = customers(3) + [{"last_name": "Ünïcode", "note": "line\nbreak"}]
        self.assertEqual(self.engine.import_rows("customers", rows),
                         {"created": 4, "updated": 0, "failed": 0, "errors": []})
        got = self.engine.list("customers", {"ordering": "id"})["results"]
        self.assertEqual([r["last_name"] for r in got], ["N000000", "N000001", "N000002", "Ünïcode"])
        self.assertEqual(got[3]["note"], "line\nbreak")
        self.assertEqual(self.engine.import_rows("customers", []), EMPTY_REPORT)
        self.assertEqual(self.engine.import_rows("customers", ""), EMPTY_REPORT)
        with self.assertRaises(TypeError):
            self.engine.import_rows("customers", {"last_name": "one dict"})

    def test_text_shapes(self):
        self.assertEqual(self.engine.import_rows("customers", '{"last_name":"A"}\r\n\r\n{"last_name":"B"}\r\n')["created"], 2)
        self.assertEqual(self.engine.import_rows("customers", '[{"last_name":"C"}]')["created"], 1)
        self.assertEqual(self.engine.import_rows("customers", '{"x":[{"last_name":"D"}]}')["created"], 1)
        err = self.assertFails(crm.InvalidError, "invalid", ["payload"],
                               self.engine.import_rows, "customers", "[{}")
        self.assertIn("payload", err.message)

    def test_atomic_failure_lists_rows_and_writes_nothing(self):
        self.engine.create("customers", {"last_name": "Taken", "email": "taken@example.com"})
        rows = [{"last_name": "ok"}, {"email": "bad", "phone": "1"}, {"email": "TAKEN@example.com"},
                {"last_name": "ok2", "colour": "red"}]
        with self.assertRaises(crm.InvalidError) as ctx:
            self.engine.import_rows("customers", rows)
        err = ctx.exception
        self.assertEqual(err.code, "invalid")
        self.assertEqual(err.status, crm.EINVAL)
        self.assertEqual(err.message, "3 of 4 rows failed: nothing was imported")
        self.assertEqual([(r["index"], r["code"], [f["field"] for f in r["errors"]]) for r in err.errors],
                         [(1, "invalid", ["email", "phone"]), (2, "conflict", ["email"]), (3, "invalid", ["colour"])])
        self.assertEqual(err.errors[1]["errors"][0]["message"], "is already used by another customer")
        self.assertEqual(self.engine.list("customers")["count"], 1)
        # not atomic: the valid row is kept, the same list reported
        report = self.engine.import_rows("customers", rows, atomic=False)
        self.assertEqual(report["created"], 1)
        self.assertEqual(report["failed"], 3)
        self.assertEqual(report["errors"], err.errors)
        self.assertEqual(self.engine.list("customers")["count"], 2)

    def test_upsert_by_each_key(self):
        for key, match, fresh in (("email", "A@EXAMPLE.COM", "b@example.com"),
                                  ("uuid", "6BA7B810-9DAD-11D1-80B4-00C04FD430C8", "7d444840-9dc0-11d1-b245-5ffdce74fad2"),
                                  ("crm_id", "CRM-1", "CRM-2"), ("erp_code", "ERP-1", "ERP-2"),
                                  ("loyalty_card", 77, "78")):
            with self.subTest(key=key), crm.open() as engine:
                engine.import_rows("customers", [{
                    "last_name": "Stored", "note": "kept", "email": "a@example.com",
                    "uuid": "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "crm_id": "CRM-1",
                    "erp_code": "ERP-1", "loyalty_card": "77"}])
                report = engine.import_rows("customers", [{key: match, "first_name": "New"},
                                                          {key: fresh, "last_name": "Fresh"},
                                                          {"last_name": "No key"}],
                                            mode="upsert", key=key, atomic=False)
                self.assertEqual((report["created"], report["updated"], report["failed"]), (1, 1, 1))
                self.assertEqual(report["errors"], [{"index": 2, "code": "invalid", "errors": [
                    {"field": key, "message": f"is required to upsert by {key}"}]}])
                stored = engine.get("customers", 1)
                self.assertEqual((stored["first_name"], stored["last_name"], stored["note"]), ("New", "Stored", "kept"))
                self.assertEqual(engine.get("customers", 2)[key], str(fresh))

    def test_bad_options_and_collections(self):
        imp = self.engine.import_rows
        self.assertFails(crm.InvalidError, "invalid", ["format", "mode", "key", "atomic"],
                         lambda: imp("customers", "[]", format="xml", mode="merge", key="phone", atomic="maybe"))
        self.assertFails(crm.InvalidError, "invalid", ["speed"], lambda: imp("customers", "[]", speed=1))
        self.assertFails(crm.InvalidError, "invalid", ["mode"], lambda: imp("orders", "[]", mode="upsert"))
        self.assertFails(crm.InvalidError, "invalid", ["format"], lambda: imp("orders", "[]", format="heidian"))
        self.assertFails(crm.InvalidError, "invalid", None, self.engine.import_rows, "ledger", "[]")
        self.assertFails(crm.NotFoundError, "not_found", None, self.engine.import_rows, "nope", "[]")

    def test_closed_engine_is_misuse(self):
        engine = crm.open()
        engine.close()
        self.assertFails(crm.MisuseError, "misuse", None, engine.import_rows, "customers", "[]")
        with self.assertRaises(crm.MisuseError):
            list(engine.export("customers"))


class ProgressTest(support.EngineTest):
    def test_import_and_export_progress(self):
        calls = []
        self.engine.set_progress(lambda done, total: calls.append((done, total)))
        self.assertEqual(self.engine.import_rows("customers", customers(1000))["created"], 1000)
        self.assertEqual(calls[-1], (1000, 1000))
        self.assertGreaterEqual(len(calls), 100)
        last = 0
        for done, total in calls:
            self.assertEqual(total, 1000)
            self.assertGreater(done, last)
            self.assertLessEqual(done - last, 10)  # at most 1% apart
            last = done

        calls.clear()
        self.assertEqual(sum(1 for _ in self.engine.export("customers")), 1000)
        self.assertEqual(calls[-1], (1000, 1000))
        last = 0
        for done, total in calls:
            self.assertEqual(total, 1000)
            self.assertLessEqual(done - last, 10)
            last = done

        calls.clear()
        self.engine.set_progress(None)
        self.engine.import_rows("customers", [{"last_name": "quiet"}])
        list(self.engine.export("customers", {"last_name": "quiet"}))
        self.assertEqual(calls, [])

    def test_progress_exceptions_do_not_break_the_call(self):
        def boom(done, total):
            raise RuntimeError("progress failed")
        reported = []
        hook = sys.unraisablehook
        sys.unraisablehook = lambda info: reported.append(info.exc_type)  # ctypes reports them there
        self.addCleanup(setattr, sys, "unraisablehook", hook)
        self.engine.set_progress(boom)
        self.assertEqual(self.engine.import_rows("customers", customers(5))["created"], 5)
        self.assertEqual(len(list(self.engine.export("customers"))), 5)
        self.assertGreaterEqual(len(reported), 2)
        self.assertEqual(set(reported), {RuntimeError})


class ExportTest(support.EngineTest):
    def setUp(self):
        super().setUp()
        self.assertEqual(self.engine.import_rows("customers", customers(2500))["created"], 2500)

    def test_rows_equal_the_listing_with_filters_and_ordering(self):
        rows = list(self.engine.export("customers", {"ordering": "-last_name"}))
        self.assertEqual(len(rows), 2500)
        self.assertEqual([r["id"] for r in rows], list(range(2500, 0, -1)))
        self.assertEqual(rows[0], self.engine.get("customers", 2500))
        some = list(self.engine.export("customers", {"last_name__startswith": "N0012", "ordering": "id"}))
        self.assertEqual([r["id"] for r in some], list(range(1201, 1301)))
        self.assertEqual(some, list(self.engine.rows("customers", {"last_name__startswith": "N0012", "ordering": "id"})))
        self.assertEqual(list(self.engine.export("customers", '{"email":"n7@example.com"}'))[0]["id"], 8)
        self.assertEqual(list(self.engine.export("customers", {"last_name": "nobody"})), [])

    def test_errors_are_raised_by_the_iteration(self):
        it = self.engine.export("customers", {"page_size": 10})
        with self.assertRaises(crm.InvalidError) as ctx:
            next(it)
        self.assertEqual(ctx.exception.fields, ["page_size"])
        with self.assertRaises(crm.InvalidError) as ctx:
            list(self.engine.export("customers", {"colour": "red"}))
        self.assertEqual(ctx.exception.fields, ["colour"])
        with self.assertRaises(crm.NotFoundError):
            list(self.engine.export("nope"))

    def test_streams_with_a_bounded_buffer_and_stops_early(self):
        produced = []
        self.engine.set_progress(lambda done, total: produced.append(done))
        threads_before = threading.active_count()
        it = self.engine.export("customers", {"ordering": "id"})
        first = next(it)
        self.assertEqual(first["id"], 1)
        time.sleep(0.3)  # the export runs ahead only as far as the buffer allows
        self.assertLess(max(produced, default=0), crm.Engine.EXPORT_BUFFER + 2 * 25 + 2)
        taken = [first] + [next(it) for _ in range(99)]
        self.assertEqual([r["id"] for r in taken], list(range(1, 101)))
        it.close()  # stops the export: the background thread ends
        self.assertEqual(threading.active_count(), threads_before)
        self.assertLess(max(produced), 2500)  # it never reached the end
        # the engine is free again
        self.assertEqual(self.engine.create("customers", {"last_name": "after"})["id"], 2501)
        # a loop broken early stops it too
        for row in self.engine.export("customers"):
            break
        gc.collect()
        self.assertEqual(self.engine.list("customers")["count"], 2501)

    def test_round_trip_into_a_fresh_engine(self):
        self.engine.import_rows("customers", [{
            "first_name": "Éloïse", "last_name": "Müller", "email": "eloise@example.com", "gender": "female",
            "coupons": ["VIP"], "attributes": {"tier": "gold"}, "credit_cents": 999, "archived": True,
            "uuid": "6ba7b810-9dad-11d1-80b4-00c04fd430c8", "date_joined": "2020-01-02T03:04:05Z"}])
        exported = list(self.engine.export("customers"))
        with crm.open() as other:
            report = other.import_rows("customers", exported)
            self.assertEqual((report["created"], report["failed"]), (2501, 0))
            copied = list(other.export("customers"))

        def comparable(row):
            return {k: v for k, v in row.items() if k not in ("id", "created_at", "updated_at", "archived_at")}
        self.assertEqual([comparable(r) for r in copied], [comparable(r) for r in exported])
        eloise = [r for r in copied if r["email"] == "eloise@example.com"]
        self.assertEqual(len(eloise), 1)
        self.assertEqual(eloise[0]["credit_cents"], 999)
        self.assertEqual(eloise[0]["uuid"], "6ba7b810-9dad-11d1-80b4-00c04fd430c8")
        self.assertEqual(eloise[0]["coupons"], ["VIP"])

    def test_concurrent_inserts_are_not_duplicated(self):
        stop = threading.Event()

        def writer():
            with crm.open(self.path) as w:
                i = 0
                while not stop.is_set():
                    w.create("customers", {"last_name": ("A", "N001200x", "Z")[i % 3] + str(i)})
                    i += 1
                    time.sleep(0.001)

        # a file so that a second engine (another connection) writes meanwhile
        folder = support.temp_dir(self, "crm-bulk-")
        self.path = folder + "/export.db"
        with crm.open(self.path) as engine:
            engine.import_rows("customers", customers(3000))
            t = threading.Thread(target=writer)
            t.start()
            try:
                ids = []
                for row in engine.export("customers", {"ordering": "last_name"}):
                    ids.append(row["id"])
                    if len(ids) % 500 == 0:
                        time.sleep(0.05)  # let the writer in between pages
            finally:
                stop.set()
                t.join()
            self.assertEqual(len(ids), len(set(ids)))
            self.assertTrue(set(range(1, 3001)) <= set(ids))
            self.assertGreater(engine.list("customers")["count"], 3000)


if __name__ == "__main__":
    unittest.main()
