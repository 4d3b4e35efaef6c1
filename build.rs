//! Build script: make the binary load the libpython it was built against, and record
//! the interpreter and the compiler for the results' environment.
//!
//! pyo3 links one libpython at build time, but without an rpath the dynamic loader
//! finds whichever `libpython3.x.so` comes first on the system path (on the development
//! VM, Debian's), which may be a different build from the interpreter pyo3 was configured
//! with. The rpath pins it.
//!
//! All of that is the `python` feature's (`CARGO_FEATURE_PYTHON`; `pyo3-build-config` is
//! an optional build-dependency it enables): without it the build never runs or even
//! looks for a Python, so `cargo build --no-default-features` works on a machine with none.

fn main() {
    python_config();
    // The compiler that builds spectrum, for the results' environment record.
    println!("cargo:rustc-env=SPECTRUM_RUSTC_VERSION={}", rustc_version());
}

/// The rpath, and the interpreter in use so the results can name it.
#[cfg(feature = "python")]
fn python_config() {
    pyo3_build_config::add_libpython_rpath_link_args();
    // `Py_3_12` and the like, for the code that needs a given CPython (subinterpreters
    // with their own GIL), and their check-cfg declarations.
    pyo3_build_config::use_pyo3_cfgs();
    let config = pyo3_build_config::get();
    println!(
        "cargo:rustc-env=SPECTRUM_PYO3_VERSION={}.{}",
        config.version.major, config.version.minor
    );
    let exe = config.executable.as_deref().unwrap_or("");
    println!("cargo:rustc-env=SPECTRUM_PYO3_PYTHON={exe}");
    let lib_dir = config.lib_dir.as_deref().unwrap_or("");
    println!("cargo:rustc-env=SPECTRUM_PYO3_LIB_DIR={lib_dir}");
    println!("cargo:rerun-if-env-changed=PYO3_PYTHON");
}

/// No embedded interpreter: nothing to link or record. The `cpython` runtime then runs
/// the `python3` on `PATH` (`python::interpreter` reads the empty value that way).
#[cfg(not(feature = "python"))]
fn python_config() {
    // The version cfgs pyo3 would set are never set here, but code that tests them
    // (`cfg!(all(feature = "python", Py_3_12))`) still names them.
    println!("cargo:rustc-check-cfg=cfg(Py_3_12)");
    println!("cargo:rustc-env=SPECTRUM_PYO3_PYTHON=");
    println!("cargo:rustc-env=SPECTRUM_PYO3_VERSION=");
    println!("cargo:rustc-env=SPECTRUM_PYO3_LIB_DIR=");
}

/// `$RUSTC --version` (cargo tells build scripts which compiler it uses), or a note.
fn rustc_version() -> String {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    std::process::Command::new(rustc)
        .arg("--version")
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_else(|| "rustc (version unknown)".into())
}
