//! The command line: `zonecheck check REVIEW.toml --out DIR` and helpers. Exit status 0 when
//! every zone passes, 1 when a blocking finding exists, 2 on bad input (one `error:` line).

use crate::analysis::{run_checks_indexed, Analysis, CheckIndexes};
use crate::io::review::Review;
use crate::load::{load_review_with, Dataset, LoadOptions};
use crate::progress::Progress;
use crate::report::{write_all_timed, ReportInput, ReportMeta};
use clap::{Parser, Subcommand, ValueEnum};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Review merged development zones (开发区整合方案) against ecological red line, permanent basic
/// farmland and drinking-water-source protection layers.
#[derive(Debug, Parser)]
#[command(name = "zonecheck", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Run every check of a review file and write the reports.
    ///
    /// Writes report.json, findings.csv (UTF-8 with BOM), conflicts.geojson (lon/lat),
    /// conflicts.shp (+.shx/.dbf/.prj/.cpg, working CRS), conflicts.gpkg (the same layer as a
    /// GeoPackage), report.html, report.xlsx (workbook: 汇总, 问题清单, 占用图斑, 界址点),
    /// occupied_patches.csv (the occupied patches with their patch fields), boundary_points.csv
    /// (界址点 of every zone, working CRS) and zones_gtxt.txt (every zone as a 国土TXT parcel)
    /// into DIR, and prints a summary table.
    /// Exit status: 0 every zone passes; 1 a blocking finding exists;
    /// 2 bad input (one line on stderr starting with `error:`). Input files are never modified.
    #[command(after_long_help = REVIEW_HELP)]
    Check {
        /// The review file (TOML); layer paths in it are relative to it.
        review: PathBuf,
        /// Output folder, created with missing parents.
        #[arg(long, short, value_name = "DIR")]
        out: PathBuf,
        /// Language of the summary on stdout.
        #[arg(long, value_enum, default_value_t = Lang::Zh)]
        lang: Lang,
        /// Print no summary table and no warnings (errors still go to stderr).
        #[arg(long, short)]
        quiet: bool,
        /// Print the time spent in each stage on stderr.
        #[arg(long)]
        timings: bool,
        /// Read, reproject and repair every feature of the protection layers, not only those
        /// near a zone: a record that cannot be used anywhere in a file makes the check
        /// incomplete (same results otherwise, slower; the report's maps then show context
        /// everywhere in their frames).
        #[arg(long)]
        all_features: bool,
        /// Decimals of the coordinates in boundary_points.csv and zones_gtxt.txt.
        #[arg(long, value_name = "N", default_value_t = 3,
              value_parser = clap::value_parser!(u8).range(0..=6))]
        decimals: u8,
        /// Text encoding of zones_gtxt.txt (UTF-8 also when a name has no GBK code).
        #[arg(long, value_enum, default_value_t = DbfEncoding::Gbk)]
        gtxt_encoding: DbfEncoding,
        /// Also write report.pdf: report.html laid out on A4 for printing (maps, tables,
        /// verdict, decisions, page numbers, Chinese text embedded).
        #[arg(long)]
        pdf: bool,
    },
    /// Fix merged zones headless: cut protected land out of them, remove fragments.
    ///
    /// Writes into DIR the fixed zones layer (`<zones>_fixed.shp` with .shx/.dbf/.prj/.cpg, in
    /// the working CRS), `review.toml` (the same review pointing at it; check it with
    /// `zonecheck check DIR/review.toml`) and `changes.csv` (per changed zone: areas before and
    /// after, protected land cut out by layer, fragments removed). The cut removes exactly what
    /// the conflict check counts (slivers below the tolerance stay). Inputs are never modified.
    /// Exit status: 0 written; 2 bad input or nothing chosen.
    Fix {
        /// The review file (TOML).
        review: PathBuf,
        /// Output folder, created with missing parents; must not hold an input.
        #[arg(long, short, value_name = "DIR")]
        out: PathBuf,
        /// Cut the protected land each zone occupies out of it (四(十三)).
        #[arg(long)]
        cut_protected: bool,
        /// Join parts closer than rules.contiguity_distance_m, never through protected land.
        #[arg(long)]
        close_gaps: bool,
        /// Remove parts smaller than rules.min_part_area_m2 (enclaves stay).
        #[arg(long)]
        drop_fragments: bool,
        /// Only these zones (ids, comma-separated); all zones when absent.
        #[arg(long, value_delimiter = ',', value_name = "ID,…")]
        zones: Vec<String>,
        /// Text encoding of the written .dbf (also in its .cpg).
        #[arg(long, value_enum, default_value_t = DbfEncoding::Gbk)]
        encoding: DbfEncoding,
        /// Write the fixed plan as GeoJSON (`<zones>_fixed.geojson`, working CRS named by a
        /// `crs` member, full precision) instead of a shapefile.
        #[arg(long)]
        geojson: bool,
        /// Write the fixed plan as a GeoPackage (`<zones>_fixed.gpkg`, one table
        /// `<zones>_fixed`, working CRS) instead of a shapefile.
        #[arg(long, conflicts_with = "geojson")]
        gpkg: bool,
        /// Language of the messages.
        #[arg(long, value_enum, default_value_t = Lang::Zh)]
        lang: Lang,
    },
    /// Open a review file in the desktop app.
    Open {
        /// The review file (TOML).
        review: PathBuf,
    },
    /// Print the version, the git commit it was built from and the PROJ library version.
    Version,
}

