//! Loader speed: `cargo bench -p perry-stack-schema --bench load`.
//!
//! 1. Every corpus file loads (parse, interpolate, merge, normalize,
//!    validate) in process; prints the median time per file.
//! 2. `perry-stack config` and `docker-compose config` run as whole
//!    processes on the same files in the same run. Prints the median time
//!    of each per file and the ratio. The binary is $PERRY_STACK, else
//!    target/release/perry-stack (`cargo build --release -p perry-stack-cli`).
//! 3. Generated files of 1,000, 20,000 and 200,000 services load in
//!    process; prints the time and the growth of peak memory (VmHWM).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use perry_stack_schema::{load_project, Options};

const CORPUS: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/corpus");

fn main() {
    // `cargo bench ... -- generated` runs only the generated files.
    if std::env::args().any(|argument| argument == "generated") {
        for count in [1_000, 20_000, 200_000] {
            generated(count);
        }
        return;
    }
    let corpus = Path::new(CORPUS).canonicalize().expect("the shared corpus exists");
    let files = corpus_files(&corpus);
    let loadable: Vec<PathBuf> = files.iter().filter(|file| load(file).is_ok()).cloned().collect();
    println!("corpus: {} files, {} load without error", files.len(), loadable.len());

    in_process(&loadable);
    processes(&loadable);
    for count in [1_000, 20_000, 200_000] {
        generated(count);
    }
}

fn load(file: &Path) -> Result<(), perry_stack_schema::Failed> {
    let environment = |_: &str| None;
    let options = Options { files: vec![file.to_path_buf()], environment: Some(&environment), ..Options::default() };
    load_project(&options).map(drop)
}

fn in_process(files: &[PathBuf]) {
    const ROUNDS: usize = 50;
    let mut medians = Vec::new();
    for file in files {
        let mut times: Vec<Duration> = (0..ROUNDS)
            .map(|_| {
                let start = Instant::now();
                let _ = load(file);
                start.elapsed()
            })
            .collect();
        medians.push((median(&mut times), file));
    }
    medians.sort();
    let (slowest, slowest_file) = medians.last().expect("some corpus file loads");
    let mut all: Vec<Duration> = medians.iter().map(|(time, _)| *time).collect();
    println!(
        "in process: median {} per file, slowest {} ({}, {} bytes)",
        show(median(&mut all)),
        show(*slowest),
        slowest_file.display(),
        std::fs::metadata(slowest_file).map(|metadata| metadata.len()).unwrap_or(0)
    );
}

fn processes(files: &[PathBuf]) {
    let binary = std::env::var_os("PERRY_STACK")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/perry-stack"));
    if !binary.is_file() {
        panic!("{} is missing: build it with `cargo build --release -p perry-stack-cli`, or set PERRY_STACK", binary.display());
    }
    const ROUNDS: usize = 5;
    let mut ours = Vec::new();
    let mut theirs = Vec::new();
    for file in files {
        let folder = file.parent().unwrap();
        let run = |command: &mut Command| -> Duration {
            let mut times: Vec<Duration> = (0..ROUNDS)
                .map(|_| {
                    let start = Instant::now();
                    command.current_dir(folder).output().expect("the command runs");
                    start.elapsed()
                })
                .collect();
            median(&mut times)
        };
        ours.push(run(Command::new(&binary).arg("config").arg(file)));
        theirs.push(run(Command::new("docker-compose").arg("-f").arg(file).arg("config")));
    }
    let (ours, theirs) = (median(&mut ours), median(&mut theirs));
    println!(
        "as processes: perry-stack config {} per file, docker-compose config {} per file, ratio {:.1}x",
        show(ours),
        show(theirs),
        theirs.as_secs_f64() / ours.as_secs_f64()
    );
}

fn generated(count: usize) {
    // Half the services depend on the other half, so no cycle runs through
    // all of them. Only the smaller files share settings through a merge key,
    // since every alias counts towards the parser's expansion limit.
    let shared = count <= 1_000;
    let mut text = String::from("x-common: &common\n  restart: always\n  environment:\n    LEVEL: info\nservices:\n");
    for index in 0..count / 2 {
        let common = if shared { "<<: *common" } else { "restart: always" };
        text.push_str(&format!(
            "  svc{index}:\n    {common}\n    image: busybox:1.36\n    command: [sleep, '{index}']\n    ports: ['{}:80']\n    volumes: ['data{index}:/data', './conf:/conf:ro']\n    depends_on: [svc{index}x]\n    healthcheck: {{test: [CMD, 'true'], interval: 10s}}\n",
            1 + index % 65_000
        ));
        text.push_str(&format!("  svc{index}x:\n    image: busybox:1.36\n    environment: [LEVEL=debug]\n"));
    }
    text.push_str("volumes:\n");
    for index in 0..count / 2 {
        text.push_str(&format!("  data{index}:\n"));
    }
    let folder = std::env::temp_dir().join(format!("perry-stack-bench-{}", std::process::id()));
    std::fs::create_dir_all(&folder).expect("temporary folder");
    let file = folder.join("compose.yaml");
    std::fs::write(&file, &text).expect("write the generated file");

    let before = peak_memory_kib();
    let start = Instant::now();
    let result = load(&file);
    let elapsed = start.elapsed();
    let after = peak_memory_kib();
    let _ = std::fs::remove_dir_all(&folder);
    if let Err(failed) = result {
        panic!("the generated file of {count} services does not load: {:?}", failed.diagnostics.iter().next());
    }
    println!(
        "generated: {} services ({} KiB of YAML) in {}, peak memory grew by {} KiB (VmHWM {} KiB)",
        count,
        text.len() / 1024,
        show(elapsed),
        after.saturating_sub(before),
        after
    );
}

/// Returns the process's peak resident memory in KiB, from /proc/self/status.
fn peak_memory_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|line| line.strip_prefix("VmHWM:"))
        .and_then(|rest| rest.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

fn corpus_files(root: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut folders = vec![root.to_path_buf()];
    while let Some(folder) = folders.pop() {
        for entry in std::fs::read_dir(&folder).expect("read corpus folder") {
            let path = entry.expect("corpus entry").path();
            if path.is_dir() {
                folders.push(path);
            } else if path.extension().is_some_and(|extension| extension == "yml" || extension == "yaml") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

fn median(times: &mut [Duration]) -> Duration {
    times.sort();
    times[times.len() / 2]
}

fn show(duration: Duration) -> String {
    if duration < Duration::from_millis(1) {
        format!("{:.0} µs", duration.as_secs_f64() * 1e6)
    } else {
        format!("{:.1} ms", duration.as_secs_f64() * 1e3)
    }
}
