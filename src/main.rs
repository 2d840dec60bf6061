#[tokio::main]
async fn main() -> std::process::ExitCode {
    // Flags over environment over the config file over defaults.
    let cli = match leadgate::config_file::parse(std::env::args_os()) {
        Ok(cli) => cli,
        Err(err) => {
            eprintln!("error: {err}");
            return std::process::ExitCode::from(2);
        }
    };
    leadgate::logging::init(cli.log_format);
    match leadgate::cli::run(cli).await {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("error: {err}");
            std::process::ExitCode::FAILURE
        }
    }
}
