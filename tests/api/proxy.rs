//! A TCP proxy the test controls, between leadgate and PostgreSQL: it forwards bytes
//! until told to reset every connection (RST), to stall them (bytes stop, sockets stay
//! open), to refuse new ones, or to go back to forwarding.

use std::sync::Arc;

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
    sync::watch,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Bytes flow.
    Open,
    /// Nothing moves in either direction; new connections are accepted and then stall.
    Stalled,
    /// New connections are reset at once (the database looks down).
    Down,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct State {
    mode: Mode,
    /// Bumped by `reset_all`: connections of an older generation are reset.
    generation: u64,
}

pub struct Proxy {
    pub port: u16,
    state: Arc<watch::Sender<State>>,
    accept: tokio::task::JoinHandle<()>,
}

impl Proxy {
    /// Listens on a free loopback port and forwards to `upstream` (`host:port`).
    pub async fn start(upstream: &str) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        let state = Arc::new(watch::Sender::new(State {
            mode: Mode::Open,
            generation: 0,
        }));
        let upstream = upstream.to_owned();
        let accept = {
            let state = state.clone();
            tokio::spawn(async move {
                loop {
                    let Ok((client, _)) = listener.accept().await else {
                        return;
                    };
                    let now = *state.borrow();
                    if now.mode == Mode::Down {
                        reset(client);
                        continue;
                    }
                    let upstream = upstream.clone();
                    let watch = state.subscribe();
                    tokio::spawn(async move {
                        if let Ok(server) = TcpStream::connect(&upstream).await {
                            pump(client, server, watch, now.generation).await;
                        }
                    });
                }
            })
        };
        Self {
            port,
            state,
            accept,
        }
    }

    pub fn set(&self, mode: Mode) {
        self.state.send_modify(|s| s.mode = mode);
    }

    /// Resets every open connection.
    pub fn reset_all(&self) {
        self.state.send_modify(|s| s.generation += 1);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        self.accept.abort();
        self.reset_all();
    }
}

#[allow(deprecated)]
fn reset(stream: TcpStream) {
    // Linger 0: closing sends RST instead of FIN.
    let _ = stream.set_linger(Some(std::time::Duration::ZERO));
    drop(stream);
}

/// Forwards both ways until either side closes, the proxy resets this generation, or
/// (while stalled) holds every byte.
async fn pump(
    client: TcpStream,
    server: TcpStream,
    mut watch: watch::Receiver<State>,
    generation: u64,
) {
    let (mut client_read, mut client_write) = client.into_split();
    let (mut server_read, mut server_write) = server.into_split();
    let mut up = [0u8; 16 * 1024];
    let mut down = [0u8; 16 * 1024];
    loop {
        let state = *watch.borrow_and_update();
        if state.generation != generation {
            break;
        }
        if state.mode == Mode::Stalled {
            if watch.changed().await.is_err() {
                break;
            }
            continue;
        }
        tokio::select! {
            changed = watch.changed() => if changed.is_err() { break },
            read = client_read.read(&mut up) => match read {
                Ok(0) | Err(_) => break,
                Ok(n) => if server_write.write_all(&up[..n]).await.is_err() { break },
            },
            read = server_read.read(&mut down) => match read {
                Ok(0) | Err(_) => break,
                Ok(n) => if client_write.write_all(&down[..n]).await.is_err() { break },
            },
        }
    }
    let client = client_read.reunite(client_write);
    let server = server_read.reunite(server_write);
    if let Ok(client) = client {
        reset(client);
    }
    if let Ok(server) = server {
        reset(server);
    }
}