const REVIEW_HELP: &str = "\
The review file (TOML; paths relative to it):
  crs = \"EPSG:4549\"            working projected CRS in metres (optional; default: the zones'
                                projected CRS, or the nearest CGCS2000 3-degree GK zone)
  [layers]  zones (required), original, redline, farmland, water, townships, new_industrial,
            barriers (roads, rivers, railways) = \"file.shp|.geojson|.txt (国土TXT)\"
            or a GeoPackage table: \"plan.gpkg#merged_zones\" (\"plan.gpkg\": its only table)
  [layers.extra]  \"自然保护地\" = \"nature.shp\"   further layers by name (protected land)
  [layers.role]   \"蓝绿空间\" = \"control_line\"  or \"advisory\" (\"protected\" when absent)
  [crs_of]  farmland = \"EPSG:4528\"  CRS for a layer whose file carries none
  [fields]  id, name, level, city, county, members, industries, enclave, class, status,
            tax_per_mu, value_added_per_mu
            (attribute names; detected case-insensitively when absent)
  [rules]   contiguity_distance_m = 0, max_clusters = 1, max_parts = 10,
            min_connection_width_m = 30, max_bridged_gap_m = 100, min_part_area_m2 = 10000,
            sliver_width_m = 0.5, sliver_area_m2 = 0.25, sliver_total_m2 = 200,
            custody_protected_share = 0.5, expansion_blocks = false,
            max_industries = 3, max_total_zones = 150,
            tax_per_mu_wan = 30, value_added_per_mu_wan = 120
  [rules.severity_of_class.water]  \"准保护区\" = \"warning\"   severity per protection class
  [quotas]  city_level = { default = [1, 2], \"杭州市\" = [2, 3], \"宁波市\" = [2, 3] }
            county = { default = [1, 2] }
Unknown keys, missing files, wrong types, negative or NaN numbers are errors naming the key or file.
See README.md for every check and output.";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Lang {
    /// 中文
    Zh,
    /// English
    En,
}

/// Text encoding of a written .dbf.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum DbfEncoding {
    /// GBK (code page 936), what most Chinese GIS software reads by default
    Gbk,
    /// UTF-8
    #[value(name = "utf-8", alias = "utf8")]
    Utf8,
}

