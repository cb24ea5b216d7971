//! zonecheck binary: parses arguments and hands over to the command line module.

fn main() -> std::process::ExitCode {
    zonecheck::cli::main_with_args()
}
