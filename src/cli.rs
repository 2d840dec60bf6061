//! The `leadgate` command line: serve, workspace, api-key, checklist, schema, migrate.
//! Commands print JSON on stdout; errors go to stderr with a non-zero exit status.

use std::{net::SocketAddr, num::NonZeroU32, path::PathBuf, time::Duration};

use clap::{Parser, Subcommand};
use serde_json::json;
use uuid::Uuid;

use crate::config::RateLimit;
use crate::domain::documents::{DocumentStore, UrlSigner, lifecycle, store, upload};
use crate::domain::{auth, checklist::import, demo, workspaces};
use crate::entities::{api_key, enums::ApiKeyMode};
use crate::error::Error;
use crate::graphql::limits::Limits;
use crate::http::GraphiqlPage;
use crate::logging::LogFormat;
use crate::{AppState, Config, db, graphql, router};

/// The shortest signing key `serve` accepts (bytes): 256 bits, as HMAC-SHA256 wants.
const MIN_SIGNING_KEY_BYTES: usize = 32;

#[derive(Debug, Parser)]
#[command(
    name = "leadgate",
    version,
    about = "A GraphQL gateway for lead intake"
)]
pub struct Cli {
    /// Database URL: sqlite://FILE?mode=rwc or postgres://USER@HOST/DB.
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://leadgate.db?mode=rwc",
        global = true
    )]
    pub database_url: String,
    /// Log lines on stderr: human-readable text, or one JSON object per line.
    #[arg(
        long,
        env = "LEADGATE_LOG_FORMAT",
        value_enum,
        default_value = "text",
        global = true
    )]
    pub log_format: LogFormat,
    /// A TOML file of settings, under flags and environment (see README "Configuration");
    /// its keys are the flags' names with `_` (`rate_limit_per_second`).
    #[arg(long, env = "LEADGATE_CONFIG", global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Database connections per process (default 20 on PostgreSQL, 8 on SQLite); keep
    /// pool size x replicas within PostgreSQL's max_connections.
    #[arg(long, env = "LEADGATE_DB_POOL_SIZE", global = true)]
    pub db_pool_size: Option<u32>,
    /// Longest wait for a database connection (pool or connect) before the request is
    /// answered SERVICE_UNAVAILABLE; keep it well below --request-timeout.
    #[arg(long, env = "LEADGATE_DB_ACQUIRE_TIMEOUT", default_value = "5s", value_parser = humantime::parse_duration, global = true)]
    pub db_acquire_timeout: Duration,
    /// How long a SQLite writer waits for the write lock before the write is retried.
    #[arg(long, env = "LEADGATE_SQLITE_BUSY_TIMEOUT", default_value = "5s", value_parser = humantime::parse_duration, global = true)]
    pub sqlite_busy_timeout: Duration,
    #[command(subcommand)]
    pub command: Command,
}

