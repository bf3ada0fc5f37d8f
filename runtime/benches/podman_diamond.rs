//! Wall time of `up` and `down` of a 12-service diamond on real podman,
//! against the raw runtime bound: the same containers started with
//! `podman run -d`, each as soon as its dependencies run, as many at once as
//! the graph allows.
//!
//! Run with `cargo bench -p perry-stack --bench podman_diamond`. It needs
//! podman and the image localhost/perry-busybox:latest, and removes
//! everything it creates by label.

use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use perry_stack::schema::{Condition, Project};
use perry_stack::testing::{depends_on, project, service};
use perry_stack::{CliBackend, DownOptions, Engine, UpOptions};

const IMAGE: &str = "localhost/perry-busybox:latest";
const MIDDLE: usize = 10;

/// top <- m01..m10 <- bottom: twelve services, no healthchecks.
fn diamond(name: &str) -> Project {
    let mut services = vec![service("top", IMAGE, &["sleep", "600"])];
    for index in 1..=MIDDLE {
        services.push(depends_on(service(&format!("m{index:02}"), IMAGE, &["sleep", "600"]), "top", Condition::ServiceStarted));
    }
    let mut bottom = service("bottom", IMAGE, &["sleep", "600"]);
    for index in 1..=MIDDLE {
        bottom = depends_on(bottom, &format!("m{index:02}"), Condition::ServiceStarted);
    }
    services.push(bottom);
    project(name, services)
}

fn podman(args: &[&str]) {
    let output = Command::new("podman").args(args).output().expect("podman runs");
    assert!(output.status.success(), "podman {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
}

/// Runs the commands of one level of the graph at once.
fn level(commands: Vec<Vec<String>>) {
    let children: Vec<_> = commands.iter().map(|args| Command::new("podman").args(args).output()).collect();
    for (child, args) in children.into_iter().zip(&commands) {
        let output = child.expect("podman runs");
        assert!(output.status.success(), "podman {args:?} failed: {}", String::from_utf8_lossy(&output.stderr));
    }
}

fn run_args(project: &str, service: &str) -> Vec<String> {
    ["run", "-d", "--name", &format!("{project}-{service}-1"), "--label", &format!("com.docker.compose.project={project}")]
        .into_iter()
        .map(str::to_string)
        .chain(["--network".to_string(), format!("{project}_default"), IMAGE.to_string(), "sleep".to_string(), "600".to_string()])
        .collect()
}

/// The raw bound of up and down: podman commands only, as parallel as the
/// graph allows.
fn raw(project: &str) -> (Duration, Duration) {
    let began = Instant::now();
    podman(&["network", "create", "--label", &format!("com.docker.compose.project={project}"), &format!("{project}_default")]);
    let run_level = |names: Vec<String>| {
        // `podman run` per name, in parallel threads.
        let handles: Vec<_> = names
            .into_iter()
            .map(|name| {
                let args = run_args(project, &name);
                std::thread::spawn(move || level(vec![args]))
            })
            .collect();
        for handle in handles {
            handle.join().expect("a podman run thread finished");
        }
    };
    run_level(vec!["top".to_string()]);
    run_level((1..=MIDDLE).map(|index| format!("m{index:02}")).collect());
    run_level(vec!["bottom".to_string()]);
    let up = began.elapsed();

    let began = Instant::now();
    let remove = |names: Vec<String>| {
        let handles: Vec<_> = names
            .into_iter()
            .map(|name| {
                let args: Vec<String> = ["rm", "-f", "-t", "0"].into_iter().map(str::to_string).chain([format!("{project}-{name}-1")]).collect();
                std::thread::spawn(move || level(vec![args]))
            })
            .collect();
        for handle in handles {
            handle.join().expect("a podman rm thread finished");
        }
    };
    remove(vec!["bottom".to_string()]);
    remove((1..=MIDDLE).map(|index| format!("m{index:02}")).collect());
    remove(vec!["top".to_string()]);
    podman(&["network", "rm", &format!("{project}_default")]);
    (up, began.elapsed())
}

fn main() {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().subsec_nanos();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime starts");
    let engine = Engine::new(Arc::new(CliBackend::podman()));
    let rounds = 3;
    println!("12-service diamond on podman, {rounds} rounds, medians");
    let (mut engine_up, mut engine_down, mut raw_up, mut raw_down) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for round in 0..rounds {
        let name = format!("perrybench-{}-{nanos}-{round}", std::process::id());
        let options = UpOptions { max_parallel: 12, ..UpOptions::default() };
        let began = Instant::now();
        runtime.block_on(engine.up(&diamond(&name), &options)).expect("up succeeds");
        engine_up.push(began.elapsed());
        let began = Instant::now();
        let down = DownOptions { timeout: Duration::ZERO, max_parallel: 12, ..DownOptions::default() };
        runtime.block_on(engine.down(&name, &down)).expect("down succeeds");
        engine_down.push(began.elapsed());

        let (up, down) = raw(&format!("{name}raw"));
        raw_up.push(up);
        raw_down.push(down);
    }
    let median = |values: &mut Vec<Duration>| {
        values.sort();
        values[values.len() / 2]
    };
    let (engine_up, engine_down, raw_up, raw_down) = (median(&mut engine_up), median(&mut engine_down), median(&mut raw_up), median(&mut raw_down));
    println!("up:   perry-stack {:.2} s, raw podman {:.2} s, ratio {:.2} (target: at most 1.2)", engine_up.as_secs_f64(), raw_up.as_secs_f64(), engine_up.as_secs_f64() / raw_up.as_secs_f64());
    println!("down: perry-stack {:.2} s, raw podman {:.2} s, ratio {:.2}", engine_down.as_secs_f64(), raw_down.as_secs_f64(), engine_down.as_secs_f64() / raw_down.as_secs_f64());
}
