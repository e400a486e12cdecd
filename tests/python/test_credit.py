"""Tickets, the loyalty ledger, credit requests and the credit calls through the
C ABI from Python (examples/python/crm.py). Standard library only. Run by ctest
with CRM_LIBRARY set to the built library and PYTHONPATH=examples/python.

The fixtures are seed 003's payloads (../shared/seeds/003_*.txt): the bodies
of POST /api/credit and POST /api/allow_credit as the seed writes them (the
allow_credit idClient replaced by the uuid the engine gave the customer), and
the two tickets of GET /api/get_tickets with the engine's field names (prices
in currency units there, cents here)."""

import datetime
import json
import os
import threading
import unittest

import crm
import support
from support import TIMESTAMP

# POST /api/credit, verbatim.
SEED_CREDIT = """{"Tickets" : [
{
"carteFid": 33,
"Montant": 26
},
{
"carteFid": 42,
"Montant": 55
}
]
}"""

# POST /api/allow_credit, verbatim; its idClient is the seed's, so a test
# puts the created customer's uuid in its place.
SEED_ALLOW_CREDIT = """{
"idClient": "a14e39ce-e29e-11e9-a8cb-08002751d198",
"Montant": 36000,
"Date": "2019-12-06"
}"""
SEED_ID_CLIENT = "a14e39ce-e29e-11e9-a8cb-08002751d198"

# GET /api/get_tickets's tickets 42 and 38 (id, prix and pointsFidelite are
# the engine's to compute; the seed's prix do not add up anyway).
SEED_TICKET_42 = {
    "date": "2019-10-09T17:01:29.408701Z", "payment_mode": "CASH", "origin": "e-commerce",
    "lines": [
        {"product_code": "X1-0", "unit_price_before_cents": 80000, "unit_price_after_cents": 40000,
         "promo_percent": 50, "quantity": 2},
        {"product_code": "X1-9", "unit_price_before_cents": 4800, "unit_price_after_cents": 2400,
         "promo_percent": 50, "quantity": 1},
    ],
}
SEED_TICKET_38 = {
    "date": "2019-10-09T18:03:45.408701Z", "payment_mode": "CARD", "origin": "e-commerce",
    "lines": [
        {"product_code": "X1-4", "unit_price_before_cents": 3600, "unit_price_after_cents": 1800,
         "promo_percent": 50, "quantity": 2},
    ],
}

TICKET_FIELDS = {"id", "customer_id", "customer_uuid", "date", "payment_mode", "origin", "lines",
                 "total_cents", "loyalty_points_cents", "ref", "created_at"}
LEDGER_FIELDS = {"id", "customer_id", "delta_cents", "reason", "ref", "ticket_id", "created_at"}
REQUEST_FIELDS = {"id", "customer_id", "customer_uuid", "amount_cents", "date", "allowed", "reasons",
                  "created_at"}


def allow_credit_body(uuid):
    """The seed's allow_credit text with `uuid` as its idClient."""
    assert SEED_ID_CLIENT in SEED_ALLOW_CREDIT
    return SEED_ALLOW_CREDIT.replace(SEED_ID_CLIENT, uuid)


class Base(support.EngineTest):
    def setUp(self):
        super().setUp()
        # seed 003's api/data customers, with cards 33 and 42
        self.jacquie = self.engine.create("customers", {
            "last_name": "Jacquie", "first_name": "Bloggs", "gender": "male", "email": "Jacquie@mimi.com",
            "phone": "0102030405", "account": "BKN1CST53", "loyalty_card": 33})
        self.michelle = self.engine.create("customers", {
            "last_name": "Michelle", "first_name": "Bloggs", "gender": "female", "email": "Michelle@mimi.com",
            "phone": "0102089405", "account": "BKN1CST83", "loyalty_card": "42"})

    def balance(self, card):
        return self.engine.credit_balance(card)["balance_cents"]

    def customer(self, id):
        return self.engine.get("customers", id)

    def ticket(self, fixture, **fields):
        return self.engine.create("tickets", {**fixture, **fields})


