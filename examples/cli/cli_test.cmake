# cli_test.cmake - runs crm-cli and checks its output and exit status.
#   cmake -DCLI=<crm-cli> -DDB=<database file> -DCASE=<case> [-DDATA=<testdata folder>] -P cli_test.cmake
# CASE: demo, errors, crud, orders, messages, forms, form_errors, tickets, credit,
# import, export (these two read their files from DATA).
# The database file (and its -wal/-shm/-journal companions) is deleted first.
cmake_minimum_required(VERSION 3.25)

foreach(_var CLI DB CASE)
  if(NOT DEFINED ${_var})
    message(FATAL_ERROR "cli_test.cmake: -D${_var}=... is required")
  endif()
endforeach()

file(REMOVE "${DB}" "${DB}-wal" "${DB}-shm" "${DB}-journal")

# cli(<expected exit status> ARGS...): runs crm-cli --db DB ARGS..., sets
# OUT and ERR in the caller, fails unless the exit status is the expected one.
function(cli expected)
  execute_process(COMMAND "${CLI}" --db "${DB}" ${ARGN}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc STREQUAL "${expected}")
    message(FATAL_ERROR "crm-cli ${ARGN}: exit status ${rc}, expected ${expected}\n"
                        "--- stdout:\n${out}--- stderr:\n${err}")
  endif()
  set(OUT "${out}" PARENT_SCOPE)
  set(ERR "${err}" PARENT_SCOPE)
endfunction()

