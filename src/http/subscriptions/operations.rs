//! One connection's operations: each subscription checked before it starts (only
//! subscriptions, within the connection's cap, with a key that still holds), run as the
//! caller with loaders of its own, and ended when its key is revoked.

use std::sync::{Arc, atomic::Ordering};

use async_graphql::{Data, ErrorExtensions, Response, ServerError, parser::types::OperationType};
use futures::{StreamExt, stream::BoxStream};

use crate::error::Error;
use crate::graphql::{
    context::{self, Caller},
    errors,
};

use super::super::{AppState, graphql::operation_type};
use super::{MAX_SUBSCRIPTIONS, RECHECK, Session, authenticate};

/// Runs the operations of one connection as its caller.
#[derive(Clone)]
pub(super) struct Executor {
    pub(super) state: AppState,
    pub(super) session: Arc<Session>,
}

/// Frees a subscription's place on its connection when its stream is dropped.
struct Slot(Arc<Session>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.running.fetch_sub(1, Ordering::SeqCst);
    }
}

/// An operation refused before it ran (no location: the refusal is not about a spot
/// in the document).
fn refused(err: &Error) -> Response {
    let error = errors::to_graphql(err);
    let mut server_error = ServerError::new(error.message, None);
    server_error.extensions = error.extensions;
    Response::from_errors(vec![server_error])
}

enum Step {
    Event(Box<Response>),
    Revoked,
    End,
}

impl Executor {
    /// Checks that `request` may start: a subscription, within the connection's cap, with
    /// a key that still holds.
    async fn start(
        &self,
        request: &mut async_graphql::Request,
    ) -> Result<(Caller, Slot), Response> {
        // Parsed here only within the query size limit (bigger ones are refused unparsed).
        let small = request.query.len() <= self.state.config.limits.query_bytes;
        if small && operation_type(request).is_some_and(|ty| ty != OperationType::Subscription) {
            return Err(refused(&Error::BadRequest(
                "only subscriptions run over the WebSocket; send queries and mutations to \
                 POST /graphql"
                    .into(),
            )));
        }
        let running = self.session.running.fetch_add(1, Ordering::SeqCst) + 1;
        let slot = Slot(self.session.clone());
        if running > MAX_SUBSCRIPTIONS {
            return Err(refused(&Error::LimitExceeded {
                code: "MAX_SUBSCRIPTIONS_LIMIT",
                message: format!(
                    "a connection may run at most {MAX_SUBSCRIPTIONS} subscriptions at once"
                ),
            }));
        }
        let principal = match self.session.key() {
            Some(key) => authenticate(&self.state, &key).await,
            None => Ok(None),
        };
        match principal {
            Ok(Some(principal)) => Ok((Caller::new(self.state.db.clone(), principal), slot)),
            Ok(None) => Err(refused(&Error::Unauthenticated)),
            Err(err) => Err(refused(&err)),
        }
    }
}

impl async_graphql::Executor for Executor {
    async fn execute(&self, request: async_graphql::Request) -> Response {
        // async-graphql's WebSocket runs everything through `execute_stream`.
        self.execute_stream(request, None)
            .next()
            .await
            .unwrap_or_default()
    }

    fn execute_stream(
        &self,
        mut request: async_graphql::Request,
        session_data: Option<Arc<Data>>,
    ) -> BoxStream<'static, Response> {
        let this = self.clone();
        let started = async move {
            let (caller, slot) = match this.start(&mut request).await {
                Ok(started) => started,
                Err(response) => return futures::stream::once(async { response }).boxed(),
            };
            let key = this.session.key();
            let request = request.data(this.state.wake.clone());
            let events = context::execute_stream(
                &this.state.schema,
                request,
                caller,
                session_data.unwrap_or_default(),
            )
            .map(|response| Step::Event(Box::new(errors::add_codes(response))))
            .chain(futures::stream::once(async { Step::End }));
            let state = this.state.clone();
            let revoked = futures::stream::unfold((), move |()| {
                let state = state.clone();
                let key = key.clone();
                async move {
                    loop {
                        tokio::time::sleep(RECHECK).await;
                        let Some(key) = &key else { break };
                        // Only a clear "no" ends it; a database hiccup does not.
                        if let Ok(None) = authenticate(&state, key).await {
                            break;
                        }
                    }
                    Some((Step::Revoked, ()))
                }
            });
            futures::stream::select(events, revoked)
                // Holds the slot while it runs; ends after the events, or after saying
                // the key was revoked.
                .scan((slot, false), |(_slot, revoked), step| {
                    futures::future::ready(match step {
                        _ if *revoked => None,
                        Step::Event(response) => Some(*response),
                        Step::Revoked => {
                            *revoked = true;
                            Some(Response::from_errors(vec![unauthenticated()]))
                        }
                        Step::End => None,
                    })
                })
                .boxed()
        };
        // A panic (a bug) ends this subscription with INTERNAL, not the connection.
        std::panic::AssertUnwindSafe(futures::stream::once(started).flatten())
            .catch_unwind()
            .map(|result| {
                result
                    .unwrap_or_else(|_| refused(&Error::Internal("a subscription panicked".into())))
            })
            .boxed()
    }
}

fn unauthenticated() -> ServerError {
    let error = async_graphql::Error::new("the x-api-key of this connection is unknown or revoked")
        .extend_with(|_, e| e.set("code", "UNAUTHENTICATED"));
    let mut server_error = ServerError::new(error.message, None);
    server_error.extensions = error.extensions;
    server_error
}
