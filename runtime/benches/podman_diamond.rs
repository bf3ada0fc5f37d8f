//! Wall time of `up` and `down` of a 12-service diamond on real podman, for
//! perry-stack, docker-compose 1.29 (through podman's Docker API socket),
//! podman-compose, and the raw runtime bound: the same containers started
//! with `podman run -d`, each as soon as its dependencies run, as many at
//! once as the graph allows.
//!
//! Run with `cargo bench -p perry-stack --bench podman_diamond --features
//! docker-api`; without the feature the row of perry-stack on the Docker API
//! socket is left out. It needs
//! podman and the image localhost/perry-busybox:latest; it runs
//! scripts/setup-peers.sh when a peer is missing, and skips a peer that is
//! still missing after that. `PERRY_BENCH_ROUNDS` sets the number of rounds
//! (5 unless set). Every project has a unique name and is removed by label
//! at the end, also when a step fails.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use perry_stack::schema::{Condition, Project};
use perry_stack::testing::{depends_on, project, service};
use perry_stack::{CliBackend, DownOptions, Engine, UpOptions};

const IMAGE: &str = "localhost/perry-busybox:latest";
const MIDDLE: usize = 10;
const LABEL: &str = "com.docker.compose.project";

fn middle_names() -> Vec<String> {
    (1..=MIDDLE).map(|index| format!("m{index:02}")).collect()
}

/// top <- m01..m10 <- bottom: twelve services, no healthchecks.
fn diamond(name: &str) -> Project {
    let mut services = vec![service("top", IMAGE, &["sleep", "600"])];
    for middle in middle_names() {
        services.push(depends_on(service(&middle, IMAGE, &["sleep", "600"]), "top", Condition::ServiceStarted));
    }
    let mut bottom = service("bottom", IMAGE, &["sleep", "600"]);
    for middle in middle_names() {
        bottom = depends_on(bottom, &middle, Condition::ServiceStarted);
    }
    services.push(bottom);
    project(name, services)
}

/// The same diamond as a compose file for the peers.
fn diamond_yaml() -> String {
    let mut text = String::from("version: \"2.4\"\nservices:\n");
    let entry = |name: &str, needs: &[String]| {
        let mut block = format!("  {name}:\n    image: {IMAGE}\n    command: [\"sleep\", \"600\"]\n");
        if !needs.is_empty() {
            block.push_str("    depends_on:\n");
            for need in needs {
                block.push_str(&format!("      {need}:\n        condition: service_started\n"));
            }
        }
        block
    };
    text.push_str(&entry("top", &[]));
    for middle in middle_names() {
        text.push_str(&entry(&middle, &["top".to_string()]));
    }
    text.push_str(&entry("bottom", &middle_names()));
    text
}

fn run(program: &str, args: &[&str], env: &[(&str, &str)]) -> Result<(), String> {
    let output = Command::new(program)
        .args(args)
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .map_err(|error| format!("{program} could not run: {error}"))?;
    if output.status.success() {
        Ok(())
    } else {
        Err(format!("{program} {args:?} failed: {}", String::from_utf8_lossy(&output.stderr).trim()))
    }
}

fn podman(args: &[&str]) -> Result<(), String> {
    run("podman", args, &[])
}

/// Runs one podman command per argument list at once and waits for all.
fn parallel(commands: Vec<Vec<String>>) -> Result<(), String> {
    let handles: Vec<_> = commands
        .into_iter()
        .map(|args| std::thread::spawn(move || run("podman", &args.iter().map(String::as_str).collect::<Vec<_>>(), &[])))
        .collect();
    handles.into_iter().try_for_each(|handle| handle.join().unwrap_or_else(|_| Err("a podman thread panicked".to_string())))
}

fn run_args(project: &str, service: &str) -> Vec<String> {
    let mut args: Vec<String> = ["run", "-d", "--name"].into_iter().map(str::to_string).collect();
    args.push(format!("{project}-{service}-1"));
    args.extend(["--label".to_string(), format!("{LABEL}={project}"), "--network".to_string(), format!("{project}_default")]);
    args.extend([IMAGE, "sleep", "600"].into_iter().map(str::to_string));
    args
}

fn remove_args(project: &str, service: &str) -> Vec<String> {
    ["rm", "-f", "-t", "0"].into_iter().map(str::to_string).chain([format!("{project}-{service}-1")]).collect()
}

/// The raw bound of up and down: podman commands only, as parallel as the
/// graph allows.
fn raw(project: &str) -> Result<(Duration, Duration), String> {
    let began = Instant::now();
    podman(&["network", "create", "--label", &format!("{LABEL}={project}"), &format!("{project}_default")])?;
    parallel(vec![run_args(project, "top")])?;
    parallel(middle_names().iter().map(|name| run_args(project, name)).collect())?;
    parallel(vec![run_args(project, "bottom")])?;
    let up = began.elapsed();

    let began = Instant::now();
    parallel(vec![remove_args(project, "bottom")])?;
    parallel(middle_names().iter().map(|name| remove_args(project, name)).collect())?;
    parallel(vec![remove_args(project, "top")])?;
    podman(&["network", "rm", &format!("{project}_default")])?;
    Ok((up, began.elapsed()))
}

