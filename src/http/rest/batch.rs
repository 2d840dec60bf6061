//! `POST /api/v1/leads/batch`: up to 100 creates in one transaction, the domain's batch
//! (`leads::create_many`), answered per input in input order with its own `success`.
//! `?onDuplicate=` and `?dryRun=` read as on the single create route.

use axum::{
    body::Bytes,
    extract::{RawQuery, State},
    http::HeaderMap,
    response::Response,
};
use serde_json::{Map, Value, json};

use crate::domain::leads::{self, Options, Written, duplicates::OnDuplicate};
use crate::error::{Error, FieldError};
use crate::graphql::context::Caller;
use crate::http::AppState;

use super::{
    authenticated, body,
    payload::{CHECKLIST_SELECTION, LEAD_FIELDS, answer_of, shape_checklist},
    respond,
};

/// `POST /api/v1/leads/batch`.
pub(crate) async fn create_leads(
    State(state): State<AppState>,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    respond(create(&state, &headers, query.as_deref(), &body).await)
}

/// The create options a query string gives: `onDuplicate` (any case) and `dryRun`
/// (`true`/`false`); any other parameter is refused by name.
pub(super) fn options(query: Option<&str>) -> Result<Options, Error> {
    let mut options = Options::default();
    let mut errors = Vec::new();
    for (key, value) in url::form_urlencoded::parse(query.unwrap_or_default().as_bytes()) {
        match key.as_ref() {
            "onDuplicate" => match OnDuplicate::parse(&value) {
                Some(policy) => options.on_duplicate = policy,
                None => errors.push(FieldError::new(
                    "onDuplicate",
                    "must be CREATE, SKIP, UPDATE or REJECT",
                )),
            },
            "dryRun" => match value.trim().to_ascii_lowercase().as_str() {
                "true" | "1" => options.dry_run = true,
                "false" | "0" => options.dry_run = false,
                _ => errors.push(FieldError::new("dryRun", "must be true or false")),
            },
            other => errors.push(FieldError::new(other, "is not a known query parameter")),
        }
    }
    if errors.is_empty() {
        Ok(options)
    } else {
        Err(Error::BadInput(errors))
    }
}

async fn create(
    state: &AppState,
    headers: &HeaderMap,
    query: Option<&str>,
    raw: &[u8],
) -> Result<Value, Error> {
    let caller = authenticated(state, headers).await?;
    let mut options = options(query)?;
    let mut fields = body::object(raw)?;
    let mut errors = Vec::new();
    let inputs = match fields.remove("inputs") {
        Some(Value::Array(items)) => {
            let mut inputs = Vec::with_capacity(items.len());
            for (i, item) in items.into_iter().enumerate() {
                match item {
                    Value::Object(map) => inputs.push(body::lead_input(map)),
                    _ => errors.push(FieldError::new(
                        format!("inputs[{i}]"),
                        "must be a JSON object",
                    )),
                }
            }
            inputs
        }
        Some(_) => {
            errors.push(FieldError::new("inputs", "must be a list of leads"));
            Vec::new()
        }
        None => {
            errors.push(FieldError::new("inputs", "is required"));
            Vec::new()
        }
    };
    match fields.remove("allOrNone") {
        None | Some(Value::Null) => {}
        Some(Value::Bool(flag)) => options.all_or_none = flag,
        Some(_) => errors.push(FieldError::new("allOrNone", "must be true or false")),
    }
    for key in fields.keys() {
        errors.push(FieldError::new(key.clone(), "is not a known field"));
    }
    if !errors.is_empty() {
        return Err(Error::BadInput(errors));
    }
    let results = leads::create_many(&state.db, &caller.principal, &inputs, options).await?;
    if !options.dry_run {
        for _ in results.iter().filter(|r| {
            r.as_ref()
                .is_ok_and(|w| w.outcome == leads::Outcome::Created)
        }) {
            state.metrics.lead_created();
        }
    }
    let mut read = if options.dry_run {
        dry_run_leads(state, caller, &results).await?
    } else {
        read_leads(state, caller, &results).await?
    };
    let answers: Vec<Value> = results
        .iter()
        .enumerate()
        .map(|(i, result)| match result {
            Ok(written) => {
                let mut answer = Map::new();
                answer.insert("success".into(), Value::Bool(true));
                answer.insert("outcome".into(), Value::from(written.outcome.as_str()));
                match read.get_mut(&format!("r{i}")).map(Value::take) {
                    // A dry run's answer: the lead, its checklist and its matches.
                    Some(Value::Object(keys)) if options.dry_run => answer.extend(keys),
                    lead => {
                        answer.insert("lead".into(), lead.unwrap_or(Value::Null));
                    }
                }
                Value::Object(answer)
            }
            Err(err) => json!({ "success": false, "error": error_json(err) }),
        })
        .collect();
    Ok(json!({
        "success": results.iter().all(Result::is_ok),
        "dryRun": options.dry_run,
        "results": answers,
    }))
}

