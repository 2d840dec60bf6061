//! Checklist values: each is checked against its item's field type and `config`, and
//! stored in a normal form (emails normalised, phones in E.164).

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, RwLock};

use chrono::{DateTime, NaiveDate};
use regex::Regex;
use serde_json::{Map, Value};

use crate::domain::{email::Email, phone};
use crate::entities::{checklist_item, enums::FieldType};

/// How many compiled `pattern`s the process keeps (a template holds a handful).
const PATTERNS_KEPT: usize = 256;

/// `pattern` compiled, once per process: compiling costs far more than matching, and a
/// template's patterns are checked at every create. A pure function of the pattern's
/// text, so it cannot go stale (an import that changes a pattern brings new text); the
/// map is cleared when full, so it stays small whatever patterns are seen.
/// Shared, not cloned: a cloned `Regex` starts its own pool of match caches.
fn compiled(pattern: &str) -> Result<Arc<Regex>, regex::Error> {
    static PATTERNS: LazyLock<RwLock<HashMap<String, Arc<Regex>>>> =
        LazyLock::new(Default::default);
    if let Some(regex) = PATTERNS.read().ok().and_then(|p| p.get(pattern).cloned()) {
        return Ok(regex);
    }
    let regex = Arc::new(Regex::new(pattern)?);
    if let Ok(mut patterns) = PATTERNS.write() {
        if patterns.len() >= PATTERNS_KEPT {
            patterns.clear();
        }
        patterns.insert(pattern.to_owned(), regex.clone());
    }
    Ok(regex)
}

/// Checks `value` for `item` and returns the form to store. `null` always passes: it
/// clears the value.
pub fn check(
    item: &checklist_item::Model,
    value: &Value,
    default_region: &str,
) -> Result<Value, String> {
    if value.is_null() {
        return Ok(Value::Null);
    }
    let config = item.config.as_ref().and_then(Value::as_object);
    let get = |key: &str| config.and_then(|c| c.get(key));
    match item.field_type {
        FieldType::Text => {
            let text = as_str(value, "a string")?;
            let chars = text.chars().count();
            if let Some(min) = get("minLength").and_then(Value::as_u64)
                && (chars as u64) < min
            {
                return Err(format!("must be at least {min} characters"));
            }
            if let Some(max) = get("maxLength").and_then(Value::as_u64)
                && (chars as u64) > max
            {
                return Err(format!("must be at most {max} characters"));
            }
            if let Some(pattern) = get("pattern").and_then(Value::as_str) {
                let regex = compiled(pattern)
                    .map_err(|_| "has an invalid pattern in its config".to_owned())?;
                if !regex.is_match(text) {
                    return Err(format!("does not match the pattern {pattern}"));
                }
            }
            Ok(value.clone())
        }
        FieldType::Number => {
            let number = value.as_f64().ok_or("must be a number")?;
            if let Some(min) = get("min").and_then(Value::as_f64)
                && number < min
            {
                return Err(format!("must be at least {min}"));
            }
            if let Some(max) = get("max").and_then(Value::as_f64)
                && number > max
            {
                return Err(format!("must be at most {max}"));
            }
            Ok(value.clone())
        }
        FieldType::Date => {
            let text = as_str(value, "an ISO 8601 date")?;
            let is_date = NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok()
                || DateTime::parse_from_rfc3339(text).is_ok();
            if is_date {
                Ok(value.clone())
            } else {
                Err("must be an ISO 8601 date (YYYY-MM-DD)".into())
            }
        }
        FieldType::Email => {
            let text = as_str(value, "an email address")?;
            let email = Email::parse(text).map_err(|e| e.to_string())?;
            Ok(Value::String(email.as_str().to_owned()))
        }
        FieldType::Phone => {
            let text = as_str(value, "a phone number")?;
            phone::to_e164(text, default_region)
                .map(Value::String)
                .ok_or_else(|| "is not a valid phone number".into())
        }
        FieldType::Select => {
            let options = get("options").and_then(Value::as_array);
            let allowed =
                options.is_some_and(|options| options.iter().any(|o| option_value(o) == value));
            if allowed {
                Ok(value.clone())
            } else {
                let list: Vec<String> = options
                    .into_iter()
                    .flatten()
                    .map(|o| option_value(o).to_string())
                    .collect();
                Err(format!("must be one of {}", list.join(", ")))
            }
        }
        FieldType::Ein => {
            let text = as_str(value, "an EIN")?;
            static EIN: LazyLock<Regex> =
                LazyLock::new(|| Regex::new(r"^[0-9]{2}-[0-9]{7}$").expect("static regex"));
            if EIN.is_match(text) {
                Ok(value.clone())
            } else {
                Err("must be an EIN (NN-NNNNNNN)".into())
            }
        }
        FieldType::File | FieldType::BankStatement | FieldType::Id | FieldType::TaxReturn => {
            Err(format!(
                "is a {} item: it collects documents, not a value",
                item.field_type.as_str()
            ))
        }
    }
}

