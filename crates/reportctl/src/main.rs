//! `reportctl`: see `reportctl --help`. The work is in the library.

use std::process::ExitCode;

fn main() -> ExitCode {
    reportctl::main(std::env::args_os())
}