// `Serve` carries every server setting; the enum is parsed once at start-up, so its
// size does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database, then serve HTTP.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "LEADGATE_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Seed (idempotently) a demo workspace and print its API key and GraphiQL's
        /// address; without a signing key, sign with a random one for this run.
        #[arg(long, env = "LEADGATE_DEMO")]
        demo: bool,
        /// Key that signs document download URLs (at least 32 bytes; `openssl rand -hex
        /// 32`); the same on every replica. Required unless --demo.
        #[arg(long, env = "LEADGATE_SIGNING_KEY", hide_env_values = true)]
        signing_key: Option<String>,
        /// The signing key before a rotation: still verifies URLs, never signs.
        #[arg(long, env = "LEADGATE_SIGNING_KEY_PREVIOUS", hide_env_values = true)]
        signing_key_previous: Option<String>,
        /// Where document bytes go: a folder, or s3://bucket/prefix (with the usual AWS_*
        /// settings). Default: a `-documents` folder next to the SQLite file.
        #[arg(long, env = "LEADGATE_DOCUMENTS")]
        documents: Option<String>,
        /// Content types uploads accept (detected from the bytes), comma-separated.
        #[arg(long, env = "LEADGATE_DOCUMENT_TYPES", value_delimiter = ',')]
        document_types: Vec<String>,
        /// Requests a second each API key may make, per replica (token bucket); 0 turns
        /// rate limiting off.
        #[arg(long, env = "LEADGATE_RATE_LIMIT_PER_SECOND", default_value_t = 50)]
        rate_limit_per_second: u32,
        /// Requests an API key may make at once before the per-second rate applies.
        #[arg(long, env = "LEADGATE_RATE_LIMIT_BURST", default_value_t = 100)]
        rate_limit_burst: u32,
        /// Base URL of the document store that signed URLs point to.
        #[arg(long, env = "LEADGATE_DOCUMENTS_URL", default_value = "/documents")]
        documents_url: String,
        /// Turn off schema introspection for every caller (GraphiQL then cannot
        /// autocomplete). Without it, only callers with a valid API key may introspect.
        #[arg(long, env = "LEADGATE_DISABLE_INTROSPECTION")]
        disable_introspection: bool,
        #[command(flatten)]
        limits: LimitArgs,
        /// Browser origins allowed to call the API (CORS), comma-separated.
        #[arg(long, env = "LEADGATE_CORS_ORIGINS", value_delimiter = ',', value_parser = crate::http::cors::parse_origin)]
        cors_origins: Vec<String>,
        /// Requests running longer are stopped and answered TIMEOUT (408).
        #[arg(long, env = "LEADGATE_REQUEST_TIMEOUT", default_value = "30s", value_parser = humantime::parse_duration)]
        request_timeout: Duration,
        /// On SIGTERM, how long in-flight requests may still run before the process exits.
        #[arg(long, env = "LEADGATE_SHUTDOWN_GRACE", default_value = "30s", value_parser = humantime::parse_duration)]
        shutdown_grace: Duration,
        /// Do not run migrations at start (for deploys that run `leadgate migrate` once).
        #[arg(long, env = "LEADGATE_NO_MIGRATE")]
        no_migrate: bool,
        #[command(flatten)]
        webhooks: WebhookArgs,
    },
    /// Workspaces.
    Workspace {
        #[command(subcommand)]
        command: WorkspaceCommand,
    },
    /// API keys.
    ApiKey {
        #[command(subcommand)]
        command: ApiKeyCommand,
    },
    /// Checklist templates.
    Checklist {
        #[command(subcommand)]
        command: ChecklistCommand,
    },
    /// Webhook endpoints.
    Webhook {
        #[command(subcommand)]
        command: WebhookCommand,
    },
    /// Leads.
    Leads {
        #[command(subcommand)]
        command: LeadsCommand,
    },
    /// Print the GraphQL SDL.
    Schema,
    /// Print the OpenAPI 3.1 document of the REST API (as served at /api/v1/openapi.json).
    Openapi,
    /// Run pending migrations and exit.
    Migrate,
}

#[derive(Debug, Subcommand)]
pub enum WorkspaceCommand {
    /// Create a workspace; prints {"id", "name"}.
    Create {
        #[arg(long)]
        name: String,
    },
}

#[derive(Debug, Subcommand)]
pub enum ApiKeyCommand {
    /// Create an API key; the key is printed once and stored only as a hash.
    Create {
        #[arg(long)]
        workspace: Uuid,
        /// A test key: leads it creates are test leads.
        #[arg(long)]
        test: bool,
    },
    /// List a workspace's keys as a JSON array (never the key or its hash).
    List {
        #[arg(long)]
        workspace: Uuid,
    },
    /// Revoke a key: it is refused from its next request on, on every replica. Prints
    /// the key's JSON; revoking again changes nothing.
    Revoke {
        #[arg(long)]
        id: Uuid,
    },
}

#[derive(Debug, Subcommand)]
pub enum ChecklistCommand {
    /// Replace the workspace's checklist template with FILE; prints a JSON summary.
    Import {
        #[arg(long)]
        workspace: Uuid,
        file: PathBuf,
    },
}

#[derive(Debug, Subcommand)]
pub enum WebhookCommand {
    /// Register an endpoint for a workspace's events; prints it with its signing secret
    /// (shown once).
    Create {
        #[arg(long)]
        workspace: Uuid,
        #[arg(long)]
        url: String,
        /// Event types, comma-separated (lead.created, lead.updated, ...).
        #[arg(long, value_delimiter = ',', required = true)]
        events: Vec<String>,
        #[arg(long)]
        description: Option<String>,
        /// Accept a private, loopback or link-local target.
        #[arg(long, env = "LEADGATE_WEBHOOK_ALLOW_PRIVATE")]
        webhook_allow_private: bool,
    },
    /// List a workspace's endpoints as a JSON array (never their secrets).
    List {
        #[arg(long)]
        workspace: Uuid,
    },
    /// Delete an endpoint and its deliveries; prints it.
    Delete {
        #[arg(long)]
        workspace: Uuid,
        #[arg(long)]
        id: Uuid,
    },
}

