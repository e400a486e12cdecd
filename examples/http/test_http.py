"""crm-http driven over loopback HTTP (Python standard library only).

Each test class starts its own server (`crm-http --port 0`) on a fresh
database, reads the bound port from its first line of output, and drives
routes with http.client, checking codes and bodies. The seed documents'
own example requests are sent verbatim, cut out of the seed files.

Environment: CRM_HTTP (the executable), CRM_SEEDS_DIR (../shared/seeds),
CRM_HTTP_WORKDIR (a scratch folder, emptied first).

    CRM_HTTP=build/default/examples/http/crm-http CRM_SEEDS_DIR=../shared/seeds \
        python3 -m unittest -v test_http
"""

import glob
import http.client
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import stat
import subprocess
import tempfile
import threading
import time
import unittest

SERVER = os.environ.get("CRM_HTTP", "crm-http")
SEEDS = os.environ.get("CRM_SEEDS_DIR", os.path.join(os.path.dirname(__file__), "..", "..", "..", "shared", "seeds"))
TOKEN = "s3cret-Token_for-tests"
UUID_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
UUID4_RE = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")
UNAUTHORIZED = {"code": "unauthorized", "message": "a valid bearer token is required"}


def workdir(name):
    base = os.environ.get("CRM_HTTP_WORKDIR") or os.path.join(tempfile.gettempdir(), "crm_http_test")
    path = os.path.join(base, name)
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path)
    return path


def seed_text(number):
    (path,) = glob.glob(os.path.join(SEEDS, "%03d_*.txt" % number))
    with open(path, encoding="utf-8") as f:
        return f.read()


def seed_json(text, marker, nth=0):
    """The nth JSON document after `marker` in a seed: (its exact text, parsed)."""
    pos = text.index(marker) + len(marker)
    decoder = json.JSONDecoder()
    for _ in range(nth + 1):
        start = re.compile(r"^[\[{]", re.M).search(text, pos).start()  # a document starts a line
        value, end = decoder.raw_decode(text, start)
        pos = end
    return text[start:end], value


