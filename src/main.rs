//! The `spectrum` binary: parse the command line, call the library, print errors, set
//! the exit code (0 ok, 1 a run had failed cells, 2 bad input).

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = spectrum::cli::Cli::parse();
    match spectrum::app::main(cli) {
        Ok(code) => code,
        Err(err) => {
            eprintln!("Error: {err:#}");
            ExitCode::from(spectrum::app::exit_code_for(&err))
        }
    }
}