/// Webhook delivery settings of `serve` (see README "Events").
#[derive(Debug, clap::Args)]
pub struct WebhookArgs {
    /// Allow webhook targets on private, loopback and link-local addresses (checked when
    /// an endpoint is saved and before every delivery).
    #[arg(long, env = "LEADGATE_WEBHOOK_ALLOW_PRIVATE")]
    webhook_allow_private: bool,
    /// Attempts per delivery, the first included; then it is FAILED.
    #[arg(long, env = "LEADGATE_WEBHOOK_MAX_ATTEMPTS", default_value_t = 3, value_parser = clap::value_parser!(u32).range(1..=20))]
    webhook_max_attempts: u32,
    /// Wait before the second attempt; each later one waits twice as long.
    #[arg(long, env = "LEADGATE_WEBHOOK_RETRY_BASE", default_value = "1m", value_parser = humantime::parse_duration)]
    webhook_retry_base: Duration,
    /// FAILED deliveries in a row that disable an endpoint.
    #[arg(long, env = "LEADGATE_WEBHOOK_DISABLE_AFTER", default_value_t = 5, value_parser = clap::value_parser!(u32).range(1..))]
    webhook_disable_after: u32,
    /// How long a receiver has to answer.
    #[arg(long, env = "LEADGATE_WEBHOOK_TIMEOUT", default_value = "5s", value_parser = humantime::parse_duration)]
    webhook_timeout: Duration,
    /// How often an idle dispatcher looks for due deliveries without a wake-up.
    #[arg(long, env = "LEADGATE_WEBHOOK_POLL_INTERVAL", default_value = "1s", value_parser = humantime::parse_duration)]
    webhook_poll_interval: Duration,
    /// Delivered events (and their deliveries) are pruned after this long; it is also how
    /// far back a subscription can resume.
    #[arg(long, env = "LEADGATE_EVENT_RETENTION", default_value = "7days", value_parser = humantime::parse_duration)]
    event_retention: Duration,
}

impl From<WebhookArgs> for crate::domain::webhooks::Settings {
    fn from(args: WebhookArgs) -> Self {
        Self {
            allow_private: args.webhook_allow_private,
            max_attempts: args.webhook_max_attempts,
            retry_base: args.webhook_retry_base,
            disable_after: args.webhook_disable_after,
            timeout: args.webhook_timeout,
            poll_interval: args.webhook_poll_interval,
            retention: args.event_retention,
        }
    }
}

/// The principal the CLI acts as on a workspace (an operator, not a key).
async fn operator(
    db: &sea_orm::DatabaseConnection,
    workspace: Uuid,
) -> Result<auth::Principal, CliError> {
    use sea_orm::EntityTrait;
    crate::entities::workspace::Entity::find_by_id(workspace)
        .one(db)
        .await
        .map_err(Error::from)?
        .ok_or(Error::NotFound("workspace"))?;
    Ok(auth::Principal {
        workspace_id: workspace,
        api_key_id: Uuid::nil(),
        mode: ApiKeyMode::Live,
        default_region: String::new(),
    })
}

/// An endpoint as the CLI prints it; the secret only when just made.
fn endpoint_json(
    endpoint: &crate::entities::webhook_endpoint::Model,
    with_secret: bool,
) -> serde_json::Value {
    let time =
        |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut out = json!({
        "id": endpoint.id,
        "workspaceId": endpoint.workspace_id,
        "url": endpoint.url,
        "description": endpoint.description,
        "events": crate::domain::webhooks::endpoints::event_types(endpoint),
        "enabled": endpoint.enabled,
        "disabledReason": endpoint.disabled_reason,
        "createdAt": time(endpoint.created_at),
    });
    if with_secret {
        out["secret"] = json!(endpoint.secret);
    }
    out
}

