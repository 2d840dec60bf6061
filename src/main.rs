// mimalloc instead of glibc's malloc: a request allocates thousands of small, short-lived
// values (GraphQL values, boxed futures, rows), and glibc's malloc and free were about a
// quarter of its instructions (README "Performance").
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