/// What `zonecheck fix` did, one line per changed zone.
fn fix_summary(done: &crate::fix::FixOutput, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    let mut out = String::new();
    for c in &done.changes {
        let cut: f64 = c.cut_by_layer_m2.iter().map(|(_, a)| a).sum();
        out.push_str(&if zh {
            format!(
                "{}：{} → {} m²，扣除保护用地 {} m²（{} 亩），连接间隙 {} 处（增加 {} m²，{} 处因保护用地未连接），删除碎片 {} m²\n",
                c.zone,
                crate::model::num::Fixed(c.area_before_m2, 2),
                crate::model::num::Fixed(c.area_after_m2, 2),
                crate::model::num::Fixed(cut, 2),
                crate::model::num::Fixed(crate::model::mu_from_m2(cut), 2),
                c.gaps_closed,
                crate::model::num::Fixed(c.added_m2, 2),
                c.gaps_left,
                crate::model::num::Fixed(c.fragments_m2, 2),
            )
        } else {
            format!(
                "{}: {} -> {} m², protected land cut {} m² ({} mu), {} gap(s) closed (+{} m², {} left open by protected land), fragments removed {} m²\n",
                c.zone,
                crate::model::num::Fixed(c.area_before_m2, 2),
                crate::model::num::Fixed(c.area_after_m2, 2),
                crate::model::num::Fixed(cut, 2),
                crate::model::num::Fixed(crate::model::mu_from_m2(cut), 2),
                c.gaps_closed,
                crate::model::num::Fixed(c.added_m2, 2),
                c.gaps_left,
                crate::model::num::Fixed(c.fragments_m2, 2),
            )
        });
    }
    if done.changes.is_empty() {
        out.push_str(if zh {
            "没有需要修改的开发区\n"
        } else {
            "no zone needed a change\n"
        });
    }
    out.push_str(&if zh {
        format!(
            "已写出 {}、{}、{}\n",
            done.zones_path.display(),
            done.review_path.display(),
            done.changes_path.display()
        )
    } else {
        format!(
            "written: {}, {}, {}\n",
            done.zones_path.display(),
            done.review_path.display(),
            done.changes_path.display()
        )
    });
    out
}

impl Lang {
    /// The engine's language for this choice.
    pub fn model(self) -> crate::model::Lang {
        match self {
            Lang::Zh => crate::model::Lang::Zh,
            Lang::En => crate::model::Lang::En,
        }
    }
}

/// Sets up the process (PROJ's log, the panic hook) and parses the command line. `Err`: the
/// exit code to end with (help and version printed: success; a usage error printed on stderr
/// as one `error:` line: 2).
pub fn parse_args() -> Result<Cli, ExitCode> {
    crate::crs::silence_proj_logging();
    std::panic::set_hook(Box::new(|info| {
        if crate::spatial::guard::is_guarded() {
            return; // expected and handled by the caller
        }
        let what = info
            .payload()
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| info.payload().downcast_ref::<String>().cloned())
            .unwrap_or_default();
        let line = what.lines().next().unwrap_or("").to_string();
        eprintln!("error: internal error, please report it: {line}");
    }));
    match Cli::try_parse() {
        Ok(cli) => Ok(cli),
        Err(e) => {
            use clap::error::ErrorKind;
            if matches!(
                e.kind(),
                ErrorKind::DisplayHelp
                    | ErrorKind::DisplayVersion
                    | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
            ) {
                let _ = e.print();
                return Err(ExitCode::SUCCESS);
            }
            eprintln!("error: {}", usage_error_text(&e).get(lang_of_args()));
            Err(ExitCode::from(2))
        }
    }
}

/// Runs `f` (a command, or the app); a panic that escapes it ends the run with exit code 2 (the
/// panic hook of [`parse_args`] has printed it as one `error:` line).
pub fn guarded(f: impl FnOnce() -> ExitCode + std::panic::UnwindSafe) -> ExitCode {
    std::panic::catch_unwind(f).unwrap_or(ExitCode::from(2))
}

/// The language asked for by `--lang` on a command line clap refused (default Chinese).
fn lang_of_args() -> crate::model::Lang {
    let args: Vec<String> = std::env::args().collect();
    let en = args.iter().enumerate().any(|(i, a)| {
        a == "--lang=en" || (a == "--lang" && args.get(i + 1).is_some_and(|v| v == "en"))
    });
    if en {
        crate::model::Lang::En
    } else {
        crate::model::Lang::Zh
    }
}

