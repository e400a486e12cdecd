'use strict';
// Tests of the Node binding (crm.js), run by ctest as "node: test" or by hand:
//
//     CRM_LIBRARY=build/default/src/libcrm.so node --test examples/node/test.js
//
// Standard library only (node:test, node:assert) besides koffi.

const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const crm = require('./crm');

/** A fresh database file in its own temporary folder, removed after the test. */
function tempEngine(t, options) {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-node-'));
    const engine = crm.open(path.join(dir, 'test.db'), options);
    t.after(() => {
        engine.close();
        fs.rmSync(dir, { recursive: true, force: true });
    });
    return engine;
}

const PEOPLE = [
    ['Ada', 'Lovelace'], ['Grace', 'Hopper'], ['Alan', 'Turing'], ['Edsger', 'Dijkstra'],
    ['Barbara', 'Liskov'], ['Donald', 'Knuth'], ['Frances', 'Allen'],
];

function seed(engine) {
    return PEOPLE.map(([first_name, last_name]) =>
        engine.create('customers', { first_name, last_name }));
}

test('module: version and status names', () => {
    assert.match(crm.version(), /^\d+\.\d+\.\d+$/);
    assert.equal(crm.statusName(crm.OK), 'ok');
    assert.equal(crm.statusName(crm.EINVAL), 'invalid');
    assert.equal(crm.statusName(crm.ENOTFOUND), 'not_found');
    assert.equal(crm.statusName(99), 'internal');
});

test('engine: open a file, create, get, update, replace, remove', (t) => {
    const engine = tempEngine(t);
    assert.equal(engine.closed, false);

    const ann = engine.create('customers',
        { first_name: 'Ann', last_name: 'Lee', email: 'Ann@Example.com' });
    assert.equal(ann.id, 1);
    assert.equal(ann.email, 'ann@example.com');
    assert.equal(ann.full_name, 'Ann Lee');

    assert.deepEqual(engine.get('customers', 1), ann);
    assert.equal(engine.get('customers', 1n).id, 1); // BigInt ids work too

    const patched = engine.update('customers', 1, { note: 'met at the fair' });
    assert.equal(patched.note, 'met at the fair');
    assert.equal(patched.email, 'ann@example.com');

    // PUT: the email left out returns to its default
    const replaced = engine.replace('customers', 1, { first_name: 'Ann', last_name: 'Lee' });
    assert.equal(replaced.email, null);

    // raw JSON text goes through untouched
    const bob = engine.create('customers', '{"first_name":"Bob","last_name":"Ray"}');
    assert.equal(bob.id, 2);

    engine.remove('customers', 2);
    assert.throws(() => engine.get('customers', 2), crm.NotFoundError);
    assert.equal(engine.list('customers').count, 1);
});

test('engine: the data stays in the file after close', (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'crm-node-'));
    t.after(() => fs.rmSync(dir, { recursive: true, force: true }));
    const file = path.join(dir, 'kept.db');
    const first = crm.open(file);
    first.create('customers', { first_name: 'Kept', last_name: 'Row' });
    first.close();
    first.close(); // idempotent
    assert.equal(first.closed, true);
    assert.throws(() => first.get('customers', 1), (err) => {
        assert.ok(err instanceof crm.MisuseError);
        assert.equal(err.code, 'misuse');
        assert.equal(err.status, crm.EMISUSE);
        return true;
    });
    const again = crm.Engine.open(file, { busy_timeout_ms: 1000 });
    try {
        assert.equal(again.get('customers', 1).full_name, 'Kept Row');
    } finally {
        again.close();
    }
});

test('list: cursor paging by hand', (t) => {
    const engine = tempEngine(t);
    seed(engine);
    const query = { ordering: 'last_name', page_size: 3 };
    const first = engine.list('customers', query);
    assert.equal(first.count, 7);
    // Allen 7, Dijkstra 4, Hopper 2 | Knuth 6, Liskov 5, Lovelace 1 | Turing 3
    assert.deepEqual(first.results.map((c) => c.id), [7, 4, 2]);
    assert.equal(typeof first.next_cursor, 'string');
    const second = engine.list('customers', { ordering: 'last_name', page_size: 3, cursor: first.next_cursor });
    assert.deepEqual(second.results.map((c) => c.id), [6, 5, 1]);
    const third = engine.list('customers', { ordering: 'last_name', page_size: 3, cursor: second.next_cursor });
    assert.deepEqual(third.results.map((c) => c.id), [3]);
    assert.equal(third.next_cursor, null);
});

