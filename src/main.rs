//! The `spectrum` binary: parse the command line, call the library, print errors, set
//! the exit code (0 ok, 1 a run had failed cells, 2 bad input, 130 interrupted).

use clap::Parser;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = spectrum::cli::Cli::parse();
    match spectrum::app::main(cli) {
        Ok(code) => code,
        // The reader of our output went away (`spectrum list | head`): nothing to report.
        Err(err) if spectrum::app::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("Error: {err:#}");
            ExitCode::from(spectrum::app::exit_code_for(&err))
        }
    }
}
