//! Settings: flags first, then the environment (the facade's names), then
//! a profile of the config file. Secrets come from the environment or from
//! files, never from flag values (argv is visible to other users).
//!
//! The config file (`$XDG_CONFIG_HOME/threat-reports/config.toml`) holds
//! profiles of plain strings; secrets are named by file:
//!
//! ```toml
//! [profiles.default]
//! xsiam_url = "https://api-tenant.xdr.us.paloaltonetworks.com"
//! xsiam_key_id = "241"
//! xsiam_api_key_file = "/home/me/.secrets/xsiam-key"
//! xsiam_auth_mode = "advanced"
//! xsiam_body_envelope = "request_data"
//! trustar_url = "https://api.trustar.co"
//! trustar_api_key_file = "/home/me/.secrets/trustar-key"
//! trustar_api_secret_file = "/home/me/.secrets/trustar-secret"
//! ```

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::Failure;

/// The keys a profile may hold.
pub const KNOWN_KEYS: [&str; 8] = [
    "xsiam_url",
    "xsiam_key_id",
    "xsiam_api_key_file",
    "xsiam_auth_mode",
    "xsiam_body_envelope",
    "trustar_url",
    "trustar_api_key_file",
    "trustar_api_secret_file",
];

/// One profile of the config file: setting name → value.
#[derive(Debug, Default)]
pub struct Profile {
    values: BTreeMap<String, String>,
    source: Option<PathBuf>,
}

/// The default config file: `$XDG_CONFIG_HOME/threat-reports/config.toml`,
/// or `~/.config/threat-reports/config.toml`.
fn default_path() -> Option<PathBuf> {
    let base = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".config")))?;
    Some(base.join("threat-reports/config.toml"))
}

/// The profile `name` of the config file at `path` (or the default file).
/// A missing default file is an empty profile; a missing named file, an
/// unreadable one, or a missing non-default profile is an error.
pub fn load(path: Option<&Path>, name: &str) -> Result<Profile, Failure> {
    let (path, required) = match path {
        Some(path) => (path.to_path_buf(), true),
        None => match default_path() {
            Some(path) => (path, false),
            None => return Ok(Profile::default()),
        },
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && !required && name == "default" => {
            return Ok(Profile::default());
        }
        Err(e) => {
            return Err(Failure::usage(format!(
                "cannot read the config file {}: {e}",
                path.display()
            )));
        }
    };
    let document: toml::Table = text.parse().map_err(|e| {
        Failure::usage(format!(
            "the config file {} is not valid TOML: {e}",
            path.display()
        ))
    })?;
    let profile = document.get("profiles").and_then(|p| p.get(name));
    let Some(profile) = profile else {
        if name == "default" {
            return Ok(Profile {
                values: BTreeMap::new(),
                source: Some(path),
            });
        }
        return Err(Failure::usage(format!(
            "the config file {} has no [profiles.{name}]",
            path.display()
        )));
    };
    let mut values = BTreeMap::new();
    for (key, value) in profile.as_table().into_iter().flatten() {
        if !KNOWN_KEYS.contains(&key.as_str()) {
            return Err(Failure::usage(format!(
                "[profiles.{name}] in {} has an unknown key {key:?}; the known keys are {}",
                path.display(),
                KNOWN_KEYS.join(", ")
            )));
        }
        let text = match value {
            toml::Value::String(text) => text.clone(),
            // `xsiam_key_id = 241` is what people write for a number.
            toml::Value::Integer(n) => n.to_string(),
            _ => {
                return Err(Failure::usage(format!(
                    "[profiles.{name}] {key} in {} must be a string (or, for a key id, a whole number)",
                    path.display()
                )));
            }
        };
        values.insert(key.clone(), text);
    }
    Ok(Profile {
        values,
        source: Some(path),
    })
}

/// A secret read from a file: the first line, without the line break. An
/// empty file, or an empty first line, is refused: the secret goes on the
/// first line. `what` says how the file was named.
fn read_secret(what: &str, path: &Path) -> Result<String, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::usage(format!("cannot read {what} {}: {e}", path.display())))?;
    let first = text
        .lines()
        .next()
        .unwrap_or_default()
        .trim_end_matches('\r');
    if first.trim().is_empty() {
        let problem = if text.trim().is_empty() {
            "is empty"
        } else {
            "has an empty first line"
        };
        return Err(Failure::usage(format!(
            "{what} {} {problem}; the secret goes on the first line",
            path.display()
        )));
    }
    Ok(first.to_string())
}

/// How one setting is found.
pub struct Setting<'a> {
    /// The facade's (and the environment's) name.
    pub name: &'static str,
    /// The flag, as typed (`--url`).
    pub flag_name: &'static str,
    /// The flag's value, if given.
    pub flag: Option<String>,
    /// A flag naming a file that holds the value (secrets).
    pub flag_file: Option<&'a Path>,
    /// The config key: the value itself, or, for secrets, a file path.
    pub config_key: &'static str,
    /// Whether the config key names a file holding the value.
    pub config_is_file: bool,
}

impl<'a> Setting<'a> {
    /// A plain setting: a flag value, the environment, or the profile.
    pub fn value(
        name: &'static str,
        flag_name: &'static str,
        flag: Option<String>,
        config_key: &'static str,
    ) -> Self {
        Setting {
            name,
            flag_name,
            flag,
            flag_file: None,
            config_key,
            config_is_file: false,
        }
    }

    /// A secret: a file named by flag, the environment, or a file named by
    /// the profile.
    pub fn secret(
        name: &'static str,
        flag_name: &'static str,
        flag_file: Option<&'a Path>,
        config_key: &'static str,
    ) -> Self {
        Setting {
            name,
            flag_name,
            flag: None,
            flag_file,
            config_key,
            config_is_file: true,
        }
    }
}

/// Resolves every setting, in order: flag, environment, config profile.
pub fn resolve(
    settings: Vec<Setting<'_>>,
    profile: &Profile,
) -> Result<BTreeMap<&'static str, String>, Failure> {
    let mut resolved = BTreeMap::new();
    for setting in settings {
        let value = if let Some(value) = setting.flag {
            Some(value)
        } else if let Some(path) = setting.flag_file {
            Some(read_secret(
                &format!("the {} file", setting.flag_name),
                path,
            )?)
        } else if let Some(value) = std::env::var(setting.name).ok().filter(|v| !v.is_empty()) {
            Some(value)
        } else if let Some(value) = profile.values.get(setting.config_key) {
            if setting.config_is_file {
                Some(read_secret(
                    &format!(
                        "the file that {} names in {}",
                        setting.config_key,
                        profile.describe()
                    ),
                    Path::new(value),
                )?)
            } else {
                Some(value.clone())
            }
        } else {
            None
        };
        if let Some(value) = value {
            resolved.insert(setting.name, value);
        }
    }
    Ok(resolved)
}

impl Profile {
    /// Where the profile came from, for messages.
    pub fn describe(&self) -> String {
        match &self.source {
            Some(path) => path.display().to_string(),
            None => "no config file".into(),
        }
    }
}
