//! Reading an import file: its rows, a batch at a time, each as a create body.

use std::io::{BufRead, Read};

use serde_json::{Map, Value, json};

use crate::domain::{checklist::Template, leads::MAX_BATCH};
use crate::entities::enums::FieldType;
use crate::error::{Error, FieldError};

use super::Format;

/// A row read from the file: its line and its create body (or why it cannot be read).
pub(super) type Row = (u64, Result<Map<String, Value>, FieldError>);

/// The rows of the file, read a batch at a time.
pub(super) enum Rows<R: Read> {
    Csv {
        reader: csv::Reader<R>,
        columns: Vec<Column>,
    },
    Jsonl {
        reader: R,
        line: u64,
        bytes: u64,
    },
}

/// What a CSV column fills in the create body.
#[derive(Debug, Clone)]
pub(super) enum Column {
    Text(String),
    Flag(String),
    Tags,
    Value { code: String, number: bool },
    Status { code: String },
}

const TEXT_COLUMNS: &[&str] = &[
    "firstName",
    "middleName",
    "lastName",
    "email",
    "phoneNumber",
    "businessName",
    "website",
    "externalLeadId",
    "timezone",
    "assigneeType",
];

impl<R: Read + BufRead> Rows<R> {
    pub(super) fn open(format: Format, input: R, template: &Template) -> Result<Self, Error> {
        match format {
            Format::Jsonl => Ok(Self::Jsonl {
                reader: input,
                line: 0,
                bytes: 0,
            }),
            Format::Csv => {
                let mut reader = csv::ReaderBuilder::new().flexible(false).from_reader(input);
                let headers = reader
                    .headers()
                    .map_err(|e| {
                        Error::bad_input("file", format!("cannot read the header row: {e}"))
                    })?
                    .clone();
                let mut errors = Vec::new();
                let columns = headers
                    .iter()
                    .enumerate()
                    .filter_map(|(i, name)| match column(name.trim(), template) {
                        Ok(c) => Some(c),
                        Err(message) => {
                            errors.push(FieldError::new(format!("header[{i}]"), message));
                            None
                        }
                    })
                    .collect();
                if errors.is_empty() {
                    Ok(Self::Csv { reader, columns })
                } else {
                    Err(Error::BadInput(errors))
                }
            }
        }
    }

    /// Bytes read so far, for the progress bar.
    pub(super) fn position(&self) -> u64 {
        match self {
            Self::Csv { reader, .. } => reader.position().byte(),
            Self::Jsonl { bytes, .. } => *bytes,
        }
    }

    /// Up to `MAX_BATCH` rows; empty at the end of the file.
    pub(super) fn next_batch(&mut self) -> Result<Vec<Row>, Error> {
        let mut batch = Vec::with_capacity(MAX_BATCH);
        while batch.len() < MAX_BATCH {
            match self.next_row()? {
                Some(row) => batch.push(row),
                None => break,
            }
        }
        Ok(batch)
    }

    fn next_row(&mut self) -> Result<Option<Row>, Error> {
        match self {
            Self::Csv { reader, columns } => {
                let mut record = csv::StringRecord::new();
                match reader.read_record(&mut record) {
                    Ok(false) => Ok(None),
                    Ok(true) => {
                        let line = record.position().map_or(0, |p| p.line());
                        Ok(Some((line, Ok(csv_body(columns, &record)))))
                    }
                    // A malformed record (wrong number of fields, bad UTF-8): refused
                    // as a row; reading goes on.
                    Err(err) => {
                        let line = err.position().map_or(0, |p| p.line());
                        let message = match err.kind() {
                            csv::ErrorKind::UnequalLengths {
                                expected_len, len, ..
                            } => {
                                format!("has {len} fields; the header has {expected_len}")
                            }
                            _ => err.to_string(),
                        };
                        Ok(Some((line, Err(FieldError::new("row", message)))))
                    }
                }
            }
            Self::Jsonl {
                reader,
                line,
                bytes,
            } => loop {
                let mut text = String::new();
                let read = reader
                    .read_line(&mut text)
                    .map_err(|e| Error::bad_input("file", e.to_string()))?;
                if read == 0 {
                    return Ok(None);
                }
                *line += 1;
                *bytes += read as u64;
                if text.trim().is_empty() {
                    continue;
                }
                let row = match serde_json::from_str::<Value>(&text) {
                    Ok(Value::Object(fields)) => Ok(fields),
                    Ok(_) => Err(FieldError::new("body", "must be a JSON object")),
                    Err(e) => Err(FieldError::new(
                        "body",
                        format!("is not valid JSON (column {})", e.column()),
                    )),
                };
                return Ok(Some((*line, row)));
            },
        }
    }
}

