//! Starts the pinned Prism (installed through the xtask's own code path) on
//! 127.0.0.1 and stops it, by its PID, when dropped.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Stdio};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use anyhow::{Context, Result, bail};

/// How long Prism may take to start (it usually takes about 1.5 s).
const STARTUP: Duration = Duration::from_secs(60);

/// A running Prism; killed when dropped.
pub struct Prism {
    child: Child,
    base_url: String,
    log: Arc<Mutex<Vec<String>>>,
}

impl Prism {
    /// `prism mock` serving the spec's examples and validating requests.
    pub fn mock(spec: &str) -> Result<Self> {
        Self::start(&["mock", spec])
    }

    /// `prism proxy --errors`: forwards to `upstream`, validating every
    /// request and every answer against the spec; a violation becomes an
    /// error answer (422 for a request, 500 for an answer).
    pub fn proxy(spec: &str, upstream: &str) -> Result<Self> {
        Self::start(&["proxy", "--errors", spec, upstream])
    }

    fn start(args: &[&str]) -> Result<Self> {
        let root = xtask::workspace_root();
        let port = free_port()?;
        let mut command = xtask::node_tools::tool(&root, "prism")?;
        command
            .args(args)
            .args(["-h", "127.0.0.1", "-p", &port.to_string()])
            .env("NO_COLOR", "1")
            .env("FORCE_COLOR", "0")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().context("cannot start prism")?;
        let log = Arc::new(Mutex::new(Vec::new()));
        let (ready_tx, ready_rx) = mpsc::channel();
        for stream in [
            Box::new(child.stdout.take().expect("piped")) as Box<dyn std::io::Read + Send>,
            Box::new(child.stderr.take().expect("piped")),
        ] {
            let log = log.clone();
            let ready = ready_tx.clone();
            // Drains Prism's output for its whole life, so a full pipe never
            // blocks it, and reports the line that says it is listening.
            std::thread::spawn(move || {
                for line in BufReader::new(stream).lines().map_while(Result::ok) {
                    if line.contains("is listening on") {
                        let _ = ready.send(());
                    }
                    log.lock().unwrap().push(line);
                }
            });
        }
        let mut prism = Prism {
            child,
            base_url: format!("http://127.0.0.1:{port}"),
            log,
        };
        match ready_rx.recv_timeout(STARTUP) {
            Ok(()) => Ok(prism),
            Err(_) => {
                let status = prism.child.try_wait().ok().flatten();
                bail!(
                    "prism did not start within {STARTUP:?} (exit: {status:?}); its output:\n{}",
                    prism.log()
                )
            }
        }
    }

    /// `http://127.0.0.1:PORT`.
    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// Everything Prism printed so far, for failure messages.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().join("\n")
    }
}

impl Drop for Prism {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> Result<u16> {
    let listener = TcpListener::bind("127.0.0.1:0").context("cannot bind 127.0.0.1")?;
    Ok(listener.local_addr()?.port())
}

/// The path of a spec, relative to the workspace root (Prism runs there).
pub fn spec(name: &str) -> String {
    let path = Path::new("specs").join(format!("{name}.yaml"));
    path.to_string_lossy().into_owned()
}