test('list: pages() and rows() follow next_cursor', (t) => {
    const engine = tempEngine(t);
    seed(engine);

    const pages = [...engine.pages('customers', { ordering: '-last_name', page: 2 }, 3)];
    assert.deepEqual(pages.map((p) => p.results.map((c) => c.id)), [[3, 1, 5], [6, 2, 4], [7]]);
    assert.equal(pages[0].count, 7);
    assert.equal(pages[1].count, null); // later pages skip counting

    assert.deepEqual([...engine.rows('customers', { ordering: 'id' }, 2)].map((c) => c.id),
        [1, 2, 3, 4, 5, 6, 7]);
    assert.deepEqual([...engine.rows('customers', { last_name__istartswith: 'l' }, 1)]
        .map((c) => c.full_name).sort(), ['Ada Lovelace', 'Barbara Liskov']);
    assert.deepEqual([...engine.pages('customers', { first_name: 'Nobody' })]
        .map((p) => p.results.length), [0]);
});

test('errors: one class per status, with code, message and errors', (t) => {
    const engine = tempEngine(t);
    assert.throws(() => engine.create('customers', { first_name: 'Bad', email: 'not-an-email' }),
        (err) => {
            assert.ok(err instanceof crm.InvalidError);
            assert.ok(err instanceof crm.CrmError);
            assert.ok(err instanceof Error);
            assert.equal(err.name, 'InvalidError');
            assert.equal(err.code, 'invalid');
            assert.equal(err.status, crm.EINVAL);
            assert.equal(crm.statusName(err.status), 'invalid');
            assert.equal(typeof err.message, 'string');
            assert.notEqual(err.message, '');
            assert.equal(err.errors[0].field, 'email');
            assert.deepEqual(err.fields, ['email']);
            return true;
        });

    assert.throws(() => engine.get('customers', 999), (err) => {
        assert.ok(err instanceof crm.NotFoundError);
        assert.equal(err.code, 'not_found');
        assert.equal(err.status, crm.ENOTFOUND);
        return true;
    });

    engine.create('customers', { first_name: 'Ann', email: 'ann@example.com' });
    assert.throws(() => engine.create('customers', { first_name: 'Ann', email: 'ANN@example.com' }),
        (err) => err instanceof crm.ConflictError && err.code === 'conflict'
            && err.fields.includes('email'));

    assert.throws(() => engine.list('customers', { no_such_key: 1 }),
        (err) => err instanceof crm.InvalidError && err.fields.includes('no_such_key'));
    assert.throws(() => engine.list('nowhere'), crm.NotFoundError);
    assert.throws(() => crm.open(':memory:', { no_such_option: 1 }), crm.InvalidError);
});

test('credit: accrue, balance, duplicate ref', (t) => {
    const engine = tempEngine(t);
    const customer = engine.create('customers',
        { first_name: 'Loyal', last_name: 'Client', loyalty_card: '33' });

    const first = engine.credit.accrue({ payments: [{ card: '33', amount_cents: 2600, ref: 'r1' }] });
    assert.equal(first.results.length, 1);
    assert.equal(first.results[0].card, '33');
    assert.equal(first.results[0].customer_id, customer.id);
    assert.equal(first.results[0].accrued_cents, 1300);
    assert.equal(first.results[0].balance_cents, 1300);
    assert.equal(first.results[0].duplicate, false);

    assert.deepEqual(engine.credit.balance('33'),
        { card: '33', customer_id: customer.id, balance_cents: 1300 });

    // the same ref again (an array is wrapped as {payments: [...]})
    const again = engine.credit.accrue([{ card: '33', amount_cents: 2600, ref: 'r1' }]);
    assert.equal(again.results[0].duplicate, true);
    assert.equal(engine.credit.balance(33).balance_cents, 1300);

    assert.throws(() => engine.credit.balance('404'), crm.NotFoundError);
});

test('credit: redeem and check', (t) => {
    const engine = tempEngine(t);
    const customer = engine.create('customers',
        { first_name: 'Loyal', last_name: 'Client', loyalty_card: '33' });
    engine.credit.accrue([{ card: '33', amount_cents: 2600, ref: 'r1' }]);

    engine.credit.redeem('33', 300, 'spend-1');
    assert.equal(engine.credit.balance('33').balance_cents, 1000);
    engine.credit.redeem('33', 200); // ref is optional
    assert.equal(engine.credit.balance('33').balance_cents, 800);
    assert.throws(() => engine.credit.redeem('33', 801, 'too-much'), crm.ConflictError);
    assert.equal(engine.credit.balance('33').balance_cents, 800);
    assert.throws(() => engine.credit.redeem('404', 1), crm.NotFoundError);

    // no ticket in the year before: any amount is over the limit
    const request = engine.credit.check(
        { customer_id: customer.id, amount_cents: 10000, date: '2026-01-15' });
    assert.equal(request.customer_id, customer.id);
    assert.equal(request.amount_cents, 10000);
    assert.equal(request.allowed, false);
    assert.deepEqual(request.reasons, ['over_limit']);
    assert.throws(() => engine.credit.check({ customer_id: 999, amount_cents: 1, date: '2026-01-15' }),
        crm.NotFoundError);
});
