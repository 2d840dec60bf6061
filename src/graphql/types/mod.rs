//! GraphQL output types: thin wrappers over domain models, with lazy fields resolved
//! through the request's loaders.

pub mod analytics;
pub mod checklist;
pub mod connection;
pub mod lead;
pub mod payload;
pub mod timeline;
