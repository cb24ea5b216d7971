//! `zonecheck-gen sample DIR` writes the sample review; `zonecheck-gen bench --scale SCALE DIR`
//! writes a benchmark review. Exit status 0 when written, 2 on an error (one `error:` line).

use clap::{Parser, Subcommand};
use std::path::PathBuf;
use std::process::ExitCode;
use zonecheck_gen::bench_data::{write_bench_data, Scale};
use zonecheck_gen::synth::write_sample_maps;

/// Writes zonecheck's deterministic sample and benchmark reviews.
#[derive(Debug, Parser)]
#[command(name = "zonecheck-gen", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Write the bundled sample review (sample_maps/) into DIR.
    Sample {
        /// Output folder, created with missing parents.
        dir: PathBuf,
    },
    /// Write a benchmark review (see benches/README.md) into DIR.
    Bench {
        /// county, county-x4, county-x16, province or province-spread.
        #[arg(long, default_value = "county")]
        scale: Scale,
        /// Output folder, created with missing parents.
        dir: PathBuf,
    },
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Sample { dir } => {
            write_sample_maps(&dir).map(|()| println!("sample review written to {}", dir.display()))
        }
        Command::Bench { scale, dir } => write_bench_data(&dir, scale).map(|summary| {
            print!("{summary}");
            println!("benchmark review written to {}", dir.display());
        }),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