#[derive(Debug, Subcommand)]
pub enum LeadsCommand {
    /// Import leads from a CSV (header row) or JSON Lines FILE, 100 rows a transaction,
    /// as createLeads does; prints a JSON summary (see README "Bulk import").
    Import {
        #[arg(long)]
        workspace: Uuid,
        file: PathBuf,
        /// csv or jsonl; by default from the extension (.csv, .jsonl, .ndjson).
        #[arg(long, value_enum)]
        format: Option<crate::import::Format>,
        /// create (default), skip, update or reject: what a row that duplicates a live
        /// lead (same email or phone) does.
        #[arg(long, default_value = "create", value_parser = parse_on_duplicate)]
        on_duplicate: crate::domain::leads::duplicates::OnDuplicate,
        /// Check every row and count what would happen; write nothing.
        #[arg(long)]
        dry_run: bool,
        /// Write every refused row's problems here as CSV: line, field, message.
        #[arg(long, value_name = "FILE")]
        report: Option<PathBuf>,
        /// Leads imported are test leads (as if created with a test key).
        #[arg(long)]
        test: bool,
    },
}

fn parse_on_duplicate(raw: &str) -> Result<crate::domain::leads::duplicates::OnDuplicate, String> {
    crate::domain::leads::duplicates::OnDuplicate::parse(raw)
        .ok_or_else(|| "must be create, skip, update or reject".to_owned())
}

/// The GraphQL operation limits of `serve` (see `graphql::limits` and README "Security").
#[derive(Debug, clap::Args)]
pub struct LimitArgs {
    /// Most fields on an operation's longest path (MAX_DEPTH_LIMIT beyond).
    #[arg(long, env = "LEADGATE_MAX_DEPTH", default_value_t = Limits::default().depth)]
    max_depth: usize,
    /// Highest operation cost, a list field counting its page size times its selection
    /// (MAX_COMPLEXITY_LIMIT beyond).
    #[arg(long, env = "LEADGATE_MAX_COMPLEXITY", default_value_t = Limits::default().complexity)]
    max_complexity: usize,
    /// Most aliases in a document, fragments included (MAX_ALIASES_LIMIT beyond).
    #[arg(long, env = "LEADGATE_MAX_ALIASES", default_value_t = Limits::default().aliases)]
    max_aliases: usize,
    /// Most root fields of an operation, fragments expanded (MAX_ROOT_FIELDS_LIMIT beyond).
    #[arg(long, env = "LEADGATE_MAX_ROOT_FIELDS", default_value_t = Limits::default().root_fields)]
    max_root_fields: usize,
    /// Most operations in a JSON batch (MAX_BATCH_SIZE_LIMIT beyond).
    #[arg(long, env = "LEADGATE_MAX_BATCH_SIZE", default_value_t = Limits::default().batch_size)]
    max_batch_size: usize,
    /// Most bytes of query text (MAX_QUERY_SIZE_LIMIT beyond).
    #[arg(long, env = "LEADGATE_MAX_QUERY_BYTES", default_value_t = Limits::default().query_bytes)]
    max_query_bytes: usize,
    /// Most bytes of a request body, GraphQL or REST JSON (413 PAYLOAD_TOO_LARGE beyond,
    /// with Content-Length or chunked); multipart uploads have the documents limits.
    #[arg(long, env = "LEADGATE_MAX_BODY_BYTES", default_value_t = Config::default().body_limit_bytes)]
    max_body_bytes: usize,
}

impl From<LimitArgs> for Limits {
    fn from(args: LimitArgs) -> Self {
        Self {
            depth: args.max_depth,
            complexity: args.max_complexity,
            aliases: args.max_aliases,
            root_fields: args.max_root_fields,
            batch_size: args.max_batch_size,
            query_bytes: args.max_query_bytes,
        }
    }
}

/// What went wrong, for stderr. An internal error shows its redacted diagnostic, which
/// tells the operator what failed without any stored value.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{}", describe(.0))]
    Domain(#[from] Error),
    #[error("{0}")]
    Io(String),
}

fn describe(err: &Error) -> String {
    if err.is_internal() {
        format!("{err} ({})", crate::diagnostics::Diagnostic::of(err))
    } else {
        err.to_string()
    }
}

/// A key as `api-key list` and `revoke` print it: never the key or its hash.
fn key_json(key: &api_key::Model) -> serde_json::Value {
    // The API's DateTime format: RFC 3339 UTC with milliseconds.
    let time =
        |t: chrono::DateTime<chrono::Utc>| t.to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    json!({
        "id": key.id,
        "workspaceId": key.workspace_id,
        "mode": key.mode.as_str(),
        "createdAt": time(key.created_at),
        "revokedAt": key.revoked_at.map(time),
        "lastUsedAt": key.last_used_at.map(time),
    })
}

