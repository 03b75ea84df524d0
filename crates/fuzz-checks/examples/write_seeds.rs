//! Writes the seed corpus, one folder per fuzz target:
//! `cargo run -p fuzz-checks --example write_seeds -- DIR` makes
//! `DIR/extract/0`, `DIR/status/0`, … (`cargo xtask fuzz` runs it).

use std::path::PathBuf;
use std::process::ExitCode;

use fuzz_checks::{Target, seeds};

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: write_seeds DIR");
        return ExitCode::from(2);
    };
    for target in Target::ALL {
        let folder = dir.join(target.name());
        let written = std::fs::create_dir_all(&folder).and_then(|()| {
            seeds(target)
                .iter()
                .enumerate()
                .try_for_each(|(i, seed)| std::fs::write(folder.join(i.to_string()), seed))
        });
        if let Err(e) = written {
            eprintln!("cannot write seeds to {}: {e}", folder.display());
            return ExitCode::FAILURE;
        }
    }
    ExitCode::SUCCESS
}