/// A compose tool driven by its command line.
struct Peer {
    name: &'static str,
    program: PathBuf,
    env: Vec<(String, String)>,
}

impl Peer {
    fn time(&self, file: &Path, project: &str, verb: &[&str]) -> Result<Duration, String> {
        let mut args = vec!["-p", project, "-f", file.to_str().expect("a UTF-8 temp path")];
        args.extend(verb);
        let env: Vec<(&str, &str)> = self.env.iter().map(|(key, value)| (key.as_str(), value.as_str())).collect();
        let began = Instant::now();
        run(self.program.to_str().expect("a UTF-8 program path"), &args, &env).map_err(|error| format!("{}: {error}", self.name))?;
        Ok(began.elapsed())
    }

    fn up_down(&self, file: &Path, project: &str) -> Result<(Duration, Duration), String> {
        let up = self.time(file, project, &["up", "-d"])?;
        let down = self.time(file, project, &["down", "-t", "0"])?;
        Ok((up, down))
    }
}

/// Removes every container, pod and network of the projects it was given,
/// and stops podman's API service, also when the bench fails half-way.
#[derive(Default)]
struct Cleanup {
    projects: Vec<String>,
    service: Option<(Child, PathBuf)>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        for project in &self.projects {
            let ids = Command::new("podman")
                .args(["ps", "-aq", "--filter", &format!("label={LABEL}={project}")])
                .output()
                .map(|output| String::from_utf8_lossy(&output.stdout).split_whitespace().map(str::to_string).collect::<Vec<_>>())
                .unwrap_or_default();
            if !ids.is_empty() {
                let _ = Command::new("podman").args(["rm", "-f", "-t", "0"]).args(&ids).output();
            }
            let _ = Command::new("podman").args(["pod", "rm", "-f", "--ignore", &format!("pod_{project}")]).output();
            let _ = Command::new("podman").args(["network", "rm", "-f", &format!("{project}_default")]).stderr(Stdio::null()).output();
        }
        if let Some((mut child, socket)) = self.service.take() {
            let _ = child.kill();
            let _ = child.wait();
            let _ = std::fs::remove_file(socket);
        }
    }
}