class Accrue(Base):
    def test_seed_credit_body(self):
        j, m = self.jacquie["id"], self.michelle["id"]
        self.assertEqual(self.jacquie["loyalty_card"], "33")
        out = self.engine.credit_accrue(SEED_CREDIT)  # JSON text, as the seed posts it
        self.assertEqual(out, {"results": [
            {"card": "33", "customer_id": j, "accrued_cents": 1300, "balance_cents": 1300, "duplicate": False},
            {"card": "42", "customer_id": m, "accrued_cents": 2750, "balance_cents": 2750, "duplicate": False},
        ]})
        # GET /api/credit/33 -> {"carteFid": 33, "Credit": 13}
        self.assertEqual(self.engine.credit_balance(33), {"card": "33", "customer_id": j, "balance_cents": 1300})
        self.assertEqual(self.engine.credit_balance("42")["balance_cents"], 2750)
        self.assertEqual(self.customer(j)["credit_cents"], 1300)
        # the same body as a dict; no ref: applied again
        again = self.engine.credit_accrue(json.loads(SEED_CREDIT))
        self.assertEqual([r["balance_cents"] for r in again["results"]], [2600, 5500])
        entries = self.engine.list("ledger", {"customer_id": j})
        self.assertEqual(entries["count"], 2)
        for e in entries["results"]:
            self.assertEqual(set(e), LEDGER_FIELDS)
            self.assertEqual((e["delta_cents"], e["reason"], e["ref"], e["ticket_id"]), (1300, "accrual", None, None))
            self.assertRegex(e["created_at"], TIMESTAMP)

    def test_montant_rounded_down_to_the_cent(self):
        out = self.engine.credit_accrue({"Tickets": [{"carteFid": 33, "Montant": 0.29},
                                                     {"carteFid": "42", "Montant": 154.62542724609375},
                                                     {"carteFid": 33, "Montant": "1.999"}]})
        # 29 -> 14; 15462 -> 7731; 199 -> 99
        self.assertEqual([r["accrued_cents"] for r in out["results"]], [14, 7731, 99])
        self.assertEqual([r["balance_cents"] for r in out["results"]], [14, 7731, 113])

    def test_refs_list_shape_and_duplicates(self):
        first = self.engine.credit_accrue([{"card": "33", "amount_cents": 2600, "ref": "pos1-42"}])
        self.assertEqual(first["results"][0]["accrued_cents"], 1300)
        out = self.engine.credit_accrue({"payments": [
            {"card": "33", "amount_cents": 2600, "ref": "pos1-42"},
            {"card": 42, "amount_cents": 101, "ref": "pos1-43"},
            {"card": "42", "amount_cents": 101, "ref": "pos1-43"},
            {"card": "42", "amount_cents": 1},
        ]})
        self.assertEqual([(r["card"], r["accrued_cents"], r["balance_cents"], r["duplicate"]) for r in out["results"]],
                         [("33", 0, 1300, True), ("42", 50, 50, False), ("42", 0, 50, True), ("42", 0, 50, False)])
        # every applied payment is one entry, a 0 one too; duplicates are none
        self.assertEqual(self.engine.list("ledger", {"ref": "pos1-42"})["count"], 1)
        self.assertEqual(self.engine.list("ledger", {"ref": "pos1-43"})["count"], 1)
        self.assertEqual(self.engine.list("ledger", {"customer_id": self.michelle["id"], "delta_cents": 0})["count"], 1)
        self.assertEqual(self.engine.credit_accrue([]), {"results": []})

    def test_all_or_nothing(self):
        err = self.assertFails(crm.NotFoundError, "not_found", ["payments[1].card"], self.engine.credit_accrue,
                               [{"card": "33", "amount_cents": 5000, "ref": "lost"},
                                {"card": "99", "amount_cents": 100}])
        self.assertIn("99", err.message)
        self.assertEqual(self.balance(33), 0)
        self.assertEqual(self.engine.list("ledger", None)["count"], 0)
        self.assertFails(crm.InvalidError, "invalid",
                         ["payments[0].amount_cents", "payments[1].card", "payments[2].amount_cents"],
                         self.engine.credit_accrue,
                         [{"card": "33", "amount_cents": -1}, {"amount_cents": 1}, {"card": "33"}])
        self.assertFails(crm.InvalidError, "invalid", ["Tickets[0].Montant"], self.engine.credit_accrue,
                         {"Tickets": [{"carteFid": 33, "Montant": -1}]})
        self.assertFails(crm.InvalidError, "invalid", ["bogus"], self.engine.credit_accrue,
                         {"payments": [], "bogus": 1})
        self.assertFails(crm.InvalidError, "invalid", None, self.engine.credit_accrue, '{"payments":[')
        self.assertEqual(self.engine.list("ledger", None)["count"], 0)

    def test_balance_cap(self):
        # 2 x 10^15 paid accrues 10^15: the cap; one cent more is invalid, nothing written
        out = self.engine.credit_accrue([{"card": "33", "amount_cents": 10**15}, {"card": "33", "amount_cents": 10**15}])
        self.assertEqual(out["results"][1]["balance_cents"], 10**15)
        self.assertFails(crm.InvalidError, "invalid", ["payments[1].amount_cents"], self.engine.credit_accrue,
                         [{"card": "42", "amount_cents": 2}, {"card": "33", "amount_cents": 2}])
        self.assertEqual((self.balance(33), self.balance(42)), (10**15, 0))

    def test_unknown_card_balance(self):
        self.assertFails(crm.NotFoundError, "not_found", ["card"], self.engine.credit_balance, "99")
        with self.assertRaises(TypeError):
            self.engine.credit_balance(33.0)