# cli_input(<expected exit status> <stdin text> ARGS...): as cli(), with
# <stdin text> on standard input (for the "-" JSON argument).
function(cli_input expected input)
  string(MD5 name "${input}")
  set(file "${DB}.stdin-${name}.json")
  file(WRITE "${file}" "${input}")
  execute_process(COMMAND "${CLI}" --db "${DB}" ${ARGN} INPUT_FILE "${file}"
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  file(REMOVE "${file}")
  if(NOT rc STREQUAL "${expected}")
    message(FATAL_ERROR "crm-cli ${ARGN} < ${input}: exit status ${rc}, expected ${expected}\n"
                        "--- stdout:\n${out}--- stderr:\n${err}")
  endif()
  set(OUT "${out}" PARENT_SCOPE)
  set(ERR "${err}" PARENT_SCOPE)
endfunction()

# expect_contains(<text> <needle> <what>)
function(expect_contains text needle what)
  string(FIND "${text}" "${needle}" pos)
  if(pos EQUAL -1)
    message(FATAL_ERROR "${what}: missing \"${needle}\" in:\n${text}")
  endif()
endfunction()

function(expect_not_contains text needle what)
  string(FIND "${text}" "${needle}" pos)
  if(NOT pos EQUAL -1)
    message(FATAL_ERROR "${what}: unexpected \"${needle}\" in:\n${text}")
  endif()
endfunction()

function(expect_equal got expected what)
  if(NOT got STREQUAL expected)
    message(FATAL_ERROR "${what}:\n--- got:\n${got}\n--- expected:\n${expected}")
  endif()
endfunction()

# expect_json(<json> <expected> <path...>): the value at path, as string(JSON GET) gives it.
function(expect_json json expected)
  string(JSON got ERROR_VARIABLE jerr GET "${json}" ${ARGN})
  if(jerr)
    message(FATAL_ERROR "JSON ${ARGN}: ${jerr} in:\n${json}")
  endif()
  expect_equal("${got}" "${expected}" "JSON ${ARGN}")
endfunction()

function(expect_json_type json expected)
  string(JSON got ERROR_VARIABLE jerr TYPE "${json}" ${ARGN})
  if(jerr)
    message(FATAL_ERROR "JSON ${ARGN}: ${jerr} in:\n${json}")
  endif()
  expect_equal("${got}" "${expected}" "JSON type of ${ARGN}")
endfunction()

# expect_error(<stderr> <code> [FIELD...]): stderr is "error: CODE: MESSAGE"
# then one "  FIELD: MESSAGE" line per failing field, naming exactly these
# fields (in any order; messages are only checked to be non-empty).
function(expect_error err code)
  string(REGEX MATCH "^error: ${code}: [^\n]+\n" head "${err}")
  if(head STREQUAL "")
    message(FATAL_ERROR "expected \"error: ${code}: MESSAGE\" first on stderr, got:\n${err}")
  endif()
  string(LENGTH "${head}" head_len)
  string(SUBSTRING "${err}" ${head_len} -1 rest)
  string(REGEX MATCHALL "  [^:\n]+: [^\n]+\n" lines "${rest}")
  string(JOIN "" joined ${lines})
  expect_equal("${joined}" "${rest}" "stderr after the first line (one '  FIELD: MESSAGE' line each)")
  set(got "")
  foreach(line IN LISTS lines)
    string(REGEX MATCH "^  ([^:\n]+): " m "${line}")
    list(APPEND got "${CMAKE_MATCH_1}")
  endforeach()
  set(expected ${ARGN})
  list(SORT got)
  list(SORT expected)
  string(JOIN "," got_text ${got})
  string(JOIN "," expected_text ${expected})
  expect_equal("${got_text}" "${expected_text}" "fields named by the ${code} error:\n${err}")
endfunction()

# expect_json_length(<json> <expected> <path...>): members of an object / elements of an array.
function(expect_json_length json expected)
  string(JSON got ERROR_VARIABLE jerr LENGTH "${json}" ${ARGN})
  if(jerr)
    message(FATAL_ERROR "JSON ${ARGN}: ${jerr} in:\n${json}")
  endif()
  expect_equal("${got}" "${expected}" "JSON length of ${ARGN}")
endfunction()

# Engine-set timestamps have whole seconds: 20 characters. Tables that show
# them are compared with each one replaced by a placeholder of that width.
set(ts_regex "20[0-9][0-9]-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-5][0-9]Z")
function(mask_timestamps var text)
  string(REGEX REPLACE "${ts_regex}" "YYYY-MM-DDTHH:MM:SSZ" masked "${text}")
  set(${var} "${masked}" PARENT_SCOPE)
endfunction()

# ---------------------------------------------------------------------------
if(CASE STREQUAL "demo")
  # The table of the four demo customers on a fresh file: ids 1..4 in
  # creation order, listed in the default order (company_name, last_name,
  # first_name, nulls first). Widths count code points: "Ayşe Nur Yılmaz"
  # is 15 wide although it takes 17 bytes.
  set(table [=[
id  full_name                   email                    phone       company_name  kind
--  --------------------------  -----------------------  ----------  ------------  -------
 3  John Doe                    example@domain.com       +123456789                person
 4  Bloggs Jacquie              jacquie@mimi.com         0102030405                person
 1  Ayşe Nur Yılmaz             ayse.yilmaz@example.com                            person
 2  My first name My last name  postman@gmail.com        123-11-11   Google        company
4 customers
]=])

  # Seed 001's two sample orders, for the seed 001 customer (2), numbered by
  # the engine; their dates are the seed's Unix times.
  set(orders_heading "\nOrders of customer 2 (seed 001, /v1.0/customers):\n")
  set(orders_table [=[
id  number  customer_id  status     date                  quantity  description
--  ------  -----------  ---------  --------------------  --------  ---------------------------------
 1       1            2  draft      2018-05-28T09:52:28Z         2  With client
 2       2            2  submitted  2018-10-02T06:55:38Z        10  test bugs in sn activation number
2 of 2 orders (offset 0, limit 100)
]=])

  cli(0 demo)
  expect_contains("${OUT}" "postman@gmail.com" "first demo")
  expect_contains("${OUT}" "  created customer 2: My first name My last name <postman@gmail.com>" "first demo")
  expect_not_contains("${OUT}" "skipped" "first demo")
  expect_contains("${OUT}" [=[

Adding orders and a message for customer 2 (seed 001, /v1.0/customers):
  created order 1: number 1, draft, With client
  created order 2: number 2, submitted, test bugs in sn activation number
  created message 1: Wants ten more activation numbers.

All customers:
]=] "first demo: orders and message")
  expect_equal("${ERR}" "" "first demo stderr")
  set(first "${OUT}")

  cli(0 demo)
  expect_contains("${OUT}" "postman@gmail.com" "second demo")
  expect_contains("${OUT}" "  skipped postman@gmail.com: already there" "second demo")
  expect_contains("${OUT}" "  skipped jacquie@mimi.com: already there" "second demo")
  expect_not_contains("${OUT}" "created customer" "second demo")
  expect_not_contains("${OUT}" "created order" "second demo")
  expect_not_contains("${OUT}" "created message" "second demo")
  expect_contains("${OUT}" [=[

Adding orders and a message for customer 2 (seed 001, /v1.0/customers):
  skipped the orders: customer 2 already has 2 orders
  skipped the message: customer 2 already has 1 message

All customers:
]=] "second demo: orders and message")
  expect_equal("${ERR}" "" "second demo stderr")

  string(LENGTH "\nAll customers:\n" all_len)
  string(LENGTH "\nCustomer 3 (seed 002, Akinon) as JSON:\n" json_len)
  foreach(run first OUT)
    string(FIND "${${run}}" "\nAll customers:\n" start)
    string(FIND "${${run}}" "\nCustomer 3 (seed 002, Akinon) as JSON:\n" json_start)
    if(start EQUAL -1 OR json_start EQUAL -1)
      message(FATAL_ERROR "demo output lacks its sections:\n${${run}}")
    endif()
    math(EXPR start "${start} + ${all_len}")
    math(EXPR len "${json_start} - ${start}")
    string(SUBSTRING "${${run}}" ${start} ${len} got_table)
    expect_equal("${got_table}" "${table}" "demo table (${run})")

    math(EXPR json_start "${json_start} + ${json_len}")
    string(FIND "${${run}}" "${orders_heading}" orders_start)
    if(orders_start EQUAL -1)
      message(FATAL_ERROR "demo output lacks its orders:\n${${run}}")
    endif()
    math(EXPR len "${orders_start} - ${json_start}")
    string(SUBSTRING "${${run}}" ${json_start} ${len} json)
    string(LENGTH "${orders_heading}" heading_len)
    math(EXPR orders_start "${orders_start} + ${heading_len}")
    string(SUBSTRING "${${run}}" ${orders_start} -1 got_orders)
    expect_equal("${got_orders}" "${orders_table}" "demo orders (${run})")
    expect_json("${json}" "3" id)
    expect_json("${json}" "John Doe" full_name)
    expect_json("${json}" "example@domain.com" email)
    expect_json("${json}" "CH123" channel_code)
    expect_json("${json}" "5" channel_id)
    expect_json("${json}" "guest" user_type)
    expect_json("${json}" "female" gender)
    expect_json("${json}" "1985-08-25" date_of_birth)
    expect_json("${json}" "2023-01-15T10:30:00Z" date_joined)
    expect_json("${json}" "127.0.0.1" attributes logged_ip)
    expect_json("${json}" "100" extra_field key2)
  endforeach()
  # Pretty-printed: one member per line, two spaces per level.
  expect_contains("${OUT}" "{\n  \"id\": 3,\n" "demo JSON")
  expect_contains("${OUT}" "  \"attributes\": {\n    \"logged_ip\": \"127.0.0.1\",\n" "demo JSON")
  expect_contains("${OUT}" "  \"coupons\": [],\n" "demo JSON")

  cli(0 customer get 4)
  expect_json("${OUT}" "33" loyalty_card)
  expect_json("${OUT}" "BKN1CST53" account)
  expect_json("${OUT}" "male" gender)
  cli(0 customer get 1)
  expect_json("${OUT}" "+90 532 555 12 34" mobile)
  expect_json("${OUT}" "Ayşe Nur" first_name)
  expect_json("${OUT}" "ON" accepts_marketing)

  # What the demo wrote, seen through the other commands.
  cli(0 customer orders 2)
  expect_equal("${OUT}" "${orders_table}" "customer orders 2")
  cli(0 order get 2)
  expect_json("${OUT}" "submitted" status)
  expect_json_type("${OUT}" "STRING" submit_date)
  expect_json("${OUT}" "2018-10-02T06:55:38Z" activation_birth_date)
  expect_json("${OUT}" "1" activation_limit)
  cli(0 customer messages 2)
  mask_timestamps(got "${OUT}")
  expect_equal("${got}" [=[
id  customer_id  created_at            context
--  -----------  --------------------  ----------------------------------
 1            2  YYYY-MM-DDTHH:MM:SSZ  Wants ten more activation numbers.
1 message
]=] "customer messages 2")
  # A customer with orders cannot be deleted (archive it instead).
  cli(1 customer delete 2)
  string(REGEX MATCH "^error: conflict: " m "${ERR}")
  expect_equal("${m}" "error: conflict: " "customer delete 2 with orders")
  expect_equal("${OUT}" "" "customer delete 2 with orders: stdout")
  cli(0 customer get 2)
  expect_json("${OUT}" "postman@gmail.com" email)

# ---------------------------------------------------------------------------
elseif(CASE STREQUAL "errors")
  cli(1 customer get 999999)
  expect_equal("${OUT}" "" "get 999999 stdout")
  expect_contains("${ERR}" "error: not_found: " "get 999999 stderr")
  string(REGEX MATCH "^error: not_found: [^\n]+\n$" m "${ERR}")
  expect_equal("${m}" "${ERR}" "get 999999 stderr")

  cli(1 customer get 0)
  expect_contains("${ERR}" "error: not_found: " "get 0")

  # Two bad fields: one line each, after the summary line.
  cli(1 customer create [=[{"email":"bad","gender":"robot"}]=])
  expect_equal("${OUT}" "" "invalid create stdout")
  string(REGEX MATCH "^error: invalid: [^\n]+\n(  (email|gender): [^\n]+\n)(  (email|gender): [^\n]+\n)$" m "${ERR}")
  expect_equal("${m}" "${ERR}" "invalid create stderr")
  expect_contains("${ERR}" "error: invalid: 2 fields are invalid\n" "invalid create stderr")
  expect_contains("${ERR}" "\n  email: " "invalid create stderr")
  expect_contains("${ERR}" "\n  gender: " "invalid create stderr")

  cli(1 customer create "{not json")
  string(REGEX MATCH "^error: invalid: " m "${ERR}")
  expect_equal("${m}" "error: invalid: " "malformed JSON")

  cli(1 customer create "[1,2]")
  expect_contains("${ERR}" "error: invalid: " "array body")

  cli(0 customer create [=[{"first_name":"Dup","email":"dup@example.com"}]=])
  cli(1 customer create [=[{"first_name":"Dup2","email":"DUP@example.com"}]=])
  expect_contains("${ERR}" "error: conflict: " "duplicate email")
  expect_contains("${ERR}" "\n  email: " "duplicate email")

  cli(1 customer update 999999 [=[{"note":"x"}]=])
  expect_contains("${ERR}" "error: not_found: " "update missing")
  cli(1 customer delete 999999)
  expect_contains("${ERR}" "error: not_found: " "delete missing")

  cli(1 customer list [=[{"bogus":1}]=])
  expect_contains("${ERR}" "error: invalid: " "unknown query key")
  expect_contains("${ERR}" "\n  bogus: " "unknown query key")
  cli(1 customer list [=[{"page":1,"offset":0}]=])
  expect_contains("${ERR}" "error: invalid: " "mixed paging")

  # Usage errors: status 2.
  cli(2 customer get abc)
  expect_contains("${ERR}" "error: usage: " "bad id")
  cli(2 customer get)
  expect_contains("${ERR}" "error: usage: " "missing id")
  cli(2 customer get 1 2)
  expect_contains("${ERR}" "error: usage: " "extra argument")
  cli(2 frobnicate)
  expect_contains("${ERR}" "error: usage: unknown command 'frobnicate'" "unknown command")
  cli(2 customer frobnicate)
  expect_contains("${ERR}" "error: usage: " "unknown subcommand")
  cli(2)
  expect_contains("${ERR}" "error: usage: missing command" "no command")
  cli(2 --nope version)
  expect_contains("${ERR}" "error: usage: unknown option '--nope'" "unknown option")
  cli(2 order)
  expect_contains("${ERR}" "error: usage: missing subcommand: crm-cli order create|get|update|replace|delete|list\n" "order without subcommand")
  cli(2 order frobnicate)
  expect_contains("${ERR}" "error: usage: unknown subcommand 'order frobnicate'" "unknown order subcommand")
  cli(2 message)
  expect_contains("${ERR}" "error: usage: missing subcommand: crm-cli message " "message without subcommand")
  cli(2 form frobnicate)
  expect_contains("${ERR}" "error: usage: unknown subcommand 'form frobnicate'" "unknown form subcommand")
  cli(2 order get x1)
  expect_contains("${ERR}" "error: usage: ID must be an integer, got 'x1'" "order get x1")
  cli(2 form update 1)
  expect_contains("${ERR}" "error: usage: missing argument expected: crm-cli form update ID PATCH" "form update without patch")
  cli(2 message list "{}" extra)
  expect_contains("${ERR}" "error: usage: unexpected argument 'extra': crm-cli message list [QUERY] [--json]" "message list extra")
  cli(2 customer orders)
  expect_contains("${ERR}" "error: usage: missing argument: crm-cli customer orders ID" "customer orders without id")
  cli(2 customer orders 1 2)
  expect_contains("${ERR}" "error: usage: unexpected argument '2'" "customer orders 1 2")
  cli(2 customer orders 1 --limit)
  expect_contains("${ERR}" "error: usage: --limit needs a value" "--limit without value")
  cli(2 customer orders 1 --offset x)
  expect_contains("${ERR}" "error: usage: --offset must be an integer, got 'x'" "--offset x")
  cli(2 customer orders 1 --bogus)
  expect_contains("${ERR}" "error: usage: unexpected argument '--bogus'" "customer orders --bogus")
  cli(2 customer messages)
  expect_contains("${ERR}" "error: usage: missing argument expected: crm-cli customer messages ID" "customer messages without id")
  # Missing rows through the new collections: not_found, status 1.
  cli(1 order get 1)
  expect_error("${ERR}" not_found)
  cli(1 message get 1)
  expect_error("${ERR}" not_found)
  cli(1 form delete 1)
  expect_error("${ERR}" not_found)
  cli(1 customer orders 999999)
  expect_error("${ERR}" not_found)
  cli(1 customer messages 0)
  expect_error("${ERR}" not_found)

  # A file that cannot be opened: io, status 2.
  execute_process(COMMAND "${CLI}" --db "${DB}.missing-folder/x.db" customer get 1
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  expect_equal("${rc}" "2" "missing folder exit status")
  expect_contains("${err}" "error: io: " "missing folder")

# ---------------------------------------------------------------------------
elseif(CASE STREQUAL "crud")
  cli(0 --help)
  expect_contains("${OUT}" "Usage: crm-cli [--db FILE] COMMAND" "--help")
  cli(0 customer list --help)
  expect_contains("${OUT}" "Usage: crm-cli" "customer list --help")
  foreach(line
      "\n  customer orders ID [--sortby number|submitdate] [--desc] [--status LIST]\n"
      "\n  customer messages ID          the customer's messages, newest first\n"
      "\n  order create JSON  " "\n  order update ID PATCH  " "\n  order replace ID JSON  "
      "\n  order delete ID  " "\n  order list [QUERY] [--json]  "
      "\n  message create JSON  " "\n  message list [QUERY] [--json] "
      "\n  form create JSON  " "\n  form get ID  " "\n  form update ID PATCH  "
      "\n  form delete ID  " "\n  form list [QUERY] [--json]  ")
    expect_contains("${OUT}" "${line}" "--help")
  endforeach()
  cli(0 order list --help)
  expect_contains("${OUT}" "Usage: crm-cli" "order list --help")
  cli(0 version)
  string(REGEX MATCH "^crm-cli [0-9]+\\.[0-9]+\\.[0-9]+ \\(libcrm [0-9]+\\.[0-9]+\\.[0-9]+\\)\n$" m "${OUT}")
  expect_equal("${m}" "${OUT}" "version")

  cli(0 customer create [=[{"first_name":" Ann ","last_name":"Lee","email":"Ann@Example.com","attributes":{"a":1}}]=])
  string(JSON id GET "${OUT}" id)
  expect_json("${OUT}" "Ann Lee" full_name)
  expect_json("${OUT}" "Ann" first_name)
  expect_json("${OUT}" "ann@example.com" email)
  expect_json("${OUT}" "person" kind)
  expect_json_type("${OUT}" "NULL" phone)

  cli(0 customer get ${id})
  expect_json("${OUT}" "${id}" id)
  expect_json("${OUT}" "ann@example.com" email)

  cli(0 customer update ${id} [=[{"phone":"+1 555 0100","attributes":{"b":2},"last_name":null}]=])
  expect_json("${OUT}" "+1 555 0100" phone)
  expect_json("${OUT}" "1" attributes a)
  expect_json("${OUT}" "2" attributes b)
  expect_json_type("${OUT}" "NULL" last_name)
  expect_json("${OUT}" "Ann" full_name)

  cli(0 customer replace ${id} [=[{"first_name":"Ann","last_name":"Moss","email":"ann@example.com"}]=])
  expect_json("${OUT}" "Ann Moss" full_name)
  expect_json_type("${OUT}" "NULL" phone)
  expect_json("${OUT}" "{}" attributes)

  cli(0 customer create [=[{"kind":"company","company_name":"Zeta Ltd","email":"zeta@example.com"}]=])
  string(JSON zid GET "${OUT}" id)
  expect_equal("${id},${zid}" "1,2" "ids on a fresh file")

  cli(0 customer list --json)
  expect_json("${OUT}" "2" count)
  expect_json("${OUT}" "${id}" results 0 id)
  expect_json("${OUT}" "${zid}" results 1 id)
  expect_json("${OUT}" "1" page)
  expect_json("${OUT}" "50" page_size)
  expect_json_type("${OUT}" "NULL" next_cursor)

  cli(0 customer list [=[{"ordering":"-id","page_size":1}]=])
  string(REGEX MATCH "^[^\n]*\n[^\n]*\n(.*)$" m "${OUT}")  # skip the header and rule
  set(rows "${CMAKE_MATCH_1}")
  expect_equal("${rows}" " 2  Zeta Ltd   zeta@example.com         Zeta Ltd      company\n1 of 2 customers (page 1, 1 per page)\n" "list table")

  cli(0 customer list [=[{"offset":1,"limit":5}]=] --json)
  expect_json("${OUT}" "1" offset)
  expect_json("${OUT}" "5" limit)
  expect_json("${OUT}" "${zid}" results 0 id)

  cli(0 customer delete ${id})
  expect_equal("${OUT}" "deleted customer ${id}\n" "delete")
  cli(1 customer get ${id})
  expect_contains("${ERR}" "error: not_found: " "get deleted")
  cli(0 customer list)
  expect_contains("${OUT}" "1 of 1 customer (page 1, 50 per page)\n" "list after delete")

# ---------------------------------------------------------------------------
elseif(CASE STREQUAL "orders")
  cli(0 customer create [=[{"first_name":"Ann","last_name":"Lee","email":"ann@example.com"}]=])
  cli(0 customer create [=[{"kind":"company","company_name":"Zeta Ltd","email":"zeta@example.com"}]=])

  # Numbers are assigned max + 1 when left out (the first is 1).
  cli(0 order create [=[{"customer_id":1,"date":"2024-03-01T09:00:00Z","quantity":3,"description":"  Starter kit  "}]=])
  expect_json("${OUT}" "1" id)
  expect_json("${OUT}" "1" number)
  expect_json("${OUT}" "1" customer_id)
  expect_json("${OUT}" "draft" status)
  expect_json_type("${OUT}" "NULL" submit_date)
  expect_json("${OUT}" "3" quantity)
  expect_json("${OUT}" "Starter kit" description)
  expect_json("${OUT}" "ON" customer_required)
  expect_json("${OUT}" "0" total_cents)
  expect_json("${OUT}" "2024-03-01T09:00:00Z" date)
  string(JSON created GET "${OUT}" created_at)
  string(REGEX MATCH "^${ts_regex}$" m "${created}")
  expect_equal("${m}" "${created}" "order created_at")
  # Pretty-printed like every record.
  expect_contains("${OUT}" "{\n  \"id\": 1,\n  \"customer_id\": 1,\n  \"number\": 1,\n" "order JSON")

  # Status 1 (seed 001's numbers) is submitted: submit_date is set. Dates in
  # any offset are stored in UTC.
  cli(0 order create [=[{"customer_id":1,"date":"2024-03-05T10:30:00+02:00","status":1,"description":"Refill"}]=])
  expect_json("${OUT}" "2" id)
  expect_json("${OUT}" "2" number)
  expect_json("${OUT}" "submitted" status)
  expect_json_type("${OUT}" "STRING" submit_date)
  expect_json("${OUT}" "2024-03-05T08:30:00Z" date)
  expect_json("${OUT}" "1" quantity)

  cli(0 order create [=[{"customer_id":2,"number":10,"date":"2024-02-01T00:00:00Z","status":"revoked","quantity":0}]=])
  expect_json("${OUT}" "3" id)
  expect_json("${OUT}" "10" number)
  expect_json("${OUT}" "revoked" status)
  expect_json_type("${OUT}" "NULL" description)

  cli(0 order create [=[{"customer_id":1,"date":"2024-04-01T12:00:00Z","description":"Trial"}]=])
  expect_json("${OUT}" "4" id)
  expect_json("${OUT}" "11" number)

  # An order without a customer, when it does not require one.
  cli(0 order create [=[{"customer_required":false,"date":"2024-05-01T08:00:00Z","description":"Walk-in"}]=])
  expect_json("${OUT}" "5" id)
  expect_json("${OUT}" "12" number)
  expect_json_type("${OUT}" "NULL" customer_id)
  expect_json("${OUT}" "OFF" customer_required)

  # Seed 001's sortby=submitdate: only order 2 of customer 1 is submitted so
  # far; nulls sort first ascending and last descending, ties by id.
  cli(0 customer orders 1 --sortby submitdate)
  expect_equal("${OUT}" [=[
id  number  customer_id  status     date                  quantity  description
--  ------  -----------  ---------  --------------------  --------  -----------
 1       1            1  draft      2024-03-01T09:00:00Z         3  Starter kit
 4      11            1  draft      2024-04-01T12:00:00Z         1  Trial
 2       2            1  submitted  2024-03-05T08:30:00Z         1  Refill
3 of 3 orders (offset 0, limit 100)
]=] "sortby submitdate")
  cli(0 customer orders 1 --sortby submitdate --desc)
  expect_equal("${OUT}" [=[
id  number  customer_id  status     date                  quantity  description
--  ------  -----------  ---------  --------------------  --------  -----------
 2       2            1  submitted  2024-03-05T08:30:00Z         1  Refill
 1       1            1  draft      2024-03-01T09:00:00Z         3  Starter kit
 4      11            1  draft      2024-04-01T12:00:00Z         1  Trial
3 of 3 orders (offset 0, limit 100)
]=] "sortby submitdate --desc")

  # Allowed moves: draft -> submitted (sets submit_date).
  cli(0 order update 1 [=[{"status":"submitted"}]=])
  expect_json("${OUT}" "submitted" status)
  expect_json_type("${OUT}" "STRING" submit_date)
  expect_json("${OUT}" "1" number)
  expect_json("${OUT}" "Starter kit" description)

  # Illegal moves: conflict naming status, exit status 1, nothing printed
  # on stdout and nothing changed.
  cli(1 order update 1 [=[{"status":"draft"}]=])
  expect_equal("${OUT}" "" "submitted -> draft: stdout")
  expect_error("${ERR}" conflict status)
  cli(1 order update 3 [=[{"status":0}]=])
  expect_error("${ERR}" conflict status)
  cli(1 order replace 3 [=[{"customer_id":2,"status":"submitted"}]=])
  expect_error("${ERR}" conflict status)
  cli(0 order get 3)
  expect_json("${OUT}" "revoked" status)
  expect_json("${OUT}" "10" number)
  cli(0 order get 1)
  expect_json("${OUT}" "submitted" status)

  # replace: number and date are kept when left out; other fields default.
  cli(0 order replace 4 [=[{"customer_id":1,"quantity":5}]=])
  expect_json("${OUT}" "11" number)
  expect_json("${OUT}" "2024-04-01T12:00:00Z" date)
  expect_json("${OUT}" "5" quantity)
  expect_json("${OUT}" "draft" status)
  expect_json_type("${OUT}" "NULL" description)

  # invalid: every bad field named.
  cli(1 order create [=[{"customer_id":99}]=])
  expect_error("${ERR}" invalid customer_id)
  expect_contains("${ERR}" "no customer with id 99" "unknown customer")
  cli(1 order create [=[{"quantity":1}]=])
  expect_error("${ERR}" invalid customer_id)
  cli(1 order create [=[{"customer_id":1,"status":"shipped","quantity":-1,"colour":"red"}]=])
  expect_error("${ERR}" invalid status quantity colour)
  cli(1 order create [=[{"customer_id":1,"activation_birth_date":"2024-02-01T00:00:00Z","activation_death_date":"2024-01-01T00:00:00Z"}]=])
  expect_error("${ERR}" invalid activation_death_date)
  cli(1 order update 99 [=[{"quantity":2}]=])
  expect_error("${ERR}" not_found)

  # A customer with orders is not deleted.
  cli(1 customer delete 1)
  string(REGEX MATCH "^error: conflict: " m "${ERR}")
  expect_equal("${m}" "error: conflict: " "delete a customer with orders")
  cli(0 customer get 1)

  # order list: by number, as a table (a missing customer is an empty cell).
  cli(0 order list)
  expect_equal("${OUT}" [=[
id  number  customer_id  status     date                  quantity  description
--  ------  -----------  ---------  --------------------  --------  -----------
 1       1            1  submitted  2024-03-01T09:00:00Z         3  Starter kit
 2       2            1  submitted  2024-03-05T08:30:00Z         1  Refill
 3      10            2  revoked    2024-02-01T00:00:00Z         0
 4      11            1  draft      2024-04-01T12:00:00Z         5
 5      12               draft      2024-05-01T08:00:00Z         1  Walk-in
5 of 5 orders (page 1, 50 per page)
]=] "order list")
  cli(0 order list [=[{"customer_id":1,"status":"0,1","ordering":"-date"}]=])
  expect_equal("${OUT}" [=[
id  number  customer_id  status     date                  quantity  description
--  ------  -----------  ---------  --------------------  --------  -----------
 4      11            1  draft      2024-04-01T12:00:00Z         5
 2       2            1  submitted  2024-03-05T08:30:00Z         1  Refill
 1       1            1  submitted  2024-03-01T09:00:00Z         3  Starter kit
3 of 3 orders (page 1, 50 per page)
]=] "order list filtered")
  cli(0 order list [=[{"offset":1,"limit":2}]=])
  expect_equal("${OUT}" [=[
id  number  customer_id  status     date                  quantity  description
--  ------  -----------  ---------  --------------------  --------  -----------
 2       2            1  submitted  2024-03-05T08:30:00Z         1  Refill
 3      10            2  revoked    2024-02-01T00:00:00Z         0
2 of 5 orders (offset 1, limit 2)
]=] "order list offset")
  cli(0 order list [=[{"status":["revoked"]}]=] --json)
  expect_json("${OUT}" "1" count)
  expect_json("${OUT}" "3" results 0 id)
  expect_json("${OUT}" "revoked" results 0 status)
  expect_json("${OUT}" "1" page)
  cli(1 order list [=[{"sortby":"price"}]=])
  expect_error("${ERR}" invalid sortby)

  # customer orders: seed 001's GET /customers/{id}/orders.
  # Column widths fit each table's own rows.
  set(customer1 [=[
id  number  customer_id  status     date                  quantity  description
--  ------  -----------  ---------  --------------------  --------  -----------
 1       1            1  submitted  2024-03-01T09:00:00Z         3  Starter kit
 2       2            1  submitted  2024-03-05T08:30:00Z         1  Refill
 4      11            1  draft      2024-04-01T12:00:00Z         5
3 of 3 orders (offset 0, limit 100)
]=])
  set(customer1_desc [=[
id  number  customer_id  status     date                  quantity  description
--  ------  -----------  ---------  --------------------  --------  -----------
 4      11            1  draft      2024-04-01T12:00:00Z         5
 2       2            1  submitted  2024-03-05T08:30:00Z         1  Refill
 1       1            1  submitted  2024-03-01T09:00:00Z         3  Starter kit
3 of 3 orders (offset 0, limit 100)
]=])
  cli(0 customer orders 1)
  expect_equal("${OUT}" "${customer1}" "customer orders 1")
  cli(0 customer orders 1 --desc)
  expect_equal("${OUT}" "${customer1_desc}" "customer orders 1 --desc")
  cli(0 customer orders 1 --sortby number --desc)
  expect_equal("${OUT}" "${customer1_desc}" "--sortby number --desc")
  cli(0 customer orders 1 --status 0)
  expect_equal("${OUT}" [=[
id  number  customer_id  status  date                  quantity  description
--  ------  -----------  ------  --------------------  --------  -----------
 4      11            1  draft   2024-04-01T12:00:00Z         5
1 of 1 order (offset 0, limit 100)
]=] "--status 0")
  cli(0 customer orders 1 --status 0,1)
  expect_equal("${OUT}" "${customer1}" "--status 0,1")
  cli(0 customer orders 1 --status submitted --desc)
  expect_equal("${OUT}" [=[
id  number  customer_id  status     date                  quantity  description
--  ------  -----------  ---------  --------------------  --------  -----------
 2       2            1  submitted  2024-03-05T08:30:00Z         1  Refill
 1       1            1  submitted  2024-03-01T09:00:00Z         3  Starter kit
2 of 2 orders (offset 0, limit 100)
]=] "--status submitted")
  cli(0 customer orders 1 --status draft,submitted --offset 1 --limit 1)
  expect_equal("${OUT}" [=[
id  number  customer_id  status     date                  quantity  description
--  ------  -----------  ---------  --------------------  --------  -----------
 2       2            1  submitted  2024-03-05T08:30:00Z         1  Refill
1 of 3 orders (offset 1, limit 1)
]=] "--offset 1 --limit 1")
  cli(0 customer orders 2)
  expect_equal("${OUT}" [=[
id  number  customer_id  status   date                  quantity  description
--  ------  -----------  -------  --------------------  --------  -----------
 3      10            2  revoked  2024-02-01T00:00:00Z         0
1 of 1 order (offset 0, limit 100)
]=] "customer orders 2")
  cli(0 customer orders 1 --status 2)
  expect_equal("${OUT}" [=[
id  number  customer_id  status  date  quantity  description
--  ------  -----------  ------  ----  --------  -----------
0 of 0 orders (offset 0, limit 100)
]=] "no revoked orders")
  cli(0 customer orders 1 --json)
  expect_json("${OUT}" "3" count)
  expect_json("${OUT}" "0" offset)
  expect_json("${OUT}" "100" limit)
  expect_json_length("${OUT}" "3" results)
  expect_json("${OUT}" "1" results 0 number)
  expect_json("${OUT}" "11" results 2 number)
  cli(1 customer orders 1 --sortby bogus)
  expect_error("${ERR}" invalid sortby)
  cli(1 customer orders 1 --status 7)
  expect_error("${ERR}" invalid status)
  cli(1 customer orders 1 --limit 0)
  expect_error("${ERR}" invalid limit)
  cli(1 customer orders 99)
  expect_error("${ERR}" not_found)

  # An archived customer keeps its orders.
  cli(0 customer update 1 [=[{"archived":true}]=])
  expect_json("${OUT}" "ON" archived)
  cli(0 customer orders 1 --json)
  expect_json("${OUT}" "3" count)

  cli(0 order delete 5)
  expect_equal("${OUT}" "deleted order 5\n" "order delete")
  cli(1 order get 5)
  expect_error("${ERR}" not_found)
  cli(0 order list [=[{"customer_id__isnull":true}]=] --json)
  expect_json("${OUT}" "0" count)

# ---------------------------------------------------------------------------
elseif(CASE STREQUAL "messages")
  cli(0 customer create [=[{"first_name":"Ann","last_name":"Lee","email":"ann@example.com"}]=])
  cli(0 customer create [=[{"first_name":"Bob","email":"bob@example.com"}]=])

  cli(0 message create [=[{"customer_id":1,"context":"  First call  "}]=])
  expect_json("${OUT}" "1" id)
  expect_json("${OUT}" "1" customer_id)
  expect_json("${OUT}" "First call" context)
  expect_json_length("${OUT}" "4")
  string(JSON created GET "${OUT}" created_at)
  string(REGEX MATCH "^${ts_regex}$" m "${created}")
  expect_equal("${m}" "${created}" "message created_at")
  cli(0 message create [=[{"customer_id":1,"context":"Second call"}]=])
  expect_json("${OUT}" "2" id)
  cli(0 message create [=[{"customer_id":2,"context":"Hello Bob"}]=])
  expect_json("${OUT}" "3" id)

  cli(1 message create [=[{"customer_id":99,"context":"x"}]=])
  expect_error("${ERR}" invalid customer_id)
  cli(1 message create [=[{"customer_id":1,"context":"   "}]=])
  expect_error("${ERR}" invalid context)
  cli(1 message create [=[{"context":"x","bogus":1}]=])
  expect_error("${ERR}" invalid customer_id bogus)

  # (the context column is as wide as "Second call" in these tables)
  set(header [=[
id  customer_id  created_at            context
--  -----------  --------------------  -----------
]=])
  set(row1 " 1            1  YYYY-MM-DDTHH:MM:SSZ  First call\n")
  set(row2 " 2            1  YYYY-MM-DDTHH:MM:SSZ  Second call\n")
  set(row3 " 3            2  YYYY-MM-DDTHH:MM:SSZ  Hello Bob\n")
  # Newest first; the id breaks ties within one second.
  cli(0 customer messages 1)
  mask_timestamps(got "${OUT}")
  expect_equal("${got}" "${header}${row2}${row1}2 messages\n" "customer messages 1")
  cli(0 customer messages 2)
  mask_timestamps(got "${OUT}")
  expect_equal("${got}" [=[
id  customer_id  created_at            context
--  -----------  --------------------  ---------
 3            2  YYYY-MM-DDTHH:MM:SSZ  Hello Bob
1 message
]=] "customer messages 2")
  cli(1 customer messages 99)
  expect_error("${ERR}" not_found)

  cli(0 message list)
  mask_timestamps(got "${OUT}")
  expect_equal("${got}" "${header}${row1}${row2}${row3}3 of 3 messages (page 1, 50 per page)\n" "message list")
  cli(0 message list [=[{"customer_id":1,"ordering":"-id"}]=] --json)
  expect_json("${OUT}" "2" count)
  expect_json("${OUT}" "2" results 0 id)
  expect_json("${OUT}" "1" results 1 id)
  expect_json("${OUT}" "Second call" results 0 context)
  cli(0 message list [=[{"context__icontains":"CALL","offset":1,"limit":1}]=])
  mask_timestamps(got "${OUT}")
  expect_equal("${got}" "${header}${row2}1 of 2 messages (offset 1, limit 1)\n" "message list filtered")
  cli(1 message list [=[{"bogus":1}]=])
  expect_error("${ERR}" invalid bogus)

  # Long messages are cut in tables (40 code points), never in JSON.
  cli(0 message create [=[{"customer_id":1,"context":"Wants a call back about the renewal of the Zeta contract"}]=])
  expect_json("${OUT}" "4" id)
  expect_json("${OUT}" "Wants a call back about the renewal of the Zeta contract" context)
  cli(0 customer messages 1)
  mask_timestamps(got "${OUT}")
  expect_equal("${got}" [=[
id  customer_id  created_at            context
--  -----------  --------------------  ----------------------------------------
 4            1  YYYY-MM-DDTHH:MM:SSZ  Wants a call back about the renewal of …
 2            1  YYYY-MM-DDTHH:MM:SSZ  Second call
 1            1  YYYY-MM-DDTHH:MM:SSZ  First call
3 messages
]=] "customer messages with a long one")

  # Deleting a customer without orders deletes its messages too.
  cli(0 customer delete 2)
  cli(1 message get 3)
  expect_error("${ERR}" not_found)
  cli(0 message list --json)
  expect_json("${OUT}" "3" count)
  expect_json("${OUT}" "1" results 0 id)
  expect_json("${OUT}" "2" results 1 id)
  expect_json("${OUT}" "4" results 2 id)

  # Messages take the other generic subcommands too.
  cli(0 message update 1 [=[{"context":"First call (edited)"}]=])
  expect_json("${OUT}" "First call (edited)" context)
  expect_json("${OUT}" "${created}" created_at)
  cli(0 message delete 2)
  expect_equal("${OUT}" "deleted message 2\n" "message delete")
  cli(0 message list --json)
  expect_json("${OUT}" "2" count)

# ---------------------------------------------------------------------------
elseif(CASE STREQUAL "forms")
  cli(0 form create [=[{"name":" loyalty ","fields":[{"name":"tier","label":"Tier","type":"enum","options":["gold","silver"],"required":true},{"name":"visits","type":"integer"}]}]=])
  expect_json("${OUT}" "1" id)
  expect_json("${OUT}" "loyalty" name)
  expect_json("${OUT}" "ON" active)
  expect_json_length("${OUT}" "2" fields)
  expect_json("${OUT}" "tier" fields 0 name)
  expect_json("${OUT}" "Tier" fields 0 label)
  expect_json("${OUT}" "enum" fields 0 type)
  expect_json("${OUT}" "ON" fields 0 required)
  expect_json("${OUT}" "silver" fields 0 options 1)
  expect_json("${OUT}" "visits" fields 1 name)
  expect_json_type("${OUT}" "NULL" fields 1 label)
  expect_json("${OUT}" "integer" fields 1 type)
  expect_json("${OUT}" "OFF" fields 1 required)
  expect_json_length("${OUT}" "4" fields 1)  # no "options" but for enums

  # Seed 000 sends `fields` as a JSON string holding the array.
  cli(0 form create [=[{"name":"survey","active":false,"fields":"[{\"name\":\"source\",\"type\":\"string\"}]"}]=])
  expect_json("${OUT}" "2" id)
  expect_json("${OUT}" "OFF" active)
  expect_json_type("${OUT}" "ARRAY" fields)
  expect_json("${OUT}" "source" fields 0 name)
  expect_json("${OUT}" "string" fields 0 type)

  cli(1 form create [=[{"name":"loyalty","fields":[]}]=])
  expect_error("${ERR}" conflict name)
  cli(1 form create [=[{"name":"bad","fields":[{"name":"ok","type":"string"},{"name":"x","type":"color"}]}]=])
  expect_error("${ERR}" invalid "fields[1].type")
  cli(1 form create [=[{"name":"","fields":[{"name":"e","type":"enum"}]}]=])
  expect_error("${ERR}" invalid name "fields[0].options")

  set(header [=[
id  name     active  fields
--  -------  ------  --------------------------
]=])
  cli(0 form list)
  expect_equal("${OUT}" "${header} 1  loyalty  true    tier:enum*, visits:integer\n 2  survey   false   source:string\n2 of 2 forms (page 1, 50 per page)\n" "form list")
  cli(0 form get 2)
  expect_json("${OUT}" "survey" name)

  # The active form checks customers' attributes: every error at once.
  cli(1 customer create [=[{"first_name":"Ann","attributes":{"visits":"many","free":1}}]=])
  expect_error("${ERR}" invalid attributes.tier attributes.visits)
  cli(1 customer create [=[{"first_name":"Ann","email":"bad","attributes":{"tier":"bronze","visits":2}}]=])
  expect_error("${ERR}" invalid email attributes.tier)
  cli(0 customer create [=[{"first_name":"Ann","attributes":{"tier":"gold","visits":3,"free":"yes"}}]=])
  expect_json("${OUT}" "1" id)
  expect_json("${OUT}" "gold" attributes tier)
  cli(1 customer update 1 [=[{"attributes":{"tier":"bronze"}}]=])
  expect_error("${ERR}" invalid attributes.tier)
  # The inactive survey form checks nothing.
  cli(0 customer update 1 [=[{"attributes":{"source":12}}]=])
  expect_json("${OUT}" "12" attributes source)

  # Inactive forms are ignored; changing a form does not touch customers,
  # but their next write is checked.
  cli(0 form update 1 [=[{"active":false}]=])
  expect_json("${OUT}" "OFF" active)
  expect_json("${OUT}" "tier" fields 0 name)
  cli(0 customer update 1 [=[{"attributes":{"tier":"bronze"}}]=])
  expect_json("${OUT}" "bronze" attributes tier)
  cli(0 form update 1 [=[{"active":true}]=])
  cli(0 customer get 1)
  expect_json("${OUT}" "bronze" attributes tier)
  cli(1 customer update 1 [=[{"note":"x"}]=])
  expect_error("${ERR}" invalid attributes.tier)

  cli(0 form replace 1 [=[{"name":"loyalty2","fields":[]}]=])
  expect_json("${OUT}" "loyalty2" name)
  expect_json("${OUT}" "ON" active)
  expect_json_length("${OUT}" "0" fields)
  cli(0 customer update 1 [=[{"note":"x"}]=])
  expect_json("${OUT}" "x" note)

  cli(0 form delete 2)
  expect_equal("${OUT}" "deleted form 2\n" "form delete")
  cli(1 form get 2)
  expect_error("${ERR}" not_found)
  cli(1 form update 9 "{}")
  expect_error("${ERR}" not_found)
  cli(0 form list)
  expect_equal("${OUT}" [=[
id  name      active  fields
--  --------  ------  ------
 1  loyalty2  true
1 of 1 form (page 1, 50 per page)
]=] "form list after delete")
  cli(0 form list --json)
  expect_json("${OUT}" "1" count)
  expect_json("${OUT}" "loyalty2" results 0 name)

# ---------------------------------------------------------------------------
elseif(CASE STREQUAL "form_errors")
  # Every failure of one form is reported together, each field named by
  # its own index: a field that fails to parse must not hide its other
  # errors nor shift the index of the fields after it.
  cli(1 form create [=[{"name":"bad","fields":[{"name":"ok","type":"string"},{"name":"1x","type":"color"},{"name":"e","type":"enum"}]}]=])
  expect_error("${ERR}" invalid "fields[1].name" "fields[1].type" "fields[2].options")

# ---------------------------------------------------------------------------
elseif(CASE STREQUAL "tickets")
  cli(0 --help)
  foreach(line
      "\n  ticket add JSON  " "\n  ticket get ID  " "\n  ticket delete ID  "
      "\n  ticket list [QUERY] [--json]  " "\n  ledger list [QUERY] [--json]  "
      "\n  credit accrue JSON  " "\n  credit balance CARD  "
      "\n  credit redeem CARD AMOUNT_CENTS [--ref REF]\n" "\n  credit check JSON  "
      "\n  credit requests [QUERY] [--json]\n" "\n  crm-cli ticket add '{")
    expect_contains("${OUT}" "${line}" "--help")
  endforeach()

  # Seed 003's customer with card 33 (given as a number), and one without a card.
  cli(0 customer create [=[{"first_name":"Bloggs","last_name":"Jacquie","email":"Jacquie@mimi.com","loyalty_card":33}]=])
  expect_json("${OUT}" "1" id)
  expect_json("${OUT}" "33" loyalty_card)
  string(JSON uuid GET "${OUT}" uuid)
  cli(0 customer create [=[{"first_name":"Jon","last_name":"Doe"}]=])
  expect_json("${OUT}" "2" id)

  # Seed 003's ticket 42 (GET /api/get_tickets), by the customer's uuid:
  # the first line's after price derived, the total and the credit computed.
  string(REPLACE "@UUID@" "${uuid}" ticket42 [=[{"customer_uuid":"@UUID@","date":"2019-10-09T17:01:29.408701Z","payment_mode":"cash","origin":"e-commerce","lines":[{"product_code":"X1-0","unit_price_before_cents":80000,"promo_percent":50,"quantity":2},{"product_code":"X1-9","unit_price_before_cents":4800,"unit_price_after_cents":2400,"promo_percent":50,"quantity":1}]}]=])
  cli(0 ticket add "${ticket42}")
  expect_json("${OUT}" "1" id)
  expect_json("${OUT}" "1" customer_id)
  expect_json("${OUT}" "${uuid}" customer_uuid)
  expect_json("${OUT}" "2019-10-09T17:01:29.408701Z" date)
  expect_json("${OUT}" "CASH" payment_mode)
  expect_json("${OUT}" "e-commerce" origin)
  expect_json_length("${OUT}" "2" lines)
  expect_json("${OUT}" "40000" lines 0 unit_price_after_cents)
  expect_json("${OUT}" "2400" lines 1 unit_price_after_cents)
  expect_json("${OUT}" "82400" total_cents)
  expect_json("${OUT}" "41200" loyalty_points_cents)
  expect_json_type("${OUT}" "NULL" ref)
  expect_json_length("${OUT}" "11")
  expect_contains("${OUT}" "{\n  \"id\": 1,\n  \"customer_id\": 1,\n" "ticket add: pretty JSON")

  # Its ticket 38 from standard input, by id, with a ref.
  set(ticket38 [=[{"customer_id":1,"date":"2019-10-09T18:03:45Z","payment_mode":"Card","origin":"e-commerce","ref":"seed-38","lines":[{"product_code":"X1-4","unit_price_before_cents":3600,"promo_percent":50,"quantity":2}]}]=])
  cli_input(0 "${ticket38}" ticket add -)
  expect_json("${OUT}" "2" id)
  expect_json("${OUT}" "CARD" payment_mode)
  expect_json("${OUT}" "3600" total_cents)
  expect_json("${OUT}" "1800" loyalty_points_cents)
  expect_json("${OUT}" "seed-38" ref)
  set(stored38 "${OUT}")
  # The same payload under its ref: the stored ticket, no second accrual.
  cli(0 ticket add "${ticket38}")
  expect_equal("${OUT}" "${stored38}" "ticket add: same ref, same payload")
  # Another payload under it: conflict.
  cli(1 ticket add [=[{"customer_id":1,"ref":"seed-38","lines":[{"product_code":"X1-4","unit_price_before_cents":3600,"quantity":3}]}]=])
  expect_error("${ERR}" conflict ref)
  expect_equal("${OUT}" "" "ticket add conflict stdout")

  # A customer without a card: no credit.
  cli(0 ticket add [=[{"customer_id":2,"date":"2020-01-05T10:00:00+01:00","payment_mode":"transfer","total_cents":999,"lines":[{"product_code":"P-1","unit_price_before_cents":999,"quantity":1}]}]=])
  expect_json("${OUT}" "3" id)
  expect_json("${OUT}" "2020-01-05T09:00:00Z" date)
  expect_json("${OUT}" "store" origin)
  expect_json("${OUT}" "0" loyalty_points_cents)

  # Every bad field at once.
  cli(1 ticket add [=[{"customer_id":9,"payment_mode":"barter","lines":[{"product_code":"A","unit_price_before_cents":100,"quantity":0}]}]=])
  expect_error("${ERR}" invalid customer_id payment_mode "lines[0].quantity")
  cli(1 ticket add [=[{"total_cents":424,"lines":[{"product_code":"A","unit_price_before_cents":100,"quantity":2}]}]=])
  expect_error("${ERR}" invalid total_cents)
  cli(1 ticket add "{not json")
  expect_error("${ERR}" invalid)

  set(tickets_table [=[
id  date                         customer_id  payment_mode  origin      lines  total_cents  loyalty_points_cents  ref
--  ---------------------------  -----------  ------------  ----------  -----  -----------  --------------------  -------
 3  2020-01-05T09:00:00Z                   2  TRANSFER      store           1          999                     0
 2  2019-10-09T18:03:45Z                   1  CARD          e-commerce      1         3600                  1800  seed-38
 1  2019-10-09T17:01:29.408701Z            1  CASH          e-commerce      2        82400                 41200
3 of 3 tickets (page 1, 50 per page)
]=])
  cli(0 ticket list)
  expect_equal("${OUT}" "${tickets_table}" "ticket list")
  cli(0 ticket list [=[{"customer_id":1,"ordering":"total_cents","offset":0,"limit":1}]=])
  expect_equal("${OUT}" [=[
id  date                  customer_id  payment_mode  origin      lines  total_cents  loyalty_points_cents  ref
--  --------------------  -----------  ------------  ----------  -----  -----------  --------------------  -------
 2  2019-10-09T18:03:45Z            1  CARD          e-commerce      1         3600                  1800  seed-38
1 of 2 tickets (offset 0, limit 1)
]=] "ticket list by total")
  cli(0 ticket list [=[{"payment_mode":"CASH"}]=] --json)
  expect_json("${OUT}" "1" count)
  expect_json("${OUT}" "1" results 0 id)
  expect_json("${OUT}" "X1-9" results 0 lines 1 product_code)
  cli(1 ticket list [=[{"lines":1}]=])
  expect_error("${ERR}" invalid lines)
  cli(0 ticket get 2)
  expect_equal("${OUT}" "${stored38}" "ticket get 2")

  # The customer's balance and payment statistics, kept by the engine.
  cli(0 customer get 1)
  expect_json("${OUT}" "43000" credit_cents)
  expect_json("${OUT}" "2019-10-09" last_payment_date)
  expect_json("${OUT}" "3600" last_payment_cents)
  expect_json("${OUT}" "43000" average_basket_cents)

  # Immutable; list-only; usage errors.
  cli(2 ticket update 1 "{}")
  expect_contains("${ERR}" "error: usage: tickets are immutable: no 'ticket update'" "ticket update")
  cli(2 ticket replace 1 "{}")
  expect_contains("${ERR}" "error: usage: tickets are immutable: no 'ticket replace'" "ticket replace")
  cli(2 ticket)
  expect_contains("${ERR}" "error: usage: missing subcommand: crm-cli ticket add|get|delete|list\n" "ticket")
  cli(2 ticket add)
  expect_contains("${ERR}" "error: usage: missing argument expected: crm-cli ticket add JSON" "ticket add")
  cli(2 ticket frobnicate)
  expect_contains("${ERR}" "error: usage: unknown subcommand 'ticket frobnicate'" "ticket frobnicate")
  cli(2 ticket list "{}" extra)
  expect_contains("${ERR}" "error: usage: unexpected argument 'extra': crm-cli ticket list [QUERY] [--json]" "ticket list extra")
  cli(2 ledger create "{}")
  expect_contains("${ERR}" "error: usage: unknown subcommand 'ledger create' (the ledger is list-only)" "ledger create")
  cli(2 ledger)
  expect_contains("${ERR}" "error: usage: missing subcommand: crm-cli ledger list" "ledger")

  # A customer with tickets cannot be deleted.
  cli(1 customer delete 2)
  expect_error("${ERR}" conflict)

  # Deleting a ticket writes a reversal entry.
  cli(0 ticket delete 2)
  expect_equal("${OUT}" "deleted ticket 2\n" "ticket delete")
  cli(1 ticket get 2)
  expect_error("${ERR}" not_found)
  cli(1 ticket delete 2)
  expect_error("${ERR}" not_found)
  cli(0 ledger list)
  mask_timestamps(got "${OUT}")
  expect_equal("${got}" [=[
id  customer_id  delta_cents  reason    ref  ticket_id  created_at
--  -----------  -----------  --------  ---  ---------  --------------------
 1            1        41200  accrual                1  YYYY-MM-DDTHH:MM:SSZ
 2            1         1800  accrual                2  YYYY-MM-DDTHH:MM:SSZ
 3            1        -1800  reversal               2  YYYY-MM-DDTHH:MM:SSZ
3 of 3 ledger entries (page 1, 50 per page)
]=] "ledger list")
  cli(0 ledger list [=[{"reason":"reversal"}]=] --json)
  expect_json("${OUT}" "1" count)
  expect_json("${OUT}" "-1800" results 0 delta_cents)
  expect_json("${OUT}" "2" results 0 ticket_id)
  cli(0 ledger list [=[{"reason":"accrual","ticket_id":1}]=])
  mask_timestamps(got "${OUT}")
  expect_equal("${got}" [=[
id  customer_id  delta_cents  reason   ref  ticket_id  created_at
--  -----------  -----------  -------  ---  ---------  --------------------
 1            1        41200  accrual               1  YYYY-MM-DDTHH:MM:SSZ
1 of 1 ledger entry (page 1, 50 per page)
]=] "ledger list one entry")
  cli(1 ledger list [=[{"reason":"bonus"}]=])
  expect_error("${ERR}" invalid reason)
  cli(0 customer get 1)
  expect_json("${OUT}" "41200" credit_cents)
  expect_json("${OUT}" "82400" last_payment_cents)
  expect_json("${OUT}" "82400" average_basket_cents)

# ---------------------------------------------------------------------------
elseif(CASE STREQUAL "credit")
  # Seed 003's api/data customers: cards 33 and 42.
  cli(0 customer create [=[{"first_name":"Bloggs","last_name":"Jacquie","email":"Jacquie@mimi.com","loyalty_card":"33"}]=])
  string(JSON uuid GET "${OUT}" uuid)
  cli(0 customer create [=[{"first_name":"Bloggs","last_name":"Michelle","email":"Michelle@mimi.com","loyalty_card":42}]=])
  expect_json("${OUT}" "2" id)

  # POST /api/credit, verbatim: 26 -> 2600 cents -> 1300 at the rate 0.5.
  cli(0 credit accrue [=[{"Tickets" : [
{
"carteFid": 33,
"Montant": 26
},
{
"carteFid": 42,
"Montant": 55
}
]
}]=])
  expect_equal("${OUT}" [=[
{
  "results": [
    {
      "card": "33",
      "customer_id": 1,
      "accrued_cents": 1300,
      "balance_cents": 1300,
      "duplicate": false
    },
    {
      "card": "42",
      "customer_id": 2,
      "accrued_cents": 2750,
      "balance_cents": 2750,
      "duplicate": false
    }
  ]
}
]=] "credit accrue (seed)")
  # GET /api/credit/33: {"carteFid": 33, "Credit": 13}
  cli(0 credit balance 33)
  expect_equal("${OUT}" [=[
{
  "card": "33",
  "customer_id": 1,
  "balance_cents": 1300
}
]=] "credit balance 33")

  # Our shape (here the bare array), with refs: applied once.
  cli(0 credit accrue [=[[{"card":"33","amount_cents":2600,"ref":"pos1-42"}]]=])
  expect_json("${OUT}" "1300" results 0 accrued_cents)
  expect_json("${OUT}" "2600" results 0 balance_cents)
  expect_json("${OUT}" "OFF" results 0 duplicate)
  cli_input(0 [=[{"payments":[{"card":"33","amount_cents":2600,"ref":"pos1-42"},{"card":42,"amount_cents":101,"ref":"pos1-43"}]}]=] credit accrue -)
  expect_json_length("${OUT}" "2" results)
  expect_json("${OUT}" "0" results 0 accrued_cents)
  expect_json("${OUT}" "2600" results 0 balance_cents)
  expect_json("${OUT}" "ON" results 0 duplicate)
  expect_json("${OUT}" "50" results 1 accrued_cents)
  expect_json("${OUT}" "2800" results 1 balance_cents)
  expect_json("${OUT}" "OFF" results 1 duplicate)

  # All or nothing: an unknown card fails the batch.
  cli(1 credit accrue [=[{"payments":[{"card":"33","amount_cents":1000},{"card":"99","amount_cents":1}]}]=])
  expect_error("${ERR}" not_found "payments[1].card")
  expect_equal("${OUT}" "" "credit accrue not_found stdout")
  cli(1 credit accrue [=[{"payments":[{"card":"33","amount_cents":-1},{"amount_cents":1}]}]=])
  expect_error("${ERR}" invalid "payments[0].amount_cents" "payments[1].card")
  cli(1 credit accrue [=[{"Tickets":[{"carteFid":33,"Montant":"lots"}]}]=])
  expect_error("${ERR}" invalid "Tickets[0].Montant")
  cli(1 credit balance 99)
  expect_error("${ERR}" not_found card)
  cli(0 credit balance 33)
  expect_json("${OUT}" "2600" balance_cents)

  # Redemption: once per ref; never beyond the balance.
  set(redeemed [=[
{
  "card": "33",
  "customer_id": 1,
  "redeemed_cents": 500,
  "balance_cents": 2100,
  "duplicate": false,
  "ledger_id": 5
}
]=])
  cli(0 credit redeem 33 500 --ref r-1)
  expect_equal("${OUT}" "${redeemed}" "credit redeem")
  cli(0 credit redeem 33 --ref r-1 500)
  string(REPLACE "\"redeemed_cents\": 500" "\"redeemed_cents\": 0" dup "${redeemed}")
  string(REPLACE "\"duplicate\": false" "\"duplicate\": true" dup "${dup}")
  expect_equal("${OUT}" "${dup}" "credit redeem again")
  cli(1 credit redeem 33 501 --ref r-1)
  expect_error("${ERR}" conflict ref)
  cli(1 credit redeem 33 2101)
  expect_error("${ERR}" conflict amount_cents)
  cli(1 credit redeem 33 0)
  expect_error("${ERR}" invalid amount_cents)
  cli(1 credit redeem 33 -5)
  expect_error("${ERR}" invalid amount_cents)
  cli(1 credit redeem 99 1)
  expect_error("${ERR}" not_found card)
  cli(0 credit redeem 33 100)
  expect_json("${OUT}" "100" redeemed_cents)
  expect_json("${OUT}" "2000" balance_cents)
  expect_json("${OUT}" "6" ledger_id)
  cli(2 credit redeem 33)
  expect_contains("${ERR}" "error: usage: missing argument: crm-cli credit redeem CARD AMOUNT_CENTS [--ref REF]" "redeem without amount")
  cli(2 credit redeem 33 5x)
  expect_contains("${ERR}" "error: usage: AMOUNT_CENTS must be an integer, got '5x'" "redeem 5x")
  cli(2 credit redeem 33 5 --ref)
  expect_contains("${ERR}" "error: usage: --ref needs a value" "redeem --ref")
  cli(2 credit redeem 33 5 6)
  expect_contains("${ERR}" "error: usage: unexpected argument '6'" "redeem 33 5 6")
  cli(2 credit redeem 33 5 --bogus)
  expect_contains("${ERR}" "error: usage: unexpected argument '--bogus'" "redeem --bogus")
  cli(0 credit balance 33)
  expect_json("${OUT}" "2000" balance_cents)

  # POST /api/allow_credit with the customer's uuid: 36000.00 is more than
  # ten times the 36.00 of tickets in the year before 2019-12-06.
  cli(0 ticket add [=[{"customer_id":1,"date":"2019-10-09T18:03:45Z","payment_mode":"CARD","origin":"e-commerce","lines":[{"product_code":"X1-4","unit_price_before_cents":3600,"promo_percent":50,"quantity":2}]}]=])
  expect_json("${OUT}" "3600" total_cents)
  string(REPLACE "@UUID@" "${uuid}" allow_credit [=[{
"idClient": "@UUID@",
"Montant": 36000,
"Date": "2019-12-06"
}]=])
  cli(0 credit check "${allow_credit}")
  expect_json("${OUT}" "1" id)
  expect_json("${OUT}" "1" customer_id)
  expect_json("${OUT}" "${uuid}" customer_uuid)
  expect_json("${OUT}" "3600000" amount_cents)
  expect_json("${OUT}" "2019-12-06" date)
  expect_json("${OUT}" "OFF" allowed)
  expect_json_length("${OUT}" "1" reasons)
  expect_json("${OUT}" "over_limit" reasons 0)
  expect_json_length("${OUT}" "8")
  cli(0 credit check [=[{"customer_id":1,"amount_cents":36000,"date":"2019-12-06"}]=])
  expect_json("${OUT}" "2" id)
  expect_json("${OUT}" "ON" allowed)
  expect_json_length("${OUT}" "0" reasons)
  cli(0 customer get 1)
  expect_json("${OUT}" "1" refusal_count)
  cli(1 credit check [=[{"customer_id":99,"amount_cents":1}]=])
  expect_error("${ERR}" not_found customer_id)
  cli(1 credit check [=[{"customer_id":1}]=])
  expect_error("${ERR}" invalid amount_cents)

  cli(0 credit requests)
  mask_timestamps(got "${OUT}")
  expect_equal("${got}" [=[
id  customer_id  amount_cents  date        allowed  reasons     created_at
--  -----------  ------------  ----------  -------  ----------  --------------------
 1            1       3600000  2019-12-06  false    over_limit  YYYY-MM-DDTHH:MM:SSZ
 2            1         36000  2019-12-06  true                 YYYY-MM-DDTHH:MM:SSZ
2 of 2 credit requests (page 1, 50 per page)
]=] "credit requests")
  cli(0 credit requests [=[{"allowed":false}]=] --json)
  expect_json("${OUT}" "1" count)
  expect_json("${OUT}" "3600000" results 0 amount_cents)
  cli(2 credit requests "{}" extra)
  expect_contains("${ERR}" "error: usage: unexpected argument 'extra': crm-cli credit requests [QUERY] [--json]" "credit requests extra")

  # The ledger of card 33: accruals, redemptions, the ticket's accrual.
  cli(0 ledger list [=[{"customer_id":1}]=])
  mask_timestamps(got "${OUT}")
  expect_equal("${got}" [=[
id  customer_id  delta_cents  reason      ref      ticket_id  created_at
--  -----------  -----------  ----------  -------  ---------  --------------------
 1            1         1300  accrual                         YYYY-MM-DDTHH:MM:SSZ
 3            1         1300  accrual     pos1-42             YYYY-MM-DDTHH:MM:SSZ
 5            1         -500  redemption  r-1                 YYYY-MM-DDTHH:MM:SSZ
 6            1         -100  redemption                      YYYY-MM-DDTHH:MM:SSZ
 7            1         1800  accrual                      1  YYYY-MM-DDTHH:MM:SSZ
5 of 5 ledger entries (page 1, 50 per page)
]=] "ledger list of customer 1")
  cli(0 credit balance 33)
  expect_json("${OUT}" "3800" balance_cents)

  cli(2 credit)
  expect_contains("${ERR}" "error: usage: missing subcommand: crm-cli credit accrue|balance|redeem|check|requests\n" "credit")
  cli(2 credit frobnicate)
  expect_contains("${ERR}" "error: usage: unknown subcommand 'credit frobnicate'" "credit frobnicate")
  cli(2 credit balance)
  expect_contains("${ERR}" "error: usage: missing argument expected: crm-cli credit balance CARD" "credit balance")
  cli(2 credit accrue)
  expect_contains("${ERR}" "error: usage: missing argument expected: crm-cli credit accrue JSON" "credit accrue")
  cli(2 credit check "{}" "{}")
  expect_contains("${ERR}" "error: usage: too many arguments expected: crm-cli credit check JSON" "credit check")

# ---------------------------------------------------------------------------
elseif(CASE STREQUAL "import")
  cli(0 --help)
  foreach(line
      "\n  import [COLLECTION] FILE [--format F] [--mode create|upsert] [--key K]\n"
      "\n  export [COLLECTION] [--filter KEY=VALUE ...] [--ordering FIELDS] [-o FILE]\n"
      "\n  crm-cli import clients.json --format crm-app\n")
    expect_contains("${OUT}" "${line}" "--help")
  endforeach()

  # Seed 003's POST /api/update_db file, verbatim ({"clients" : [...]}, a
  # fractional Credit, no e-mails): `crm import FILE --format crm-app`, into
  # customers. Standard error is not a terminal here: no progress bar.
  cli(0 import "${DATA}/crm_app_clients.json" --format crm-app)
  expect_equal("${OUT}" [=[
{
  "created": 3,
  "updated": 0,
  "failed": 0,
  "errors": []
}
]=] "import crm_app_clients.json")
  expect_equal("${ERR}" "" "import crm_app_clients.json stderr")
  cli(0 customer list)
  expect_equal("${OUT}" [=[
id  full_name        email  phone  company_name  kind
--  ---------------  -----  -----  ------------  ------
 1  Jean Eddison-18                              person
 3  Anne Eddison-53                              person
 2  Marc Sarkozy-51                              person
3 of 3 customers (page 1, 50 per page)
]=] "customers after the crm-app import")
  cli(0 customer get 3)
  expect_json("${OUT}" "Anne" first_name)
  expect_json("${OUT}" "Eddison-53" last_name)
  expect_json("${OUT}" "15462" credit_cents)  # Credit 154.62542724609375, rounded down to the cent
  expect_json("${OUT}" "2020-05-19" last_payment_date)
  expect_json("${OUT}" "125" last_payment_cents)
  expect_json("${OUT}" "25" extra_field paiement)
  expect_json_type("${OUT}" "NULL" account)
  cli(0 customer get 2)
  expect_json("${OUT}" "BKN1CST53" account)
  expect_json("${OUT}" "0" credit_cents)
  expect_json("${OUT}" "2019-01-08" last_payment_date)
  # Only the non-zero Credit became an opening `import` ledger entry.
  cli(0 ledger list --json)
  expect_json("${OUT}" "1" count)
  expect_json("${OUT}" "3" results 0 customer_id)
  expect_json("${OUT}" "15462" results 0 delta_cents)
  expect_json("${OUT}" "import" results 0 reason)

  # Seed 003's GET api/data array, verbatim (IdClient kept as the uuid,
  # Credit "420" as a string, Sexe h/f, NbRefus; id, Age and PanierMoyen
  # ignored), with the progress bar forced as a terminal would show it.
  set(report_2 [=[
{
  "created": 2,
  "updated": 0,
  "failed": 0,
  "errors": []
}
]=])
  cli(0 import customers "${DATA}/crm_app_data.json" --format crm-app --progress)
  expect_equal("${OUT}" "${report_2}" "import crm_app_data.json")
  expect_equal("${ERR}" "\r[###############...............]  50% 1/2\r[##############################] 100% 2/2\n"
               "import --progress: the bar on stderr")
  cli(0 customer get 4)
  expect_json("${OUT}" "a14e39ce-e29e-11e9-a8cb-08002751d198" uuid)
  expect_json("${OUT}" "Bloggs Jacquie" full_name)
  expect_json("${OUT}" "male" gender)
  expect_json("${OUT}" "jacquie@mimi.com" email)
  expect_json("${OUT}" "42000" credit_cents)
  expect_json("${OUT}" "1330" last_payment_cents)
  expect_json("${OUT}" "0" refusal_count)
  expect_json("${OUT}" "BKN1CST53" account)
  cli(0 customer get 5)
  expect_json("${OUT}" "2c5b24e0-0d48-11ea-b85e-08002751d198" uuid)
  expect_json("${OUT}" "female" gender)
  expect_json("${OUT}" "78000" credit_cents)
  expect_json("${OUT}" "1" refusal_count)

  # The same file again: every row conflicts, so (atomic) nothing is written.
  cli(1 import customers "${DATA}/crm_app_data.json" --format crm-app)
  expect_equal("${OUT}" "" "atomic import with failures: stdout")
  expect_equal("${ERR}" [=[
error: invalid: 2 of 2 rows failed: nothing was imported
  rows[0].email: conflict: is already used by another customer
  rows[0].uuid: conflict: is already used by another customer
  rows[1].email: conflict: is already used by another customer
  rows[1].uuid: conflict: is already used by another customer
]=] "atomic import with failures: stderr")
  # Upsert by uuid: both updated; their balances already are the Credit
  # given, so no ledger entry is added.
  cli(0 import customers "${DATA}/crm_app_data.json" --format crm-app --mode upsert --key uuid)
  expect_equal("${OUT}" [=[
{
  "created": 0,
  "updated": 2,
  "failed": 0,
  "errors": []
}
]=] "upsert by uuid")
  cli(0 ledger list --json)
  expect_json("${OUT}" "3" count)
  # An upsert changing the Credit: an `import` entry of the difference; the
  # fields given overwrite, the others are kept (a JSON array on stdin).
  cli_input(0 [=[[{"IdClient":"a14e39ce-e29e-11e9-a8cb-08002751d198","Credit":"400.509","Phone":"0607080910"}]]=]
            import - --format crm-app --mode upsert --key uuid)
  expect_json("${OUT}" "1" updated)
  expect_json("${OUT}" "0" created)
  cli(0 customer get 4)
  expect_json("${OUT}" "40050" credit_cents)
  expect_json("${OUT}" "0607080910" phone)
  expect_json("${OUT}" "jacquie@mimi.com" email)
  expect_json("${OUT}" "Bloggs" first_name)
  cli(0 ledger list --json)
  expect_json("${OUT}" "4" count)
  expect_json("${OUT}" "-1950" results 3 delta_cents)
  expect_json("${OUT}" "4" results 3 customer_id)

  # Failing rows of every kind: atomic, none is kept and each is listed;
  # --no-atomic, the valid one is kept and the report lists the others.
  file(WRITE "${DB}.rows.ndjson" [=[
{"first_name":"Good","email":"good@example.com"}
{"first_name":"Bad","email":"not-an-email"}
{"first_name":"Broken",
{"first_name":"Dup","email":"Jacquie@mimi.com"}
["not","an","object"]
{"first_name":"Unknown","shoe_size":42}
]=])
  set(row_errors [=[
  rows[1].email: is not a valid email address
  rows[2]: is not valid JSON: incomplete JSON
  rows[3].email: conflict: is already used by another customer
  rows[4]: must be a JSON object
  rows[5].shoe_size: is not a known field
]=])
  cli(1 import "${DB}.rows.ndjson")
  expect_equal("${OUT}" "" "atomic import of bad rows: stdout")
  expect_equal("${ERR}" "error: invalid: 5 of 6 rows failed: nothing was imported\n${row_errors}"
               "atomic import of bad rows: stderr")
  cli(0 customer list --json)
  expect_json("${OUT}" "5" count)
  cli(1 import "${DB}.rows.ndjson" --no-atomic)
  expect_equal("${OUT}" [=[
{
  "created": 1,
  "updated": 0,
  "failed": 5,
  "errors": [
    {
      "index": 1,
      "code": "invalid",
      "errors": [
        {
          "field": "email",
          "message": "is not a valid email address"
        }
      ]
    },
    {
      "index": 2,
      "code": "invalid",
      "errors": [
        {
          "field": "",
          "message": "is not valid JSON: incomplete JSON"
        }
      ]
    },
    {
      "index": 3,
      "code": "conflict",
      "errors": [
        {
          "field": "email",
          "message": "is already used by another customer"
        }
      ]
    },
    {
      "index": 4,
      "code": "invalid",
      "errors": [
        {
          "field": "",
          "message": "must be a JSON object"
        }
      ]
    },
    {
      "index": 5,
      "code": "invalid",
      "errors": [
        {
          "field": "shoe_size",
          "message": "is not a known field"
        }
      ]
    }
  ]
}
]=] "--no-atomic import of bad rows: the report")
  expect_equal("${ERR}" "error: invalid: 5 of 6 rows failed (1 imported)\n${row_errors}"
               "--no-atomic import of bad rows: stderr")
  cli(0 customer get 6)
  expect_json("${OUT}" "good@example.com" email)
  cli(0 customer list --json)
  expect_json("${OUT}" "6" count)

  # The other payload shapes: an object holding one array; an empty file.
  cli_input(0 [=[{"people":[{"first_name":"Wrapped","email":"wrapped@example.com"}]}]=] import -)
  expect_json("${OUT}" "1" created)
  file(WRITE "${DB}.empty.json" "")
  cli(0 import "${DB}.empty.json")
  expect_equal("${OUT}" [=[
{
  "created": 0,
  "updated": 0,
  "failed": 0,
  "errors": []
}
]=] "import of an empty file")
  cli_input(1 "42" import -)
  expect_error("${ERR}" invalid payload)

  # Usage, options, files and collections.
  cli(2 import)
  expect_contains("${ERR}" "error: usage: missing FILE: crm-cli import [COLLECTION] FILE [--format F]" "import")
  cli(2 import customers)
  expect_contains("${ERR}" "error: usage: missing FILE: crm-cli import" "import customers")
  cli(2 import "${DATA}/crm_app_data.json" --format)
  expect_contains("${ERR}" "error: usage: --format needs a value: crm-cli import" "import --format")
  cli(2 import customers a.json b.json)
  expect_contains("${ERR}" "error: usage: unexpected argument 'b.json'" "import with three positionals")
  cli(2 import "${DATA}/crm_app_data.json" --bogus)
  expect_contains("${ERR}" "error: usage: unexpected argument '--bogus'" "import --bogus")
  cli(2 import "${DB}.missing.json")
  expect_equal("${ERR}" "error: io: cannot open ${DB}.missing.json: No such file or directory\n" "missing file")
  cli(1 import "${DATA}/crm_app_data.json" --format bogus --mode merge)
  expect_error("${ERR}" invalid format mode)
  cli(1 import "${DATA}/crm_app_data.json" --mode upsert --key phone)
  expect_error("${ERR}" invalid key)
  cli(1 import orders "${DATA}/crm_app_data.json" --mode upsert)
  expect_error("${ERR}" invalid mode)
  cli(1 import ledger "${DATA}/crm_app_data.json")
  expect_equal("${ERR}" "error: invalid: cannot import into ledger: it is written by the credit calls only\n"
               "import ledger")
  cli(1 import things "${DATA}/crm_app_data.json")
  expect_error("${ERR}" not_found)
  cli(0 customer list --json)
  expect_json("${OUT}" "7" count)

# ---------------------------------------------------------------------------
elseif(CASE STREQUAL "export")
  # Created and updated times are the import's: masked. Everything else is
  # the file's (uuids and date_joined given).
  function(mask_stamps var text)
    string(REGEX REPLACE "\"(created_at|updated_at)\":\"${ts_regex}\"" "\"\\1\":\"TS\"" masked "${text}")
    set(${var} "${masked}" PARENT_SCOPE)
  endfunction()
  set(ann [=[{"id":1,"uuid":"0b7f3c52-8d1e-4c1a-9f0e-2a6b5c4d3e21","kind":"person","first_name":"Ann","last_name":"Lee","company_name":null,"full_name":"Ann Lee","email":"ann.lee@example.com","phone":"+1 555 0100","mobile":null,"gender":"unknown","date_of_birth":null,"age":null,"note":null,"status":0,"is_active":true,"archived":false,"archived_at":null,"accepts_marketing":false,"email_allowed":false,"sms_allowed":false,"call_allowed":false,"user_type":"registered","channel_id":null,"channel_code":"web","erp_code":null,"crm_id":null,"ref_id":null,"account":null,"loyalty_card":null,"coupons":["WELCOME"],"date_joined":"2024-03-01T09:00:00Z","attributes":{"tier":"gold"},"extra_field":{},"localized_attributes":{},"credit_cents":0,"refusal_count":0,"last_payment_date":null,"last_payment_cents":null,"average_basket_cents":0,"created_at":"TS","updated_at":"TS"}]=])
  set(eloise [=[{"id":3,"uuid":"9a8b7c6d-5e4f-4a3b-9c2d-1e0f9a8b7c6d","kind":"person","first_name":"Éloïse","last_name":"Müller","company_name":null,"full_name":"Éloïse Müller","email":"eloise@example.com","phone":null,"mobile":null,"gender":"unknown","date_of_birth":null,"age":null,"note":"Prefers e-mail.","status":0,"is_active":true,"archived":false,"archived_at":null,"accepts_marketing":false,"email_allowed":false,"sms_allowed":false,"call_allowed":false,"user_type":"registered","channel_id":null,"channel_code":"web","erp_code":null,"crm_id":null,"ref_id":null,"account":null,"loyalty_card":null,"coupons":["VIP","WELCOME"],"date_joined":"2024-03-03T11:00:00Z","attributes":{},"extra_field":{},"localized_attributes":{},"credit_cents":500,"refusal_count":0,"last_payment_date":null,"last_payment_cents":null,"average_basket_cents":0,"created_at":"TS","updated_at":"TS"}]=])
  set(atelier [=[{"id":2,"uuid":"5d2e8a41-7c3b-4f6e-8a9d-1b2c3d4e5f60","kind":"company","first_name":null,"last_name":null,"company_name":"Atelier Dubois","full_name":"Atelier Dubois","email":"contact@atelier-dubois.fr","phone":null,"mobile":null,"gender":"unknown","date_of_birth":null,"age":null,"note":null,"status":0,"is_active":true,"archived":false,"archived_at":null,"accepts_marketing":false,"email_allowed":false,"sms_allowed":false,"call_allowed":false,"user_type":"registered","channel_id":null,"channel_code":"shop","erp_code":"ERP0002","crm_id":null,"ref_id":null,"account":null,"loyalty_card":null,"coupons":[],"date_joined":"2024-03-02T10:00:00Z","attributes":{},"extra_field":{},"localized_attributes":{},"credit_cents":0,"refusal_count":0,"last_payment_date":null,"last_payment_cents":null,"average_basket_cents":0,"created_at":"TS","updated_at":"TS"}]=])

  # Canonical NDJSON (a blank line in it): uuids kept, e-mails lower-cased,
  # credit_cents as an opening balance.
  cli(0 import "${DATA}/customers.ndjson")
  expect_json("${OUT}" "3" created)
  expect_json("${OUT}" "0" failed)

  # Every customer, in id order (an export without --ordering).
  cli(0 export)
  mask_stamps(got "${OUT}")
  expect_equal("${got}" "${ann}\n${atelier}\n${eloise}\n" "export")
  expect_equal("${ERR}" "" "export stderr (not a terminal: no progress bar)")
  cli(0 export customers --filter channel_code=web --ordering -email)
  mask_stamps(got "${OUT}")
  expect_equal("${got}" "${eloise}\n${ann}\n" "export --filter channel_code=web --ordering -email")
  cli(0 export --filter coupon=WELCOME --filter q=ann)
  mask_stamps(got "${OUT}")
  expect_equal("${got}" "${ann}\n" "export --filter coupon=WELCOME --filter q=ann")
  cli(0 export --filter kind=company --filter date_joined__date__gte=2024-03-02 --filter credit_cents__lt=1)
  mask_stamps(got "${OUT}")
  expect_equal("${got}" "${atelier}\n" "export --filter kind=company ...")
  cli(0 export --filter email__istartswith=nobody)
  expect_equal("${OUT}" "" "export of no row")

  # -o FILE, with the progress bar forced: FILE is written whole.
  set(out_file "${DB}.out.ndjson")
  file(REMOVE "${out_file}")
  cli(0 export --filter channel_code=web --ordering -email -o "${out_file}" --progress)
  expect_equal("${OUT}" "exported 2 rows to ${out_file}\n" "export -o stdout")
  expect_equal("${ERR}" "\r[###############...............]  50% 1/2\r[##############################] 100% 2/2\n"
               "export --progress: the bar on stderr")
  file(READ "${out_file}" written)
  mask_stamps(got "${written}")
  expect_equal("${got}" "${eloise}\n${ann}\n" "export -o FILE: its content")
  # A failed export leaves FILE as it was, and no temporary file behind.
  file(WRITE "${out_file}" "kept\n")
  cli(1 export --filter bogus=1 -o "${out_file}")
  expect_error("${ERR}" invalid bogus)
  expect_equal("${OUT}" "" "failed export -o stdout")
  file(READ "${out_file}" written)
  expect_equal("${written}" "kept\n" "FILE after a failed export")
  file(GLOB leftovers "${out_file}.tmp-*")
  expect_equal("${leftovers}" "" "temporary files left by a failed export")

  # Refused queries and usage.
  cli(1 export --filter page=2)
  expect_error("${ERR}" invalid page)
  cli(1 export --ordering shoe_size)
  expect_error("${ERR}" invalid ordering)
  cli(1 export things)
  expect_error("${ERR}" not_found)
  cli(2 export --filter nokey)
  expect_contains("${ERR}" "error: usage: --filter takes KEY=VALUE, got 'nokey'" "export --filter nokey")
  cli(2 export -o)
  expect_contains("${ERR}" "error: usage: -o needs a value: crm-cli export [COLLECTION]" "export -o")
  cli(2 export customers orders)
  expect_contains("${ERR}" "error: usage: unexpected argument 'orders'" "export customers orders")

  # Other collections: the opening balance's ledger entry; no message.
  cli(0 export ledger)
  mask_stamps(got "${OUT}")
  expect_equal("${got}" [=[{"id":1,"customer_id":3,"delta_cents":500,"reason":"import","ref":null,"ticket_id":null,"created_at":"TS"}
]=] "export ledger")
  cli(0 export messages)
  expect_equal("${OUT}" "" "export messages")

  # What export writes, import takes back into another file: the same
  # customers (uuids, coupons, balances), numbered in the file's order.
  set(all_file "${DB}.all.ndjson")
  cli(0 export -o "${all_file}")
  set(first_db "${DB}")
  set(DB "${first_db}.copy.db")
  file(REMOVE "${DB}" "${DB}-wal" "${DB}-shm" "${DB}-journal")
  cli(0 import "${all_file}")
  expect_json("${OUT}" "3" created)
  cli(0 export)
  mask_stamps(got "${OUT}")
  expect_equal("${got}" "${ann}\n${atelier}\n${eloise}\n" "export of the re-imported export")
  set(DB "${first_db}")

else()
  message(FATAL_ERROR "cli_test.cmake: unknown CASE '${CASE}'")
endif()