fn as_str<'v>(value: &'v Value, what: &str) -> Result<&'v str, String> {
    value.as_str().ok_or_else(|| format!("must be {what}"))
}

/// SELECT options are plain values or `{"value": .., "label": ..}`.
fn option_value(option: &Value) -> &Value {
    option
        .as_object()
        .and_then(|o| o.get("value"))
        .unwrap_or(option)
}

/// Checks a template item's `config` for its field type (at import time), so that
/// `check` can rely on it.
pub fn check_config(field_type: FieldType, config: &Value) -> Result<(), String> {
    let Some(config) = config.as_object() else {
        return if config.is_null() {
            Ok(())
        } else {
            Err("must be an object".into())
        };
    };
    let allowed: &[&str] = match field_type {
        FieldType::Text => &["pattern", "minLength", "maxLength"],
        FieldType::Number => &["min", "max"],
        FieldType::Select => &["options"],
        FieldType::BankStatement => &["months", "gracePeriodDays", "isPersonal"],
        FieldType::Id => &["type"],
        FieldType::TaxReturn => &["years", "isPersonal"],
        _ => &[],
    };
    // The documented file settings that say what to collect are required.
    let required = match field_type {
        FieldType::BankStatement => Some("months"),
        FieldType::Id => Some("type"),
        FieldType::TaxReturn => Some("years"),
        _ => None,
    };
    if let Some(key) = required
        && !config.contains_key(key)
    {
        return Err(format!(
            "`{key}` is required for {} items",
            field_type.as_str()
        ));
    }
    if let Some(unknown) = config.keys().find(|k| !allowed.contains(&k.as_str())) {
        return Err(format!(
            "`{unknown}` is not a setting of {} items (allowed: {})",
            field_type.as_str(),
            if allowed.is_empty() {
                "none".to_owned()
            } else {
                allowed.join(", ")
            }
        ));
    }
    check_settings(config)
}

