//! Dispatch of the subcommands to the library (the binary's only entry point).

use anyhow::Result;
use std::process::ExitCode;

use crate::cli::{Cli, Command};

/// Runs the command line; returns the exit code for a completed command.
pub fn main(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        None | Some(Command::Run(_)) => anyhow::bail!("run: not yet"),
        Some(_) => anyhow::bail!("not yet"),
    }
}

/// The exit code for an error that ended a command: 2 for bad input, 1 otherwise.
pub fn exit_code_for(err: &anyhow::Error) -> u8 {
    let _ = err;
    1
}
