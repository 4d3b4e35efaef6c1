//! `--export-json`: the results file itself (`spectrum.results/1`), as hyperfine's flag of
//! the same name gives its own JSON. One file only: merged files are not one document.

use anyhow::Result;

use super::{Exporter, Input};

/// Writes the one results file given, pretty-printed as `spectrum run` writes it.
#[derive(Debug, Clone, Copy, Default)]
pub struct JsonExporter;

impl Exporter for JsonExporter {
    fn serialize(&self, input: &Input) -> Result<Vec<u8>> {
        let [results] = input.files else {
            // `Exports::check` refuses this before any work; kept as an error, not a panic.
            anyhow::bail!(
                "copies one results file, and {} were given",
                input.files.len()
            );
        };
        crate::results::results_bytes(results)
    }
}
