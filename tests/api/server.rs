//! A real `leadgate serve` process for tests that need the binary: its stdout, its log
//! output on stderr, and a tiny HTTP/1.1 client to talk to it. The server listens on a
//! port the OS picks (`127.0.0.1:0`) and is stopped by its PID with SIGTERM.

use std::{
    fs::File,
    io::{BufRead, BufReader, Read, Write},
    net::TcpStream,
    process::{Child, ChildStdout, Command, Stdio},
    time::Duration,
};

pub struct Server {
    child: Child,
    /// `127.0.0.1:PORT`
    pub address: String,
    /// What `serve` printed before it started listening.
    pub banner: Vec<String>,
    stderr: tempfile::NamedTempFile,
    _stdout: BufReader<ChildStdout>,
}

pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Answer {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body).unwrap_or_else(|e| panic!("{e}: {}", self.body))
    }
}

/// Runs `leadgate serve` with `args` on `database_url`; `env` adds variables (the
/// environment's LEADGATE_* settings are cleared first, so tests are not steered by it).
pub fn command(database_url: &str, args: &[&str], env: &[(&str, &str)]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_leadgate"));
    for (name, _) in std::env::vars() {
        if name.starts_with("LEADGATE_") {
            command.env_remove(name);
        }
    }
    command
        .arg("serve")
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .env("DATABASE_URL", database_url)
        .envs(env.iter().copied());
    command
}

impl Server {
    /// Starts the server and waits until it listens.
    pub fn start(database_url: &str, args: &[&str], env: &[(&str, &str)]) -> Self {
        let stderr = tempfile::NamedTempFile::new().unwrap();
        let mut child = command(database_url, args, env)
            .stdout(Stdio::piped())
            .stderr(Stdio::from(File::create(stderr.path()).unwrap()))
            .spawn()
            .expect("start leadgate serve");
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut banner = Vec::new();
        let address = loop {
            let mut line = String::new();
            if stdout.read_line(&mut line).unwrap() == 0 {
                let log = std::fs::read_to_string(stderr.path()).unwrap_or_default();
                panic!("serve exited before listening: {log}");
            }
            let line = line.trim_end().to_owned();
            banner.push(line.clone());
            if let Some(url) = line.strip_prefix("GraphiQL:") {
                let url = url.trim();
                break url
                    .trim_start_matches("http://")
                    .trim_end_matches("/graphql")
                    .to_owned();
            }
        };
        Self {
            child,
            address,
            banner,
            stderr,
            _stdout: stdout,
        }
    }

    /// Sends one request (`Connection: close`) and reads the whole answer.
    pub fn send(
        &self,
        method: &str,
        path: &str,
        headers: &[(&str, &str)],
        body: Option<&str>,
    ) -> Answer {
        let mut stream = TcpStream::connect(&self.address).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(60)))
            .unwrap();
        let mut request = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nConnection: close\r\n",
            self.address
        );
        for (name, value) in headers {
            request.push_str(&format!("{name}: {value}\r\n"));
        }
        let body = body.unwrap_or_default();
        request.push_str(&format!("Content-Length: {}\r\n\r\n{body}", body.len()));
        stream.write_all(request.as_bytes()).unwrap();
        let mut raw = Vec::new();
        stream.read_to_end(&mut raw).unwrap();
        let raw = String::from_utf8(raw).expect("UTF-8 answer");
        let (head, body) = raw.split_once("\r\n\r\n").expect("HTTP answer");
        let mut lines = head.lines();
        let status = lines
            .next()
            .unwrap()
            .split(' ')
            .nth(1)
            .unwrap()
            .parse()
            .unwrap();
        let headers: Vec<(String, String)> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_owned(), v.trim().to_owned()))
            .collect();
        let chunked = headers.iter().any(|(n, v)| {
            n.eq_ignore_ascii_case("transfer-encoding") && v.eq_ignore_ascii_case("chunked")
        });
        let body = if chunked {
            dechunk(body)
        } else {
            body.to_owned()
        };
        Answer {
            status,
            headers,
            body,
        }
    }

    /// POSTs a GraphQL request with `key`.
    pub fn graphql(&self, key: &str, query: &str, variables: serde_json::Value) -> Answer {
        let body = serde_json::json!({ "query": query, "variables": variables }).to_string();
        self.send(
            "POST",
            "/graphql",
            &[("content-type", "application/json"), ("x-api-key", key)],
            Some(&body),
        )
    }

    /// Sends SIGTERM without waiting for the process to end.
    pub fn terminate(&self) {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
    }

    /// Waits for the process to end; its exit code (None when killed by a signal) and
    /// its log output.
    pub fn wait(mut self) -> (Option<i32>, String) {
        let status = self.child.wait().unwrap();
        (
            status.code(),
            std::fs::read_to_string(self.stderr.path()).unwrap(),
        )
    }

    /// Stops the server with SIGTERM (graceful shutdown) and returns its log output.
    pub fn stop(mut self) -> String {
        let pid = self.child.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let _ = self.child.wait();
        std::fs::read_to_string(self.stderr.path()).unwrap()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        // A failed test must not leave the process running.
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if size == 0 {
            break;
        }
        out.push_str(&rest[..size]);
        body = rest[size..].trim_start_matches("\r\n");
    }
    out
}