fn check_settings(config: &Map<String, Value>) -> Result<(), String> {
    for (key, setting) in config {
        match key.as_str() {
            "pattern" => {
                let pattern = setting.as_str().ok_or("`pattern` must be a string")?;
                Regex::new(pattern).map_err(|e| format!("`pattern` is not a valid regex: {e}"))?;
            }
            "minLength" | "maxLength" => {
                setting
                    .as_u64()
                    .ok_or_else(|| format!("`{key}` must be a non-negative integer"))?;
            }
            "min" | "max" => {
                setting
                    .as_f64()
                    .ok_or_else(|| format!("`{key}` must be a number"))?;
            }
            "months" => whole(key, setting, 1, 24)?,
            "years" => whole(key, setting, 1, 10)?,
            "gracePeriodDays" => whole(key, setting, 0, 365)?,
            "isPersonal" => {
                setting
                    .as_bool()
                    .ok_or("`isPersonal` must be true or false")?;
            }
            "type" if !matches!(setting.as_str(), Some("DRIVERS_LICENSE" | "PASSPORT")) => {
                return Err("`type` must be DRIVERS_LICENSE or PASSPORT".into());
            }
            "options" => {
                let options = setting.as_array().ok_or("`options` must be a list")?;
                if options.is_empty() {
                    return Err("`options` must not be empty".into());
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// A whole number in `min..=max`.
fn whole(key: &str, setting: &Value, min: u64, max: u64) -> Result<(), String> {
    match setting.as_u64() {
        Some(n) if (min..=max).contains(&n) => Ok(()),
        _ => Err(format!(
            "`{key}` must be a whole number from {min} to {max}"
        )),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;
    use uuid::Uuid;

    use super::*;

    fn item(field_type: FieldType, config: Value) -> checklist_item::Model {
        checklist_item::Model {
            id: Uuid::nil(),
            workspace_id: Uuid::nil(),
            group_id: Uuid::nil(),
            lead_id: None,
            code: "x".into(),
            label: "X".into(),
            field_type,
            is_required: true,
            conditions: None,
            config: Some(config),
            validation_rules: None,
            agent_instructions: None,
            client_instructions: None,
            position: 0,
        }
    }

    #[test]
    fn text_checks_pattern_and_length() {
        let tax_id = item(FieldType::Text, json!({"pattern": "^[0-9]{2}-[0-9]{7}$"}));
        assert!(check(&tax_id, &json!("12-3456789"), "US").is_ok());
        assert!(check(&tax_id, &json!("123456789"), "US").is_err());
        assert!(check(&tax_id, &json!(12), "US").is_err());
        let short = item(FieldType::Text, json!({"minLength": 2, "maxLength": 3}));
        assert!(check(&short, &json!("a"), "US").is_err());
        assert!(check(&short, &json!("abcd"), "US").is_err());
        assert!(check(&short, &json!("abc"), "US").is_ok());
    }

    #[test]
    fn typed_fields_check_their_format() {
        let n = item(FieldType::Number, json!({"min": 0, "max": 10}));
        assert!(check(&n, &json!(5), "US").is_ok());
        assert!(check(&n, &json!(11), "US").is_err());
        assert!(check(&n, &json!("5"), "US").is_err());
        let d = item(FieldType::Date, Value::Null);
        assert!(check(&d, &json!("2026-01-30"), "US").is_ok());
        assert!(check(&d, &json!("30/01/2026"), "US").is_err());
        let e = item(FieldType::Email, Value::Null);
        assert_eq!(
            check(&e, &json!("A@B.COM"), "US").unwrap(),
            json!("A@b.com")
        );
        let p = item(FieldType::Phone, Value::Null);
        assert_eq!(
            check(&p, &json!("(678) 231-9992"), "US").unwrap(),
            json!("+16782319992")
        );
        assert!(check(&p, &json!("123"), "US").is_err());
        let s = item(
            FieldType::Select,
            json!({"options": ["LLC", {"value": "C-Corp", "label": "C Corporation"}]}),
        );
        assert!(check(&s, &json!("LLC"), "US").is_ok());
        assert!(check(&s, &json!("C-Corp"), "US").is_ok());
        assert!(check(&s, &json!("Sole"), "US").is_err());
        let ein = item(FieldType::Ein, Value::Null);
        assert!(check(&ein, &json!("12-3456789"), "US").is_ok());
        assert!(check(&ein, &json!("123456789"), "US").is_err());
        let file = item(FieldType::File, Value::Null);
        assert!(check(&file, &json!("x"), "US").is_err());
        assert!(check(&file, &Value::Null, "US").is_ok());
    }

    #[test]
    fn config_is_checked_per_field_type() {
        assert!(check_config(FieldType::Text, &json!({"pattern": "^a$"})).is_ok());
        assert!(check_config(FieldType::Text, &json!({"pattern": "("})).is_err());
        assert!(check_config(FieldType::Text, &json!({"min": 1})).is_err());
        assert!(check_config(FieldType::Select, &json!({"options": []})).is_err());
        assert!(check_config(FieldType::Number, &json!({"min": "a"})).is_err());
        assert!(check_config(FieldType::Email, &json!({})).is_ok());
        let statement = json!({"months": 3, "gracePeriodDays": 15, "isPersonal": true});
        assert!(check_config(FieldType::BankStatement, &statement).is_ok());
        assert!(check_config(FieldType::BankStatement, &json!({"gracePeriodDays": 5})).is_err());
        assert!(check_config(FieldType::BankStatement, &json!({"months": 0})).is_err());
        assert!(
            check_config(FieldType::BankStatement, &json!({"months": 3, "type": "X"})).is_err()
        );
        assert!(check_config(FieldType::Id, &json!({"type": "PASSPORT"})).is_ok());
        assert!(check_config(FieldType::Id, &json!({"type": "VISA"})).is_err());
        assert!(
            check_config(
                FieldType::TaxReturn,
                &json!({"years": 2, "isPersonal": false})
            )
            .is_ok()
        );
        assert!(
            check_config(
                FieldType::TaxReturn,
                &json!({"years": 2, "isPersonal": "no"})
            )
            .is_err()
        );
        assert!(check_config(FieldType::File, &json!({"months": 3})).is_err());
    }
}