/// The documented lead keys of every lead written, skipped or updated, read through the
/// schema in one request (one lookup by id each).
async fn read_leads(
    state: &AppState,
    caller: Caller,
    results: &[Result<Written, Error>],
) -> Result<Map<String, Value>, Error> {
    let fields: Vec<String> = results
        .iter()
        .enumerate()
        .filter_map(|(i, r)| {
            let lead = &r.as_ref().ok()?.lead;
            Some(format!(
                "r{i}: lead(id: \"{}\") {{ {LEAD_FIELDS} }}",
                lead.id
            ))
        })
        .collect();
    if fields.is_empty() {
        return Ok(Map::new());
    }
    let query = format!("query RestBatch {{ {} }}", fields.join(" "));
    let request = async_graphql::Request::new(query).data(crate::graphql::limits::OwnQuery);
    let response = crate::graphql::context::execute(&state.schema, request, Some(caller)).await;
    match answer_of(response)? {
        Value::Object(map) => Ok(map),
        _ => Ok(Map::new()),
    }
}

/// A dry run's answers (nothing is stored to read back): each input's lead, checklist
/// (conditions evaluated) and matching leads, resolved by GraphQL's dry-run payload
/// through the internal preview schema, in one request.
async fn dry_run_leads(
    state: &AppState,
    caller: Caller,
    results: &[Result<Written, Error>],
) -> Result<Map<String, Value>, Error> {
    let mut previews = Vec::new();
    let mut fields = Vec::new();
    for (i, written) in results.iter().enumerate() {
        if let Ok(written) = written {
            fields.push(format!(
                "r{i}: payload(index: {}) {{ lead {{ {LEAD_FIELDS} }} {CHECKLIST_SELECTION} matchingLeads {{ {LEAD_FIELDS} }} }}",
                previews.len()
            ));
            previews.push(written.clone());
        }
    }
    if fields.is_empty() {
        return Ok(Map::new());
    }
    let request =
        async_graphql::Request::new(format!("query RestBatchDryRun {{ {} }}", fields.join(" ")))
            .data(crate::graphql::limits::OwnQuery)
            .data(crate::graphql::preview::Previews(previews));
    let response =
        crate::graphql::context::execute(&state.preview_schema, request, Some(caller)).await;
    let Value::Object(mut answers) = answer_of(response)? else {
        return Ok(Map::new());
    };
    for answer in answers.values_mut() {
        if let Some(groups) = answer.get_mut("checklistItems") {
            shape_checklist(groups);
        }
    }
    Ok(answers)
}

/// One refused input, as the error envelope words errors.
fn error_json(err: &Error) -> Value {
    let mut error = json!({ "code": err.code(), "message": err.to_string() });
    match err {
        Error::BadInput(fields) => {
            error["field"] = json!(fields.first().map(|f| f.field.clone()));
            error["fields"] = fields
                .iter()
                .map(|f| json!({ "field": f.field, "message": f.message }))
                .collect();
        }
        Error::DuplicateLead { field, ids } => {
            error["field"] = json!(field);
            error["matchingLeadIds"] = json!(ids);
        }
        _ => {}
    }
    error
}