/// The signer `serve` uses: the configured key, or with `--demo` a random one.
fn url_signer(
    signing_key: Option<String>,
    previous: Option<String>,
    demo: bool,
    documents_url: String,
) -> Result<UrlSigner, CliError> {
    let ttl = crate::domain::documents::URL_TTL;
    match signing_key {
        Some(key) if key.len() >= MIN_SIGNING_KEY_BYTES => {
            let signer = UrlSigner::new(key.into_bytes(), documents_url, ttl);
            Ok(match previous {
                Some(old) if !old.is_empty() => signer.with_previous(old.into_bytes()),
                _ => signer,
            })
        }
        Some(_) => Err(CliError::Io(format!(
            "the signing key (--signing-key / LEADGATE_SIGNING_KEY) must be at least \
             {MIN_SIGNING_KEY_BYTES} bytes; generate one with `openssl rand -hex 32`"
        ))),
        None if demo => Ok(UrlSigner::random(documents_url, ttl)),
        None => Err(CliError::Io(
            "serve needs a signing key for document URLs: set --signing-key or \
             LEADGATE_SIGNING_KEY (the same on every replica; `openssl rand -hex 32` makes \
             one), or run with --demo"
                .into(),
        )),
    }
}

/// Where documents go and what uploads accept (see README "Documents").
fn document_settings(
    spec: Option<&str>,
    types: &[String],
    database_url: &str,
) -> Result<upload::Settings, CliError> {
    let store = match spec {
        Some(spec) => DocumentStore::open(spec),
        None => DocumentStore::local(store::default_folder(database_url)),
    }
    .map_err(CliError::Io)?;
    let mut settings = upload::Settings {
        store,
        ..upload::Settings::default()
    };
    if !types.is_empty() {
        settings.allowed_types = types
            .iter()
            .map(|t| t.trim().to_ascii_lowercase())
            .collect();
    }
    Ok(settings)
}

fn rate_limit(per_second: u32, burst: u32) -> Result<Option<RateLimit>, CliError> {
    let Some(per_second) = NonZeroU32::new(per_second) else {
        return Ok(None);
    };
    let burst = NonZeroU32::new(burst).ok_or_else(|| {
        CliError::Io("--rate-limit-burst must be at least 1 (or set --rate-limit-per-second 0 to turn limits off)".into())
    })?;
    Ok(Some(RateLimit { per_second, burst }))
}

/// Writes a line on stdout. A closed stdout is not an error: `leadgate serve --demo |
/// head -1` keeps serving after `head` exits (`println!` would panic on the broken pipe).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout(), $($arg)*);
    }};
}