/// A usage error in plain words: a missing argument is named with its value (`--out DIR`).
fn usage_error_text(e: &clap::Error) -> crate::model::Text {
    use clap::error::{ContextKind, ContextValue, ErrorKind};
    if e.kind() == ErrorKind::MissingRequiredArgument {
        if let Some(ContextValue::Strings(missing)) = e.get(ContextKind::InvalidArg) {
            let what = missing
                .iter()
                .map(|m| m.replace(" <", " ").replace('>', ""))
                .collect::<Vec<_>>()
                .join(", ");
            return crate::messages::cli::missing_argument(
                &what,
                "zonecheck check REVIEW.toml --out DIR",
            );
        }
    }
    let text = e.render().to_string();
    let first = text
        .lines()
        .find(|l| !l.trim().is_empty())
        .unwrap_or("error: bad arguments");
    let first = first.strip_prefix("error: ").unwrap_or(first);
    crate::messages::cli::bad_arguments(first)
}

/// Runs a parsed command line's batch command (`check`, `generate-bench`, `generate-sample`,
/// `version`). `open` and no subcommand open the desktop app, which `main` dispatches.
pub fn run(cli: Cli) -> ExitCode {
    match cli.command {
        Some(Command::Check {
            review,
            out,
            lang,
            quiet,
            timings,
            all_features,
            decimals,
            gtxt_encoding,
            pdf,
        }) => {
            let meta = ReportMeta {
                coord_decimals: usize::from(decimals),
                gtxt_utf8: gtxt_encoding == DbfEncoding::Utf8,
                pdf,
                ..ReportMeta::default()
            };
            check_command(&review, &out, lang, quiet, timings, all_features, meta)
        }
        Some(Command::Fix {
            review,
            out,
            cut_protected,
            close_gaps,
            drop_fragments,
            zones,
            encoding,
            geojson,
            gpkg,
            lang,
        }) => {
            let options = crate::fix::FixOptions {
                cut_protected,
                close_gaps,
                drop_fragments,
                zones,
                geojson,
                gpkg,
            };
            let encoding = match encoding {
                DbfEncoding::Gbk => crate::io::shp_write::OutEncoding::Gbk,
                DbfEncoding::Utf8 => crate::io::shp_write::OutEncoding::Utf8,
            };
            match crate::fix::run(&review, &out, &options, encoding, lang.model()) {
                Err(message) => {
                    eprintln!("error: {}", message.lines().next().unwrap_or(""));
                    ExitCode::from(2)
                }
                Ok(done) => {
                    for (layer, n) in &done.incomplete {
                        let t = crate::messages::fix::cut_may_be_incomplete(layer, *n);
                        eprintln!("warning: {}", t.get(lang.model()));
                    }
                    print!("{}", fix_summary(&done, lang));
                    ExitCode::SUCCESS
                }
            }
        }
        Some(Command::Version) => {
            println!("{}", version_text());
            ExitCode::SUCCESS
        }
        // The desktop app's commands: `main` hands them to the app, not to this function.
        Some(Command::Open { .. }) | None => {
            eprintln!("zonecheck: the desktop app is opened by the zonecheck binary; use `zonecheck check REVIEW.toml --out DIR`");
            ExitCode::from(2)
        }
    }
}

/// Loads, checks and reports; the exit code says how it went.
pub fn check_command(
    review_path: &Path,
    out: &Path,
    lang: Lang,
    quiet: bool,
    timings: bool,
    all_features: bool,
    meta: ReportMeta,
) -> ExitCode {
    crate::platform::keep_freed_memory_for_reuse();
    let progress = Arc::new(Progress::new());
    let bar = ProgressBar::start(progress.clone(), !quiet && std::io::stderr().is_terminal());
    // By default the protection layers' records far from every zone are not read; with
    // `--all-features` every record is read, reprojected and repaired (an unusable one
    // anywhere makes the check incomplete), and those no check or map uses are let go then.
    let options = LoadOptions {
        near_zones: Some(crate::spatial::frame::map_view_rect),
        read_every_feature: all_features,
    };
    let result =
        check_and_report_reviewed(review_path, out, &progress, options, lang.model(), meta);
    bar.finish();
    if timings {
        for (stage, secs) in progress.timings() {
            eprintln!("timing: {stage:<24} {:>9.1} ms", secs * 1000.0);
        }
        // Parts of stages, in brackets: time summed over threads for parallel work.
        for (part, secs) in progress.part_timings() {
            let part = format!("[{part}]");
            eprintln!("timing: {part:<24} {:>9.1} ms", secs * 1000.0);
        }
    }
    match result {
        Err(message) => {
            eprintln!("error: {}", message.lines().next().unwrap_or(""));
            ExitCode::from(2)
        }
        Ok((review, ds, analysis)) => {
            if !quiet {
                print_warnings(&ds, lang);
                let resolved = crate::decisions::Decisions::from_rows(&review.file.decisions)
                    .resolve(&analysis);
                print!(
                    "{}",
                    summary_table(&analysis, &ds, lang, &resolved, &review.file.verdict)
                );
            }
            // The exit code is the engine's: decisions and the verdict do not change it.
            let code = if analysis.has_blocking() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
            // The process ends now: freeing a province's features one by one would take a
            // good part of a second; the system takes the memory back at once.
            std::mem::forget((review, ds, analysis));
            code
        }
    }
}

