//! Log output: human-readable lines (key=value fields) or JSON lines, on stderr, with
//! ANSI colours only when stderr is a terminal. Every line logged while a request runs
//! carries the request's span fields (`request_id`, method, path; `api_key_id` once the
//! key is known). What may be logged at all is in README ("Logs").

use std::io::IsTerminal;

use tracing_subscriber::EnvFilter;

/// `--log-format` / `LEADGATE_LOG_FORMAT`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One human-readable line per event: time, level, span fields, message, key=value fields.
    #[default]
    Text,
    /// One JSON object per line, with the event's fields and its request span's.
    Json,
}

/// The filter when `LEADGATE_LOG` is unset. async-graphql's DataLoader opens an `info`
/// span for every load (about 150 on a read of one lead with its timeline) that no line
/// ever shows; creating and closing them was 2-3% of a read's instructions, so its
/// target is filtered to warnings (`LEADGATE_LOG=debug` brings them back).
const DEFAULT_FILTER: &str = "info,async_graphql=warn";

/// Installs the global subscriber (filter from `LEADGATE_LOG`, default `DEFAULT_FILTER`) and a
/// panic hook that logs panics as events, so they keep the format and the request id.
pub fn init(format: LogFormat) {
    let filter =
        EnvFilter::try_from_env("LEADGATE_LOG").unwrap_or_else(|_| EnvFilter::new(DEFAULT_FILTER));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(true)
            .with_span_list(false)
            .init(),
    }
    std::panic::set_hook(Box::new(|info| {
        let payload = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let location = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        tracing::error!(
            location,
            detail = %crate::diagnostics::redact(&payload, &[]),
            "panic"
        );
    }));
}