class Server:
    """One crm-http process."""

    def __init__(self, name, *args, db=None, env=None):
        self.dir = workdir(name)
        self.db = db or os.path.join(self.dir, "crm.db")
        self.stderr_path = os.path.join(self.dir, "stderr.txt")
        self.args = [SERVER, "--db", self.db, "--port", "0", *args]
        with open(self.stderr_path, "w") as err:
            self.proc = subprocess.Popen(self.args, stdout=subprocess.PIPE, stderr=err, text=True,
                                         env={**os.environ, **(env or {})})
        timer = threading.Timer(30, self.proc.kill)
        timer.start()
        line = self.proc.stdout.readline()
        timer.cancel()
        m = re.match(r"^listening on http://127\.0\.0\.1:(\d+)$", line.strip())
        if not m:
            self.proc.kill()
            raise RuntimeError("crm-http did not start: %r %s" % (line, self.stderr()))
        self.port = int(m.group(1))

    def stderr(self):
        with open(self.stderr_path) as f:
            return f.read()

    def stop(self):
        """SIGTERM; returns the exit status."""
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout=20)
        finally:
            self.proc.stdout.close()

    def request(self, method, path, body=None, token=TOKEN, headers=None, conn=None):
        """(status, headers, parsed JSON body or None, raw body)."""
        own = conn is None
        if own:
            conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = "Bearer " + token
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        if body is not None:
            h.setdefault("Content-Type", "application/json")
        try:
            conn.request(method, path, body=body, headers=h)
            res = conn.getresponse()
            raw = res.read()
            parsed = json.loads(raw) if raw and res.getheader("Content-Type", "").startswith("application/json") else None
            return res.status, res, parsed, raw
        finally:
            if own:
                conn.close()

    def raw(self, data, read_until_close=True):
        """Sends raw bytes on a fresh connection, then half-closes it; returns what comes back."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=30) as s:
            s.sendall(data)
            s.shutdown(socket.SHUT_WR)
            chunks = []
            while True:
                try:
                    b = s.recv(65536)
                except ConnectionResetError:
                    break
                if not b:
                    break
                chunks.append(b)
                if not read_until_close:
                    break
            return b"".join(chunks)


class ServerTest(unittest.TestCase):
    """Starts `server_args` once for the class; stops it (exit status 0) at the end."""

    server_args = ("--token-env", "CRM_HTTP_TEST_TOKEN")
    server_env = {"CRM_HTTP_TEST_TOKEN": TOKEN}

    @classmethod
    def setUpClass(cls):
        cls.server = Server(cls.__name__, *cls.server_args, env=cls.server_env)

    @classmethod
    def tearDownClass(cls):
        status = cls.server.stop()
        if status != 0:
            raise AssertionError("crm-http exited with %r: %s" % (status, cls.server.stderr()))

    def call(self, method, path, body=None, expect=200, **kw):
        status, res, parsed, raw = self.server.request(method, path, body, **kw)
        self.assertEqual(status, expect, raw)
        return parsed

    def make_customer(self, **fields):
        return self.call("POST", "/v1/customers", fields, expect=201)


# ---------------------------------------------------------------------------------------
class Auth(unittest.TestCase):
    def test_token_file_every_route_needs_it(self):
        d = workdir("Auth_file")
        token_path = os.path.join(d, "token")
        with open(token_path, "w") as f:
            f.write(TOKEN + "\n")
        server = Server("Auth_file_server", "--token-file", token_path)
        try:
            status, res, body, _ = server.request("GET", "/v1/customers", token=None)
            self.assertEqual(status, 401)
            self.assertEqual(body, UNAUTHORIZED)
            self.assertEqual(res.getheader("WWW-Authenticate"), "Bearer")
            # The same answer whatever exists and whatever was wrong: no hints.
            for path, token, headers in [
                ("/v1/customers", TOKEN + "x", None),
                ("/v1/customers", TOKEN[:-1], None),
                ("/v1/customers", "", None),
                ("/v1/customers/1", None, {"Authorization": "Basic " + TOKEN}),
                ("/v1/customers/1", None, {"Authorization": TOKEN}),
                ("/no/such/route", None, None),
                ("/no/such/route", "wrong", None),
                ("/api/data", None, None),  # seed 003 routes need it too without --open-crm-app
                ("/api/credit/33", None, None),
                ("/v1.0/customers", None, None),
                ("/api/crm/customer/", None, None),
            ]:
                status, _, body, _ = server.request("GET", path, token=token, headers=headers)
                self.assertEqual((status, body), (401, UNAUTHORIZED), (path, token, headers))
            status, _, _, _ = server.request("POST", "/v1/customers", {"first_name": "Ann"}, token=None)
            self.assertEqual(status, 401)
            status, _, body, _ = server.request("GET", "/v1/customers?count=true", headers={})
            self.assertEqual(status, 200)
            self.assertEqual(body["count"], 0)
            # The scheme is case-insensitive; nothing was created by the refused POST.
            status, _, body, _ = server.request("GET", "/v1/customers", token=None,
                                                headers={"Authorization": "bearer " + TOKEN})
            self.assertEqual((status, body["count"]), (200, 0))
            # The database file was created readable by its owner only.
            self.assertEqual(stat.S_IMODE(os.stat(server.db).st_mode), 0o600)
            for extra in ("-wal", "-shm"):
                if os.path.exists(server.db + extra):
                    self.assertEqual(stat.S_IMODE(os.stat(server.db + extra).st_mode), 0o600, extra)
        finally:
            self.assertEqual(server.stop(), 0)

    def test_open_crm_app_opens_only_seed_003(self):
        server = Server("Auth_open", "--token-env", "TOK", "--open-crm-app", env={"TOK": TOKEN})
        try:
            for path in ["/api/data", "/api/data/", "/api/get_tickets/"]:
                status, _, body, _ = server.request("GET", path, token=None)
                self.assertEqual(status, 200, path)
            status, _, body, _ = server.request("GET", "/api/credit/33", token=None)
            self.assertEqual((status, body["code"]), (404, "not_found"))
            for path in ["/v1/customers", "/v1.0/customers", "/api/crm/customer/", "/api/nope", "/api"]:
                status, _, body, _ = server.request("GET", path, token=None)
                self.assertEqual((status, body), (401, UNAUTHORIZED), path)
            status, _, _, _ = server.request("GET", "/v1/customers")
            self.assertEqual(status, 200)
        finally:
            self.assertEqual(server.stop(), 0)

    def run_refused(self, *args, env=None):
        d = workdir("Auth_refused")
        proc = subprocess.run([SERVER, "--db", os.path.join(d, "crm.db"), "--port", "0", *args],
                              capture_output=True, text=True, timeout=30, env={**os.environ, **(env or {})})
        self.assertEqual(proc.returncode, 2, proc.stderr)
        self.assertEqual(proc.stdout, "")
        self.assertFalse(os.path.exists(os.path.join(d, "crm.db")))
        return proc.stderr

    def test_refuses_to_start(self):
        self.assertIn("refusing to listen on 0.0.0.0 without a token", self.run_refused("--address", "0.0.0.0", "--no-auth"))
        self.assertIn("refusing to listen on 192.0.2.1 without a token", self.run_refused("--address", "192.0.2.1"))
        self.assertIn("a token is required", self.run_refused())
        self.assertIn("is not set", self.run_refused("--token-env", "CRM_HTTP_NO_SUCH_VARIABLE"))
        self.assertIn("the token is empty", self.run_refused("--token-env", "EMPTY_TOKEN", env={"EMPTY_TOKEN": " "}))
        self.assertIn("not both", self.run_refused("--token-env", "A", "--token-file", "/dev/null", env={"A": "x"}))
        self.assertIn("unknown option", self.run_refused("--bogus"))

    def test_no_auth_on_loopback(self):
        server = Server("Auth_none", "--no-auth")
        try:
            status, _, body, _ = server.request("POST", "/v1/customers", {"first_name": "Ann"}, token=None)
            self.assertEqual((status, body["first_name"]), (201, "Ann"))
        finally:
            self.assertEqual(server.stop(), 0)


# ---------------------------------------------------------------------------------------
class Protocol(ServerTest):
    def test_body_limit_413(self):
        big = b'{"first_name":"Big"' + b" " * (1024 * 1024) + b"}"
        status, _, body, _ = self.server.request("POST", "/v1/customers", big)
        self.assertEqual(status, 413)
        self.assertEqual(body, {"code": "payload_too_large",
                                "message": "the request body exceeds the limit of 1048576 bytes"})
        # Exactly 1 MiB is accepted.
        exact = b'{"first_name":"Big"' + b" " * (1024 * 1024 - 20) + b"}"
        self.assertEqual(len(exact), 1024 * 1024)
        status, _, body, _ = self.server.request("POST", "/v1/customers", exact)
        self.assertEqual((status, body["first_name"]), (201, "Big"))
        # Chunked, with no Content-Length: refused once the limit is passed.
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        conn.request("POST", "/v1/customers", body=iter([b"[" + b" " * 700000, b" " * 700000 + b"]"]),
                     headers={"Authorization": "Bearer " + TOKEN}, encode_chunked=True)
        res = conn.getresponse()
        self.assertEqual(res.status, 413)
        conn.close()
        self.assertEqual(self.call("GET", "/v1/customers?first_name=Big")["count"], 1)

    def test_malformed_requests(self):
        out = self.server.raw(b"GARBAGE\r\n\r\n")
        self.assertTrue(out.startswith(b"HTTP/1.1 400 Bad Request\r\n"), out)
        self.assertIn(b'{"code":"bad_request","message":"malformed HTTP request"}', out)
        out = self.server.raw(b"POST /v1/customers HTTP/1.1\r\nHost: x\r\nContent-Length: abc\r\n\r\n")
        self.assertTrue(out.startswith(b"HTTP/1.1 400 "), out)
        out = self.server.raw(b"GET /v1/customers HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n")
        self.assertTrue(out.startswith(b"HTTP/1.1 431 "), out)
        out = self.server.raw(b"GET /v1/customers HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc")  # then EOF
        self.assertIn(out[:12], (b"", b"HTTP/1.1 400"))
        out = self.server.raw(b"GET http://example.com/v1/customers HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
                              + TOKEN.encode() + b"\r\nConnection: close\r\n\r\n")
        self.assertTrue(out.startswith(b"HTTP/1.1 400 "), out)
        self.assertIn(b'"field":"path"', out)
        # ... but only once authorized: without a token it is the same 401 as anything else.
        out = self.server.raw(b"GET http://example.com/v1/customers HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
        self.assertTrue(out.startswith(b"HTTP/1.1 401 "), out)
        status, _, body, _ = self.server.request("GET", "/v1/customers/%zz")
        self.assertEqual((status, body["errors"]), (400, [{"field": "path", "message": "has a malformed escape"}]))
        status, _, body, _ = self.server.request("GET", "/v1/customers/%zz", token=None)
        self.assertEqual((status, body), (401, UNAUTHORIZED))
        # Still serving.
        self.assertEqual(self.call("GET", "/v1/customers")["results"], self.call("GET", "/v1/customers")["results"])

    def test_bad_bodies_and_queries(self):
        status, _, body, _ = self.server.request("POST", "/v1/customers", b'{"first_name": ')
        self.assertEqual(status, 400)
        self.assertEqual(body["code"], "invalid")
        self.assertEqual(body["message"], "the request body is not valid JSON")
        self.assertEqual(body["errors"][0]["field"], "body")
        status, _, body, _ = self.server.request("POST", "/v1/customers", b"")
        self.assertEqual((status, body["errors"]), (400, [{"field": "body", "message": "is required"}]))
        status, _, body, _ = self.server.request("POST", "/v1/customers", b"[" * 100 + b"]" * 100)
        self.assertEqual((status, body["code"]), (400, "invalid"))
        status, _, body, _ = self.server.request("POST", "/v1.0/customers", b"[1,2]")
        self.assertEqual((status, body["errors"]), (400, [{"field": "body", "message": "must be a JSON object"}]))
        status, _, body, _ = self.server.request("GET", "/v1/customers?email=%zz")
        self.assertEqual((status, body["errors"][0]["field"]), (400, "email"))
        status, _, body, _ = self.server.request("GET", "/v1/customers?nope=1")
        self.assertEqual((status, body["code"]), (400, "invalid"))
        self.assertEqual(body["errors"][0]["field"], "nope")
        status, _, body, _ = self.server.request("GET", "/v1/customers?page_size=0")
        self.assertEqual((status, body["errors"][0]["field"]), (400, "page_size"))

    def test_routes_and_methods(self):
        status, _, body, _ = self.server.request("GET", "/nope")
        self.assertEqual((status, body), (404, {"code": "not_found", "message": "no such resource", "errors": []}))
        for path in ["/v1/customers/abc", "/v1/customers/-1", "/v1/customers/1/2/3", "/v1.0/customers/x",
                     "/api/crm/customer/1/x/", "/api/nope", "/v1/credit/nope"]:
            status, _, body, _ = self.server.request("GET", path)
            self.assertEqual((status, body["code"]), (404, "not_found"), path)
        status, res, body, _ = self.server.request("DELETE", "/v1/customers")
        self.assertEqual((status, res.getheader("Allow")), (405, "GET, POST"))
        self.assertEqual(body["code"], "method_not_allowed")
        status, res, _, _ = self.server.request("PATCH", "/v1.0/customers/1")
        self.assertEqual((status, res.getheader("Allow")), (405, "GET, PUT, DELETE"))
        status, res, _, _ = self.server.request("GET", "/api/update_db")
        self.assertEqual((status, res.getheader("Allow")), (405, "POST"))

    def test_keep_alive(self):
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
        conn.connect()
        sock = conn.sock
        c = self.server.request("POST", "/v1/customers", {"first_name": "Keep", "email": "keep@example.com"},
                                conn=conn)[2]
        for i in range(50):
            status, res, body, _ = self.server.request("GET", "/v1/customers/%d" % c["id"], conn=conn)
            self.assertEqual((status, body["email"]), (200, "keep@example.com"))
            self.assertIs(conn.sock, sock)  # the same connection throughout
        # An error answer keeps the connection too.
        status, _, _, _ = self.server.request("GET", "/v1/customers/999999", conn=conn)
        self.assertEqual(status, 404)
        self.assertEqual(self.server.request("GET", "/v1/customers/%d" % c["id"], conn=conn)[0], 200)
        self.assertIs(conn.sock, sock)
        conn.close()

    def test_concurrent_requests(self):
        errors = []

        def worker(t):
            conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
            for i in range(25):
                status, _, body, raw = self.server.request(
                    "POST", "/v1/customers", {"first_name": "T%d" % t, "email": "t%d-%d@conc.example" % (t, i)}, conn=conn)
                if status != 201:
                    errors.append(raw)
            conn.close()

        threads = [threading.Thread(target=worker, args=(t,)) for t in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assertEqual(errors, [])
        self.assertEqual(self.call("GET", "/v1/customers?email__contains=conc.example")["count"], 200)


# ---------------------------------------------------------------------------------------
class Canonical(ServerTest):
    def test_customers_crud(self):
        ann = self.call("POST", "/v1/customers", {"first_name": "Ann", "last_name": "Lee", "email": "Ann@Example.com"},
                        expect=201)
        self.assertEqual((ann["email"], ann["full_name"], ann["kind"]), ("ann@example.com", "Ann Lee", "person"))
        self.assertRegex(ann["uuid"], UUID4_RE)
        self.assertEqual(self.call("GET", "/v1/customers/%d" % ann["id"]), ann)
        patched = self.call("PATCH", "/v1/customers/%d" % ann["id"], {"phone": "+33 6 12 34 56 78"})
        self.assertEqual(patched["phone"], "+33 6 12 34 56 78")
        replaced = self.call("PUT", "/v1/customers/%d" % ann["id"], {"first_name": "Anne", "email": "ann@example.com"})
        self.assertEqual((replaced["first_name"], replaced["last_name"], replaced["phone"]), ("Anne", None, None))
        body = self.call("POST", "/v1/customers", {"first_name": "Dup", "email": "ANN@example.com"}, expect=409)
        self.assertEqual(body["code"], "conflict")
        self.assertEqual([e["field"] for e in body["errors"]], ["email"])
        body = self.call("POST", "/v1/customers", {"email": "nope", "phone": "12"}, expect=400)
        self.assertEqual((body["code"], sorted(e["field"] for e in body["errors"])), ("invalid", ["email", "phone"]))
        self.call("DELETE", "/v1/customers/%d" % ann["id"], expect=204)
        body = self.call("GET", "/v1/customers/%d" % ann["id"], expect=404)
        self.assertEqual(body["code"], "not_found")
        self.call("DELETE", "/v1/customers/%d" % ann["id"], expect=404)

    def test_list_query_strings(self):
        ids = [self.make_customer(first_name="Q%d" % i, last_name="List", email="q%d@list.example" % i,
                                  coupons=["WELCOME"] if i % 2 else [])["id"] for i in range(5)]
        page = self.call("GET", "/v1/customers?last_name=List&ordering=-first_name&page_size=2")
        self.assertEqual(page["count"], 5)
        self.assertEqual([c["first_name"] for c in page["results"]], ["Q4", "Q3"])
        self.assertEqual((page["page"], page["page_size"]), (1, 2))
        nxt = self.call("GET", "/v1/customers?last_name=List&ordering=-first_name&page_size=2&cursor="
                        + page["next_cursor"])
        self.assertEqual([c["first_name"] for c in nxt["results"]], ["Q2", "Q1"])
        # A repeated key is a list, as is a comma list.
        rep = self.call("GET", "/v1/customers?id__in=%d&id__in=%d" % (ids[0], ids[3]))
        com = self.call("GET", "/v1/customers?id__in=%d,%d" % (ids[0], ids[3]))
        self.assertEqual([c["id"] for c in rep["results"]], [c["id"] for c in com["results"]])
        self.assertEqual(sorted(c["id"] for c in rep["results"]), [ids[0], ids[3]])
        # Escapes and '+' decode; booleans and integers as strings.
        esc = self.call("GET", "/v1/customers?email__istartswith=Q1%40LIST&count=false")
        self.assertEqual(([c["id"] for c in esc["results"]], esc["count"]), ([ids[1]], None))
        self.call("PATCH", "/v1/customers/%d" % ids[2], {"note": "two words"})
        plus = self.call("GET", "/v1/customers?note=two+words")
        self.assertEqual([c["id"] for c in plus["results"]], [ids[2]])
        cou = self.call("GET", "/v1/customers?last_name=List&coupon=WELCOME&ordering=id")
        self.assertEqual([c["id"] for c in cou["results"]], [ids[1], ids[3]])
        off = self.call("GET", "/v1/customers?last_name=List&ordering=id&offset=3&limit=1")
        self.assertEqual(([c["id"] for c in off["results"]], off["offset"], off["limit"]), ([ids[3]], 3, 1))

    def test_other_collections(self):
        c = self.make_customer(first_name="Col", email="col@example.com", loyalty_card="777")
        o = self.call("POST", "/v1/orders", {"customer_id": c["id"], "description": "With client", "quantity": 2},
                      expect=201)
        self.assertEqual((o["number"], o["status"]), (1, "draft"))
        self.assertEqual(self.call("PATCH", "/v1/orders/%d" % o["id"], {"status": "submitted"})["status"], "submitted")
        body = self.call("PATCH", "/v1/orders/%d" % o["id"], {"status": "draft"}, expect=409)
        self.assertEqual(body["code"], "conflict")
        self.assertEqual(self.call("GET", "/v1/orders?customer_id=%d&status=0,1" % c["id"])["count"], 1)
        m = self.call("POST", "/v1/messages", {"customer_id": c["id"], "context": "Called back"}, expect=201)
        self.assertEqual(self.call("GET", "/v1/messages/%d" % m["id"])["context"], "Called back")
        f = self.call("POST", "/v1/forms", {"name": "canon", "fields": [{"name": "tier", "type": "string"}]},
                      expect=201)
        self.assertEqual(self.call("PATCH", "/v1/forms/%d" % f["id"], {"active": False})["active"], False)
        t = self.call("POST", "/v1/tickets", {"customer_id": c["id"], "date": "2026-01-15T10:30:00Z",
                                               "lines": [{"product_code": "A", "unit_price_before_cents": 2600}]},
                      expect=201)
        self.assertEqual((t["total_cents"], t["loyalty_points_cents"], t["customer_uuid"]), (2600, 1300, c["uuid"]))
        body = self.call("PUT", "/v1/tickets/%d" % t["id"], {"lines": []}, expect=400)
        self.assertEqual(body["code"], "invalid")
        ledger = self.call("GET", "/v1/ledger?customer_id=%d" % c["id"])
        self.assertEqual([(e["delta_cents"], e["reason"]) for e in ledger["results"]], [(1300, "accrual")])
        self.call("POST", "/v1/ledger", {"customer_id": c["id"], "delta_cents": 5}, expect=400)
        self.assertEqual(self.call("GET", "/v1/nope", expect=404)["code"], "not_found")
        self.call("DELETE", "/v1/customers/%d" % c["id"], expect=409)
        # Credit, canonical.
        self.assertEqual(self.call("GET", "/v1/credit/balance/777"),
                         {"card": "777", "customer_id": c["id"], "balance_cents": 1300})
        acc = self.call("POST", "/v1/credit/accrue", {"payments": [{"card": "777", "amount_cents": 1000, "ref": "p1"}]})
        self.assertEqual(acc["results"][0]["accrued_cents"], 500)
        red = self.call("POST", "/v1/credit/redeem", {"card": 777, "amount_cents": 300, "ref": "r1"})
        self.assertEqual((red["redeemed_cents"], red["balance_cents"], red["duplicate"]), (300, 1500, False))
        again = self.call("POST", "/v1/credit/redeem", {"card": "777", "amount_cents": 300, "ref": "r1"})
        self.assertEqual((again["redeemed_cents"], again["duplicate"]), (0, True))
        over = self.call("POST", "/v1/credit/redeem", {"card": "777", "amount_cents": 999999}, expect=409)
        self.assertEqual(over["errors"][0]["field"], "amount_cents")
        bad = self.call("POST", "/v1/credit/redeem", {"amount_cents": "x", "extra": 1}, expect=400)
        self.assertEqual(sorted(e["field"] for e in bad["errors"]), ["amount_cents", "card", "extra"])
        self.call("GET", "/v1/credit/balance/000", expect=404)
        chk = self.call("POST", "/v1/credit/check", {"customer_id": c["id"], "amount_cents": 100, "date": "2026-01-20"})
        self.assertEqual((chk["allowed"], chk["reasons"]), (True, []))
        self.assertEqual(self.call("GET", "/v1/credit_requests/%d" % chk["id"])["amount_cents"], 100)


# ---------------------------------------------------------------------------------------
class Seed000(ServerTest):
    def test_customer(self):
        body = {"full_name": "Eloise Van Muller", "email": "eloise@example.com", "birthday": "1990-05-01",
                "mobile": "+33 6 12 34 56 78", "gender": "female", "note": "VIP", "accepts_marketing": True}
        c = self.call("POST", "/api/crm/customer/", body)
        self.assertEqual((c["first_name"], c["last_name"], c["date_of_birth"], c["mobile"], c["gender"], c["note"],
                          c["accepts_marketing"]),
                         ("Eloise Van", "Muller", "1990-05-01", "+33 6 12 34 56 78", "female", "VIP", True))
        path = "/api/crm/customer/%d/" % c["id"]
        self.assertEqual(self.call("GET", path), c)
        p = self.call("PATCH", path, {"full_name": "Eloise Dupont"})
        self.assertEqual((p["first_name"], p["last_name"], p["email"]), ("Eloise", "Dupont", "eloise@example.com"))
        bad = self.call("PATCH", path, {"birthday": "1990-13-45"}, expect=400)
        self.assertEqual([e["field"] for e in bad["errors"]], ["birthday"])
        r = self.call("PUT", path, {"full_name": "Solo", "email": "solo@example.com"})
        self.assertEqual((r["first_name"], r["last_name"], r["date_of_birth"], r["mobile"]), ("Solo", None, None, None))
        other = self.call("POST", "/api/crm/customer/", {"full_name": "Coupon Holder", "coupons": ["WELCOME"]})
        page = self.call("GET", "/api/crm/customer/?page=1&page_size=10&coupon=WELCOME")
        self.assertEqual([x["id"] for x in page["results"]], [other["id"]])
        page = self.call("GET", "/api/crm/customer/?coupon__exclude=WELCOME&id__in=%d,%d" % (c["id"], other["id"]))
        self.assertEqual([x["id"] for x in page["results"]], [c["id"]])
        page = self.call("GET", "/api/crm/customer/?id=%d" % other["id"])
        self.assertEqual((page["count"], page["page"], page["page_size"]), (1, 1, 50))
        self.call("DELETE", path, expect=204)
        self.call("GET", path, expect=404)

    def test_custom_form(self):
        # `fields` as a JSON string, as the seed's serializer has it.
        f = self.call("POST", "/api/crm/custom_form/",
                      {"name": "vip", "fields": json.dumps([{"name": "tier", "type": "enum", "required": True,
                                                            "options": ["gold", "silver"]}])})
        self.assertEqual([(x["name"], x["type"], x["options"]) for x in f["fields"]], [("tier", "enum", ["gold", "silver"])])
        path = "/api/crm/custom_form/%d/" % f["id"]
        self.assertEqual(self.call("GET", path), f)
        bad = self.call("POST", "/api/crm/customer/", {"full_name": "No Tier"}, expect=400)
        self.assertEqual([e["field"] for e in bad["errors"]], ["attributes.tier"])
        self.assertEqual(self.call("PATCH", path, {"active": False})["active"], False)
        self.call("POST", "/api/crm/customer/", {"full_name": "No Tier"})
        put = self.call("PUT", path, {"name": "vip2", "fields": []})
        self.assertEqual((put["name"], put["fields"], put["active"]), ("vip2", [], True))
        page = self.call("GET", "/api/crm/custom_form/?page=1&page_size=5")
        self.assertEqual([x["name"] for x in page["results"]], ["vip2"])
        self.call("DELETE", path, expect=204)
        self.assertEqual(self.call("GET", "/api/crm/custom_form/")["count"], 0)

    def test_customer_message(self):
        c = self.call("POST", "/api/crm/customer/", {"full_name": "Msg Target"})
        m = self.call("POST", "/api/crm/customer_message/", {"customer": str(c["id"]), "context": "Called back"})
        self.assertEqual(set(m), {"id", "customer", "context", "created_at"})
        self.assertEqual((m["customer"], m["context"]), (c["id"], "Called back"))
        m2 = self.call("POST", "/api/crm/customer_message/", {"customer": c["id"], "context": "Again"})
        page = self.call("GET", "/api/crm/customer_message/?customer=%d" % c["id"])
        self.assertEqual([x["id"] for x in page["results"]], [m["id"], m2["id"]])
        self.assertEqual(page["results"][0], m)
        bad = self.call("POST", "/api/crm/customer_message/", {"customer": "abc", "context": "x"}, expect=400)
        self.assertEqual([e["field"] for e in bad["errors"]], ["customer"])
        bad = self.call("POST", "/api/crm/customer_message/", {"customer": 999999, "context": "x"}, expect=400)
        self.assertEqual([e["field"] for e in bad["errors"]], ["customer"])
        bad = self.call("POST", "/api/crm/customer_message/", {"customer": c["id"], "context": ""}, expect=400)
        self.assertEqual([e["field"] for e in bad["errors"]], ["context"])


# ---------------------------------------------------------------------------------------
class Seed001(ServerTest):
    seed = seed_text(1)

    def test_seed_examples_verbatim(self):
        post_text, _ = seed_json(self.seed, "Create a new customer")
        _, post_answer = seed_json(self.seed, "Create a new customer", 1)
        put_text, _ = seed_json(self.seed, "Change customer")
        _, put_answer = seed_json(self.seed, "Change customer", 1)
        self.assertIn('" customerName"', post_text)  # the stray space is the seed's own

        created = self.call("POST", "/v1.0/customers", post_text.encode())
        cid = created["customer"]["_id"]
        expected = dict(post_answer["customer"], _id=cid)
        expected["name"] = "My first name"  # the seed's answer says "PostMan", its request "My first name"
        self.assertEqual(created, {"customer": expected})
        self.assertEqual(self.call("GET", "/v1.0/customers/%d" % cid), {"customer": expected})

        changed = self.call("PUT", "/v1.0/customers/%d" % cid, put_text.encode())
        self.assertEqual(changed, {"customer": dict(put_answer["customer"], _id=cid)})
        listed = self.call("GET", "/v1.0/customers?email=postman@gmail.com")
        self.assertEqual(listed, {"customers": [dict(put_answer["customer"], _id=cid)]})

        # The seed's own GET-by-id example has these keys exactly.
        _, get_answer = seed_json(self.seed, "Get a customer by ID")
        self.assertEqual(set(changed["customer"]), set(get_answer["customer"]))

    def test_list_sorting_paging_filters(self):
        def make(name, last, company, email, **extra):
            body = {"customerName": name, "customerLastName": last, "customerCompanyName": company,
                    "customerEmail": email, **extra}
            return self.call("POST", "/v1.0/customers", body)["customer"]["_id"]

        a = make("Ann", "Zed", "Acme", "ann@l.example")
        b = make("Bob", "Young", "", "bob@l.example")
        c = make("Cid", "Xu", "Beta", "cid@l.example", archived=True)
        ids = lambda q: [x["_id"] for x in self.call("GET", "/v1.0/customers?email__contains=%40l.example&" + q)[
            "customers"]]
        # default: company, last name, first name (nulls first ascending)
        self.assertEqual(ids(""), [b, a, c])
        self.assertEqual(ids("sortby=default&direction=desc"), [c, a, b])
        self.assertEqual(ids("sortby=name"), [c, b, a])
        self.assertEqual(ids("sortby=company&direction=desc"), [c, a, b])
        self.assertEqual(ids("offset=1&limit=1"), [a])
        self.assertEqual(ids("archived=true"), [c])
        self.assertEqual(ids("archived=false"), [b, a])
        self.assertEqual(ids("type=person"), [b, a, c])
        self.assertEqual(ids("type=company"), [])
        self.assertEqual(ids("type=whatever"), [b, a, c])  # "does not match ... then all clients"
        status, res, body, _ = self.server.request("GET", "/v1.0/customers?email__contains=%40l.example&limit=2")
        self.assertEqual((status, res.getheader("X-Total-Count"), len(body["customers"])), (200, "3", 2))
        self.assertIsNotNone(res.getheader("X-Next-Cursor"))
        archived = self.call("GET", "/v1.0/customers/%d" % c)["customer"]
        self.assertTrue(archived["archived"])
        self.assertLessEqual(abs(archived["archivationdate"] - time.time()), 120)
        bad = self.call("GET", "/v1.0/customers?sortby=bogus", expect=400)
        self.assertEqual(bad["code"], "invalid")

    def test_errors_name_the_seed_fields(self):
        bad = self.call("POST", "/v1.0/customers", {"customerEmail": "nope", "customerFoo": 1, " crmid ": "x"},
                        expect=400)
        self.assertEqual([e["field"] for e in bad["errors"]], ["customerFoo"])
        bad = self.call("POST", "/v1.0/customers", {"customerEmail": "nope", "customerStatus": -1}, expect=400)
        self.assertEqual(sorted(e["field"] for e in bad["errors"]), ["customerEmail", "customerStatus"])
        self.call("POST", "/v1.0/customers", {"customerEmail": "taken@example.com"})
        dup = self.call("POST", "/v1.0/customers", {"customerEmail": "Taken@example.com"}, expect=409)
        self.assertEqual([e["field"] for e in dup["errors"]], ["customerEmail"])
        self.call("GET", "/v1.0/customers/999999", expect=404)
        self.call("PUT", "/v1.0/customers/999999", {"customerName": "X"}, expect=404)

    def test_orders_and_delete(self):
        cid = self.call("POST", "/v1.0/customers", {"customerName": "Ord", "customerEmail": "ord@example.com"})[
            "customer"]["_id"]
        first = self.call("POST", "/v1/orders", {"customer_id": cid, "description": "With client", "quantity": 2,
                                                  "activation_limit": 7, "date": "2018-05-28T09:52:28Z"}, expect=201)
        second = self.call("POST", "/v1/orders", {"customer_id": cid, "description": "test bugs in sn activation number",
                                                   "quantity": 10, "activation_limit": 1,
                                                   "date": "2018-10-02T06:55:38Z",
                                                   "activation_birth_date": "2018-10-02T06:55:38Z"}, expect=201)
        third = self.call("POST", "/v1/orders", {"customer_id": cid, "description": "third"}, expect=201)
        self.call("PATCH", "/v1/orders/%d" % second["id"], {"status": 1})
        self.call("PATCH", "/v1/orders/%d" % third["id"], {"status": "revoked"})
        orders = self.call("GET", "/v1.0/customers/%d/orders" % cid)["orders"]
        self.assertEqual([o["_id"] for o in orders], [first["id"], second["id"], third["id"]])
        _, seed_orders = seed_json(self.seed, "Get a list of customer orders")
        self.assertEqual(set(orders[0]), set(seed_orders["orders"][0]))
        self.assertEqual(orders[0], dict(seed_orders["orders"][0], _id=first["id"], number=1))
        o2 = orders[1]
        self.assertEqual((o2["date"], o2["activationbirthdate"], o2["status"], o2["quantity"]),
                         (1538463338, 1538463338, 1, 10))
        self.assertLessEqual(abs(o2["submitdate"] - time.time()), 120)
        self.assertEqual(orders[2]["status"], 2)
        ids = lambda q: [o["_id"] for o in self.call("GET", "/v1.0/customers/%d/orders?%s" % (cid, q))["orders"]]
        self.assertEqual(ids("status=0,1"), [first["id"], second["id"]])
        self.assertEqual(ids("status=2"), [third["id"]])
        self.assertEqual(ids("sortby=number&direction=desc"), [third["id"], second["id"], first["id"]])
        self.assertEqual(ids("sortby=submitdate&direction=desc&status=1"), [second["id"]])
        self.assertEqual(ids("offset=1&limit=1"), [second["id"]])
        self.call("GET", "/v1.0/customers/999999/orders", expect=404)
        # A customer with orders is not deleted (archive it instead); one without is.
        self.assertEqual(self.call("DELETE", "/v1.0/customers/%d" % cid, expect=409)["code"], "conflict")
        other = self.call("POST", "/v1.0/customers", {"customerName": "Gone"})["customer"]["_id"]
        self.call("DELETE", "/v1.0/customers/%d" % other, expect=204)
        self.call("GET", "/v1.0/customers/%d" % other, expect=404)


# ---------------------------------------------------------------------------------------
class Seed003(ServerTest):
    """Seed 003's routes open (--open-crm-app): called without a token, as the seed has them."""

    server_args = ("--token-env", "CRM_HTTP_TEST_TOKEN", "--open-crm-app")
    seed = seed_text(3)
    JACQUIE = "a14e39ce-e29e-11e9-a8cb-08002751d198"

    def open_call(self, method, path, body=None, expect=200):
        return self.call(method, path, body, expect=expect, token=None)

    def test_1_update_db_and_data(self):
        text, _ = seed_json(self.seed, "Add a customer by file")
        report = self.open_call("POST", "/api/update_db", text.encode())
        self.assertEqual(report, {"created": 3, "updated": 0, "failed": 0, "errors": []})
        rows = self.open_call("GET", "/api/data")
        self.assertEqual([r["Nom"] for r in rows], ["Eddison-18", "Sarkozy-51", "Eddison-53"])
        for r in rows:
            self.assertRegex(r["IdClient"], UUID4_RE)
        self.assertEqual({k: v for k, v in rows[2].items() if k not in ("id", "IdClient")},
                         {"Nom": "Eddison-53", "Prenom": "Anne", "Credit": "154.62", "Date_paiement": "2020-05-19",
                          "Montant": 125, "NbRefus": 0, "Compte": None, "Age": None, "Sexe": None, "Email": None,
                          "Phone": None, "PanierMoyen": 0})
        self.assertEqual((rows[0]["Credit"], rows[0]["Compte"]), ("0", "BKN1CST18"))

        # The seed's api/data rows, imported, come back as the seed shows them
        # (but for our id, the email stored lower-case, Age without a birth
        # date, and PanierMoyen computed from tickets).
        data_text, data_rows = seed_json(self.seed, "Show all customers")
        report = self.open_call("POST", "/api/update_db", ('{"clients": %s}' % data_text).encode())
        self.assertEqual(report["created"], 2)
        (one,) = self.open_call("GET", "/api/data/" + self.JACQUIE)
        expected = dict(data_rows[0], id=one["id"], Email="jacquie@mimi.com", Age=None, PanierMoyen=0)
        self.assertEqual(one, expected)
        _, show_one = seed_json(self.seed, "Show one customer")
        self.assertEqual(set(one), set(show_one[0]))
        self.assertEqual(self.open_call("GET", "/api/data/2c5b24e0-0d48-11ea-b85e-08002751d198")[0]["NbRefus"], 1)
        self.assertEqual(self.open_call("GET", "/api/data/00000000-0000-4000-8000-000000000000", expect=404)["code"],
                         "not_found")
        self.assertEqual(len(self.open_call("GET", "/api/data?page_size=2")), 2)
        self.assertEqual(self.open_call("GET", "/api/data?Nom=x", expect=400)["errors"][0]["field"], "Nom")

        # Upsert through the query string.
        up = self.open_call("POST", "/api/update_db?mode=upsert&key=uuid&atomic=false",
                            json.dumps({"clients": [{"IdClient": self.JACQUIE, "Phone": "0199999999"}]}).encode())
        self.assertEqual((up["created"], up["updated"], up["failed"]), (0, 1, 0))
        self.assertEqual(self.open_call("GET", "/api/data/" + self.JACQUIE)[0]["Phone"], "0199999999")
        # An atomic import with a bad row writes nothing: 400 with the per-row report.
        bad = self.open_call("POST", "/api/update_db",
                             json.dumps({"clients": [{"Nom": "Ok"}, {"Nom": "Bad", "Sexe": "x"}]}).encode(), expect=400)
        self.assertEqual((bad["code"], bad["errors"][0]["index"], bad["errors"][0]["errors"][0]["field"]),
                         ("invalid", 1, "Sexe"))
        self.assertEqual(len(self.open_call("GET", "/api/data")), 5)
        bad = self.open_call("POST", "/api/update_db?format=v1", b"[]", expect=400)
        self.assertEqual(bad["errors"][0]["field"], "format")

    def test_2_data_by_email(self):
        self.open_call("POST", "/api/update_db",
                       json.dumps({"clients": [{"Nom": "Ursi", "Prenom": "Eddison", "Email": "eddison@ursi.fr"}]}).encode())
        text, _ = seed_json(self.seed, "Show one customer by email")
        (row,) = self.open_call("POST", "/api/data/", text.encode())
        self.assertEqual((row["Email"], row["Nom"]), ("eddison@ursi.fr", "Ursi"))
        self.assertEqual(self.open_call("POST", "/api/data/" + row["IdClient"], text.encode()), [row])
        self.open_call("POST", "/api/data/" + self.JACQUIE, text.encode(), expect=404)
        self.open_call("POST", "/api/data", {"email": "nobody@ursi.fr"}, expect=404)
        bad = self.open_call("POST", "/api/data", {"mail": "eddison@ursi.fr"}, expect=400)
        self.assertEqual(sorted(e["field"] for e in bad["errors"]), ["email", "mail"])

    def test_3_create_customer(self):
        text, _ = seed_json(self.seed, "Create new customer")
        _, answer = seed_json(self.seed, "Create new customer", 1)
        created = self.open_call("POST", "/api/create_customer", text.encode())
        self.assertEqual(set(created), set(answer))
        self.assertRegex(created["idClient"], UUID4_RE)
        (row,) = self.open_call("GET", "/api/data/" + created["idClient"])
        self.assertEqual({k: row[k] for k in ("Nom", "Prenom", "Sexe", "Email", "Phone", "Age", "Credit")},
                         {"Nom": "Doe", "Prenom": "Jon", "Sexe": "f", "Email": "jon.doe@mail.com",
                          "Phone": "+33638614907", "Age": None, "Credit": "0"})
        dup = self.open_call("POST", "/api/create_customer", text.encode(), expect=409)
        self.assertEqual([e["field"] for e in dup["errors"]], ["mail"])
        bad = self.open_call("POST", "/api/create_customer", {"name": "X", "sexe": "x", "mail": "bad", "foo": 1},
                             expect=400)
        self.assertEqual([e["field"] for e in bad["errors"]], ["foo"])
        bad = self.open_call("POST", "/api/create_customer", {"name": "X", "sexe": "x"}, expect=400)
        self.assertEqual([e["field"] for e in bad["errors"]], ["sexe"])
        bad = self.open_call("POST", "/api/create_customer", {"name": "X", "mail": "bad"}, expect=400)
        self.assertEqual([e["field"] for e in bad["errors"]], ["mail"])

    def test_4_credit(self):
        c33 = self.make_customer(first_name="Card", last_name="ThirtyThree", loyalty_card=33)
        c42 = self.make_customer(first_name="Card", last_name="FortyTwo", loyalty_card="42")
        text, _ = seed_json(self.seed, "Credit customers")
        out = self.open_call("POST", "/api/credit", text.encode())
        self.assertEqual(out, {"results": [
            {"card": "33", "customer_id": c33["id"], "accrued_cents": 1300, "balance_cents": 1300, "duplicate": False},
            {"card": "42", "customer_id": c42["id"], "accrued_cents": 2750, "balance_cents": 2750, "duplicate": False}]})
        _, answer = seed_json(self.seed, "Get the credit of customers")
        status, _, body, raw = self.server.request("GET", "/api/credit/33", token=None)
        self.assertEqual((status, body), (200, answer))  # {"carteFid": 33, "Credit": 13}
        self.assertEqual(raw, b'{"carteFid":33,"Credit":13}')
        self.assertEqual(self.server.request("GET", "/api/credit/42", token=None)[3], b'{"carteFid":42,"Credit":27.5}')
        self.open_call("GET", "/api/credit/99", expect=404)
        missing = self.open_call("POST", "/api/credit", {"Tickets": [{"carteFid": 99, "Montant": 1}]}, expect=404)
        self.assertEqual(missing["code"], "not_found")
        self.assertEqual(self.server.request("GET", "/api/credit/33", token=None)[3], b'{"carteFid":33,"Credit":13}')
        self.open_call("GET", "/api/credit", expect=405)

    def test_5_allow_credit_and_tickets(self):
        text, _ = seed_json(self.seed, "Allow credit")
        _, answer = seed_json(self.seed, "Allow credit", 1)
        # No tickets in the year before 2019-12-06: 36000 is over the limit.
        self.assertEqual(self.open_call("POST", "/api/allow_credit/", text.encode()),
                         dict(answer, Allowed=False))
        # The seed's ticket 42 (its articles), for Jacquie: 824.00 within the year.
        _, seed_tickets = seed_json(self.seed, "Get tickets")
        t42 = seed_tickets["tickets"][0]
        lines = [{"product_code": a["codeProduit"], "unit_price_before_cents": a["prixAvant"] * 100,
                  "promo_percent": a["promo"], "quantity": a["quantity"]} for a in t42["articles"]]
        t = self.make_ticket(customer_uuid=self.JACQUIE, date=t42["date"], payment_mode="cash", origin="e-commerce",
                             lines=lines)
        self.assertEqual(t["total_cents"], 82400)
        self.assertEqual(self.open_call("POST", "/api/allow_credit", text.encode()), dict(answer, Allowed=False))
        self.make_ticket(customer_uuid=self.JACQUIE, date="2019-03-01T10:00:00Z",
                         lines=[{"product_code": "BIG", "unit_price_before_cents": 277600}])
        # 10 x (824 + 2776) = 36000: allowed, exactly the seed's answer.
        self.assertEqual(self.open_call("POST", "/api/allow_credit/", text.encode()), answer)
        (row,) = self.open_call("GET", "/api/data/" + self.JACQUIE)
        self.assertEqual((row["NbRefus"], row["Date_paiement"], row["Montant"], row["PanierMoyen"]),
                         (2, "2019-10-09", 82400, 180000))
        bad = self.open_call("POST", "/api/allow_credit", {"idClient": "00000000-0000-4000-8000-000000000000",
                                                           "Montant": 1, "Date": "2019-12-06"}, expect=404)
        self.assertEqual(bad["code"], "not_found")

        tickets = self.open_call("GET", "/api/get_tickets/")["tickets"]
        ours = [x for x in tickets if x["id"] == t["id"]][0]
        self.assertEqual(set(ours), set(t42))
        # The seed's ticket 42 but for our id and its prix: the seed's 424 is
        # not the sum of its own articles (824).
        self.assertEqual(ours, dict(t42, id=t["id"], prix=824))
        self.assertEqual([x["date"] for x in tickets], sorted((x["date"] for x in tickets), reverse=True))
        # Amounts that are not whole units are written exactly.
        c = self.make_customer(first_name="Frac", loyalty_card="7001")
        f = self.make_ticket(customer_id=c["id"], lines=[{"product_code": "F", "unit_price_before_cents": 1999}])
        status, _, body, raw = self.server.request("GET", "/api/get_tickets?customer_id=%d" % c["id"], token=None)
        self.assertEqual(status, 200)
        self.assertEqual(body["tickets"][0]["id"], f["id"])
        self.assertIn(b'"prix":19.99,', raw)
        self.assertIn(b'"pointsFidelite":9.99,', raw)
        self.assertIn(b'"prixAvant":19.99,"prixApres":19.99', raw)
        self.assertEqual(len(self.open_call("GET", "/api/get_tickets?page_size=1")["tickets"]), 1)

    def make_ticket(self, **fields):
        return self.call("POST", "/v1/tickets", fields, expect=201)


# ---------------------------------------------------------------------------------------
class Busy(ServerTest):
    server_args = ("--token-env", "CRM_HTTP_TEST_TOKEN", "--busy-timeout-ms", "200")

    def test_locked_database_is_503(self):
        self.make_customer(first_name="Before")
        other = sqlite3.connect(self.server.db, isolation_level=None, timeout=0)
        try:
            other.execute("BEGIN IMMEDIATE")  # another process's write lock
            body = self.call("POST", "/v1/customers", {"first_name": "Blocked"}, expect=503)
            self.assertEqual(body["code"], "busy")
            self.assertEqual(self.call("GET", "/v1/customers")["count"], 1)  # WAL: reads go on
            other.execute("ROLLBACK")
        finally:
            other.close()
        self.make_customer(first_name="After")
        self.assertEqual(self.call("GET", "/v1/customers")["count"], 2)


if __name__ == "__main__":
    unittest.main()
