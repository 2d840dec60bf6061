//! Size bounds of the inputs that have no natural one: JSON values (bounded by their
//! serialized size and their nesting depth), free-text instructions, and lists. Each bound
//! is named here once; a value past it is BAD_USER_INPUT naming its field.

use std::io::{self, Write};

use serde_json::Value;

use crate::error::FieldError;

/// Deepest nesting of arrays and objects in any JSON input (a scalar is 0, `{"a": [1]}`
/// is 2).
pub const MAX_JSON_DEPTH: usize = 10;
/// A checklist value or one of its alternate values, serialized.
pub const MAX_CHECKLIST_VALUE_BYTES: usize = 16 * 1024;
/// A one-off item's `config`, serialized.
pub const MAX_CONFIG_BYTES: usize = 16 * 1024;
/// A one-off item's `validationRules`: rules, and characters in one rule.
pub const MAX_VALIDATION_RULES: usize = 50;
pub const MAX_VALIDATION_RULE_CHARS: usize = 500;
/// A one-off item's `agentInstructions` / `clientInstructions`, in characters.
pub const MAX_INSTRUCTIONS_CHARS: usize = 10_000;
/// One-off checklist items on one lead.
pub const MAX_ONE_OFF_ITEMS: u64 = 100;
/// An action log's `input` / `output` (a tool call's or a recorded action's), serialized.
pub const MAX_ACTION_JSON_BYTES: usize = 64 * 1024;
/// Tags in a lead filter.
pub const MAX_FILTER_TAGS: usize = 50;
/// A lead filter's `search` text, in characters.
pub const MAX_SEARCH_CHARS: usize = 500;

/// The problem with `value` (the input `field`) when it is larger than `max_bytes` once
/// serialized, or nested deeper than `MAX_JSON_DEPTH`.
pub fn json(field: &str, value: &Value, max_bytes: usize) -> Option<FieldError> {
    if depth(value) > MAX_JSON_DEPTH {
        return Some(FieldError::new(
            field,
            format!("is nested too deeply (at most {MAX_JSON_DEPTH} levels of arrays and objects)"),
        ));
    }
    if serialized_len_over(value, max_bytes) {
        return Some(FieldError::new(
            field,
            format!("is too large (at most {max_bytes} bytes as JSON)"),
        ));
    }
    None
}

/// The problem with `text` (the input `field`) when it has more than `max` characters.
pub fn text(field: &str, text: &str, max: usize) -> Option<FieldError> {
    (text.chars().count() > max)
        .then(|| FieldError::new(field, format!("is too long (at most {max} characters)")))
}

/// The problem with a list of `len` entries (the input `field`) when it has more than
/// `max`.
pub fn list(field: &str, len: usize, max: usize) -> Option<FieldError> {
    (len > max).then(|| FieldError::new(field, format!("has more than {max} entries")))
}

/// Nesting depth of arrays and objects. Stops counting past the bound, so a value nested
/// as deep as a parser allows costs no more than one within it.
fn depth(value: &Value) -> usize {
    fn walk(value: &Value, level: usize) -> usize {
        if level > MAX_JSON_DEPTH {
            return level;
        }
        match value {
            Value::Array(items) => items
                .iter()
                .map(|v| walk(v, level + 1))
                .max()
                .unwrap_or(level + 1),
            Value::Object(fields) => fields
                .values()
                .map(|v| walk(v, level + 1))
                .max()
                .unwrap_or(level + 1),
            _ => level,
        }
    }
    walk(value, 0)
}

/// Whether `value` serializes to more than `max` bytes; stops writing once past it.
fn serialized_len_over(value: &Value, max: usize) -> bool {
    struct Counter {
        written: usize,
        max: usize,
    }
    impl Write for Counter {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            self.written += buf.len();
            if self.written > self.max {
                Err(io::Error::other("over the bound"))
            } else {
                Ok(buf.len())
            }
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }
    let mut counter = Counter { written: 0, max };
    serde_json::to_writer(&mut counter, value).is_err()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn json_is_bounded_by_size_and_depth() {
        assert!(json("v", &json!("abc"), 5).is_none());
        assert!(
            json("v", &json!("abcd"), 5).is_some(),
            "6 bytes with quotes"
        );
        assert_eq!(depth(&json!(1)), 0);
        assert_eq!(depth(&json!([])), 1);
        assert_eq!(depth(&json!({"a": [1, {"b": []}]})), 4);
        let mut deep = json!(1);
        for _ in 0..MAX_JSON_DEPTH {
            deep = json!([deep]);
        }
        assert!(json("v", &deep, 1024).is_none());
        let too_deep = json!({ "k": deep });
        let error = json("config", &too_deep, 1024).unwrap();
        assert_eq!(error.field, "config");
        assert!(error.message.contains("nested"), "{}", error.message);
    }

    #[test]
    fn text_and_lists_are_bounded() {
        assert!(text("t", "ééé", 3).is_none());
        assert!(text("t", "éééé", 3).is_some());
        assert!(list("tags", 50, 50).is_none());
        assert_eq!(list("tags", 51, 50).unwrap().field, "tags");
    }
}
