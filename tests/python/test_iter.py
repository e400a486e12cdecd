"""Iterating over every page and row of a listing through crm.py."""

import unittest

import crm


class IterTest(unittest.TestCase):
    def setUp(self):
        self.engine = crm.open(":memory:")
        self.ids = [self.engine.create("customers", {"first_name": f"P{i:03}", "last_name": "Lee" if i % 2 else "Ng"})["id"]
                    for i in range(45)]

    def tearDown(self):
        self.engine.close()

    def test_rows_follow_the_cursor_in_order(self):
        rows = list(self.engine.rows("customers", {"ordering": "last_name,-first_name", "page": 3}, page_size=7))
        expected = [r["id"] for r in self.engine.list("customers", {"ordering": "last_name,-first_name",
                                                                      "page_size": 100})["results"]]
        self.assertEqual([r["id"] for r in rows], expected)
        self.assertEqual(len(rows), 45)

    def test_pages_count_and_sizes(self):
        pages = list(self.engine.pages("customers", {"last_name": "Lee"}, page_size=10))
        self.assertEqual([len(p["results"]) for p in pages], [10, 10, 2])
        self.assertEqual(pages[0]["count"], 22)
        self.assertIsNone(pages[-1]["next_cursor"])

    def test_a_bad_filter_raises_before_any_row(self):
        with self.assertRaises(crm.InvalidError) as ctx:
            next(self.engine.rows("customers", {"nope": 1}))
        self.assertEqual(ctx.exception.fields, ["nope"])


if __name__ == "__main__":
    unittest.main()
