//! Domain events (`user.registered`, `order.paid`, …), published after the transaction that
//! caused them commits (see [`super::tx::Tx`]). Subscribers (notifications, rewards,
//! webhooks) listen on the in-process bus; fan-out across instances comes with the real-time
//! feature. An event is a name and a JSON payload, so this module knows no feature.

use serde::Serialize;
use tokio::sync::broadcast;

#[derive(Debug, Clone, PartialEq)]
pub struct Event {
    /// The public name, `feature.happened` (e.g. `user.registered`).
    pub name: &'static str,
    pub data: serde_json::Value,
}

impl Event {
    pub fn new(name: &'static str, data: impl Serialize) -> Self {
        Self {
            name,
            data: serde_json::to_value(data).unwrap_or_default(),
        }
    }
}

/// The bus; cheap to clone.
#[derive(Debug, Clone)]
pub struct Events {
    sender: broadcast::Sender<Event>,
}

impl Default for Events {
    fn default() -> Self {
        Self {
            sender: broadcast::channel(1024).0,
        }
    }
}

impl Events {
    /// Sends `event` to every current subscriber (none is fine). Only [`super::tx::Tx`]
    /// publishes, after its commit.
    pub(super) fn publish(&self, event: Event) {
        tracing::debug!(event = event.name, "event");
        let _ = self.sender.send(event);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.sender.subscribe()
    }
}