/// Reads a header name; unknown names are refused before anything is imported.
fn column(name: &str, template: &Template) -> Result<Column, String> {
    if let Some(rest) = name.strip_prefix("checklist.") {
        let (code, status) = match rest.strip_suffix(".status") {
            Some(code) => (code, true),
            None => (rest, false),
        };
        let Some(item) = template.item_by_code(code) else {
            return Err(format!(
                "`{code}` is not a checklist item of this workspace"
            ));
        };
        return Ok(if status {
            Column::Status {
                code: code.to_owned(),
            }
        } else {
            Column::Value {
                code: code.to_owned(),
                number: item.field_type == FieldType::Number,
            }
        });
    }
    match name {
        "tags" => Ok(Column::Tags),
        "didOptOut" | "emailVerified" => Ok(Column::Flag(name.to_owned())),
        _ if TEXT_COLUMNS.contains(&name) => Ok(Column::Text(name.to_owned())),
        _ => Err(format!(
            "`{name}` is not a known column (lead fields, tags, checklist.<code>, checklist.<code>.status)"
        )),
    }
}

/// A CSV record as the create body it stands for.
fn csv_body(columns: &[Column], record: &csv::StringRecord) -> Map<String, Value> {
    let mut body = Map::new();
    let mut items: Vec<(String, Map<String, Value>)> = Vec::new();
    fn item<'i>(
        items: &'i mut Vec<(String, Map<String, Value>)>,
        code: &str,
    ) -> &'i mut Map<String, Value> {
        let i = match items.iter().position(|(c, _)| c == code) {
            Some(i) => i,
            None => {
                let mut fields = Map::new();
                fields.insert("code".into(), json!(code));
                items.push((code.to_owned(), fields));
                items.len() - 1
            }
        };
        &mut items[i].1
    }
    for (column, cell) in columns.iter().zip(record.iter()) {
        if cell.trim().is_empty() {
            continue;
        }
        match column {
            Column::Text(name) => {
                body.insert(name.clone(), json!(cell));
            }
            Column::Flag(name) => {
                let flag = match cell.trim().to_ascii_lowercase().as_str() {
                    "true" | "yes" | "1" => json!(true),
                    "false" | "no" | "0" => json!(false),
                    // The reader refuses it with its own words.
                    _ => json!(cell),
                };
                body.insert(name.clone(), flag);
            }
            Column::Tags => {
                let tags: Vec<&str> = cell
                    .split(';')
                    .map(str::trim)
                    .filter(|t| !t.is_empty())
                    .collect();
                body.insert("tags".into(), json!(tags));
            }
            Column::Value { code, number } => {
                let value = match serde_json::from_str::<serde_json::Number>(cell.trim()) {
                    Ok(n) if *number => Value::Number(n),
                    _ => json!(cell),
                };
                item(&mut items, code).insert("value".into(), value);
            }
            Column::Status { code } => {
                item(&mut items, code).insert("status".into(), json!(cell.trim()));
            }
        }
    }
    if !items.is_empty() {
        let list: Vec<Value> = items.into_iter().map(|(_, f)| Value::Object(f)).collect();
        body.insert("checklistItems".into(), Value::Array(list));
    }
    body
}
