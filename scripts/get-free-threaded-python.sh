#!/usr/bin/env bash
# Build a free-threaded CPython 3.13 (PEP 703, "3.13t") into .pythons/3.13t of this
# project, with a shared libpython so that pyo3 can embed it.
#
# Only what a Debian machine without general network access can reach is used: the
# upstream tarball comes from Debian's source package (its .orig.tar.xz *is* the
# python.org release, checked against the release's SHA-256 below), and pyenv's
# python-build compiles it. About 2 minutes on 2 idle cores, longer on a busy machine.
#
# Idempotent: when .pythons/3.13t already holds a working free-threaded interpreter,
# it says so and does nothing.
#
# Needs: apt-get (Debian), pyenv's python-build (`pyenv root`/plugins/python-build, or
# PYTHON_BUILD=/path/to/python-build), a C tool chain and the usual CPython build deps.
set -euo pipefail

version=3.13.5
sha256=93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640
suite=trixie # the first Debian release that ships python3.13

root="$(cd "$(dirname "$0")/.." && pwd)"
prefix="$root/.pythons/3.13t"
work="$root/.pythons/.build"

if [ -x "$prefix/bin/python3" ] &&
    "$prefix/bin/python3" -c 'import sys, sysconfig; sys.exit(0 if sysconfig.get_config_var("Py_GIL_DISABLED") else 1)' 2>/dev/null; then
    echo "free-threaded CPython already at .pythons/3.13t: $("$prefix/bin/python3" -VV | head -1) (nothing to do)"
    exit 0
fi

python_build="${PYTHON_BUILD:-}"
if [ -z "$python_build" ]; then
    if command -v python-build >/dev/null; then
        python_build="$(command -v python-build)"
    elif command -v pyenv >/dev/null; then
        python_build="$(pyenv root)/plugins/python-build/bin/python-build"
    fi
fi
if [ -z "$python_build" ] || [ ! -x "$python_build" ]; then
    echo "error: pyenv's python-build not found; install pyenv or set PYTHON_BUILD=/path/to/python-build" >&2
    exit 2
fi

mkdir -p "$work/lists/partial" "$work/cache"
tarball="$work/cache/Python-$version.tar.xz"
if ! echo "$sha256  $tarball" | sha256sum -c --status 2>/dev/null; then
    # The Debian mirror this machine already uses, from its own apt configuration, so
    # that no host is written here; a private source list leaves the system's alone.
    mirror="$(grep -rhoE '^(URIs:|deb) *[a-z]+://[^ ]+/debian/?( |$)' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
        grep -oE '[a-z]+://[^ ]+' | head -1 || true)"
    if [ -z "$mirror" ]; then
        echo "error: no Debian mirror in /etc/apt/sources.list*; add one or put Python-$version.tar.xz in $work/cache" >&2
        exit 2
    fi
    echo "deb-src $mirror $suite main" >"$work/sources.list"
    apt_opts=(-o "Dir::Etc::SourceList=$work/sources.list" -o "Dir::Etc::SourceParts=/dev/null"
        -o "Dir::State::Lists=$work/lists" -o "Debug::NoDropPrivs=1")
    echo "fetching Debian's python3.13 source package ($suite) ..."
    apt-get "${apt_opts[@]}" -qq update
    (cd "$work" && apt-get "${apt_opts[@]}" -qq source --download-only "python3.13=$version-*" 2>/dev/null ||
        apt-get "${apt_opts[@]}" -qq source --download-only python3.13)
    orig="$(ls "$work"/python3.13_"$version".orig.tar.xz 2>/dev/null | head -1 || true)"
    if [ -z "$orig" ]; then
        echo "error: Debian's $suite no longer ships python3.13 $version; update version/sha256 in $0" >&2
        exit 2
    fi
    mv "$orig" "$tarball"
    echo "$sha256  $tarball" | sha256sum -c --status || {
        echo "error: $tarball is not the python.org release $version (SHA-256 differs)" >&2
        exit 2
    }
fi

# A python-build definition of our own: the tarball is taken from the cache above, never
# downloaded; PYTHON_BUILD_FREE_THREADING adds --disable-gil.
cat >"$work/definition" <<EOF
export PYTHON_BUILD_FREE_THREADING=1
install_package "Python-$version" "file://$tarball#$sha256" standard verify_py313 ensurepip
EOF
echo "building free-threaded CPython $version into .pythons/3.13t (a few minutes) ..."
start=$(date +%s)
PYTHON_BUILD_CACHE_PATH="$work/cache" \
    PYTHON_CONFIGURE_OPTS="--enable-shared ${PYTHON_CONFIGURE_OPTS:-}" \
    MAKE_OPTS="${MAKE_OPTS:--j$(nproc)}" \
    "$python_build" "$work/definition" "$prefix"
"$prefix/bin/python3" -c 'import sys; assert not sys._is_gil_enabled(), "GIL is enabled"; print(sys.version)'
echo "done in $(($(date +%s) - start)) s: $prefix/bin/python3"
