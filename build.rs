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
}
