//! Settings from an optional TOML file (`--config FILE` or `LEADGATE_CONFIG`), the lowest
//! layer under flags, environment and defaults: flags > env > file > defaults.
//!
//! The clap structs of `cli.rs` stay the one definition of every setting. A file key is
//! the clap id of a flag (`rate_limit_per_second` for `--rate-limit-per-second`), checked
//! against clap's own description of `serve` and the global flags, so a flag added there is
//! a file key at once and any other key is refused. A key whose flag was not given on the
//! command line or through its environment variable is passed to clap as that flag, and
//! clap parses everything once more, with the same value checks as for flags.

use std::ffi::OsString;

use clap::{Arg, ArgAction, ArgMatches, CommandFactory, FromArgMatches, parser::ValueSource};

use crate::cli::Cli;

/// The subcommand whose flags a file may set (the global flags apply to every command).
const FILE_COMMAND: &str = "serve";

/// Flags that are not settings.
const NOT_SETTINGS: [&str; 3] = ["config", "help", "version"];

/// Parses the command line with the config file under it. Clap's own errors (and
/// `--help`) exit as clap does; a bad file is an error naming the file and the key.
pub fn parse(argv: impl IntoIterator<Item = OsString>) -> Result<Cli, String> {
    let argv: Vec<OsString> = argv.into_iter().collect();
    let command = Cli::command();
    let matches = command
        .clone()
        .try_get_matches_from(&argv)
        .unwrap_or_else(|e| e.exit());
    let Some(path) = matches.get_one::<std::path::PathBuf>("config").cloned() else {
        return Cli::from_arg_matches(&matches).map_err(|e| e.to_string());
    };
    let text = std::fs::read_to_string(&path)
        .map_err(|e| format!("cannot read the config file {}: {e}", path.display()))?;
    let extra =
        file_flags(&text, &matches).map_err(|e| format!("config file {}: {e}", path.display()))?;
    let mut argv = argv;
    argv.extend(extra);
    let matches = command
        .try_get_matches_from(&argv)
        .map_err(|e| format!("config file {}: {e}", path.display()))?;
    Cli::from_arg_matches(&matches).map_err(|e| e.to_string())
}

/// Every setting a file may hold: the global flags and those of `serve`, by file key.
pub fn settings() -> Vec<Arg> {
    let command = Cli::command();
    let serve = command
        .find_subcommand(FILE_COMMAND)
        .expect("serve is a subcommand")
        .clone();
    command
        .get_arguments()
        .chain(serve.get_arguments())
        .filter(|arg| arg.get_long().is_some())
        .filter(|arg| !NOT_SETTINGS.contains(&arg.get_id().as_str()))
        .cloned()
        .collect()
}

/// The flags the file adds: one `--flag value` per key that neither the command line nor
/// the environment set, for the command being run.
fn file_flags(text: &str, matches: &ArgMatches) -> Result<Vec<OsString>, String> {
    let table: toml::Table = text.parse().map_err(|e: toml::de::Error| {
        let line = e
            .span()
            .map(|span| text[..span.start.min(text.len())].lines().count().max(1));
        match line {
            Some(line) => format!("not valid TOML (line {line}): {}", e.message()),
            None => format!("not valid TOML: {}", e.message()),
        }
    })?;
    let settings = settings();
    let command = Cli::command();
    let (subcommand, sub_matches) = matches.subcommand().expect("a subcommand is required");
    let mut flags = Vec::new();
    for (key, value) in &table {
        let Some(arg) = settings.iter().find(|a| a.get_id().as_str() == key) else {
            let known: Vec<&str> = settings.iter().map(|a| a.get_id().as_str()).collect();
            return Err(format!(
                "unknown key `{key}` (the keys are: {})",
                known.join(", ")
            ));
        };
        let values = strings(key, arg, value)?;
        check(key, arg, &values)?;
        let global = command.get_arguments().any(|a| a.get_id() == arg.get_id());
        if !global && subcommand != FILE_COMMAND {
            continue; // a serve setting, and this is another command
        }
        let source = if global { matches } else { sub_matches }.value_source(key);
        if matches!(
            source,
            Some(ValueSource::CommandLine | ValueSource::EnvVariable)
        ) {
            continue; // flags and environment win over the file
        }
        let long = format!("--{}", arg.get_long().expect("settings have a long flag"));
        if matches!(arg.get_action(), ArgAction::SetTrue) {
            if values == ["true"] {
                flags.push(long.into());
            }
            continue;
        }
        for value in values {
            flags.push(format!("{long}={value}").into());
        }
    }
    Ok(flags)
}

/// A TOML value as the flag's text values; a switch takes a boolean, a list flag an array.
fn strings(key: &str, arg: &Arg, value: &toml::Value) -> Result<Vec<String>, String> {
    let switch = matches!(arg.get_action(), ArgAction::SetTrue);
    let list = matches!(arg.get_action(), ArgAction::Append);
    let scalar = |value: &toml::Value| match value {
        toml::Value::String(s) => Ok(s.clone()),
        toml::Value::Integer(n) => Ok(n.to_string()),
        toml::Value::Float(f) => Ok(f.to_string()),
        _ => Err(format!("{key}: must be a string or a number")),
    };
    match value {
        toml::Value::Boolean(b) if switch => Ok(vec![b.to_string()]),
        _ if switch => Err(format!("{key}: must be true or false")),
        toml::Value::Array(items) if list => items.iter().map(scalar).collect(),
        _ if list => Err(format!("{key}: must be an array, e.g. [\"...\"]")),
        value => Ok(vec![scalar(value)?]),
    }
}

/// Runs the flag's own value parser on the file's values, so a bad value names its key.
fn check(key: &str, arg: &Arg, values: &[String]) -> Result<(), String> {
    if matches!(arg.get_action(), ArgAction::SetTrue) {
        return Ok(());
    }
    let long = arg.get_long().expect("settings have a long flag");
    let probe = clap::Command::new("leadgate").arg(arg.clone().required(false).env(None::<&str>));
    let argv = std::iter::once("leadgate".to_owned())
        .chain(values.iter().map(|v| format!("--{long}={v}")));
    probe
        .try_get_matches_from(argv)
        .map(drop)
        .map_err(|e| format!("{key}: {}", first_line(&e.to_string())))
}

fn first_line(text: &str) -> &str {
    text.trim_start_matches("error: ")
        .lines()
        .next()
        .unwrap_or_default()
}
