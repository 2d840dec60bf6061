//! Checks on every input of a GraphQL request before it runs, whatever the field:
//! variables and the literal arguments of the document. A NUL character anywhere is
//! refused with BAD_USER_INPUT naming where it is (see `domain::text`). Paths are
//! relative to the input, as the domain's errors are: a variable or argument holding an
//! object is named by the path inside it (`firstName`, `checklistItems[0].value`), a
//! scalar one by its own name.

use async_graphql::{
    ServerError, ServerResult, Value, Variables,
    parser::types::{ExecutableDocument, Selection, SelectionSet},
};

use crate::domain::text::nul_errors;
use crate::error::{Error, FieldError};

use super::errors::to_graphql;

/// Refuses a document, or variables, holding a NUL character anywhere.
pub fn check(document: &ExecutableDocument, variables: &Variables) -> ServerResult<()> {
    let mut errors = Vec::new();
    for (name, value) in variables.iter() {
        check_value(name.as_str(), value.clone(), &mut errors);
    }
    for (_, operation) in document.operations.iter() {
        literals(&operation.node.selection_set.node, &mut errors);
    }
    for fragment in document.fragments.values() {
        literals(&fragment.node.selection_set.node, &mut errors);
    }
    if errors.is_empty() {
        Ok(())
    } else {
        let mut error: ServerError =
            to_graphql(&Error::BadInput(errors)).into_server_error(Default::default());
        error.locations.clear();
        Err(error)
    }
}

fn check_value(name: &str, value: Value, errors: &mut Vec<FieldError>) {
    let Ok(json) = value.into_json() else {
        return;
    };
    let path = if json.is_object() { "" } else { name };
    errors.extend(nul_errors(path, &json));
}

/// Literal argument values anywhere in a selection set (variables inside them are
/// checked as variables).
fn literals(set: &SelectionSet, errors: &mut Vec<FieldError>) {
    for selection in &set.items {
        match &selection.node {
            Selection::Field(field) => {
                for (name, value) in &field.node.arguments {
                    let Ok(literal) = value
                        .node
                        .clone()
                        .into_const_with(|_| Ok::<_, std::convert::Infallible>(Value::Null));
                    check_value(name.node.as_str(), literal, errors);
                }
                literals(&field.node.selection_set.node, errors);
            }
            Selection::InlineFragment(inline) => literals(&inline.node.selection_set.node, errors),
            Selection::FragmentSpread(_) => {}
        }
    }
}

/// A number literal no double can hold (`1e999`): the parser reports it in serde's words
/// ("invalid number: number out of range at line 1 column 5", the position inside the
/// number); it is the client's bad input, said plainly, at the literal's place.
/// A parse error for a number no field can hold, as BAD_USER_INPUT naming the query.
pub fn out_of_range(error: ServerError) -> ServerError {
    if !error.message.contains("number out of range") {
        return error;
    }
    let place = error
        .locations
        .first()
        .map(|l| format!(" (line {}, column {})", l.line, l.column))
        .unwrap_or_default();
    let mut refused = to_graphql(&Error::bad_input(
        "query",
        format!("holds a number too large for any field{place}; numbers must be within ±1.7976931348623157e308"),
    ))
    .into_server_error(Default::default());
    refused.locations = error.locations;
    refused
}