class Redeem(Base):
    def setUp(self):
        super().setUp()
        self.engine.credit_accrue(SEED_CREDIT)  # 33: 1300, 42: 2750

    def test_redeem_and_duplicates(self):
        j = self.jacquie["id"]
        r = self.engine.credit_redeem(33, 500, ref="r-1")
        self.assertEqual(set(r), {"card", "customer_id", "redeemed_cents", "balance_cents", "duplicate", "ledger_id"})
        self.assertEqual((r["card"], r["customer_id"], r["redeemed_cents"], r["balance_cents"], r["duplicate"]),
                         ("33", j, 500, 800, False))
        again = self.engine.credit_redeem("33", 500, "r-1")
        self.assertEqual(again, {**r, "redeemed_cents": 0, "duplicate": True})
        self.assertFails(crm.ConflictError, "conflict", ["ref"], self.engine.credit_redeem, "33", 501, "r-1")
        self.assertFails(crm.ConflictError, "conflict", ["ref"], self.engine.credit_redeem, "42", 500, "r-1")
        entries = self.engine.list("ledger", {"reason": "redemption"})["results"]
        self.assertEqual([(e["id"], e["customer_id"], e["delta_cents"], e["ref"]) for e in entries],
                         [(r["ledger_id"], j, -500, "r-1")])
        self.assertEqual(self.customer(j)["credit_cents"], 800)

    def test_overspend_and_range(self):
        self.assertFails(crm.ConflictError, "conflict", ["amount_cents"], self.engine.credit_redeem, "33", 1301)
        self.assertFails(crm.ConflictError, "conflict", ["amount_cents"], self.engine.credit_redeem, "33", 10**15)
        for bad in (0, -1, 10**15 + 1):
            with self.subTest(amount=bad):
                self.assertFails(crm.InvalidError, "invalid", ["amount_cents"], self.engine.credit_redeem, "33", bad)
        self.assertFails(crm.NotFoundError, "not_found", ["card"], self.engine.credit_redeem, "99", 1)
        self.assertEqual(self.engine.list("ledger", {"reason": "redemption"})["count"], 0)
        self.assertEqual(self.engine.credit_redeem("33", 1300)["balance_cents"], 0)
        self.assertFails(crm.ConflictError, "conflict", ["amount_cents"], self.engine.credit_redeem, "33", 1)

    def test_threads_never_lose_a_balance_update(self):
        tmp = support.temp_dir(self, "crm-py-credit-")
        path = os.path.join(tmp, "credit.db")
        with crm.open(path) as setup:
            setup.create("customers", {"last_name": "T", "loyalty_card": "7"})
        engines = [crm.open(path), crm.open(path)]
        for e in engines:
            self.addCleanup(e.close)
        errors, lock = [], threading.Lock()

        def run(engine, n):
            try:
                for i in range(25):
                    engine.credit_accrue([{"card": "7", "amount_cents": 200, "ref": f"t{n}-{i}"}])  # +100
                    engine.credit_redeem("7", 30, ref=f"t{n}-r{i}")
            except crm.CrmError as exc:  # pragma: no cover - reported below
                with lock:
                    errors.append(str(exc))

        threads = [threading.Thread(target=run, args=(engines[n % 2], n)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(engines[0].credit_balance("7")["balance_cents"], 4 * 25 * 70)
        self.assertEqual(engines[1].list("ledger", {"count": True, "page_size": 1})["count"], 200)


class Tickets(Base):
    def test_seed_tickets(self):
        j = self.jacquie
        t42 = self.ticket(SEED_TICKET_42, customer_uuid=j["uuid"])
        self.assertEqual(set(t42), TICKET_FIELDS)
        self.assertEqual((t42["customer_id"], t42["customer_uuid"]), (j["id"], j["uuid"]))
        self.assertEqual((t42["total_cents"], t42["loyalty_points_cents"]), (82400, 41200))
        self.assertEqual(t42["date"], "2019-10-09T17:01:29.408701Z")
        self.assertEqual(t42["lines"], SEED_TICKET_42["lines"])
        self.assertIsNone(t42["ref"])
        self.assertRegex(t42["created_at"], TIMESTAMP)
        self.assertEqual(self.engine.get("tickets", t42["id"]), t42)
        # after prices derived when left out; payment mode any case; by id
        lines = [{k: v for k, v in line.items() if k != "unit_price_after_cents"} for line in SEED_TICKET_38["lines"]]
        t38 = self.ticket(SEED_TICKET_38, customer_id=j["id"], lines=lines, payment_mode="card", ref="seed-38")
        self.assertEqual(t38["lines"], SEED_TICKET_38["lines"])
        self.assertEqual((t38["payment_mode"], t38["total_cents"], t38["loyalty_points_cents"]), ("CARD", 3600, 1800))
        self.assertEqual(t38["customer_uuid"], j["uuid"])
        c = self.customer(j["id"])
        self.assertEqual((c["credit_cents"], c["last_payment_date"], c["last_payment_cents"],
                          c["average_basket_cents"]), (43000, "2019-10-09", 3600, 43000))
        self.assertEqual(self.balance(33), 43000)
        accruals = self.engine.list("ledger", {"customer_id": j["id"], "ordering": "id"})["results"]
        self.assertEqual([(e["delta_cents"], e["reason"], e["ticket_id"]) for e in accruals],
                         [(41200, "accrual", t42["id"]), (1800, "accrual", t38["id"])])
        # listing: newest date first by default; filters
        self.assertEqual([t["id"] for t in self.engine.rows("tickets", {"customer_uuid": j["uuid"]})],
                         [t38["id"], t42["id"]])
        self.assertEqual([t["id"] for t in self.engine.list("tickets", {"payment_mode": "CASH"})["results"]],
                         [t42["id"]])
        self.assertEqual(self.engine.list("tickets", {"total_cents__lt": 82400, "ref": "seed-38"})["count"], 1)
        self.assertEqual(self.engine.list("tickets", {"date__date": "2019-10-09"})["count"], 2)
        self.assertFails(crm.InvalidError, "invalid", ["ordering"], self.engine.list, "tickets",
                         {"ordering": "origin"})

    def test_ref_idempotency(self):
        cust = self.jacquie["id"]
        first = self.ticket(SEED_TICKET_38, customer_id=cust, ref="pos-1")
        same = self.ticket(SEED_TICKET_38, customer_uuid=self.jacquie["uuid"], ref="pos-1")
        self.assertEqual(same, first)
        undated = {k: v for k, v in SEED_TICKET_38.items() if k != "date"}
        self.assertEqual(self.ticket(undated, customer_id=cust, ref="pos-1"), first)
        self.assertEqual(self.balance(33), 1800)
        self.assertEqual(self.engine.list("ledger", None)["count"], 1)
        for change in ({"origin": "store"}, {"payment_mode": "CASH"}, {"customer_id": self.michelle["id"]},
                       {"date": "2019-10-10T00:00:00Z"}, {"lines": SEED_TICKET_42["lines"]}):
            with self.subTest(change=change):
                self.assertFails(crm.ConflictError, "conflict", ["ref"], self.engine.create, "tickets",
                                 {**SEED_TICKET_38, "customer_id": cust, "ref": "pos-1", **change})
        self.assertEqual(self.engine.list("tickets", None)["count"], 1)

    def test_rules(self):
        self.assertFails(crm.InvalidError, "invalid",
                         ["customer_id", "payment_mode", "lines[0].quantity", "lines[1].promo_percent"],
                         self.engine.create, "tickets",
                         {"customer_id": 424242, "payment_mode": "barter", "lines": [
                             {"product_code": "A", "unit_price_before_cents": 100, "quantity": 0},
                             {"product_code": "B", "unit_price_before_cents": 100, "promo_percent": 101}]})
        err = self.assertFails(crm.InvalidError, "invalid", ["total_cents"], self.engine.create, "tickets",
                               {**SEED_TICKET_42, "total_cents": 424})  # the seed's prix
        self.assertIn("82400", err.errors[0]["message"])
        self.assertFails(crm.InvalidError, "invalid", ["customer_uuid"], self.engine.create, "tickets",
                         {**SEED_TICKET_42, "customer_id": self.jacquie["id"], "customer_uuid": self.michelle["uuid"]})
        self.assertFails(crm.InvalidError, "invalid", ["customer_uuid", "lines"], self.engine.create, "tickets",
                         {"customer_uuid": "nope", "lines": []})
        self.assertFails(crm.InvalidError, "invalid", ["lines[0].unit_price_after_cents"], self.engine.create,
                         "tickets", {"lines": [{"product_code": "A", "unit_price_before_cents": 1,
                                                "unit_price_after_cents": 2}]})
        line = {"product_code": "A", "unit_price_before_cents": 1}
        err = self.assertFails(crm.InvalidError, "invalid", None, self.engine.create, "tickets",
                               {"lines": [line] * 1001, "bogus": 1})
        self.assertEqual(set(err.fields), {"lines", "bogus"})
        self.assertIn("must hold at most 1000 lines", [e["message"] for e in err.errors if e["field"] == "lines"])
        self.assertEqual(self.engine.create("tickets", {"lines": [line] * 1000})["total_cents"], 1000)
        self.engine.delete("tickets", self.engine.list("tickets", None)["results"][0]["id"])
        # without a customer: stored, no credit; read-only fields ignored
        t = self.ticket(SEED_TICKET_42, id=7, loyalty_points_cents=5, total_cents=82400)
        self.assertEqual((t["customer_id"], t["customer_uuid"], t["loyalty_points_cents"]), (None, None, 0))
        self.assertEqual(self.engine.list("ledger", None)["count"], 0)
        self.assertEqual(self.engine.list("tickets", None)["count"], 1)

    def test_immutable_and_delete(self):
        j = self.jacquie["id"]
        t42 = self.ticket(SEED_TICKET_42, customer_id=j)
        t38 = self.ticket(SEED_TICKET_38, customer_id=j)
        err = self.assertFails(crm.InvalidError, "invalid", None, self.engine.update, "tickets", t42["id"],
                               {"origin": "store"})
        self.assertIn("immutable", err.message)
        self.assertFails(crm.InvalidError, "invalid", None, self.engine.replace, "tickets", t42["id"], SEED_TICKET_42)
        self.assertEqual(self.engine.get("tickets", t42["id"]), t42)
        self.assertFails(crm.ConflictError, "conflict", None, self.engine.delete, "customers", j)

        self.engine.delete("tickets", t38["id"])
        self.assertFails(crm.NotFoundError, "not_found", None, self.engine.get, "tickets", t38["id"])
        self.assertFails(crm.NotFoundError, "not_found", None, self.engine.delete, "tickets", t38["id"])
        reversal = self.engine.list("ledger", {"reason": "reversal"})["results"]
        self.assertEqual([(e["delta_cents"], e["ticket_id"]) for e in reversal], [(-1800, t38["id"])])
        c = self.customer(j)
        self.assertEqual((c["credit_cents"], c["last_payment_cents"], c["average_basket_cents"]),
                         (41200, 82400, 82400))
        # its credit spent: refused, nothing written
        self.engine.credit_redeem("33", 1)
        self.assertFails(crm.ConflictError, "conflict", None, self.engine.delete, "tickets", t42["id"])
        self.assertEqual(self.engine.list("ledger", {"reason": "reversal"})["count"], 1)
        self.engine.credit_accrue([{"card": "33", "amount_cents": 2}])
        self.engine.delete("tickets", t42["id"])
        c = self.customer(j)
        self.assertEqual((c["credit_cents"], c["last_payment_date"], c["last_payment_cents"],
                          c["average_basket_cents"]), (0, None, None, 0))
        # the ledger stays: still not deletable
        self.assertFails(crm.ConflictError, "conflict", None, self.engine.delete, "customers", j)


class ListOnly(Base):
    def test_ledger_and_credit_requests(self):
        self.engine.credit_accrue(SEED_CREDIT)
        for call, args in (("create", ({"customer_id": 1, "delta_cents": 5},)), ("get", (1,)),
                           ("update", (1, {"delta_cents": 5})), ("replace", (1, {})), ("delete", (1,))):
            with self.subTest(call=call):
                self.assertFails(crm.InvalidError, "invalid", None, getattr(self.engine, call), "ledger", *args)
        req = self.engine.credit_check({"customer_id": self.jacquie["id"], "amount_cents": 0})
        for call, args in (("create", ({"customer_id": 1, "amount_cents": 5},)),
                           ("update", (req["id"], {"allowed": False})), ("replace", (req["id"], {})),
                           ("delete", (req["id"],))):
            with self.subTest(call=call):
                self.assertFails(crm.InvalidError, "invalid", None, getattr(self.engine, call), "credit_requests",
                                 *args)
        self.assertEqual(self.engine.get("credit_requests", req["id"]), req)
        self.assertFails(crm.NotFoundError, "not_found", None, self.engine.get, "credit_requests", req["id"] + 1)
        self.assertEqual(self.engine.list("ledger", None)["count"], 2)
        self.assertFails(crm.InvalidError, "invalid", ["reason"], self.engine.list, "ledger", {"reason": "bonus"})
        self.assertFails(crm.InvalidError, "invalid", ["ordering"], self.engine.list, "ledger",
                         {"ordering": "delta_cents"})

    def test_closed_engine_is_misuse(self):
        self.engine.close()
        self.assertFails(crm.MisuseError, "misuse", None, self.engine.credit_accrue, SEED_CREDIT)
        self.assertFails(crm.MisuseError, "misuse", None, self.engine.credit_redeem, "33", 1)
        self.assertFails(crm.MisuseError, "misuse", None, self.engine.credit_balance, "33")
        self.assertFails(crm.MisuseError, "misuse", None, self.engine.credit_check, {"customer_id": 1})


class Check(Base):
    def setUp(self):
        super().setUp()
        self.uuid = self.jacquie["uuid"]
        self.ticket(SEED_TICKET_42, customer_uuid=self.uuid)
        self.ticket(SEED_TICKET_38, customer_uuid=self.uuid)  # 86000 cents on 2019-10-09

    def test_seed_allow_credit(self):
        out = self.engine.credit_check(allow_credit_body(self.uuid))
        self.assertEqual(set(out), REQUEST_FIELDS)
        self.assertEqual({k: out[k] for k in REQUEST_FIELDS - {"id", "created_at"}}, {
            "customer_id": self.jacquie["id"], "customer_uuid": self.uuid, "amount_cents": 3600000,
            "date": "2019-12-06", "allowed": False, "reasons": ["over_limit"]})
        self.assertEqual(self.engine.get("credit_requests", out["id"]), out)
        self.assertEqual(self.customer(self.jacquie["id"])["refusal_count"], 1)
        # the uuid in upper case, as a dict
        body = json.loads(allow_credit_body(self.uuid.upper()))
        body["Montant"] = 8600
        ok = self.engine.credit_check(body)
        self.assertEqual((ok["allowed"], ok["reasons"], ok["amount_cents"]), (True, [], 860000))

    def test_seed_allowed_with_a_higher_multiplier(self):
        with crm.open(":memory:", credit_limit_multiplier=50) as engine:
            c = engine.create("customers", {"last_name": "Bloggs"})
            engine.create("tickets", {**SEED_TICKET_42, "customer_id": c["id"]})
            out = engine.credit_check(allow_credit_body(c["uuid"]))
            self.assertEqual((out["allowed"], out["reasons"]), (True, []))  # the seed's "Allowed": true
            self.assertEqual(engine.get("customers", c["id"])["refusal_count"], 0)

    def test_limit_window_and_reasons(self):
        cid = self.jacquie["id"]

        def check(amount, date, **key):
            body = key or {"customer_id": cid}
            out = self.engine.credit_check({**body, "amount_cents": amount, "date": date})
            return out["reasons"]

        self.assertEqual(check(860000, "2019-12-06"), [])
        self.assertEqual(check(860001, "2019-12-06", customer_uuid=self.uuid), ["over_limit"])
        self.assertEqual(check(860000, "2020-10-08"), [])   # 365 days back reaches 2019-10-09 00:00
        self.assertEqual(check(1, "2020-10-09"), ["over_limit"])
        self.assertEqual(check(860000, "2019-10-09"), [])   # through the end of the day itself
        self.assertEqual(check(1, "2019-10-08"), ["over_limit"])
        self.assertEqual(check(0, "2019-12-06"), ["too_many_refusals"])
        self.engine.update("customers", cid, {"archived": True})
        self.assertEqual(check(10**15, "2019-12-06"), ["inactive", "too_many_refusals", "over_limit"])
        self.assertEqual(self.customer(cid)["refusal_count"], 5)
        page = self.engine.list("credit_requests", {"customer_id": cid, "allowed": False, "ordering": "-id"})
        self.assertEqual(page["count"], 5)
        self.assertEqual(page["results"][0]["reasons"], ["inactive", "too_many_refusals", "over_limit"])
        self.assertEqual(self.engine.list("credit_requests", {"allowed": True})["count"], 3)
        self.assertEqual(self.engine.list("credit_requests", {"date": "2019-12-06"})["count"], 4)
        # default date: today (UTC)
        before = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
        today = self.engine.credit_check({"customer_id": cid, "amount_cents": 0})
        after = datetime.datetime.now(datetime.timezone.utc).date().isoformat()
        self.assertIn(today["date"], {before, after})
        self.assertEqual(today["date"], today["created_at"][:10])

    def test_errors(self):
        self.assertFails(crm.NotFoundError, "not_found", None, self.engine.credit_check, SEED_ALLOW_CREDIT)
        self.assertFails(crm.NotFoundError, "not_found", ["customer_id"], self.engine.credit_check,
                         {"customer_id": 424242, "amount_cents": 1})
        self.assertFails(crm.InvalidError, "invalid", ["customer_id"], self.engine.credit_check, {"amount_cents": 1})
        self.assertFails(crm.InvalidError, "invalid", ["amount_cents"], self.engine.credit_check,
                         {"customer_id": self.jacquie["id"]})
        self.assertFails(crm.InvalidError, "invalid", ["amount_cents"], self.engine.credit_check,
                         {"customer_id": self.jacquie["id"], "amount_cents": 10**15 + 1})
        self.assertFails(crm.InvalidError, "invalid", ["date"], self.engine.credit_check,
                         {"customer_id": self.jacquie["id"], "amount_cents": 1, "date": "06/12/2019"})
        self.assertFails(crm.InvalidError, "invalid", ["Montant"], self.engine.credit_check,
                         {"idClient": self.uuid, "Montant": "lots"})
        self.assertFails(crm.InvalidError, "invalid", None, self.engine.credit_check, "[]")
        self.assertEqual(self.engine.list("credit_requests", None)["count"], 0)
        self.assertEqual(self.customer(self.jacquie["id"])["refusal_count"], 0)

    def test_requests_go_with_their_customer(self):
        other = self.engine.create("customers", {"last_name": "Asker"})
        req = self.engine.credit_check({"customer_uuid": other["uuid"], "amount_cents": 1})
        self.assertEqual(req["reasons"], ["over_limit"])
        self.engine.delete("customers", other["id"])
        self.assertFails(crm.NotFoundError, "not_found", None, self.engine.get, "credit_requests", req["id"])
        self.assertEqual(self.engine.list("credit_requests", {"customer_id": other["id"]})["count"], 0)


if __name__ == "__main__":
    unittest.main()
