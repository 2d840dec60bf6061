use clap::Parser;

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let cli = leadgate::cli::Cli::parse();
    leadgate::logging::init(cli.log_format);
    match leadgate::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}
