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
# --with-gil-twin also builds the same release with the GIL into .pythons/3.13, so that
# "free-threading costs single-thread speed" (claim P2) compares one release with itself
# rather than 3.13.5t with whichever 3.13 the machine has (pyenv's 3.13.0 here). The
# interpreter key's "3.13" then picks it: it is the newest 3.13 with the GIL.
#
# Needs: apt-get (Debian), pyenv's python-build (`pyenv root`/plugins/python-build, or
# PYTHON_BUILD=/path/to/python-build), a C tool chain and the usual CPython build deps.
set -euo pipefail

twin=0
for arg in "$@"; do
    case "$arg" in
    --with-gil-twin) twin=1 ;;
    *)
        echo "error: unknown argument '$arg'; the only option is --with-gil-twin" >&2
        exit 2
        ;;
    esac
done

version=3.13.5
sha256=93e583f243454e6e9e4588ca2c2662206ad961659863277afcdb96801647d640
suite=trixie # the first Debian release that ships python3.13

root="$(cd "$(dirname "$0")/.." && pwd)"
prefix="$root/.pythons/3.13t"
gil_prefix="$root/.pythons/3.13"
work="$root/.pythons/.build"

# Whether $1/bin/python3 is a working build of $version with the GIL disabled ($2 = 1)
# or enabled ($2 = 0).
built() {
    [ -x "$1/bin/python3" ] && "$1/bin/python3" -c "
import sys, sysconfig
ok = sys.version.split()[0] == '$version' or '$2' == '1'
ok = ok and bool(sysconfig.get_config_var('Py_GIL_DISABLED')) == bool($2)
sys.exit(0 if ok else 1)" 2>/dev/null
}

need_ft=1
need_gil=0
if built "$prefix" 1; then
    echo "free-threaded CPython already at .pythons/3.13t: $("$prefix/bin/python3" -VV | head -1) (nothing to do)"
    need_ft=0
fi
if [ "$twin" = 1 ]; then
    if built "$gil_prefix" 0; then
        echo "its GIL twin already at .pythons/3.13: $("$gil_prefix/bin/python3" -VV | head -1) (nothing to do)"
    else
        need_gil=1
    fi
fi
if [ "$need_ft" = 0 ] && [ "$need_gil" = 0 ]; then
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
build() { # build PREFIX FREE_THREADING(0/1)
    local into="$1" ft="$2" what="free-threaded"
    [ "$ft" = 1 ] || what="GIL"
    {
        [ "$ft" = 1 ] && echo "export PYTHON_BUILD_FREE_THREADING=1"
        echo "install_package \"Python-$version\" \"file://$tarball#$sha256\" standard verify_py313 ensurepip"
    } >"$work/definition-$ft"
    echo "building $what CPython $version into ${into#"$root"/} (a few minutes) ..."
    local start
    start=$(date +%s)
    (
        [ "$ft" = 1 ] || unset PYTHON_BUILD_FREE_THREADING
        PYTHON_BUILD_CACHE_PATH="$work/cache" \
            PYTHON_CONFIGURE_OPTS="--enable-shared ${PYTHON_CONFIGURE_OPTS:-}" \
            MAKE_OPTS="${MAKE_OPTS:--j$(nproc)}" \
            "$python_build" "$work/definition-$ft" "$into"
    )
    "$into/bin/python3" -c "import sys; assert sys._is_gil_enabled() == ($ft == 0), 'wrong GIL setting'; print(sys.version)"
    echo "done in $(($(date +%s) - start)) s: $into/bin/python3"
}
if [ "$need_ft" = 1 ]; then
    build "$prefix" 1
fi
if [ "$need_gil" = 1 ]; then
    build "$gil_prefix" 0
fi
