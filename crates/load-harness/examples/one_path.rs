//! One request path alone, for profilers (`valgrind --tool=callgrind`,
//! `perf record`): `cargo run --release -p load-harness --example one_path
//! -- facade|plain [REQUESTS]` sends that many XSIAM updates, one at a
//! time, to an in-process sandbox. Compare the two paths' instruction
//! counts: the sandbox's share is the same in both.

use std::process::ExitCode;

use report_sandbox::Sandbox;
use sandbox_clients::SandboxClients;
use threat_reports::ReportStatus;

fn main() -> ExitCode {
    let mut args = std::env::args().skip(1);
    let path = args.next().unwrap_or_default();
    let requests: usize = args.next().and_then(|n| n.parse().ok()).unwrap_or(2_000);
    let Ok(runtime) = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    else {
        eprintln!("cannot start a runtime");
        return ExitCode::FAILURE;
    };
    let failed = runtime.block_on(async {
        let sandbox = Sandbox::builder().start().await.expect("the sandbox starts");
        let mut failed = 0;
        match path.as_str() {
            "facade" => {
                let client = sandbox.xsiam_client().build().expect("a client");
                for i in 0..requests {
                    let status = ReportStatus::PAGE[i % ReportStatus::PAGE.len()];
                    failed += usize::from(client.update_report_status("777776", status).await.is_err());
                }
            }
            "plain" => {
                let client = reqwest::Client::new();
                let url = format!("{}/public_api/v1/mth/child/report/update/status", sandbox.base_url());
                let c = sandbox.credentials().clone();
                for i in 0..requests {
                    let status = ReportStatus::PAGE[i % ReportStatus::PAGE.len()];
                    let answer = client
                        .post(&url)
                        .header("Authorization", &c.xsiam_standard_key)
                        .header("x-xdr-auth-id", &c.xsiam_standard_key_id)
                        .json(&serde_json::json!({"xsoar_source_id": "777776", "report_status": status.label()}))
                        .send()
                        .await;
                    let ok = match answer {
                        Ok(a) => a.status().is_success() && a.json::<serde_json::Value>().await.is_ok(),
                        Err(_) => false,
                    };
                    failed += usize::from(!ok);
                }
            }
            other => {
                eprintln!("usage: one_path facade|plain [REQUESTS] (not {other:?})");
                return usize::MAX;
            }
        }
        failed
    });
    if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}
