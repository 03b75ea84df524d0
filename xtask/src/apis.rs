//! The registry of APIs: which spec generates which crate.
//!
//! Adding an API is one entry here plus `specs/NAME.yaml`; `cargo xtask
//! regenerate` then creates `crates/CRATE/` if it does not exist yet.

/// One OpenAPI spec and the client crate generated from it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Api {
    /// The spec's file stem: `specs/{spec}.yaml`.
    pub spec: &'static str,
    /// The generated crate's package name: `crates/{crate_name}/`.
    pub crate_name: &'static str,
}

/// Every API the workspace generates a client for.
pub const APIS: &[Api] = &[
    Api {
        spec: "xsiam",
        crate_name: "xsiam-client",
    },
    Api {
        spec: "trustar",
        crate_name: "trustar-client",
    },
];

impl Api {
    /// The spec's path relative to the workspace root.
    pub fn spec_path(&self) -> String {
        format!("specs/{}.yaml", self.spec)
    }

    /// The crate's directory relative to the workspace root.
    pub fn crate_dir(&self) -> String {
        format!("crates/{}", self.crate_name)
    }

    /// The generated module's path relative to the workspace root.
    pub fn generated_path(&self) -> String {
        format!("crates/{}/src/generated.rs", self.crate_name)
    }
}
