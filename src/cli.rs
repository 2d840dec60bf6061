//! The `leadgate` command line: serve, workspace, api-key, checklist, schema, migrate.
//! Commands print JSON on stdout; errors go to stderr with a non-zero exit status.

use std::{net::SocketAddr, path::PathBuf};

use clap::{Parser, Subcommand};
use serde_json::json;
use uuid::Uuid;

use crate::domain::{auth, checklist::import, demo, workspaces};
use crate::entities::enums::ApiKeyMode;
use crate::error::Error;
use crate::http::GraphiqlPage;
use crate::{AppState, Config, db, graphql, router};

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
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Migrate the database, then serve HTTP.
    Serve {
        /// Address to listen on.
        #[arg(long, env = "LEADGATE_LISTEN", default_value = "127.0.0.1:8080")]
        listen: SocketAddr,
        /// Seed (idempotently) a demo workspace and print its API key and GraphiQL's address.
        #[arg(long)]
        demo: bool,
        /// Key that signs document download URLs; set the same on every replica.
        #[arg(long, env = "LEADGATE_SIGNING_KEY", hide_env_values = true)]
        signing_key: Option<String>,
        /// Base URL of the document store that signed URLs point to.
        #[arg(long, env = "LEADGATE_DOCUMENTS_URL", default_value = "/documents")]
        documents_url: String,
        /// Turn off schema introspection (GraphiQL then cannot autocomplete).
        #[arg(long, env = "LEADGATE_NO_INTROSPECTION")]
        no_introspection: bool,
        /// Browser origins allowed to call the API (CORS), comma-separated.
        #[arg(long, env = "LEADGATE_CORS_ORIGINS", value_delimiter = ',', value_parser = crate::http::cors::parse_origin)]
        cors_origins: Vec<String>,
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
    /// Print the GraphQL SDL.
    Schema,
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

/// What went wrong, for stderr.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error(transparent)]
    Domain(#[from] Error),
    #[error("{0}")]
    Io(String),
}

fn print(value: serde_json::Value) {
    println!("{value}");
}

/// Runs a parsed command line.
pub async fn run(cli: Cli) -> Result<(), CliError> {
    if let Command::Schema = cli.command {
        print!("{}", graphql::sdl());
        return Ok(());
    }
    let db = db::connect(&cli.database_url).await?;
    db::migrate(&db).await?;
    match cli.command {
        Command::Schema => unreachable!("handled above"),
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
            documents_url,
            no_introspection,
            cors_origins,
        } => {
            let mut config = Config {
                introspection: !no_introspection,
                cors_origins,
                ..Config::default()
            };
            match signing_key {
                Some(key) => {
                    config.url_signer = crate::domain::documents::UrlSigner::new(
                        key.into_bytes(),
                        documents_url,
                        chrono::Duration::minutes(15),
                    );
                }
                None => tracing::warn!(
                    "LEADGATE_SIGNING_KEY is not set: document URLs use the development key"
                ),
            }
            let listener = tokio::net::TcpListener::bind(listen)
                .await
                .map_err(|e| CliError::Io(format!("cannot listen on {listen}: {e}")))?;
            let address = listener
                .local_addr()
                .map_err(|e| CliError::Io(e.to_string()))?;
            let mut graphiql = GraphiqlPage::standard();
            if with_demo {
                let (workspace, key) = demo::seed(&db).await?;
                println!("demo workspace: {} ({})", workspace.name, workspace.id);
                println!("demo API key:   {}", key.key);
                let sample = demo::sample_lead(&db, workspace.id).await?;
                graphiql = GraphiqlPage::demo(&key.key, key.id, sample);
                if !address.ip().is_loopback() {
                    tracing::warn!(%address, "--demo: the GraphiQL page shows the demo API key to anyone who can reach this address");
                }
            }
            println!("GraphiQL:       http://{address}/graphql");
            println!("REST:           POST http://{address}/api/v1/leads");
            let app = router(AppState::new(db, config).with_graphiql(graphiql));
            axum::serve(listener, app)
                .with_graceful_shutdown(shutdown())
                .await
                .map_err(|e| CliError::Io(e.to_string()))?;
        }
    }
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM, so in-flight requests finish before exit.
async fn shutdown() {
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