/// The whole batch job, for the CLI and tests, with the spatial filter of `zonecheck check`.
pub fn check_and_report(
    review_path: &Path,
    out: &Path,
    progress: &Progress,
) -> Result<(Dataset, Analysis), String> {
    let options = LoadOptions {
        near_zones: Some(crate::spatial::frame::map_view_rect),
        read_every_feature: false,
    };
    check_and_report_with(review_path, out, progress, options)
}

/// The whole batch job, loading as `options` say (errors in English).
pub fn check_and_report_with(
    review_path: &Path,
    out: &Path,
    progress: &Progress,
    options: LoadOptions,
) -> Result<(Dataset, Analysis), String> {
    check_and_report_reviewed(
        review_path,
        out,
        progress,
        options,
        crate::model::Lang::En,
        ReportMeta::default(),
    )
    .map(|(_, ds, a)| (ds, a))
}

/// Every file a check of `review` reads: the review file, each layer file and its siblings.
pub fn input_files(review: &Review) -> Vec<PathBuf> {
    let mut files = vec![review.path.clone()];
    for (_, path) in review.layer_paths() {
        // A GeoPackage layer (`file.gpkg#table`) is the one file; a GDAL source is its path
        // without `#layer` (a `.gdb` folder, a `.dxf`, …).
        let (path, _) = crate::io::split_layer_source(&path);
        for ext in ["shx", "dbf", "prj", "cpg"] {
            files.push(
                crate::io::sibling_file(&path, ext).unwrap_or_else(|| path.with_extension(ext)),
            );
        }
        files.push(path);
    }
    files
}

/// The whole batch job, loading as `options` say, errors in `lang`, outputs as `meta` says
/// (coordinate decimals, encoding of the 国土TXT); also returns the review (its decisions and
/// verdict).
pub fn check_and_report_reviewed(
    review_path: &Path,
    out: &Path,
    progress: &Progress,
    options: LoadOptions,
    lang: crate::model::Lang,
    meta: ReportMeta,
) -> Result<(Review, Dataset, Analysis), String> {
    let review = Review::load(review_path).map_err(|e| e.in_lang(lang))?;
    // Before anything is read or written: no output may replace an input.
    crate::report::refuse_outputs_over_inputs(out, &input_files(&review))
        .map_err(|t| t.get(lang).to_string())?;
    let ds = load_review_with(&review, progress, options).map_err(|e| e.in_lang(lang))?;
    let working = ds.working_crs.clone();
    rayon::spawn(move || crate::report::warm_output_crs(&working));
    // The layers' indexes, built once for the check and the reports' maps.
    progress.stage("index", 1);
    let indexes = CheckIndexes::build(&ds);
    let analysis =
        run_checks_indexed(&ds, &review.file, progress, &indexes).map_err(|e| e.to_string())?;
    progress.stage("write reports", 1);
    let input = ReportInput {
        dataset: &ds,
        review: &review,
        analysis: &analysis,
        meta,
        indexes: Some(&indexes),
    };
    write_all_timed(out, &input, progress).map_err(|t| t.get(lang).to_string())?;
    progress.inc(1);
    Ok((review, ds, analysis))
}

const MAX_WARNINGS_PER_LAYER: usize = 20;

