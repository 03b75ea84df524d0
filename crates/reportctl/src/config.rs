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

/// XSIAM's settings, in the order they are resolved.
pub const XSIAM: [Source; 7] = [
    Source {
        env: "XSIAM_API_URL",
        flag: "--url",
        config_key: "xsiam_url",
        secret: None,
    },
    Source {
        env: "XSIAM_API_KEY_ID",
        flag: "--key-id",
        config_key: "xsiam_key_id",
        secret: None,
    },
    Source {
        env: "XSIAM_API_KEY",
        flag: "--api-key-file",
        config_key: "xsiam_api_key_file",
        secret: Some("the API key"),
    },
    Source {
        env: "XSIAM_AUTH_MODE",
        flag: "--auth-mode",
        config_key: "xsiam_auth_mode",
        secret: None,
    },
    Source {
        env: "XSIAM_BODY_ENVELOPE",
        flag: "--body-envelope",
        config_key: "xsiam_body_envelope",
        secret: None,
    },
    Source {
        env: "XSIAM_PROXY",
        flag: "--proxy",
        config_key: "xsiam_proxy",
        secret: None,
    },
    Source {
        env: "XSIAM_CA_CERT",
        flag: "--ca-cert",
        config_key: "xsiam_ca_cert",
        secret: None,
    },
];

/// TruSTAR's settings, in the order they are resolved.
pub const TRUSTAR: [Source; 5] = [
    Source {
        env: "TRUSTAR_BASE_URL",
        flag: "--url",
        config_key: "trustar_url",
        secret: None,
    },
    Source {
        env: "TRUSTAR_API_KEY",
        flag: "--api-key-file",
        config_key: "trustar_api_key_file",
        secret: Some("the API key"),
    },
    Source {
        env: "TRUSTAR_API_SECRET",
        flag: "--api-secret-file",
        config_key: "trustar_api_secret_file",
        secret: Some("the API secret"),
    },
    Source {
        env: "TRUSTAR_PROXY",
        flag: "--proxy",
        config_key: "trustar_proxy",
        secret: None,
    },
    Source {
        env: "TRUSTAR_CA_CERT",
        flag: "--ca-cert",
        config_key: "trustar_ca_cert",
        secret: None,
    },
];

/// The setting whose environment variable is `env`.
pub fn source(env: &str) -> Option<&'static Source> {
    XSIAM.iter().chain(&TRUSTAR).find(|s| s.env == env)
}

/// The keys a profile may hold.
fn known_keys() -> impl Iterator<Item = &'static str> {
    XSIAM.iter().chain(&TRUSTAR).map(|s| s.config_key)
}

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
        if !known_keys().any(|known| known == key) {
            return Err(Failure::usage(format!(
                "[profiles.{name}] in {} has an unknown key {key:?}; the known keys are {}",
                path.display(),
                known_keys().collect::<Vec<_>>().join(", ")
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

/// Where one setting can come from: its flag, its environment variable
/// (the facade's name) and its profile key. Secrets are files when named
/// by flag or profile, never a flag's value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source {
    /// The environment variable, which is also the facade's name.
    pub env: &'static str,
    /// The flag, as typed (`--url`, `--api-key-file`).
    pub flag: &'static str,
    /// The profile key.
    pub config_key: &'static str,
    /// What the value is, for a secret (`the API key`); `None` for a plain
    /// value.
    pub secret: Option<&'static str>,
}

impl Source {
    /// Every place this setting comes from, as a user would give it.
    pub fn described(&self) -> String {
        let (flag, env, key) = (self.flag, self.env, self.config_key);
        match self.secret {
            Some(what) => format!("{what}: {flag} FILE (or {env}, or {key} in the profile)"),
            None => format!("{flag} (or {env}, or {key} in the profile)"),
        }
    }
}

/// One setting, as given on this command line.
pub struct Setting<'a> {
    /// Where it can come from.
    pub source: &'static Source,
    /// The flag's value (a plain setting), if given.
    pub flag: Option<String>,
    /// The file the flag names (a secret), if given.
    pub flag_file: Option<&'a Path>,
}

/// Resolves every setting, in order: flag, environment, config profile.
pub fn resolve(
    settings: Vec<Setting<'_>>,
    profile: &Profile,
) -> Result<BTreeMap<&'static str, String>, Failure> {
    let mut resolved = BTreeMap::new();
    for setting in settings {
        let source = setting.source;
        let value = if let Some(value) = setting.flag {
            Some(value)
        } else if let Some(path) = setting.flag_file {
            Some(read_secret(&format!("the {} file", source.flag), path)?)
        } else if let Some(value) = std::env::var(source.env).ok().filter(|v| !v.is_empty()) {
            Some(value)
        } else if let Some(value) = profile.values.get(source.config_key) {
            if source.secret.is_some() {
                Some(read_secret(
                    &format!(
                        "the file that {} names in {}",
                        source.config_key,
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
            resolved.insert(source.env, value);
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
