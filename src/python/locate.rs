//! Where the Python side lives: the `python_workloads` folder and the `python3` to run.

use std::env;
use std::path::{Path, PathBuf};

/// The environment variable that points spectrum at the folder holding `python_workloads`.
pub const WORKLOADS_ENV: &str = "SPECTRUM_PYTHON_WORKLOADS";

/// The `python_workloads` package could not be found: a usage error (exit code 2) that
/// says where spectrum looked and how to point it elsewhere.
#[derive(Debug, thiserror::Error)]
#[error(
    "no python_workloads package in '{dir}' (taken from {source_of}): expected \
     '{dir}/python_workloads/__init__.py'. Point spectrum at the folder that holds \
     python_workloads with --python-workloads DIR or {WORKLOADS_ENV}=DIR"
)]
pub struct WorkloadsNotFound {
    /// The folder that was searched.
    pub dir: PathBuf,
    /// Where that folder came from (a flag, the environment, the source tree).
    pub source_of: String,
}

/// Finds the folder holding the `python_workloads` package: `flag`, else
/// `$SPECTRUM_PYTHON_WORKLOADS`, else the source tree spectrum was built from. The
/// package folder itself is accepted too (its parent is returned).
pub(crate) fn locate_workloads(flag: Option<&Path>) -> Result<PathBuf, WorkloadsNotFound> {
    if let Some(dir) = flag {
        return check_workloads(dir, "--python-workloads");
    }
    if let Some(dir) = env::var_os(WORKLOADS_ENV).filter(|v| !v.is_empty()) {
        return check_workloads(Path::new(&dir), &format!("${WORKLOADS_ENV}"));
    }
    check_workloads(
        Path::new(env!("CARGO_MANIFEST_DIR")),
        "the source tree spectrum was built from",
    )
}

/// Checks that `dir` holds `python_workloads/__init__.py` and returns it as an absolute
/// path (cell children and the `python3` runner may run from another directory).
pub(crate) fn check_workloads(dir: &Path, source_of: &str) -> Result<PathBuf, WorkloadsNotFound> {
    let not_found = || WorkloadsNotFound {
        dir: dir.to_path_buf(),
        source_of: source_of.to_string(),
    };
    let holder = if dir.join("python_workloads/__init__.py").is_file() {
        dir.to_path_buf()
    } else if dir.file_name() == Some("python_workloads".as_ref())
        && dir.join("__init__.py").is_file()
    {
        dir.parent().map(Path::to_path_buf).ok_or_else(not_found)?
    } else {
        return Err(not_found());
    };
    holder.canonicalize().map_err(|_| not_found())
}

/// The `python3` of the `cpython` runtime: the interpreter pyo3 was built against (so
/// both runtimes measure the same CPython), else `python3` from `PATH`.
pub fn interpreter() -> PathBuf {
    let built = env!("SPECTRUM_PYO3_PYTHON");
    if !built.is_empty() && Path::new(built).is_file() {
        PathBuf::from(built)
    } else {
        PathBuf::from("python3")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_source_tree_holds_the_package() {
        let dir = check_workloads(Path::new(env!("CARGO_MANIFEST_DIR")), "test").unwrap();
        assert!(dir.join("python_workloads/kernel.py").is_file());
        assert!(dir.is_absolute());
    }

    #[test]
    fn the_package_folder_itself_is_accepted() {
        let pkg = Path::new(env!("CARGO_MANIFEST_DIR")).join("python_workloads");
        let dir = check_workloads(&pkg, "test").unwrap();
        assert!(dir.join("python_workloads").is_dir());
    }

    #[test]
    fn a_wrong_folder_says_how_to_fix_it() {
        let tmp = tempfile::tempdir().unwrap();
        let err = locate_workloads(Some(tmp.path())).unwrap_err().to_string();
        assert!(err.contains("--python-workloads"), "{err}");
        assert!(err.contains(WORKLOADS_ENV), "{err}");
        assert!(err.contains(&tmp.path().display().to_string()), "{err}");
    }
}
