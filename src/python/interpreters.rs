//! The `python3` interpreters of this machine, for the `cpython` runtime's `interpreter`
//! key and `spectrum list`: found on `PATH`, among pyenv's versions and in the project's
//! own `.pythons/` (`scripts/get-free-threaded-python.sh`), each described by running it
//! once (version from `sys.version_info`, `Py_GIL_DISABLED`, `sys._is_gil_enabled()`).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::metrics::InterpreterInfo;
use crate::scenario::{Cell, ModelKind};

/// Printed by every candidate: valid Python 2 and 3, so that a 2.7 on `PATH` answers
/// instead of failing (it is listed, and never picked for a `3.x`).
const DESCRIBE: &str = "import sys, json, sysconfig\n\
v = sys.version_info\n\
g = getattr(sys, '_is_gil_enabled', None)\n\
c = sysconfig.get_config_var\n\
lib = c('LDLIBRARY') if c('Py_ENABLE_SHARED') else None\n\
print(json.dumps({'release': '%d.%d.%d' % tuple(v[:3]), \
'free_threaded': bool(c('Py_GIL_DISABLED')), 'gil_enabled': bool(g()) if g else True, \
'libpython': (c('LIBDIR') + '/' + lib) if lib and c('LIBDIR') else None}))";

/// A candidate that does not answer within this is not usable (a hung shim).
const DESCRIBE_TIMEOUT: Duration = Duration::from_secs(10);

/// `3.13` → `(3, 13, false)`, `3.13t` → `(3, 13, true)`; `None` for anything else.
pub fn parse_version(s: &str) -> Option<(u32, u32, bool)> {
    let (body, t) = match s.strip_suffix('t') {
        Some(b) => (b, true),
        None => (s, false),
    };
    let (major, minor) = body.split_once('.')?;
    let digits = |x: &str| !x.is_empty() && x.len() <= 3 && x.bytes().all(|b| b.is_ascii_digit());
    if !digits(major) || !digits(minor) {
        return None;
    }
    Some((major.parse().ok()?, minor.parse().ok()?, t))
}

/// Where pyenv keeps its versions: `$PYENV_ROOT`, else `~/.pyenv`.
fn pyenv_root() -> Option<PathBuf> {
    std::env::var_os("PYENV_ROOT")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|h| Path::new(&h).join(".pyenv")))
}

/// The project's own interpreters (the free-threaded build of the script).
fn project_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(".pythons")
}

/// Every candidate executable with its origin, project first, then pyenv, then `PATH`
/// (pyenv's shims are skipped: each stands for whichever version is selected).
fn candidates() -> Vec<(PathBuf, &'static str)> {
    let mut out = Vec::new();
    let mut versions = |dir: PathBuf, origin: &'static str| {
        if let Ok(entries) = std::fs::read_dir(dir) {
            let mut dirs: Vec<PathBuf> = entries.flatten().map(|e| e.path()).collect();
            dirs.sort();
            for d in dirs {
                let exe = d.join("bin/python3");
                if exe.is_file() {
                    out.push((exe, origin));
                }
            }
        }
    };
    versions(project_dir(), "project");
    if let Some(root) = pyenv_root() {
        versions(root.join("versions"), "pyenv");
    }
    for dir in std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()) {
        if dir.ends_with("shims") {
            continue;
        }
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        let mut names: Vec<PathBuf> = entries
            .flatten()
            .map(|e| e.path())
            .filter(|p| {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
                name == "python3"
                    || name
                        .strip_prefix("python")
                        .and_then(parse_version)
                        .is_some_and(|(major, ..)| major == 3)
            })
            .collect();
        names.sort();
        out.extend(names.into_iter().map(|p| (p, "PATH")));
    }
    out
}

