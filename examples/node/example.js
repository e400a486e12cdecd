'use strict';
// A tour of the crm Node binding.
//
//     node example.js              # uses ./example.db (created when missing)
//     node example.js :memory:     # a throw-away in-memory database
//
// Set CRM_LIBRARY to the path of libcrm if it is not in build/default/src.

const crm = require('./crm');

function show(customer) {
    return `#${customer.id} ${customer.full_name} <${customer.email || 'no email'}>`;
}

function main(argv) {
    const file = argv[2] || 'example.db';
    console.log(`crm ${crm.version()}, database ${file}`);

    const engine = crm.open(file, { busy_timeout_ms: 2000 });
    try {
        const people = [
            { first_name: 'Ada', last_name: 'Lovelace', phone: '+44 20 7946 0000', attributes: { language: 'en' } },
            { first_name: 'Grace', last_name: 'Hopper' },
            { first_name: 'Alan', last_name: 'Turing' },
            { first_name: 'Edsger', last_name: 'Dijkstra' },
            { first_name: 'Barbara', last_name: 'Liskov' },
        ];
        for (const person of people)
            console.log('created', show(engine.create('customers', person)));

        // One page at a time: hand next_cursor back (with the same ordering) for the next one.
        const query = { ordering: 'last_name', page_size: 2 };
        let page = engine.list('customers', query);
        console.log(`${page.count} customers, by last name, 2 a page:`);
        for (let n = 1; ; n++) {
            console.log(`  page ${n}: ${page.results.map((c) => c.last_name).join(', ')}`);
            if (!page.next_cursor) break;
            page = engine.list('customers', { ...query, cursor: page.next_cursor });
        }

        // Or let rows() follow the cursors.
        for (const c of engine.rows('customers', { last_name__istartswith: 'l' }))
            console.log('  L:', show(c));

        try {
            engine.create('customers', { first_name: 'Bad', email: 'not-an-email' });
        } catch (err) {
            if (!(err instanceof crm.InvalidError)) throw err;
            console.log(`caught InvalidError: ${err.message} (fields: ${err.fields.join(', ')})`);
        }

        try {
            engine.get('customers', 1e9);
        } catch (err) {
            if (!(err instanceof crm.NotFoundError)) throw err;
            console.log(`caught NotFoundError: ${err.code}`);
        }
    } finally {
        engine.close();
    }
    return 0;
}

process.exitCode = main(process.argv);
