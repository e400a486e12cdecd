#!/bin/sh
# Installs the built crm into a temporary prefix, then builds and runs two
# hosts against that prefix only: a CMake project (find_package(crm CONFIG))
# and a plain C program built with `cc $(pkg-config --cflags --libs crm)`.
# Exit code 77 (ctest SKIP_RETURN_CODE) when the build cannot be consumed
# this way (static or sanitized build).
#
# usage: consumers.sh MODE BUILD_DIR SRC_DIR WORK_DIR CMAKE GENERATOR CC CXX LIBDIR VERSION
set -eu
mode=$1 build=$2 src=$3 work=$4 cmake=$5 generator=$6 cc=$7 cxx=$8 libdir=$9
shift 9
version=$1

case $mode in
  static)    echo "SKIP: static build (BUILD_SHARED_LIBS=OFF): the consumers test the shared libcrm.so"; exit 77 ;;
  sanitized) echo "SKIP: sanitized build (CRM_SANITIZE=ON): hosts would need the sanitizer runtime preloaded"; exit 77 ;;
esac

rm -rf "$work"
mkdir -p "$work"
prefix=$work/prefix

echo "== cmake --install $build --prefix $prefix"
"$cmake" --install "$build" --prefix "$prefix" >"$work/install.log"

fail() { echo "FAIL: $*"; exit 1; }

# The layout a host expects.
for f in include/crm/crm.h include/crm/crm.hpp include/crm/engine.hpp \
         "$libdir/libcrm.so" "$libdir/libcrm.so.0" "$libdir/libcrm.so.$version" \
         "$libdir/cmake/crm/crmConfig.cmake" "$libdir/cmake/crm/crmConfigVersion.cmake" \
         "$libdir/cmake/crm/crmTargets.cmake" "$libdir/pkgconfig/crm.pc"; do
  [ -e "$prefix/$f" ] || fail "$f is not installed"
done
[ -L "$prefix/$libdir/libcrm.so.0" ] || fail "libcrm.so.0 is not a symbolic link"
soname=$(objdump -p "$prefix/$libdir/libcrm.so.$version" | awk '$1 == "SONAME" { print $2 }')
[ "$soname" = "libcrm.so.0" ] || fail "SONAME is '$soname', expected libcrm.so.0"
echo "SONAME $soname"
if grep -E 'crm_(objects|internal|warnings|sanitizers)' "$prefix/$libdir/cmake/crm/"*.cmake; then
  fail "an internal target leaked into the exported package"
fi
if grep -F "$build" "$prefix/$libdir/cmake/crm/"*.cmake "$prefix/$libdir/pkgconfig/crm.pc"; then
  fail "the installed package refers to the build tree"
fi

export LD_LIBRARY_PATH="$prefix/$libdir${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"

echo "== CMake consumer: find_package(crm CONFIG REQUIRED)"
"$cmake" -S "$src/cmake_consumer" -B "$work/cmake_consumer" -G "$generator" \
  -DCMAKE_BUILD_TYPE=Release -DCMAKE_CXX_COMPILER="$cxx" \
  -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF \
  -DCRM_EXPECTED_VERSION="$version" -DCRM_EXPECTED_PREFIX="$prefix" \
  >"$work/cmake_consumer.log" 2>&1 || { cat "$work/cmake_consumer.log"; fail "configure"; }
grep 'crm .* from ' "$work/cmake_consumer.log"
"$cmake" --build "$work/cmake_consumer" >>"$work/cmake_consumer.log" 2>&1 \
  || { cat "$work/cmake_consumer.log"; fail "build"; }
out=$("$work/cmake_consumer/cmake_consumer") || fail "cmake_consumer exited with $?: $out"
echo "$out"
[ "$out" = "customer 1 Ada Lovelace ada@example.org" ] || fail "cmake_consumer printed '$out'"

echo "== C consumer: cc \$(pkg-config --cflags --libs crm)"
export PKG_CONFIG_PATH="$prefix/$libdir/pkgconfig"
pkg-config --exists --print-errors crm || fail "pkg-config does not find crm"
[ "$(pkg-config --modversion crm)" = "$version" ] || fail "pkg-config --modversion is $(pkg-config --modversion crm)"
flags=$(pkg-config --cflags --libs crm)
echo "pkg-config --cflags --libs crm: $flags"
# shellcheck disable=SC2086
"$cc" -std=c99 -Wall -Wextra -Werror -pedantic "$src/c_consumer/main.c" $flags -o "$work/c_consumer" \
  || fail "cc with pkg-config flags"
out=$("$work/c_consumer") || fail "c_consumer exited with $?: $out"
echo "$out"
[ "$out" = "c consumer ok: crm $version ($(echo "$version" | awk -F. '{ print $1 * 10000 + $2 * 100 + $3 }'))" ] \
  || fail "c_consumer printed '$out'"

rm -rf "$work"
echo "PASS"
