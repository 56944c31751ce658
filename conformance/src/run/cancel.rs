//! A cancellation flag shared by the engine and every running case (set on SIGINT).

use tokio::sync::watch;

/// Sets the flag.
#[derive(Debug)]
pub struct CancelSource(watch::Sender<bool>);

/// Observes the flag. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Cancel(watch::Receiver<bool>);

/// A new, unset flag.
pub fn cancel_pair() -> (CancelSource, Cancel) {
    let (tx, rx) = watch::channel(false);
    (CancelSource(tx), Cancel(rx))
}

impl CancelSource {
    /// Sets the flag.
    pub fn cancel(&self) {
        let _ = self.0.send(true);
    }
}

impl Cancel {
    /// A flag that is never set.
    pub fn never() -> Self {
        // With the sender gone the value stays `false` and `cancelled` waits for ever.
        let (_, rx) = watch::channel(false);
        Cancel(rx)
    }

    /// Whether the flag is set.
    pub fn is_cancelled(&self) -> bool {
        *self.0.borrow()
    }

    /// Completes when the flag is set (never, if its source is dropped unset).
    pub async fn cancelled(&mut self) {
        loop {
            if *self.0.borrow_and_update() {
                return;
            }
            if self.0.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
    }
}
