"""Runs examples/python/example.py on ":memory:" in a subprocess (same
environment: CRM_LIBRARY and PYTHONPATH) and checks what it prints."""

import os
import subprocess
import sys
import unittest

EXAMPLE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "examples", "python",
                       "example.py")


class Example(unittest.TestCase):
    def test_runs_on_memory(self):
        proc = subprocess.run([sys.executable, EXAMPLE, ":memory:"], capture_output=True, text=True,
                              timeout=120, env=dict(os.environ))
        self.assertEqual(proc.returncode, 0, proc.stderr)
        out = proc.stdout
        for expected in [
            "database :memory:",
            "created #1 Ada Lovelace <no email>",
            "created #2 Grace Hopper <no email> - rear admiral",
            "2 customers:",
            "caught InvalidError: 1 field is invalid (fields: email)",
            "caught NotFoundError: not_found",
        ]:
            self.assertIn(expected, out)
        # Default order is by last name: Hopper before Lovelace.
        listing = out[out.index("2 customers:"):]
        self.assertLess(listing.index("Grace Hopper"), listing.index("Ada Lovelace"))
        self.assertEqual(proc.stderr, "")


if __name__ == "__main__":
    unittest.main()
