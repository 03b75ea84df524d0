//! Unpacked copies of the workspace's own crates that an earlier
//! `cargo package` left in cargo's registry cache.
//!
//! `cargo package` of several crates verifies each against the others
//! through a temporary registry, and cargo unpacks what it takes from there
//! into `$CARGO_HOME/registry/src/<source>/NAME-VERSION`. Cargo never
//! unpacks a crate twice: once that directory exists it is used as it is,
//! whatever the `.crate` file now holds. `<source>` does not change from
//! one run to the next (here it was the same even for two checkouts at
//! different paths), and our versions do not change with every edit, so a
//! machine whose cargo home outlives a run verifies against the sources of
//! an earlier one. A CI run failed that way: `threat-reports` was built
//! against a `trustar-client` generated from an older spec.
//! [`crate::library::package`] calls [`remove`] first.

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Cargo's home: `$CARGO_HOME`, else `~/.cargo`.
pub fn cargo_home() -> Option<PathBuf> {
    if let Some(home) = std::env::var_os("CARGO_HOME").filter(|h| !h.is_empty()) {
        return Some(PathBuf::from(home));
    }
    std::env::var_os("HOME")
        .filter(|h| !h.is_empty())
        .map(|h| PathBuf::from(h).join(".cargo"))
}

/// Removes every unpacked `NAME-VERSION` directory of the crates `names`
/// from the non-crates.io sources under `cargo_home/registry/src` (the
/// workspace's crates are not on crates.io, so they can only have come
/// from a temporary registry), and returns what it removed.
pub fn remove(cargo_home: &Path, names: &[&str]) -> io::Result<Vec<PathBuf>> {
    let sources = match fs::read_dir(cargo_home.join("registry").join("src")) {
        Ok(sources) => sources,
        Err(error) if error.kind() == io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(error) => return Err(error),
    };
    let mut removed = Vec::new();
    for source in sources {
        let source = source?;
        if source
            .file_name()
            .to_string_lossy()
            .starts_with("index.crates.io-")
        {
            continue;
        }
        for unpacked in fs::read_dir(source.path())? {
            let unpacked = unpacked?;
            let file_name = unpacked.file_name();
            let file_name = file_name.to_string_lossy();
            if names.iter().any(|name| is_version_of(&file_name, name)) {
                fs::remove_dir_all(unpacked.path())?;
                removed.push(unpacked.path());
            }
        }
    }
    removed.sort();
    Ok(removed)
}

/// Whether `directory` is `name-VERSION` (a version starts with a digit).
fn is_version_of(directory: &str, name: &str) -> bool {
    directory
        .strip_prefix(name)
        .and_then(|rest| rest.strip_prefix('-'))
        .is_some_and(|version| version.starts_with(|c: char| c.is_ascii_digit()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_version_directory_is_told_from_a_longer_name() {
        assert!(is_version_of("trustar-client-0.1.0", "trustar-client"));
        assert!(!is_version_of(
            "trustar-client-extra-0.1.0",
            "trustar-client"
        ));
        assert!(!is_version_of("trustar-clients-0.1.0", "trustar-client"));
        assert!(!is_version_of("trustar-0.1.0", "trustar-client"));
    }

    #[test]
    fn only_our_crates_outside_crates_io_are_removed() {
        let home = tempfile::tempdir().unwrap();
        let src = home.path().join("registry").join("src");
        let ours = src.join("-3f2a9c").join("trustar-client-0.1.0");
        let other_of_ours = src.join("-9d01e4").join("api-time-0.1.0");
        let foreign = src.join("-3f2a9c").join("serde-1.0.229");
        let same_name_on_crates_io = src
            .join("index.crates.io-1949cf8c6b5b557f")
            .join("api-time-0.1.0");
        for directory in [&ours, &other_of_ours, &foreign, &same_name_on_crates_io] {
            fs::create_dir_all(directory).unwrap();
            fs::write(directory.join(".cargo-ok"), "{\"v\":1}").unwrap();
        }

        let removed = remove(home.path(), &["trustar-client", "api-time"]).unwrap();

        assert_eq!(removed, [ours.clone(), other_of_ours.clone()]);
        assert!(!ours.exists() && !other_of_ours.exists());
        assert!(foreign.exists() && same_name_on_crates_io.exists());
        assert!(remove(home.path(), &["trustar-client"]).unwrap().is_empty());
    }

    #[test]
    fn a_cargo_home_without_a_registry_has_nothing_to_remove() {
        let home = tempfile::tempdir().unwrap();
        assert!(remove(home.path(), &["trustar-client"]).unwrap().is_empty());
    }
}
