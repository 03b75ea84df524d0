//! Proxies: `--proxy` (flag, environment, profile key) for both APIs; a
//! proxy from the environment never captures a loopback server; an error on
//! a proxied connection names the proxy; `--ca-cert` is read and checked.

mod common;

use common::{reportctl, server, status_of};

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// A local port nothing listens on.
fn closed_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

#[test]
fn a_proxy_from_the_environment_never_captures_the_local_sandbox() {
    let server = server();
    let home = tempfile::tempdir().unwrap();
    let dead = format!("http://127.0.0.1:{}", closed_port());
    let output = reportctl(Some(&server), home.path())
        .env("HTTP_PROXY", &dead)
        .env("HTTPS_PROXY", &dead)
        .env("ALL_PROXY", &dead)
        .args(["xsiam", "set-status", "777776", "in progress"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(status_of(&server, "777776").as_deref(), Some("IN_PROGRESS"));
    let output = reportctl(Some(&server), home.path())
        .env("HTTP_PROXY", &dead)
        .env("ALL_PROXY", &dead)
        .args(["trustar", "get", "M-1234", "--external"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
}

/// The sandbox serves requests in a proxy's absolute form too, so it
/// stands in for a forward proxy: a URL where nothing listens (port 1;
/// plain http is allowed only to loopback) is answered only through it.
#[test]
fn proxy_sends_every_request_through_the_proxy_from_flag_environment_or_profile() {
    let server = server();
    let home = tempfile::tempdir().unwrap();
    let proxy = server.sandbox.base_url().to_string();
    let tenant = "http://localhost:1";

    let output = reportctl(Some(&server), home.path())
        .args(["xsiam", "--url", tenant, "--proxy", &proxy])
        .args(["set-status", "777776", "in progress"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(status_of(&server, "777776").as_deref(), Some("IN_PROGRESS"));

    let output = reportctl(Some(&server), home.path())
        .env("XSIAM_API_URL", tenant)
        .env("XSIAM_PROXY", &proxy)
        .args(["xsiam", "set-status", "777776", "closed"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(status_of(&server, "777776").as_deref(), Some("CLOSED"));

    let config = home.path().join("threat-reports");
    std::fs::create_dir_all(&config).unwrap();
    std::fs::write(
        config.join("config.toml"),
        format!("[profiles.default]\ntrustar_proxy = {proxy:?}\n"),
    )
    .unwrap();
    let output = reportctl(Some(&server), home.path())
        .env("TRUSTAR_BASE_URL", tenant)
        .args(["trustar", "get", "M-1234", "--external"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stderr(&output));
}

#[test]
fn an_error_through_a_proxy_names_the_proxy_and_where_it_was_set() {
    let server = server();
    let home = tempfile::tempdir().unwrap();
    let dead = format!("http://127.0.0.1:{}", closed_port());
    let output = reportctl(Some(&server), home.path())
        .args(["xsiam", "--proxy", &dead, "--timeout", "5"])
        .args(["set-status", "777776", "in progress"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    let text = stderr(&output);
    assert!(
        text.contains(&format!("through the proxy {dead}")),
        "{text}"
    );
    assert!(text.contains("--proxy"), "{text}");

    // A proxy URL with a password never shows it.
    let output = reportctl(Some(&server), home.path())
        .args([
            "xsiam",
            "--proxy",
            &dead.replace("http://", "http://soc:hunter2@"),
        ])
        .args(["--timeout", "5", "set-status", "777776", "in progress"])
        .output()
        .unwrap();
    let text = stderr(&output);
    assert!(!text.contains("hunter2"), "{text}");
    assert!(text.contains("through the proxy"), "{text}");
}

#[test]
fn ca_cert_is_read_and_checked() {
    let server = server();
    let home = tempfile::tempdir().unwrap();
    let not_pem = home.path().join("not.pem");
    std::fs::write(&not_pem, "hello").unwrap();
    let output = reportctl(Some(&server), home.path())
        .args(["xsiam", "--ca-cert", not_pem.to_str().unwrap()])
        .args(["set-status", "777776", "in progress"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("certificate"),
        "{}",
        stderr(&output)
    );

    let missing = home.path().join("missing.pem");
    let output = reportctl(Some(&server), home.path())
        .args(["trustar", "--ca-cert", missing.to_str().unwrap()])
        .args(["get", "M-1234", "--external"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("missing.pem"),
        "{}",
        stderr(&output)
    );
}
