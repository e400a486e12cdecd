"""Helpers shared by the Python tests of the C ABI (test_capi.py, test_orders.py):
an in-memory engine per test, the error assertion, temporary folders and the
timestamp pattern. The test folder is the working directory, so `import support`
finds this file."""

import re
import shutil
import tempfile
import unittest

import crm

# A timestamp as the engine writes it: RFC 3339 in UTC.
TIMESTAMP = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$")


def temp_dir(test, prefix):
    """A fresh folder, removed with its content when `test` ends."""
    path = tempfile.mkdtemp(prefix=prefix)
    test.addCleanup(shutil.rmtree, path, True)
    return path


class EngineTest(unittest.TestCase):
    """Each test gets self.engine, an in-memory engine closed at its end."""

    def setUp(self):
        self.engine = crm.open(":memory:")
        self.addCleanup(self.engine.close)

    def assertFails(self, cls, code, fields, fn, *args):
        """fn(*args) raises `cls` with `code` and exactly the field names `fields`."""
        with self.assertRaises(cls) as ctx:
            fn(*args)
        err = ctx.exception
        self.assertEqual(err.code, code)
        self.assertEqual(err.status, cls.status)
        if fields is not None:
            self.assertEqual(sorted(err.fields), sorted(fields))
            for entry in err.errors:
                self.assertTrue(entry.get("message"), entry)
        self.assertTrue(err.message)
        return err
