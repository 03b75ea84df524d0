//! `cargo xtask bench-peers`: `reportctl indicators count` against two
//! Python extractors (iocextract 1.16.1, ioc-finder 9.4.1) on the same
//! deterministic corpus, in the same run: MB/s, ratios, peak memory; and
//! each tool's accuracy on the labelled cases (`peer_accuracy`).
//!
//! reportctl is timed as a whole process (start, read, count, print): a
//! conservative figure. The peers are timed inside Python around the
//! extraction alone (imports and reading excluded). They are slow, so they
//! run on 1 MB and 4 MB only; reportctl runs on 1, 4, 16 and 64 MB. Peak
//! memory is each process's maximum resident set (getrusage, through
//! `tools/bench/measure.py`).

use std::path::{Path, PathBuf};
use std::process::Command;

use anyhow::{Context, Result, bail};
use indicator_corpus as corpus;
use serde_json::Value;

use crate::python_tools::{self, BENCH_PEERS};
use crate::{cargo, target_dir};

const MB: usize = 1_000_000;
const SIZES_MB: [usize; 4] = [1, 4, 16, 64];
const PEER_SIZES_MB: [usize; 2] = [1, 4];
const PEERS: [&str; 2] = ["iocextract", "ioc-finder"];
/// Runs per size for reportctl (a few milliseconds each at 4 MB, where a
/// busy neighbour moves one run by 20%): the median counts.
const REPORTCTL_RUNS: usize = 11;
/// Runs per size for each peer; the median counts. iocextract runs once:
/// it takes a minute per MB.
fn peer_runs(peer: &str) -> usize {
    if peer == "ioc-finder" { 3 } else { 1 }
}
/// A peer still extracting after this long is stopped, and reported as
/// taking more than this (its ratio as a lower bound).
const PEER_TIME_LIMIT_S: u64 = 120;

/// One measured run.
struct Measured {
    seconds: f64,
    peak_mib: f64,
    /// Stopped at the time limit: `seconds` is a lower bound.
    timed_out: bool,
}

impl Measured {
    fn time(&self) -> String {
        if self.timed_out {
            format!("> {:.0} s", self.seconds)
        } else {
            format!("{:.3} s", self.seconds)
        }
    }
}

/// Runs `command` through measure.py; returns its JSON report.
fn measure(python: &Path, root: &Path, command: &[&str]) -> Result<Value> {
    let output = Command::new(python)
        .arg(root.join("tools/bench/measure.py"))
        .args(["--timeout", &PEER_TIME_LIMIT_S.to_string()])
        .args(command)
        .output()
        .context("cannot run tools/bench/measure.py")?;
    let report: Value = serde_json::from_slice(&output.stdout).with_context(|| {
        format!(
            "measure.py said: {}",
            String::from_utf8_lossy(&output.stderr)
        )
    })?;
    if report["timed_out"] != true && report["exit"] != 0 && report["exit"] != 3 {
        bail!("{} failed: {}", command.join(" "), report["stderr"]);
    }
    Ok(report)
}

fn peak_mib(report: &Value) -> f64 {
    report["max_rss_kib"].as_f64().unwrap_or(0.0) / 1024.0
}

/// The corpus file of `mb` megabytes, written if missing.
fn corpus_file(dir: &Path, mb: usize) -> Result<PathBuf> {
    let path = dir.join(format!("realistic-{mb}MB.txt"));
    let fresh = std::fs::metadata(&path).is_ok_and(|m| m.len() == (mb * MB) as u64);
    if !fresh {
        std::fs::write(&path, corpus::realistic(mb * MB, 42))
            .with_context(|| format!("cannot write {}", path.display()))?;
    }
    Ok(path)
}