fn print_warnings(ds: &Dataset, lang: Lang) {
    for layer in &ds.layers {
        let w = &layer.source.warnings;
        for msg in w.iter().take(MAX_WARNINGS_PER_LAYER) {
            eprintln!(
                "warning: {}: {}",
                msg.get(lang.model()),
                layer.source.path.display()
            );
        }
        if w.len() > MAX_WARNINGS_PER_LAYER {
            eprintln!(
                "warning: {} more warnings (listed in report.json): {}",
                w.len() - MAX_WARNINGS_PER_LAYER,
                layer.source.path.display()
            );
        }
    }
}

/// Display width of text in a terminal: CJK and full-width characters take two columns.
fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            let u = c as u32;
            if (0x1100..=0x115F).contains(&u)
                || (0x2E80..=0xA4CF).contains(&u)
                || (0xAC00..=0xD7A3).contains(&u)
                || (0xF900..=0xFAFF).contains(&u)
                || (0xFE30..=0xFE4F).contains(&u)
                || (0xFF00..=0xFF60).contains(&u)
                || (0xFFE0..=0xFFE6).contains(&u)
                || (0x20000..=0x3FFFD).contains(&u)
            {
                2
            } else {
                1
            }
        })
        .sum()
}

fn pad(s: &str, width: usize) -> String {
    let w = display_width(s);
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

/// The summary table printed on stdout; findings about the input (`input.*`) come first.
/// The result column and the totals count a zone whose blocking findings were all accepted as
/// passed by decision; the review's open / decided counts and verdict close the table.
pub fn summary_table(
    analysis: &Analysis,
    ds: &Dataset,
    lang: Lang,
    resolved: &crate::decisions::Resolved,
    verdict: &crate::model::decision::Verdict,
) -> String {
    let zh = lang == Lang::Zh;
    let mut out = String::new();
    let input: Vec<&crate::analysis::Finding> = analysis
        .plan
        .findings
        .iter()
        .filter(|f| f.is_about_input())
        .collect();
    if !input.is_empty() {
        out.push_str(crate::messages::cli::incomplete_banner(input.len()).get(lang.model()));
        out.push('\n');
        for f in input {
            let text = if zh { &f.message_zh } else { &f.message_en };
            out.push_str(&format!("  [{}] {text}\n", f.rule));
        }
        out.push('\n');
    }
    let protection: Vec<(String, String)> = ds
        .protection_layers()
        .map(|l| {
            let (lz, le) = crate::analysis::zone::layer_label(l);
            let control_line = analysis
                .zones
                .iter()
                .any(|z| z.control_lines.contains_key(&l.name));
            (
                l.name.clone(),
                match (zh, control_line) {
                    (true, false) => format!("{lz}(亩)"),
                    (true, true) => format!("{lz}控制线(亩)"),
                    (false, false) => format!("{le} (mu)"),
                    (false, true) => format!("{le} control line (mu)"),
                },
            )
        })
        .collect();
    let has_original = ds.layer(crate::model::LayerRole::Original).is_some();
    let mut header: Vec<String> = if zh {
        vec!["编号".into(), "名称".into(), "结论".into()]
    } else {
        vec!["zone".into(), "name".into(), "result".into()]
    };
    header.extend(protection.iter().map(|p| p.1.clone()));
    header.push(if zh {
        "分片区".into()
    } else {
        "parts".into()
    });
    header.push(if zh {
        "组团".into()
    } else {
        "clusters".into()
    });
    header.push(if zh {
        "扩区(亩)".into()
    } else {
        "expansion (mu)".into()
    });
    let mut rows = vec![header];
    for (zi, z) in analysis.zones.iter().enumerate() {
        let mut row = vec![
            z.id.clone(),
            z.name.clone().unwrap_or_default(),
            resolved
                .zone_result(analysis, zi)
                .text()
                .get(lang.model())
                .to_string(),
        ];
        for (name, _) in &protection {
            row.push(
                z.conflicts
                    .get(name)
                    .map(|c| crate::model::num::fixed(c.area_mu, 2))
                    // A control line's column: its area inside the zone (not a conflict).
                    .or_else(|| {
                        z.control_lines
                            .get(name)
                            .map(|a| crate::model::num::fixed(crate::model::mu_from_m2(*a), 2))
                    })
                    .unwrap_or_else(|| "-".into()),
            );
        }
        row.push(z.part_count.to_string());
        row.push(z.clusters.to_string());
        row.push(match (has_original, z.expansion_area_m2) {
            (true, Some(a)) => crate::model::num::fixed(crate::model::mu_from_m2(a), 2),
            _ => "-".into(),
        });
        rows.push(row);
    }
    let cols = rows.iter().map(|r| r.len()).max().unwrap_or(0);
    let widths: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| display_width(s))
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in &rows {
        let cells: Vec<String> = row
            .iter()
            .enumerate()
            .map(|(i, s)| pad(s, widths[i]))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    let failing = (0..analysis.zones.len())
        .filter(|&z| resolved.zone_result(analysis, z) == crate::decisions::ZoneResult::Fail)
        .count();
    let plan_blocking = analysis
        .plan
        .findings
        .iter()
        .filter(|f| f.severity == crate::analysis::Severity::Blocking)
        .count();
    if zh {
        out.push_str(&format!(
            "共 {} 个开发区，{} 个不通过；方案级问题 {} 项（否决 {} 项）\n",
            analysis.zones.len(),
            failing,
            analysis.plan.findings.len(),
            plan_blocking
        ));
    } else {
        out.push_str(&format!(
            "{} zones, {} failing; {} plan-level finding(s), {} blocking\n",
            analysis.zones.len(),
            failing,
            analysis.plan.findings.len(),
            plan_blocking
        ));
    }
    let counts = resolved.counts(analysis);
    if counts.decided > 0 || counts.evidence_changed > 0 || counts.orphaned > 0 {
        out.push_str(crate::messages::decisions::counts_line(&counts).get(lang.model()));
        out.push('\n');
    }
    for row in &resolved.orphaned {
        let key = crate::decisions::FindingKey {
            zone: row.zone.clone(),
            rule: row.rule.clone(),
            about: row.about.clone(),
        };
        out.push_str(crate::messages::decisions::orphaned(&key, row.index).get(lang.model()));
        out.push('\n');
    }
    out.push_str(crate::messages::decisions::verdict_line(verdict, &counts).get(lang.model()));
    out.push('\n');
    out
}

/// A progress bar on stderr driven by a [`Progress`], on its own named thread.
struct ProgressBar {
    stop: Arc<AtomicBool>,
    handle: Option<std::thread::JoinHandle<()>>,
}

impl ProgressBar {
    fn start(progress: Arc<Progress>, enabled: bool) -> ProgressBar {
        let stop = Arc::new(AtomicBool::new(false));
        if !enabled {
            return ProgressBar { stop, handle: None };
        }
        let stop2 = stop.clone();
        let handle = std::thread::Builder::new()
            .name("progress-bar".into())
            .spawn(move || {
                let bar = indicatif::ProgressBar::new(0);
                if let Ok(style) =
                    indicatif::ProgressStyle::with_template("{msg:24} [{bar:40}] {pos}/{len}")
                {
                    bar.set_style(style.progress_chars("=> "));
                }
                while !stop2.load(Ordering::Relaxed) {
                    let (stage, done, total) = progress.snapshot();
                    bar.set_message(stage);
                    bar.set_length(total);
                    bar.set_position(done.min(total));
                    std::thread::sleep(Duration::from_millis(80));
                }
                bar.finish_and_clear();
            })
            .ok();
        ProgressBar { stop, handle }
    }

    fn finish(mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.handle.take() {
            let _ = h.join();
        }
    }
}

/// `zonecheck version`: the package version, the git commit of the build ("unknown" outside a
/// git checkout, see build.rs) and the version of the PROJ library linked in.
pub fn version_text() -> String {
    let proj = proj::ProjBuilder::new()
        .lib_info()
        .map(|i| i.version)
        .unwrap_or_else(|_| "unknown".to_string());
    format!(
        "zonecheck {}\ncommit {}\nPROJ {proj}",
        env!("CARGO_PKG_VERSION"),
        env!("ZONECHECK_GIT_COMMIT"),
    )
}
