//! Visibility conditions on groups and items: `{"code": .., "equals": ..}`, or `{"all": [..]}`
//! / `{"any": [..]}` of those; `null` always holds.

use std::collections::HashMap;

use serde_json::Value;

/// The values a lead holds, by item code, that conditions are evaluated against.
pub type Values<'a> = HashMap<&'a str, &'a Value>;

/// Whether `condition` holds for these values. Malformed conditions never reach here:
/// `check` refuses them at import.
pub fn holds(condition: Option<&Value>, values: &Values<'_>) -> bool {
    let Some(condition) = condition else {
        return true;
    };
    match condition {
        Value::Null => true,
        Value::Object(map) => {
            if let Some(Value::Array(all)) = map.get("all") {
                all.iter().all(|c| holds(Some(c), values))
            } else if let Some(Value::Array(any)) = map.get("any") {
                any.iter().any(|c| holds(Some(c), values))
            } else if let (Some(Value::String(code)), Some(expected)) =
                (map.get("code"), map.get("equals"))
            {
                values.get(code.as_str()).is_some_and(|v| *v == expected)
            } else {
                false
            }
        }
        _ => false,
    }
}

/// Checks a condition's shape and that every code it names exists.
pub fn check(condition: &Value, known_code: &dyn Fn(&str) -> bool) -> Result<(), String> {
    match condition {
        Value::Null => Ok(()),
        Value::Object(map) => {
            let keys: Vec<&str> = map.keys().map(String::as_str).collect();
            match keys.as_slice() {
                ["all"] | ["any"] => {
                    let Some(Value::Array(list)) = map.values().next() else {
                        return Err("`all`/`any` must be a list of conditions".into());
                    };
                    list.iter().try_for_each(|c| check(c, known_code))
                }
                ["code", "equals"] | ["equals", "code"] => match map.get("code") {
                    Some(Value::String(code)) if known_code(code) => Ok(()),
                    Some(Value::String(code)) => {
                        Err(format!("refers to unknown checklist code `{code}`"))
                    }
                    _ => Err("`code` must be a string".into()),
                },
                _ => Err(
                    "must be {\"code\": .., \"equals\": ..}, {\"all\": [..]} or {\"any\": [..]}"
                        .into(),
                ),
            }
        }
        _ => Err("must be an object or null".into()),
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn evaluates_equals_all_and_any() {
        let llc = json!("LLC");
        let yes = json!(true);
        let values: Values = [("entity_type", &llc), ("has_tax_id", &yes)].into();
        assert!(holds(None, &values));
        assert!(holds(
            Some(&json!({"code": "entity_type", "equals": "LLC"})),
            &values
        ));
        assert!(!holds(
            Some(&json!({"code": "entity_type", "equals": "S-Corp"})),
            &values
        ));
        assert!(!holds(
            Some(&json!({"code": "missing", "equals": null})),
            &values
        ));
        assert!(holds(
            Some(
                &json!({"all": [{"code": "entity_type", "equals": "LLC"}, {"code": "has_tax_id", "equals": true}]})
            ),
            &values
        ));
        assert!(holds(
            Some(
                &json!({"any": [{"code": "entity_type", "equals": "S-Corp"}, {"code": "has_tax_id", "equals": true}]})
            ),
            &values
        ));
    }

    #[test]
    fn refuses_malformed_conditions() {
        let known = |code: &str| code == "entity_type";
        assert!(check(&json!({"code": "entity_type", "equals": "LLC"}), &known).is_ok());
        assert!(check(&json!({"code": "nope", "equals": "LLC"}), &known).is_err());
        assert!(check(&json!({"code": "entity_type"}), &known).is_err());
        assert!(
            check(
                &json!({"all": {"code": "entity_type", "equals": 1}}),
                &known
            )
            .is_err()
        );
        assert!(check(&json!("LLC"), &known).is_err());
    }
}