/// Runs `exe` once and describes it; `None` when it does not run or answer.
pub fn describe(exe: &Path, origin: &str) -> Option<InterpreterInfo> {
    let mut child = Command::new(exe)
        .args(["-I", "-c", DESCRIBE])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    let deadline = std::time::Instant::now() + DESCRIBE_TIMEOUT;
    while child.try_wait().ok()?.is_none() {
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(Duration::from_millis(5));
    }
    let out = child.wait_with_output().ok()?;
    if !out.status.success() {
        return None;
    }
    #[derive(serde::Deserialize)]
    struct Said {
        release: String,
        free_threaded: bool,
        gil_enabled: bool,
        libpython: Option<String>,
    }
    let said: Said = serde_json::from_slice(&out.stdout).ok()?;
    let mut parts = said.release.split('.');
    let name = format!(
        "{}.{}{}",
        parts.next()?,
        parts.next()?,
        if said.free_threaded { "t" } else { "" }
    );
    Some(InterpreterInfo {
        name,
        release: said.release,
        // The path it was found at (a symbolic link on PATH keeps the name it was found
        // by; `sys.executable` may be another spelling of the same file).
        executable: exe.display().to_string(),
        origin: origin.to_string(),
        free_threaded: said.free_threaded,
        gil_enabled: said.gil_enabled,
        libpython: said.libpython,
    })
}

/// Every interpreter found, each executable once (by its real path), described in
/// parallel (a dozen interpreters start in about the time of one).
pub fn discover() -> Vec<InterpreterInfo> {
    let mut seen = BTreeSet::new();
    let unique: Vec<(PathBuf, &str)> = candidates()
        .into_iter()
        .filter(|(p, _)| seen.insert(p.canonicalize().unwrap_or_else(|_| p.clone())))
        .collect();
    let found: Vec<Option<InterpreterInfo>> = std::thread::scope(|s| {
        let handles: Vec<_> = unique
            .iter()
            .map(|(p, origin)| s.spawn(move || describe(p, origin)))
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().ok().flatten())
            .collect()
    });
    found.into_iter().flatten().collect()
}

/// The interpreter a scenario's `interpreter` value names, among `found`: a path is
/// described as given; a version picks the newest release of that `MAJOR.MINOR` with the
/// same build (free-threaded or not), the project's own before pyenv's before `PATH`'s.
/// `Err` is the note that says what was looked for.
pub fn resolve(request: &str, found: &[InterpreterInfo]) -> Result<InterpreterInfo, String> {
    if request.contains('/') {
        return describe(Path::new(request), "given").ok_or_else(|| {
            format!("interpreter \"{request}\" is not a python3 that runs (tried `{request} -I -c ...`)")
        });
    }
    let Some((major, minor, t)) = parse_version(request) else {
        return Err(format!(
            "interpreter \"{request}\" is neither a version nor a path"
        ));
    };
    let patch = |i: &InterpreterInfo| -> u32 {
        i.release
            .rsplit('.')
            .next()
            .and_then(|p| p.parse().ok())
            .unwrap_or(0)
    };
    let prefix = format!("{major}.{minor}.");
    let mut best: Option<&InterpreterInfo> = None;
    for i in found
        .iter()
        .filter(|i| i.release.starts_with(&prefix) && i.free_threaded == t)
    {
        if best.is_none_or(|b| patch(i) > patch(b)) {
            best = Some(i);
        }
    }
    best.cloned().ok_or_else(|| {
        let pyenv = pyenv_root().map_or_else(
            || "pyenv versions (no pyenv root)".to_string(),
            |r| {
                format!(
                    "{}/versions/{major}.{minor}.*{}",
                    r.display(),
                    if t { "t" } else { "" }
                )
            },
        );
        let hint = if t {
            " (scripts/get-free-threaded-python.sh builds 3.13t into .pythons/)"
        } else {
            ""
        };
        format!(
            "interpreter \"{request}\" not found: looked for python{major}.{minor}{} on PATH, \
             {pyenv}, and .pythons/ of the source tree{hint}; skipped its cells",
            if t { "t" } else { "" }
        )
    })
}

