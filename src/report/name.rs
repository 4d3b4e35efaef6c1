//! The one place the terminal table and the exports get a cell's model name from.
//!
//! Today that is the short label (`thread cpu=native io=py gil=held`); a plain-words name
//! ("Python threads, CPU in native code, GIL held") is being written elsewhere and
//! replaces the body of [`model_name`] when it lands — nothing else needs to change.

use crate::results::CellResult;

/// The name a table shows for the model (and its variants) of `cell`.
pub fn model_name(cell: &CellResult) -> String {
    cell.label.clone()
}