fn print(value: serde_json::Value) {
    say!("{value}");
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> Result<(), CliError> {
    if let Command::Schema = cli.command {
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), "{}", graphql::sdl());
        return Ok(());
    }
    if let Command::Openapi = cli.command {
        use std::io::Write as _;
        let _ = write!(std::io::stdout(), "{}", crate::http::openapi_document());
        return Ok(());
    }
    // `serve` checks its settings before it touches the database.
    let mut serve_settings = match &cli.command {
        Command::Serve {
            signing_key,
            signing_key_previous,
            demo,
            documents_url,
            documents,
            document_types,
            rate_limit_per_second,
            rate_limit_burst,
            request_timeout,
            ..
        } => {
            check_timeouts(&cli, *request_timeout)?;
            Some((
                url_signer(
                    signing_key.clone(),
                    signing_key_previous.clone(),
                    *demo,
                    documents_url.clone(),
                )?,
                rate_limit(*rate_limit_per_second, *rate_limit_burst)?,
                document_settings(documents.as_deref(), document_types, &cli.database_url)?,
            ))
        }
        _ => None,
    };
    let pool = db::PoolSettings {
        max_connections: cli.db_pool_size,
        acquire_timeout: cli.db_acquire_timeout,
        sqlite_busy_timeout: cli.sqlite_busy_timeout,
    };
    let db = db::connect_with(&cli.database_url, &pool).await?;
    if !matches!(
        cli.command,
        Command::Serve {
            no_migrate: true,
            ..
        }
    ) {
        db::migrate(&db).await?;
    }
    match cli.command {
        Command::Schema | Command::Openapi => unreachable!("handled above"),
        Command::Migrate => {
            eprintln!("migrations are up to date");
        }
        Command::Workspace {
            command: WorkspaceCommand::Create { name },
        } => {
            let ws = workspaces::create(&db, &name).await?;
            print(json!({ "id": ws.id, "name": ws.name }));
        }
        Command::ApiKey {
            command: ApiKeyCommand::Create { workspace, test },
        } => {
            let mode = if test {
                ApiKeyMode::Test
            } else {
                ApiKeyMode::Live
            };
            let key = auth::issue(&db, workspace, mode).await?;
            print(
                json!({ "id": key.id, "workspaceId": key.workspace_id, "key": key.key, "mode": key.mode.as_str() }),
            );
        }
        Command::ApiKey {
            command: ApiKeyCommand::List { workspace },
        } => {
            let keys = auth::list(&db, workspace).await?;
            print(keys.iter().map(key_json).collect());
        }
        Command::ApiKey {
            command: ApiKeyCommand::Revoke { id },
        } => {
            print(key_json(&auth::revoke(&db, id).await?));
        }
        Command::Webhook { command } => {
            use crate::domain::webhooks::{self, endpoints};
            match command {
                WebhookCommand::Create {
                    workspace,
                    url,
                    events,
                    description,
                    webhook_allow_private,
                } => {
                    let principal = operator(&db, workspace).await?;
                    let settings = webhooks::Settings {
                        allow_private: webhook_allow_private,
                        ..Default::default()
                    };
                    let input = endpoints::EndpointInput {
                        url: Some(url),
                        events: Some(events),
                        description,
                        enabled: None,
                    };
                    let endpoint = endpoints::create(&db, &settings, &principal, &input).await?;
                    print(endpoint_json(&endpoint, true));
                }
                WebhookCommand::List { workspace } => {
                    let principal = operator(&db, workspace).await?;
                    let list = endpoints::list(&db, &principal).await?;
                    print(list.iter().map(|e| endpoint_json(e, false)).collect());
                }
                WebhookCommand::Delete { workspace, id } => {
                    let principal = operator(&db, workspace).await?;
                    print(endpoint_json(
                        &endpoints::delete(&db, &principal, id).await?,
                        false,
                    ));
                }
            }
        }
        Command::Leads {
            command:
                LeadsCommand::Import {
                    workspace,
                    file,
                    format,
                    on_duplicate,
                    dry_run,
                    report,
                    test,
                },
        } => {
            let format = format
                .or_else(|| crate::import::Format::detect(&file))
                .ok_or_else(|| {
                    CliError::Io(format!(
                        "cannot tell the format of {} from its extension; pass --format csv or --format jsonl",
                        file.display()
                    ))
                })?;
            let workspace = workspaces::find(&db, workspace).await?;
            let principal = auth::Principal {
                workspace_id: workspace.id,
                // No key: the import runs as the operator, not as a client.
                api_key_id: Uuid::nil(),
                mode: if test {
                    ApiKeyMode::Test
                } else {
                    ApiKeyMode::Live
                },
                default_region: workspace.default_region,
            };
            let options = crate::domain::leads::Options {
                all_or_none: false,
                on_duplicate,
                dry_run,
            };
            let summary =
                crate::import::run(&db, &principal, &file, format, options, report.as_deref())
                    .await?;
            if !std::io::IsTerminal::is_terminal(&std::io::stderr()) {
                eprintln!(
                    "{} rows: {} created, {} skipped, {} updated, {} refused{} in {:.1} s ({:.0} rows/s)",
                    summary.rows,
                    summary.created,
                    summary.skipped,
                    summary.updated,
                    summary.refused,
                    if summary.dry_run {
                        " (dry run: nothing written)"
                    } else {
                        ""
                    },
                    summary.seconds,
                    summary.rows_per_second
                );
            }
            print(serde_json::to_value(summary).expect("summary serialises"));
        }
        Command::Checklist {
            command: ChecklistCommand::Import { workspace, file },
        } => {
            let text = std::fs::read_to_string(&file)
                .map_err(|e| CliError::Io(format!("cannot read {}: {e}", file.display())))?;
            let template = import::parse(&text)?;
            let summary = import::replace(&db, workspace, &template).await?;
            print(serde_json::to_value(summary).expect("summary serialises"));
        }
        Command::Serve {
            listen,
            demo: with_demo,
            signing_key,
            disable_introspection,
            cors_origins,
            limits,
            request_timeout,
            shutdown_grace,
            webhooks,
            ..
        } => {
            let (url_signer, rate_limit, documents) = serve_settings.take().expect("checked above");
            let webhooks: crate::domain::webhooks::Settings = webhooks.into();
            // One LISTEN connection per replica, shared by the dispatcher and subscriptions.
            let wake = crate::domain::events::wake::Wake::new(db.clone());
            tokio::spawn(crate::domain::webhooks::dispatcher::run_woken(
                db.clone(),
                webhooks.clone(),
                wake.clone(),
            ));
            tokio::spawn(lifecycle::sweep_every_hour(
                db.clone(),
                documents.store.clone(),
            ));
            let config = Config {
                introspection: !disable_introspection,
                body_limit_bytes: limits.max_body_bytes,
                limits: limits.into(),
                request_timeout,
                cors_origins,
                url_signer,
                rate_limit,
                documents,
                webhooks,
            };
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .map_err(|e| CliError::Io(format!("cannot listen on {listen}: {e}")))?;
            let address = listener
                .local_addr()
                .map_err(|e| CliError::Io(e.to_string()))?;
            let mut graphiql = GraphiqlPage::standard();
            if with_demo {
                let (workspace, key) = demo::seed(&db).await?;
                say!("demo workspace: {} ({})", workspace.name, workspace.id);
                say!("demo API key:   {}", key.key);
                if signing_key.is_none() {
                    say!(
                        "signing key:    random for this run (document URLs stop working when it stops; set LEADGATE_SIGNING_KEY to keep them)"
                    );
                }
                let sample = demo::sample_lead(&db, workspace.id).await?;
                graphiql = GraphiqlPage::demo(&key.key, key.id, sample);
                if !address.ip().is_loopback() {
                    tracing::warn!(%address, "--demo: the GraphiQL page shows the demo API key to anyone who can reach this address");
                }
            }
            say!("GraphiQL:       http://{address}/graphql");
            say!("REST:           POST http://{address}/api/v1/leads");
            tokio::spawn(crate::domain::idempotency::keep_pruned(db.clone()));
            let state = AppState::counting_statements(db, config)
                .with_graphiql(graphiql)
                .with_wake(wake);
            serve(listener, state, shutdown_grace).await?;
        }
    }
    Ok(())
}

