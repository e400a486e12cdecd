# cli_test.cmake - runs crm-cli and checks its output and exit status.
#   cmake -DCLI=<crm-cli> -DDB=<database file> -DCASE=demo|errors|crud -P cli_test.cmake
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

  cli(0 demo)
  expect_contains("${OUT}" "postman@gmail.com" "first demo")
  expect_contains("${OUT}" "  created customer 2: My first name My last name <postman@gmail.com>" "first demo")
  expect_not_contains("${OUT}" "skipped" "first demo")
  set(first "${OUT}")

  cli(0 demo)
  expect_contains("${OUT}" "postman@gmail.com" "second demo")
  expect_contains("${OUT}" "  skipped postman@gmail.com: already there" "second demo")
  expect_contains("${OUT}" "  skipped jacquie@mimi.com: already there" "second demo")
  expect_not_contains("${OUT}" "created customer" "second demo")
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
    string(SUBSTRING "${${run}}" ${json_start} -1 json)
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

else()
  message(FATAL_ERROR "cli_test.cmake: unknown CASE '${CASE}'")
endif()
