//! Rules every text input follows, whatever the field: no NUL characters. PostgreSQL
//! cannot store one in text or jsonb (it failed as an INTERNAL error) and SQLite stored
//! it silently, so both faces refuse it up front, naming the field.

use serde_json::Value;

use crate::error::FieldError;

/// What a field holding a NUL is told.
pub const NUL_MESSAGE: &str = "must not contain NUL characters (\\u0000)";

/// Every place in `value` (a request input, named `path`) that holds a NUL character, in
/// strings and in object keys, as `path.key[2].key`.
pub fn nul_errors(path: &str, value: &Value) -> Vec<FieldError> {
    let mut errors = Vec::new();
    walk(path, value, &mut errors);
    errors
}

fn walk(path: &str, value: &Value, errors: &mut Vec<FieldError>) {
    match value {
        Value::String(s) if s.contains('\0') => errors.push(FieldError::new(path, NUL_MESSAGE)),
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                walk(&format!("{path}[{i}]"), item, errors);
            }
        }
        Value::Object(fields) => {
            for (key, field) in fields {
                let inner = join(path, key);
                if key.contains('\0') {
                    errors.push(FieldError::new(inner.clone(), NUL_MESSAGE));
                }
                walk(&inner, field, errors);
            }
        }
        _ => {}
    }
}

/// `a.b`, or `b` at the top (a NUL in a key is written `\u0000`).
pub fn join(path: &str, key: &str) -> String {
    let key = key.replace('\0', "\\u0000");
    if path.is_empty() {
        key
    } else {
        format!("{path}.{key}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn names_every_nul_by_its_path() {
        let value = json!({ "firstName": "a\u{0}b", "checklistItems": [{ "value": { "k\u{0}": ["ok", "\u{0}"] } }] });
        let fields: Vec<String> = nul_errors("", &value)
            .into_iter()
            .map(|e| e.field)
            .collect();
        assert_eq!(
            fields,
            [
                "firstName",
                "checklistItems[0].value.k\\u0000",
                "checklistItems[0].value.k\\u0000[1]"
            ]
        );
        assert!(nul_errors("", &json!({ "a": "fine", "b": [1, null] })).is_empty());
    }
}
