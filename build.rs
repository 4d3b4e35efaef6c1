//! Build script: make the binary load the libpython it was built against.
//!
//! pyo3 links one libpython at build time, but without an rpath the dynamic loader
//! finds whichever `libpython3.x.so` comes first on the system path (on this machine,
//! Debian's), which may be a different build from the interpreter pyo3 was configured
//! with. The rpath pins it. This runs even when the `python` feature is off so that
//! turning the feature on never changes which library is loaded.

fn main() {
    pyo3_build_config::add_libpython_rpath_link_args();
    // Record the interpreter in use so the results can name it.
    let config = pyo3_build_config::get();
    if let Some(exe) = &config.executable {
        println!("cargo:rustc-env=SPECTRUM_PYO3_PYTHON={exe}");
    } else {
        println!("cargo:rustc-env=SPECTRUM_PYO3_PYTHON=");
    }
    if let Some(dir) = &config.lib_dir {
        println!("cargo:rustc-env=SPECTRUM_PYO3_LIB_DIR={dir}");
    } else {
        println!("cargo:rustc-env=SPECTRUM_PYO3_LIB_DIR=");
    }
    println!("cargo:rerun-if-env-changed=PYO3_PYTHON");
    // The compiler that builds spectrum, for the results' environment record.
    println!("cargo:rustc-env=SPECTRUM_RUSTC_VERSION={}", rustc_version());
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