/// The pool's waits must end well before the request timeout, so a request that cannot
/// reach the database is answered SERVICE_UNAVAILABLE, not TIMEOUT after the fact.
fn check_timeouts(cli: &Cli, request_timeout: Duration) -> Result<(), CliError> {
    for (flag, wait) in [
        ("--db-acquire-timeout", cli.db_acquire_timeout),
        ("--sqlite-busy-timeout", cli.sqlite_busy_timeout),
    ] {
        if wait >= request_timeout {
            return Err(CliError::Io(format!(
                "{flag} ({}) must be shorter than --request-timeout ({})",
                humantime::format_duration(wait),
                humantime::format_duration(request_timeout)
            )));
        }
    }
    Ok(())
}

/// Serves until SIGTERM or Ctrl-C, then shuts down gracefully: `/readyz` answers 503, no
/// new connection is accepted, in-flight requests run to their end for at most `grace`,
/// and the process exits 0.
async fn serve(
    listener: tokio::net::TcpListener,
    state: AppState,
    grace: Duration,
) -> Result<(), CliError> {
    let readiness = state.readiness.clone();
    let sockets = readiness.clone();
    let (signalled, mut on_signal) = tokio::sync::watch::channel(false);
    let server = axum::serve(listener, router(state))
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            readiness.shutting_down();
            let _ = signalled.send(true);
        })
        .into_future();
    let grace_over = async move {
        let _ = on_signal.wait_for(|signalled| *signalled).await;
        tokio::time::sleep(grace).await;
    };
    tokio::select! {
        served = server => served.map_err(|e| CliError::Io(e.to_string()))?,
        () = grace_over => {
            tracing::warn!(grace_ms = grace.as_millis() as u64, "shutdown grace is over; exiting with requests still running");
        }
    }
    // Subscription sockets were told to close (1012) at the signal; let the frames go out.
    sockets.drained(Duration::from_secs(1)).await;
    tracing::info!("stopped");
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut signal) =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        {
            signal.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
    tracing::info!("shutting down");
}
