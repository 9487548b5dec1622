//! `synology`: the DSM Web API from the command line (see `synology --help`).

fn main() -> std::process::ExitCode {
    synology_client::__cli_main()
}
