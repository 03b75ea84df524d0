//! What the reportctl tests share: a sandbox on its own runtime, and the
//! command with a clean environment.

#![allow(dead_code)]

use std::path::Path;

use report_sandbox::{Fault, RunningSandbox, Sandbox, SandboxBuilder, SandboxState};

/// A sandbox on its own runtime, alive as long as this value.
pub struct Server {
    pub sandbox: RunningSandbox,
    _runtime: tokio::runtime::Runtime,
}

pub fn server() -> Server {
    server_with(Sandbox::builder())
}

pub fn server_with(builder: SandboxBuilder) -> Server {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let sandbox = runtime.block_on(builder.start()).unwrap();
    Server {
        sandbox,
        _runtime: runtime,
    }
}

/// The environment reportctl gets: no config file, and the sandbox's
/// settings when a server is given.
pub fn environment(server: Option<&Server>, config_home: &Path) -> Vec<(String, String)> {
    let mut env = vec![
        (
            "XDG_CONFIG_HOME".to_string(),
            config_home.display().to_string(),
        ),
        (
            "PATH".to_string(),
            std::env::var("PATH").unwrap_or_default(),
        ),
    ];
    if let Some(server) = server {
        let c = server.sandbox.credentials();
        let url = server.sandbox.base_url().to_string();
        env.extend([
            ("XSIAM_API_URL".to_string(), url.clone()),
            (
                "XSIAM_API_KEY_ID".to_string(),
                c.xsiam_standard_key_id.clone(),
            ),
            ("XSIAM_API_KEY".to_string(), c.xsiam_standard_key.clone()),
            ("TRUSTAR_BASE_URL".to_string(), url),
            ("TRUSTAR_API_KEY".to_string(), c.trustar_api_key.clone()),
            (
                "TRUSTAR_API_SECRET".to_string(),
                c.trustar_api_secret.clone(),
            ),
        ]);
    }
    env
}

/// `reportctl` as assert_cmd runs it, with [`environment`].
pub fn reportctl(server: Option<&Server>, config_home: &Path) -> assert_cmd::Command {
    let mut command = assert_cmd::Command::cargo_bin("reportctl").unwrap();
    command.env_clear().envs(environment(server, config_home));
    command
}

/// A sandbox holding XSIAM reports `r0000`… all `NEW`, with `faults`
/// queued.
pub fn with_reports_and_faults(n: usize, faults: &[Fault]) -> Server {
    let reports: Vec<_> = (0..n)
        .map(|i| serde_json::json!({"XSOAR_SOURCE_ID": format!("r{i:04}"), "REPORT_STATUS": "NEW"}))
        .collect();
    let state: SandboxState = serde_json::from_value(
        serde_json::json!({"xsiam_reports": reports, "trustar_reports": []}),
    )
    .unwrap();
    let mut builder = Sandbox::builder().state(state);
    for fault in faults {
        builder = builder.fault(*fault);
    }
    server_with(builder)
}

/// The status the sandbox holds for the XSIAM report `id`.
pub fn status_of(server: &Server, id: &str) -> Option<String> {
    server
        .sandbox
        .state()
        .xsiam_reports
        .into_iter()
        .find(|r| r.xsoar_source_id.as_deref() == Some(id))
        .and_then(|r| r.report_status)
}