/// The cells whose `interpreter` is found on this machine, what each request resolved
/// to, and a note per request that is not (its cells are left out). Discovery runs only
/// when some cell asks for an interpreter.
pub fn resolve_cells(
    cells: Vec<Cell>,
) -> (Vec<Cell>, BTreeMap<String, InterpreterInfo>, Vec<String>) {
    let requests: BTreeSet<&String> = cells
        .iter()
        .filter_map(|c| c.interpreter.as_ref())
        .collect();
    if requests.is_empty() {
        return (cells, BTreeMap::new(), Vec::new());
    }
    let found = discover();
    let mut resolved = BTreeMap::new();
    let mut notes = Vec::new();
    for r in requests {
        match resolve(r, &found) {
            Ok(i) => {
                resolved.insert(r.clone(), i);
            }
            Err(note) => notes.push(note),
        }
    }
    let mut early = BTreeSet::new();
    let kept = cells
        .into_iter()
        .filter(|c| {
            let Some(i) = c.interpreter.as_ref() else {
                return true;
            };
            let Some(info) = resolved.get(i) else {
                return false;
            };
            // A GIL per interpreter arrived in 3.12 (PEP 684).
            if c.model == ModelKind::Subinterpreter && version_key(&info.release) < vec![3, 12] {
                early.insert(format!("{i} ({})", info.release));
                return false;
            }
            true
        })
        .collect();
    for i in early {
        notes.push(format!(
            "interpreter {i} has no subinterpreters with a GIL of their own (3.12+, PEP 684): \
             skipped its subinterpreter cells"
        ));
    }
    (kept, resolved, notes)
}

/// `spectrum list`'s lines: one per interpreter found.
pub fn list_text(found: &[InterpreterInfo]) -> String {
    if found.is_empty() {
        return "  none found (PATH, pyenv versions, .pythons/)\n".to_string();
    }
    let mut sorted: Vec<&InterpreterInfo> = found.iter().collect();
    sorted.sort_by_key(|i| (version_key(&i.release), i.free_threaded, i.origin.clone()));
    sorted
        .iter()
        .map(|i| {
            format!(
                "  {:<8}{:<9}{:<22}GIL {:<9}{:<8}{}\n",
                i.name,
                i.release,
                if i.free_threaded {
                    "free-threaded build"
                } else {
                    "GIL build"
                },
                if i.gil_enabled { "enabled" } else { "disabled" },
                i.origin,
                crate::text::path(Path::new(&i.executable))
            )
        })
        .collect()
}

/// `3.13.5` as numbers, for sorting.
fn version_key(release: &str) -> Vec<u32> {
    release.split('.').map(|p| p.parse().unwrap_or(0)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_parse() {
        assert_eq!(parse_version("3.13"), Some((3, 13, false)));
        assert_eq!(parse_version("3.13t"), Some((3, 13, true)));
        for bad in ["3", "3.", "t", "3.13tt", "3.x", "python3", "3.13.1"] {
            assert_eq!(parse_version(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_missing_version_says_where_it_looked() {
        let err = resolve("3.99t", &[]).unwrap_err();
        assert!(err.contains("3.99t") && err.contains("PATH"), "{err}");
        assert!(err.contains("get-free-threaded-python.sh"), "{err}");
    }

    #[test]
    fn the_newest_release_of_the_same_build_wins() {
        let info = |release: &str, ft: bool| InterpreterInfo {
            name: String::new(),
            release: release.into(),
            free_threaded: ft,
            ..Default::default()
        };
        let found = [
            info("3.13.0", false),
            info("3.13.5", true),
            info("3.13.2", false),
        ];
        assert_eq!(resolve("3.13", &found).unwrap().release, "3.13.2");
        assert_eq!(resolve("3.13t", &found).unwrap().release, "3.13.5");
        assert!(resolve("3.12", &found).is_err());
    }

    /// Discovery on this machine: whatever it finds must describe itself consistently.
    /// A machine with no python3 at all skips with a printed reason.
    #[test]
    fn discovery_describes_what_it_finds() {
        let found = discover();
        if found.is_empty() {
            eprintln!("skipped: no python3 on PATH, in pyenv or in .pythons/");
            return;
        }
        for i in &found {
            assert!(
                i.name
                    .starts_with(&i.release[..i.release.rfind('.').unwrap()]),
                "{i:?}"
            );
            assert_eq!(i.name.ends_with('t'), i.free_threaded, "{i:?}");
            // Before 3.13 there is no way to turn the GIL off.
            if version_key(&i.release) < vec![3, 13] {
                assert!(i.gil_enabled && !i.free_threaded, "{i:?}");
            }
            let again = resolve(&i.name, &found).unwrap();
            assert_eq!(again.name, i.name);
        }
    }
}
