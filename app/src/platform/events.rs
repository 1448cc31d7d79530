//! Domain events, published after the transaction that caused them commits. Subscribers
//! (notifications, rewards, webhooks) listen on the in-process bus; fan-out across instances
//! comes with the real-time feature.

use tokio::sync::broadcast;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// `user.registered`, with the referral code the person signed up with.
    UserRegistered {
        user_id: String,
        referred_by: Option<String>,
    },
    /// `user.logged_in`.
    UserLoggedIn { user_id: String },
}

impl Event {
    /// The event's public name.
    pub fn name(&self) -> &'static str {
        match self {
            Self::UserRegistered { .. } => "user.registered",
            Self::UserLoggedIn { .. } => "user.logged_in",
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
    /// Sends `event` to every current subscriber (none is fine).
    pub fn publish(&self, event: Event) {
        tracing::debug!(event = event.name(), "event");
        let _ = self.sender.send(event);
    }

    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.sender.subscribe()
    }
}
