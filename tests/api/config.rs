//! Settings from flags, environment and a TOML file (`--config` / `LEADGATE_CONFIG`):
//! flags over env over file over defaults, unknown keys refused, and README's table of
//! every setting kept complete.

use crate::server::{Server, command};

/// README's configuration table: one row per setting.
fn readme_rows() -> Vec<String> {
    let readme =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/README.md")).unwrap();
    let section = readme
        .split("\n### Configuration\n")
        .nth(1)
        .expect("README has a Configuration section");
    section
        .lines()
        .skip_while(|l| !l.starts_with('|'))
        .take_while(|l| l.starts_with('|'))
        .map(str::to_owned)
        .collect()
}

#[test]
fn every_setting_is_in_the_readme_table() {
    let rows = readme_rows();
    assert!(
        rows[0].contains("flag")
            && rows[0].contains("env")
            && rows[0].contains("file key")
            && rows[0].contains("default"),
        "{}",
        rows[0]
    );
    let settings = leadgate::config_file::settings();
    assert!(settings.len() >= 10, "serve's flags and the global ones");
    for arg in settings {
        let flag = format!("`--{}`", arg.get_long().unwrap());
        let key = format!("`{}`", arg.get_id());
        let row = rows
            .iter()
            .find(|row| {
                row.split('|')
                    .nth(1)
                    .is_some_and(|cell| cell.contains(&flag))
            })
            .unwrap_or_else(|| panic!("README's configuration table has no row for {flag}"));
        assert!(
            row.contains(&key),
            "the row of {flag} names its file key {key}: {row}"
        );
        if let Some(env) = arg.get_env() {
            let env = format!("`{}`", env.to_str().unwrap());
            assert!(row.contains(&env), "the row of {flag} names {env}: {row}");
        }
        for default in arg.get_default_values() {
            let default = default.to_str().unwrap();
            if default != "false" {
                assert!(
                    row.contains(&format!("`{default}`")),
                    "the row of {flag} gives its default `{default}`: {row}"
                );
            }
        }
    }
}

/// The origin CORS allows for `server` (the setting under test), if any.
fn allowed(server: &Server, origin: &str) -> bool {
    server
        .send("GET", "/healthz", &[("origin", origin)], None)
        .header("access-control-allow-origin")
        == Some(origin)
}

const FILE: &str = "http://file.example";
const ENV: &str = "http://env.example";
const FLAG: &str = "http://flag.example";

on_both_backends! {
    async fn flags_win_over_env_over_the_file_over_defaults(app) {
        let url = app.database_url.clone();
        tokio::task::spawn_blocking(move || {
            let file = tempfile::NamedTempFile::new().unwrap();
            std::fs::write(file.path(), format!(
                "# leadgate settings\nsigning_key = \"0123456789abcdef0123456789abcdef\"\ncors_origins = [\"{FILE}\"]\nlog_format = \"json\"\n"
            )).unwrap();
            let path = file.path().to_str().unwrap();

            // The file alone: its values replace the defaults (a serve key and a global one).
            let server = Server::start(&url, &["--config", path], &[]);
            assert!(allowed(&server, FILE) && !allowed(&server, ENV));
            let log = server.stop();
            assert!(log.lines().filter(|l| !l.is_empty()).all(|l| l.starts_with('{')), "JSON lines from the file's log_format: {log}");

            // LEADGATE_CONFIG names the file too; the environment wins over it.
            let server = Server::start(&url, &[], &[("LEADGATE_CONFIG", path), ("LEADGATE_CORS_ORIGINS", ENV)]);
            assert!(allowed(&server, ENV) && !allowed(&server, FILE));
            server.stop();

            // A flag wins over both (and over the file's log format).
            let server = Server::start(&url, &["--config", path, "--cors-origins", FLAG, "--log-format", "text"], &[("LEADGATE_CORS_ORIGINS", ENV)]);
            assert!(allowed(&server, FLAG) && !allowed(&server, ENV) && !allowed(&server, FILE));
            let log = server.stop();
            assert!(!log.trim_start().starts_with('{'), "{log}");
        })
        .await
        .unwrap();
    }
}

on_both_backends! {
    async fn a_bad_file_is_refused_naming_the_file_and_the_key(app) {
        let url = app.database_url.clone();
        tokio::task::spawn_blocking(move || {
            let file = tempfile::NamedTempFile::new().unwrap();
            let path = file.path().to_str().unwrap().to_owned();
            let refused = |text: &str| {
                std::fs::write(&path, text).unwrap();
                let output = command(&url, &["--demo", "--config", &path], &[]).output().unwrap();
                assert!(!output.status.success(), "{text} was accepted");
                assert!(output.stdout.is_empty(), "nothing served");
                let stderr = String::from_utf8(output.stderr).unwrap();
                assert!(stderr.contains(&path), "{stderr}");
                stderr
            };
            let stderr = refused("rate_limit_burst = 5\nrate_limits_per_second = 5\n");
            assert!(stderr.contains("unknown key `rate_limits_per_second`") && stderr.contains("rate_limit_per_second"), "{stderr}");
            assert!(refused("config = \"other.toml\"\n").contains("unknown key `config`"));
            assert!(refused("rate_limit_burst = \"many\"\n").contains("rate_limit_burst: invalid value 'many'"));
            assert!(refused("disable_introspection = \"yes\"\n").contains("disable_introspection: must be true or false"));
            assert!(refused("cors_origins = \"http://a.example\"\n").contains("cors_origins: must be an array"));
            assert!(refused("listen = \n").contains("not valid TOML (line 1)"));
            let missing = command(&url, &["--config", "/nonexistent/leadgate.toml"], &[]).output().unwrap();
            assert!(!missing.status.success());
            assert!(String::from_utf8_lossy(&missing.stderr).contains("cannot read the config file /nonexistent/leadgate.toml"));
        })
        .await
        .unwrap();
    }
}

on_both_backends! {
    async fn the_body_limit_and_demo_are_settings_too(app) {
        let url = app.database_url.clone();
        tokio::task::spawn_blocking(move || {
            // LEADGATE_DEMO seeds the demo (no signing key needed); --max-body-bytes lowers
            // the body limit for both faces.
            let server = Server::start(&url, &["--max-body-bytes", "2048"], &[("LEADGATE_DEMO", "true")]);
            assert!(server.banner.iter().any(|l| l.starts_with("demo API key:")), "{:?}", server.banner);
            let body = format!("{{\"query\": \"{{ __typename }}\", \"pad\": \"{}\"}}", "x".repeat(3000));
            for path in ["/graphql", "/api/v1/leads"] {
                let answer = server.send("POST", path, &[("content-type", "application/json")], Some(&body));
                assert_eq!(answer.status, 413, "{path}: {}", answer.body);
                assert!(answer.body.contains("2048"), "{path}: {}", answer.body);
            }
            let small = server.send("POST", "/graphql", &[("content-type", "application/json")], Some("{\"query\": \"{ __typename }\"}"));
            assert_eq!(small.status, 200, "{}", small.body);
            server.stop();
        })
        .await
        .unwrap();
    }
}
