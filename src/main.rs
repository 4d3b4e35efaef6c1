//! The `spectrum` binary: parse the command line, call the library, print errors, set
//! the exit code (0 ok, 1 a run had failed cells, 2 bad input, 3 disk full while saving
//! results, 130 interrupted).

use clap::Parser;
use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = spectrum::cli::Cli::parse();
    match spectrum::app::main(cli) {
        Ok(code) => code,
        // The reader of our output went away (`spectrum list | head`): nothing to report.
        Err(err) if spectrum::app::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => {
            // Whatever the message quotes (a path, a value, a child's stderr) is shown with
            // its control characters escaped; a closed stderr is no reason to panic.
            let text = format!("Error: {err:#}\n");
            let _ = std::io::stderr().write_all(spectrum::text::escape_lines(&text).as_bytes());
            ExitCode::from(spectrum::app::exit_code_for(&err))
        }
    }
}
