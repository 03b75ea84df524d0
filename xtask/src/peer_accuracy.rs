//! The accuracy half of `bench-peers`: each tool on the labelled cases,
//! judged by TruSTAR's rules on the kinds the tool reports.
//!
//! A case is right for a tool when, for every kind the tool reports, it
//! finds exactly the expected values. Values are compared in lower case
//! with a trailing `.` dropped, and nothing else forgiven: a user who
//! predicts TruSTAR's count needs TruSTAR's values (a bare domain is not
//! `http://domain`, an uncompressed IPv6 address is the same address).

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Command;

use anyhow::{Context, Result, bail};
use serde_json::Value;

/// Per kind, the distinct values.
type Found = BTreeMap<String, BTreeSet<String>>;

/// One tool's score.
pub struct Accuracy {
    /// The tool.
    pub tool: String,
    /// The TruSTAR kinds it reports.
    pub kinds: Vec<String>,
    /// Cases it got exactly right, on its kinds.
    pub cases_right: usize,
    /// Cases in all.
    pub cases: usize,
    /// Expected values (of its kinds) it found.
    pub hits: usize,
    /// Expected values of its kinds.
    pub expected: usize,
    /// Values it found that TruSTAR would not count (or would count as
    /// another value).
    pub extra: usize,
}

fn normalized(value: &str) -> String {
    value.trim().trim_end_matches('.').to_lowercase()
}

fn found_from(json: &Value) -> Found {
    let mut found = Found::new();
    if let Some(kinds) = json.as_object() {
        for (kind, values) in kinds {
            let set = found.entry(kind.clone()).or_default();
            for v in values.as_array().into_iter().flatten() {
                set.insert(normalized(v.as_str().unwrap_or_default()));
            }
        }
    }
    found
}

/// Scores `found` (per case, in the cases' order) against the cases.
fn score(tool: &str, kinds: Vec<String>, cases: &[Value], found: &[Found]) -> Accuracy {
    let mut accuracy = Accuracy {
        tool: tool.into(),
        kinds,
        cases_right: 0,
        cases: cases.len(),
        hits: 0,
        expected: 0,
        extra: 0,
    };
    let none = BTreeSet::new();
    for (case, found) in cases.iter().zip(found) {
        let expected = found_from(&case["expected"]);
        let mut right = true;
        for kind in &accuracy.kinds {
            let want = expected.get(kind).unwrap_or(&none);
            let got = found.get(kind).unwrap_or(&none);
            accuracy.expected += want.len();
            accuracy.hits += want.intersection(got).count();
            accuracy.extra += got.difference(want).count();
            right &= want == got;
        }
        accuracy.cases_right += usize::from(right);
    }
    accuracy
}

/// The kinds reportctl reports: TruSTAR's twelve but MALWARE, which needs
/// TruSTAR's unpublished dictionary.
const REPORTCTL_KINDS: [&str; 11] = [
    "IP",
    "CIDR_BLOCK",
    "URL",
    "EMAIL_ADDRESS",
    "MD5",
    "SHA1",
    "SHA256",
    "SOFTWARE",
    "REGISTRY_KEY",
    "CVE",
    "BITCOIN_ADDRESS",
];

/// What `reportctl --json indicators list` finds in `text`.
fn reportctl_found(reportctl: &Path, dir: &Path, text: &str) -> Result<Found> {
    let file = dir.join("case.txt");
    std::fs::write(&file, text)?;
    let output = Command::new(reportctl)
        .args(["--json", "indicators", "list"])
        .arg(&file)
        .output()
        .context("cannot run reportctl")?;
    if !output.status.success() {
        bail!(
            "reportctl indicators list failed: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let listed: Vec<Value> = serde_json::from_slice(&output.stdout)?;
    let mut found = Found::new();
    for indicator in listed {
        found
            .entry(indicator["kind"].as_str().unwrap_or_default().to_string())
            .or_default()
            .insert(normalized(indicator["value"].as_str().unwrap_or_default()));
    }
    Ok(found)
}

/// Every tool on the labelled cases: reportctl (the release binary, so the
/// xtask needs none of the project's libraries), the peers through
/// `tools/bench/peers.py accuracy`.
pub fn accuracy(
    root: &Path,
    python: &Path,
    reportctl: &Path,
    peers: &[&str],
) -> Result<Vec<Accuracy>> {
    let cases_path = root.join("crates/trustar-indicators/tests/data/indicator-cases.json");
    let cases: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(&cases_path)
            .with_context(|| format!("cannot read {}", cases_path.display()))?,
    )?;
    let dir = crate::target_dir(root).join("bench-accuracy");
    std::fs::create_dir_all(&dir)?;
    let ours = cases
        .iter()
        .map(|case| reportctl_found(reportctl, &dir, case["text"].as_str().unwrap_or_default()))
        .collect::<Result<Vec<Found>>>()?;
    let our_kinds = REPORTCTL_KINDS.iter().map(|k| k.to_string()).collect();
    let mut scores = vec![score("reportctl", our_kinds, &cases, &ours)];
    for peer in peers {
        let output = Command::new(python)
            .arg(root.join("tools/bench/peers.py"))
            .args(["accuracy", peer])
            .arg(&cases_path)
            .output()
            .context("cannot run tools/bench/peers.py")?;
        if !output.status.success() {
            bail!(
                "peers.py accuracy {peer} failed: {}",
                String::from_utf8_lossy(&output.stderr)
            );
        }
        let report: Value = serde_json::from_slice(&output.stdout)?;
        let kinds = report["kinds"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|k| k.as_str().map(String::from))
            .collect();
        let found: Vec<Found> = report["cases"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|c| found_from(&c["found"]))
            .collect();
        scores.push(score(peer, kinds, &cases, &found));
    }
    Ok(scores)
}

/// The table `bench-peers` prints.
pub fn print(scores: &[Accuracy]) {
    println!(
        "| tool | kinds it reports | labelled cases right | expected values found | values TruSTAR would not count |"
    );
    println!("|---|---|---|---|---|");
    for s in scores {
        println!(
            "| {} | {} | {} of {} | {} of {} | {} |",
            s.tool,
            s.kinds.join(", "),
            s.cases_right,
            s.cases,
            s.hits,
            s.expected,
            s.extra
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_case_is_right_only_with_exactly_the_expected_values_of_the_tools_kinds() {
        let cases: Vec<Value> = serde_json::from_str(
            r#"[{"expected": {"IP": ["8.8.8.8"], "CVE": ["CVE-2021-44228"]}},
                {"expected": {"URL": ["evil.com"]}}]"#,
        )
        .unwrap();
        let found = vec![
            found_from(&serde_json::json!({"IP": ["8.8.8.8"]})),
            found_from(&serde_json::json!({"URL": ["EVIL.com.", "http://evil.com"]})),
        ];
        let s = score("t", vec!["IP".into(), "URL".into()], &cases, &found);
        assert_eq!((s.cases_right, s.hits, s.expected, s.extra), (1, 2, 2, 1));
    }
}
