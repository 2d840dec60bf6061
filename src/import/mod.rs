//! `leadgate leads import`: a CSV or JSON Lines file of leads, created through the
//! domain's batch (`leads::create_many`, 100 rows a transaction) with the duplicate policy
//! and dry run of the API. The file is read as a stream, one batch at a time, so memory
//! stays bounded whatever its size.
//!
//! Each row becomes the JSON body `POST /api/v1/leads` takes and is read by the REST
//! face's own reader, so a row means what that body means and is refused in its words.
//! CSV: a header row of column names (below); JSON Lines: one create body per line.
//!
//! CSV columns (names as in the API; empty cells are absent):
//! `firstName` `middleName` `lastName` `email` `phoneNumber` `businessName` `website`
//! `externalLeadId` `timezone` `assigneeType` (agent/manual) `didOptOut` `emailVerified`
//! (true/false, yes/no, 1/0) `tags` (separated by `;`), `checklist.<code>` (the item's
//! value: a number for NUMBER items, else text) and `checklist.<code>.status`.

use std::{fs::File, io::BufReader, io::IsTerminal, path::Path, time::Instant};

use serde_json::Value;

mod rows;

use crate::domain::{
    auth::Principal,
    checklist::Template,
    lead_input::LeadInput,
    leads::{self, Options, Outcome},
};
use crate::error::Error;

use rows::Rows;

/// The file's format: by `--format`, else by extension (`.csv`; `.jsonl`, `.ndjson`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Csv,
    Jsonl,
}

impl Format {
    pub fn detect(path: &Path) -> Option<Self> {
        match path.extension()?.to_str()?.to_ascii_lowercase().as_str() {
            "csv" => Some(Self::Csv),
            "jsonl" | "ndjson" => Some(Self::Jsonl),
            _ => None,
        }
    }
}

/// What an import did.
#[derive(Debug, Default, Clone, serde::Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Summary {
    pub rows: u64,
    pub created: u64,
    pub skipped: u64,
    pub updated: u64,
    pub refused: u64,
    pub dry_run: bool,
    pub seconds: f64,
    pub rows_per_second: f64,
}

/// One refused row's problem, for the report.
struct Refusal {
    line: u64,
    field: String,
    message: String,
}

/// Imports `path` into the principal's workspace; refused rows go to `report` (CSV:
/// line, field, message) when given.
pub async fn run(
    db: &sea_orm::DatabaseConnection,
    principal: &Principal,
    path: &Path,
    format: Format,
    options: Options,
    report: Option<&Path>,
) -> Result<Summary, Error> {
    let started = Instant::now();
    let file = File::open(path).map_err(|e| io_error(path, &e))?;
    let size = file.metadata().map(|m| m.len()).unwrap_or(0);
    let progress = progress_bar(size);
    let template = Template::load(db, principal.workspace_id).await?;
    let mut report = match report {
        Some(path) => {
            let mut writer = csv::Writer::from_path(path).map_err(|e| csv_error(path, e))?;
            writer
                .write_record(["line", "field", "message"])
                .map_err(|e| csv_error(path, e))?;
            Some((path, writer))
        }
        None => None,
    };
    let mut rows = Rows::open(format, BufReader::new(file), &template)?;
    let mut summary = Summary {
        dry_run: options.dry_run,
        ..Summary::default()
    };
    let options = Options {
        all_or_none: false,
        ..options
    };
    loop {
        let batch = rows.next_batch()?;
        if batch.is_empty() {
            break;
        }
        let mut refusals = Vec::new();
        let mut lines = Vec::with_capacity(batch.len());
        let mut inputs: Vec<LeadInput> = Vec::with_capacity(batch.len());
        for (line, row) in batch {
            summary.rows += 1;
            // NUL characters are refused as on every face, before the row is read.
            let row = row.and_then(|fields| {
                let nul = crate::domain::text::nul_errors("", &Value::Object(fields.clone()));
                match nul.into_iter().next() {
                    Some(problem) => Err(problem),
                    None => Ok(fields),
                }
            });
            match row {
                Ok(fields) => {
                    lines.push(line);
                    inputs.push(crate::http::rest::lead_input_from_json(fields));
                }
                Err(problem) => {
                    summary.refused += 1;
                    refusals.push(Refusal {
                        line,
                        field: problem.field,
                        message: problem.message,
                    });
                }
            }
        }
        let results = leads::create_many(db, principal, &inputs, options).await?;
        for (i, (line, result)) in lines.iter().zip(results).enumerate() {
            match result {
                Ok(written) => match written.outcome {
                    Outcome::Created => summary.created += 1,
                    Outcome::Skipped => summary.skipped += 1,
                    Outcome::Updated => summary.updated += 1,
                },
                Err(err) => {
                    summary.refused += 1;
                    refusals.extend(problems(i, &err).into_iter().map(|(field, message)| {
                        Refusal {
                            line: *line,
                            field,
                            message,
                        }
                    }));
                }
            }
        }
        refusals.sort_by_key(|r| r.line);
        if let Some((path, writer)) = report.as_mut() {
            for r in refusals {
                writer
                    .write_record([r.line.to_string(), r.field, r.message])
                    .map_err(|e| csv_error(path, e))?;
            }
        }
        if let Some(bar) = &progress {
            bar.set_position(rows.position());
            bar.set_message(format!("{} rows", summary.rows));
        }
    }
    if let Some((path, writer)) = report.as_mut() {
        writer.flush().map_err(|e| io_error(path, &e))?;
    }
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    summary.seconds = started.elapsed().as_secs_f64();
    summary.rows_per_second = if summary.seconds > 0.0 {
        summary.rows as f64 / summary.seconds
    } else {
        0.0
    };
    Ok(summary)
}

/// An input's problems, its fields named as in the file (the batch's `inputs[i].` dropped).
fn problems(index: usize, err: &Error) -> Vec<(String, String)> {
    let prefix = format!("inputs[{index}].");
    let name = |field: &str| field.strip_prefix(&prefix).unwrap_or(field).to_owned();
    match err {
        Error::BadInput(fields) => fields
            .iter()
            .map(|f| (name(&f.field), f.message.clone()))
            .collect(),
        Error::DuplicateLead { field, .. } => {
            let message = err.to_string();
            let message = message
                .strip_prefix(&format!("{field}: "))
                .unwrap_or(&message)
                .to_owned();
            vec![(name(field), message)]
        }
        other => vec![(String::new(), other.to_string())],
    }
}

/// A progress bar on stderr when it is a terminal; none otherwise (the summary is then
/// the only output).
fn progress_bar(bytes: u64) -> Option<indicatif::ProgressBar> {
    if !std::io::stderr().is_terminal() {
        return None;
    }
    let bar = indicatif::ProgressBar::new(bytes);
    let style = indicatif::ProgressStyle::with_template(
        "{bar:40} {bytes}/{total_bytes} {msg} ({elapsed}, {eta} left)",
    )
    .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar());
    bar.set_style(style);
    Some(bar)
}

fn io_error(path: &Path, err: &std::io::Error) -> Error {
    Error::bad_input("file", format!("{}: {err}", path.display()))
}

fn csv_error(path: &Path, err: csv::Error) -> Error {
    Error::bad_input("file", format!("{}: {err}", path.display()))
}