fn median(mut values: Vec<f64>) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// Builds, generates, measures, and prints the table and the targets.
pub fn bench_peers(root: &Path) -> Result<()> {
    let bin = python_tools::ensure(root, &BENCH_PEERS)?;
    let python = bin.join("python");
    cargo(root, &["build", "--quiet", "--release", "-p", "reportctl"])?;
    let reportctl = target_dir(root).join("release/reportctl");
    let reportctl = reportctl.to_string_lossy().into_owned();
    let dir = target_dir(root).join("bench-corpus");
    std::fs::create_dir_all(&dir)?;

    let mut ours = Vec::new();
    for mb in SIZES_MB {
        let file = corpus_file(&dir, mb)?;
        let file = file.to_string_lossy().into_owned();
        let mut seconds = Vec::new();
        let mut peak = 0.0f64;
        for _ in 0..REPORTCTL_RUNS {
            let report = measure(
                &python,
                root,
                &[&reportctl, "--json", "indicators", "count", &file],
            )?;
            seconds.push(report["wall"].as_f64().unwrap_or(f64::NAN));
            peak = peak.max(peak_mib(&report));
        }
        let measured = Measured {
            seconds: median(seconds),
            peak_mib: peak,
            timed_out: false,
        };
        eprintln!("xtask: reportctl on {mb} MB: {}", measured.time());
        ours.push((mb, measured));
    }
    let mut peers = Vec::new();
    let script = root
        .join("tools/bench/peers.py")
        .to_string_lossy()
        .into_owned();
    let python_path = python.to_string_lossy().into_owned();
    for mb in PEER_SIZES_MB {
        let file = corpus_file(&dir, mb)?.to_string_lossy().into_owned();
        for peer in PEERS {
            let mut runs = Vec::new();
            for _ in 0..peer_runs(peer) {
                let report = measure(&python, root, &[&python_path, &script, peer, &file])?;
                runs.push(if report["timed_out"] == true {
                    Measured {
                        seconds: PEER_TIME_LIMIT_S as f64,
                        peak_mib: peak_mib(&report),
                        timed_out: true,
                    }
                } else {
                    let inner: Value =
                        serde_json::from_str(report["stdout"].as_str().unwrap_or("{}"))?;
                    Measured {
                        seconds: inner["seconds"].as_f64().unwrap_or(f64::NAN),
                        peak_mib: peak_mib(&report),
                        timed_out: false,
                    }
                });
            }
            runs.sort_by(|a, b| a.seconds.total_cmp(&b.seconds));
            let measured = runs.swap_remove(runs.len() / 2);
            eprintln!("xtask: {peer} on {mb} MB: {}", measured.time());
            peers.push((peer, mb, measured));
        }
    }

    println!("| tool | corpus | time | MB/s | peak memory | reportctl is faster by |");
    println!("|---|---|---|---|---|---|");
    for (mb, m) in &ours {
        println!(
            "| reportctl (whole process) | {mb} MB | {} | {:.0} | {:.1} MiB | |",
            m.time(),
            *mb as f64 / m.seconds,
            m.peak_mib
        );
    }
    for (peer, mb, m) in &peers {
        let ratio = ours
            .iter()
            .find(|(size, _)| size == mb)
            .map_or(f64::NAN, |(_, o)| m.seconds / o.seconds);
        // A peer stopped at the time limit ran at most this fast, and
        // reportctl is at least this much faster.
        let (slower, faster) = if m.timed_out { ("< ", "> ") } else { ("", "") };
        println!(
            "| {peer} (extraction only) | {mb} MB | {} | {slower}{:.2} | {:.1} MiB | {faster}{ratio:.0}× |",
            m.time(),
            *mb as f64 / m.seconds,
            m.peak_mib
        );
    }

    let time_of = |mb: usize| {
        ours.iter()
            .find(|(size, _)| *size == mb)
            .map_or(f64::NAN, |(_, m)| m.seconds)
    };
    let peer_at_4 = |name: &str| {
        peers
            .iter()
            .find(|(p, mb, _)| *p == name && *mb == 4)
            .map_or(f64::NAN, |(_, _, m)| m.seconds)
    };
    let verdict = |ok: bool| if ok { "met" } else { "NOT met" };
    let vs_iocextract = peer_at_4("iocextract") / time_of(4);
    let vs_ioc_finder = peer_at_4("ioc-finder") / time_of(4);
    let growth = time_of(64) / time_of(16);
    let (peak_64, allowed) = (
        ours.last().map_or(f64::NAN, |(_, m)| m.peak_mib),
        2.0 * 64.0 * MB as f64 / 1048576.0 + 20.0,
    );
    println!();
    println!(
        "accuracy on the labelled cases (crates/trustar-indicators/tests/data/indicator-cases.json):"
    );
    println!();
    crate::peer_accuracy::print(&crate::peer_accuracy::accuracy(
        root,
        &python,
        Path::new(&reportctl),
        &PEERS,
    )?);
    println!();
    println!("targets (same run):");
    println!(
        "  {vs_iocextract:.0}× faster than iocextract on 4 MB (target 500×): {}",
        verdict(vs_iocextract >= 500.0)
    );
    println!(
        "  {vs_ioc_finder:.0}× faster than ioc-finder on 4 MB (target 150×): {}",
        verdict(vs_ioc_finder >= 150.0)
    );
    println!(
        "  64 MB takes {growth:.2}× the 16 MB time (target at most 4.4×): {}",
        verdict(growth <= 4.4)
    );
    println!(
        "  peak memory on 64 MB {peak_64:.0} MiB (target at most {allowed:.0} MiB): {}",
        verdict(peak_64 <= allowed)
    );
    Ok(())
}
