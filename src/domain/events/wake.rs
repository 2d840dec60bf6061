//! Waking readers of the outbox. On PostgreSQL readers LISTEN on `events::CHANNEL`
//! (every replica hears every commit); on SQLite, the one process, `record` wakes them
//! here. Either way a wake-up only says "look again": readers always read the outbox by
//! `seq` and also poll, so a lost wake-up delays an event, never loses it.

use std::sync::OnceLock;

use tokio::sync::watch;

fn channel() -> &'static watch::Sender<u64> {
    static CHANNEL: OnceLock<watch::Sender<u64>> = OnceLock::new();
    CHANNEL.get_or_init(|| watch::channel(0).0)
}

/// Wakes every waiter (SQLite's writers call it just before they commit).
pub fn notify() {
    channel().send_modify(|n| *n = n.wrapping_add(1));
}

/// A receiver that changes on every `notify`.
pub fn subscribe() -> watch::Receiver<u64> {
    channel().subscribe()
}
