//! zonecheck binary: parses arguments, then opens the desktop app (no subcommand, `open`) or
//! runs a batch command through the command line module. The one place that knows both.

use std::path::PathBuf;
use std::process::ExitCode;
use zonecheck::cli::{self, Command};

fn main() -> ExitCode {
    let args = match cli::parse_args() {
        Ok(args) => args,
        Err(code) => return code,
    };
    cli::guarded(|| match args.command {
        Some(Command::Open { review }) => open_app(Some(review)),
        None => open_app(sample_review()),
        Some(command) => cli::run(cli::Cli {
            command: Some(command),
        }),
    })
}

/// The sample review the app opens on when started without one.
#[cfg(feature = "gui")]
fn sample_review() -> Option<PathBuf> {
    zonecheck::app::find_sample_review()
}

#[cfg(not(feature = "gui"))]
fn sample_review() -> Option<PathBuf> {
    None
}

/// Opens the desktop app (on `review` when given); one line on stderr when it cannot.
#[cfg(feature = "gui")]
fn open_app(review: Option<PathBuf>) -> ExitCode {
    if !zonecheck::app::display_available() {
        eprintln!("zonecheck: no display to open the desktop app on (DISPLAY/WAYLAND_DISPLAY unset); use `zonecheck check REVIEW.toml --out DIR` instead");
        return ExitCode::from(2);
    }
    match zonecheck::app::run(review) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            let line = e.lines().next().unwrap_or("").to_string();
            eprintln!("error: cannot open the desktop app ({line}); use `zonecheck check REVIEW.toml --out DIR` instead");
            ExitCode::from(2)
        }
    }
}

/// Without the `gui` feature there is no desktop app.
#[cfg(not(feature = "gui"))]
fn open_app(_review: Option<PathBuf>) -> ExitCode {
    eprintln!("zonecheck: this build has no desktop app (built without the `gui` feature); use `zonecheck check REVIEW.toml --out DIR`");
    ExitCode::from(2)
}
