//! Ctrl-C and SIGTERM, as one stream of stop requests.

/// Ctrl-C and SIGTERM, as one stream of stop requests.
///
/// The listeners are made once, before the first row starts, and kept: a
/// signal that arrives while no one is waiting (the loop is journaling a
/// row) is held for the next wait. A `tokio::signal::ctrl_c()` made anew
/// for each wait would miss it, and with tokio's handler installed the
/// Ctrl-C would be lost altogether.
struct Stops {
    #[cfg(unix)]
    interrupt: Option<tokio::signal::unix::Signal>,
    #[cfg(unix)]
    terminate: Option<tokio::signal::unix::Signal>,
}

impl Stops {
    fn new() -> Self {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Stops {
                interrupt: signal(SignalKind::interrupt()).ok(),
                terminate: signal(SignalKind::terminate()).ok(),
            }
        }
        #[cfg(not(unix))]
        Stops {}
    }

    async fn next(&mut self) {
        #[cfg(unix)]
        {
            let (interrupt, terminate) = (&mut self.interrupt, &mut self.terminate);
            let interrupt = async move {
                match interrupt {
                    Some(signal) => drop(signal.recv().await),
                    None => drop(tokio::signal::ctrl_c().await),
                }
            };
            let terminate = async move {
                match terminate {
                    Some(signal) => drop(signal.recv().await),
                    None => std::future::pending::<()>().await,
                }
            };
            tokio::select! {
                _ = interrupt => {}
                _ = terminate => {}
            }
        }
        #[cfg(not(unix))]
        {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}

/// The stop requests of a bulk run, fed by Ctrl-C and SIGTERM from now on
/// (the listeners made before the first row starts), and the task that
/// forwards them (abort it when the run is over).
pub(crate) fn stop_requests() -> (bulk_runner::StopRequests, tokio::task::JoinHandle<()>) {
    let (stopper, requests) = bulk_runner::Stopper::new();
    let mut stops = Stops::new();
    let forwarding = tokio::spawn(async move {
        loop {
            stops.next().await;
            stopper.stop();
        }
    });
    (requests, forwarding)
}