/// Starts `podman system service` on a fresh socket and waits until it accepts connections.
fn start_service(socket: &Path) -> Result<Child, String> {
    let child = Command::new("podman")
        .args(["system", "service", "--time=0", &format!("unix://{}", socket.display())])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .map_err(|error| format!("podman system service could not start: {error}"))?;
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline {
        if std::os::unix::net::UnixStream::connect(socket).is_ok() {
            return Ok(child);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    Err(format!("podman system service did not open {}", socket.display()))
}

fn find_peers(root: &Path) -> (Option<PathBuf>, Option<PathBuf>) {
    let on_path = |name: &str| -> Option<PathBuf> {
        std::env::split_paths(&std::env::var_os("PATH")?).map(|dir| dir.join(name)).find(|path| path.is_file())
    };
    let venv = root.join(".peers/venv/bin/podman-compose");
    (on_path("docker-compose"), venv.is_file().then_some(venv).or_else(|| on_path("podman-compose")))
}

/// The median `up` and `down` of one tool, `None` when it has no runs.
type Medians = (Option<Duration>, Option<Duration>);

fn median(values: &mut [Duration]) -> Option<Duration> {
    values.sort();
    values.get(values.len() / 2).copied()
}

fn seconds(value: Option<Duration>) -> String {
    value.map_or("-".to_string(), |value| format!("{:.2} s", value.as_secs_f64()))
}

fn ratio(a: Option<Duration>, b: Option<Duration>) -> String {
    match (a, b) {
        (Some(a), Some(b)) => format!("{:.2}", a.as_secs_f64() / b.as_secs_f64()),
        _ => "-".to_string(),
    }
}

fn main() -> Result<(), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).parent().expect("the runtime crate sits in the workspace").to_path_buf();
    let (mut docker_compose, mut podman_compose) = find_peers(&root);
    if docker_compose.is_none() || podman_compose.is_none() {
        run("sh", &[root.join("scripts/setup-peers.sh").to_str().expect("a UTF-8 path")], &[])?;
        (docker_compose, podman_compose) = find_peers(&root);
    }
    let rounds: usize = std::env::var("PERRY_BENCH_ROUNDS").ok().and_then(|value| value.parse().ok()).unwrap_or(5);

    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).expect("the clock is after 1970").as_nanos();
    let tag = format!("{}-{nanos}", std::process::id());
    let mut cleanup = Cleanup::default();
    let work = std::env::temp_dir().join(format!("perrybench-{tag}"));
    std::fs::create_dir_all(&work).map_err(|error| format!("{}: {error}", work.display()))?;
    let file = work.join("compose.yaml");
    std::fs::write(&file, diamond_yaml()).map_err(|error| format!("{}: {error}", file.display()))?;

    let mut peers = Vec::new();
    if let Some(program) = docker_compose {
        let socket = std::env::temp_dir().join(format!("perrybench-{tag}.sock"));
        cleanup.service = Some((start_service(&socket)?, socket.clone()));
        peers.push(Peer { name: "docker-compose", program, env: vec![("DOCKER_HOST".to_string(), format!("unix://{}", socket.display()))] });
    } else {
        println!("docker-compose is missing; its column stays empty");
    }
    match podman_compose {
        Some(program) => peers.push(Peer { name: "podman-compose", program, env: Vec::new() }),
        None => println!("podman-compose is missing; its column stays empty"),
    }

    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime starts");
    // perry-stack on the podman command line, and with the docker-api
    // feature also on the Docker API socket that docker-compose uses.
    let mut engines = vec![("perry-stack", Engine::new(Arc::new(CliBackend::podman())))];
    #[cfg(feature = "docker-api")]
    if let Some((_, socket)) = &cleanup.service {
        let backend = perry_stack::backend::DockerApiBackend::connect(socket, Duration::from_secs(60)).map_err(|error| error.to_string())?;
        engines.push(("perry-stack (API)", Engine::new(Arc::new(backend))));
    }
    // (up, down) samples: raw, each engine, then each peer.
    let first_peer = 1 + engines.len();
    let mut samples: Vec<(Vec<Duration>, Vec<Duration>)> = vec![Default::default(); first_peer + peers.len()];
    println!("12-service diamond on podman, {rounds} rounds, medians");
    for round in 0..rounds {
        let name = format!("perrybench-{tag}-{round}");

        let raw_name = format!("{name}raw");
        cleanup.projects.push(raw_name.clone());
        let (up, down) = raw(&raw_name)?;
        samples[0].0.push(up);
        samples[0].1.push(down);

        for (index, (label, engine)) in engines.iter().enumerate() {
            let name = format!("{name}e{index}");
            cleanup.projects.push(name.clone());
            let options = UpOptions { max_parallel: 12, ..UpOptions::default() };
            let began = Instant::now();
            runtime.block_on(engine.up(&diamond(&name), &options)).map_err(|error| format!("{label} up: {error}"))?;
            samples[1 + index].0.push(began.elapsed());
            let began = Instant::now();
            let down = DownOptions { timeout: Some(Duration::ZERO), max_parallel: 12, ..DownOptions::default() };
            runtime.block_on(engine.down(&name, &down)).map_err(|error| format!("{label} down: {error}"))?;
            samples[1 + index].1.push(began.elapsed());
        }

        for (index, peer) in peers.iter().enumerate() {
            // Compose tools lower-case and strip project names; digits and
            // letters only keep the name the same everywhere.
            let peer_name = format!("perrybench{}{nanos}{round}{index}", std::process::id());
            cleanup.projects.push(peer_name.clone());
            let (up, down) = peer.up_down(&file, &peer_name)?;
            samples[first_peer + index].0.push(up);
            samples[first_peer + index].1.push(down);
        }
    }

    let medians: Vec<Medians> =
        samples.iter_mut().map(|(up, down)| (median(up), median(down))).collect();
    let names: Vec<&str> =
        std::iter::once("raw podman").chain(engines.iter().map(|(label, _)| *label)).chain(peers.iter().map(|peer| peer.name)).collect();
    for ((name, (up, down)), (ups, downs)) in names.iter().zip(&medians).zip(&samples) {
        let all = |values: &Vec<Duration>| values.iter().map(|value| format!("{:.2}", value.as_secs_f64())).collect::<Vec<_>>().join(" ");
        println!("{name:>17}: up {} (runs {}), down {} (runs {})", seconds(*up), all(ups), seconds(*down), all(downs));
    }
    let faster = |pick: fn(&Medians) -> Option<Duration>| medians[first_peer..].iter().filter_map(pick).min();
    let (peer_up, peer_down) = (faster(|pair| pair.0), faster(|pair| pair.1));
    for (index, (label, _)) in engines.iter().enumerate() {
        let (engine_up, engine_down) = medians[1 + index];
        println!("{label}: up / raw bound = {} (target: at most 1.2)", ratio(engine_up, medians[0].0));
        println!("{label}: up / faster peer = {} (target: under 0.7)", ratio(engine_up, peer_up));
        println!("{label}: down / raw bound = {}", ratio(engine_down, medians[0].1));
        println!("{label}: down / faster peer = {} (target: under 0.5)", ratio(engine_down, peer_down));
    }
    drop(cleanup);
    let _ = std::fs::remove_dir_all(&work);
    Ok(())
}
