//! The stack commands on a real podman, with docker compose's global
//! options: merged files, an env file, a profile and a project name.

use std::path::PathBuf;
use std::process::{Command, Output};
use std::time::{SystemTime, UNIX_EPOCH};

mod support;
use support::{leftovers, signal, unique_project, ApiService, Lines, IMAGE};

/// Builds the perry-stack command in `dir` on podman, without the compose
/// variables of the test run's environment.
fn command<S: AsRef<std::ffi::OsStr>>(dir: &PathBuf, args: &[S]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_perry-stack"));
    command
        .args(args)
        .current_dir(dir)
        .env("PERRY_CONTAINER_BACKEND", "podman")
        .env_remove("COMPOSE_FILE")
        .env_remove("COMPOSE_PROJECT_NAME")
        .env_remove("COMPOSE_PROFILES");
    command
}

fn perry_stack(dir: &PathBuf, args: &[&str]) -> Output {
    command(dir, args).output().expect("perry-stack runs")
}

fn ok(output: Output) -> String {
    let text = format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "perry-stack failed:\n{text}");
    text
}

#[test]
fn global_options_drive_every_stack_command() {
    let (project, dir, _guard) = unique_project("perrycli");

    std::fs::write(
        dir.join("base.yaml"),
        format!("services:\n  db:\n    image: {IMAGE}\n    command: [sleep, '60']\n  web:\n    image: {IMAGE}\n    command: [sleep, '60']\n    depends_on: [db]\n"),
    )
    .unwrap();
    // The second file scales web through a variable of the env file, and
    // adds a service that only the `debug` profile enables.
    std::fs::write(
        dir.join("more.yaml"),
        format!("services:\n  web:\n    scale: ${{WEB_COUNT}}\n  tools:\n    image: {IMAGE}\n    command: [sleep, '60']\n    profiles: [debug]\n"),
    )
    .unwrap();
    std::fs::write(dir.join("counts.env"), "WEB_COUNT=2\n").unwrap();

    let global = ["-f", "base.yaml", "-f", "more.yaml", "--env-file", "counts.env", "-p", project.as_str()];
    let with = |args: &[&str]| -> Vec<String> { global.iter().chain(args).map(|word| word.to_string()).collect() };
    let run = |args: &[&str]| {
        let argv = with(args);
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        perry_stack(&dir, &argv)
    };

    let up = ok(run(&["up", "-d"]));
    assert!(up.contains(&format!(" Network {project}_default  Created")), "{up}");
    let ps = ok(run(&["ps"]));
    for name in ["db-1", "web-1", "web-2"] {
        assert!(ps.contains(&format!("{project}-{name}")), "{ps}");
    }
    assert!(!ps.contains("tools"), "the debug profile is off: {ps}");

    let again = ok(run(&["up", "-d"]));
    assert!(again.contains(&format!("{project}-web-2  Running")), "an unchanged up keeps the containers: {again}");

    let profiles = {
        let mut argv = with(&[]);
        argv.splice(0..0, ["--profile".to_string(), "debug".to_string()]);
        argv.push("up".to_string());
        argv.push("-d".to_string());
        let argv: Vec<&str> = argv.iter().map(String::as_str).collect();
        ok(perry_stack(&dir, &argv))
    };
    assert!(profiles.contains(&format!("{project}-tools-1  Started")), "{profiles}");

    // `stop db` stops web too (it depends on db); `start web` brings db back first.
    let stopped = ok(run(&["stop", "-t", "0", "db"]));
    assert!(stopped.contains(&format!("{project}-web-1  Stopped")), "{stopped}");
    let started = ok(run(&["start", "web"]));
    let db_at = started.find(&format!("{project}-db-1  Started")).expect("db started");
    let web_at = started.find(&format!("{project}-web-1  Started")).expect("web started");
    assert!(db_at < web_at, "{started}");

    ok(run(&["logs", "--tail", "1", "db"]));

    // exec with docker compose's flags: a replica by index, a variable given
    // and one passed from this shell, a working folder and a user.
    let hostname = |index: &str| ok(run(&["exec", "-T", "--index", index, "web", "hostname"]));
    assert_ne!(hostname("1"), hostname("2"), "two replicas, two containers");
    let missing = run(&["exec", "--index", "3", "web", "true"]);
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(!missing.status.success(), "{stderr}");
    assert!(stderr.contains("service web has no replica 3; its containers are numbered 1, 2"), "{stderr}");
    let argv = with(&["exec", "-e", "A=1", "-e", "PERRY_EXEC_PASSED", "-w", "/tmp", "-u", "65534", "db", "sh", "-c", "echo $A $PERRY_EXEC_PASSED $(pwd) $(id -u)"]);
    let output = command(&dir, &argv)
        .env("PERRY_EXEC_PASSED", "from-shell")
        .output()
        .unwrap();
    assert_eq!(ok(output), "1 from-shell /tmp 65534\n");

    // A piped standard input reaches the command, as in `exec -T db psql < dump.sql`.
    let piped = |script: &str, input: &[u8]| {
        let argv = with(&["exec", "-T", "db", "sh", "-c", script]);
        let mut child = command(&dir, &argv)
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(input).unwrap();
        ok(child.wait_with_output().unwrap())
    };
    assert_eq!(piped("cat; wc -l", b"a\nb\n"), "a\nb\n0\n", "cat reads the input to its end");
    assert_eq!(piped("wc -l", b"a\nb\n").trim(), "2");
    // Input and output flow while the command runs: it replies to a line
    // while the pipe is still open.
    let argv = with(&["exec", "-T", "db", "sh", "-c", "read line; echo got $line"]);
    let mut child = command(&dir, &argv)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    std::io::Write::write_all(&mut input, b"hello\n").unwrap();
    let lines = Lines::new(child.stdout.take().unwrap());
    assert_eq!(lines.next_within(std::time::Duration::from_secs(30)).as_deref(), Some("got hello"));
    drop(input);
    assert!(child.wait().unwrap().success());

    // `down web` keeps db; the whole `down -v` removes everything.
    ok(run(&["down", "-t", "0", "web"]));
    let ps = ok(run(&["ps"]));
    assert!(ps.contains(&format!("{project}-db-1")), "{ps}");
    assert!(!ps.contains("web-1"), "{ps}");
    let kept = ok(run(&["down", "-t", "0"]));
    assert!(kept.contains(&format!("kept container {project}-tools-1")), "tools is an orphan without its profile: {kept}");
    ok(run(&["down", "-v", "-t", "0", "--remove-orphans"]));
    assert_eq!(leftovers(&project), "");
    // After the command name, -f means --follow; with nothing running it returns at once.
    ok(run(&["logs", "-f"]));
}

#[test]
fn ctrl_c_during_up_rolls_back() {
    let (project, dir, _guard) = unique_project("perrycli-int");
    // db never becomes healthy, so up is still waiting when the signal comes.
    std::fs::write(
        dir.join("compose.yaml"),
        format!(
            "services:\n  db:\n    image: {IMAGE}\n    command: [sleep, '60']\n    healthcheck:\n      test: [CMD, 'false']\n      interval: 1s\n      retries: 100\n  web:\n    image: {IMAGE}\n    command: [sleep, '60']\n    depends_on:\n      db: {{condition: service_healthy}}\n"
        ),
    )
    .unwrap();

    let child = command(&dir, &["-p", &project, "up", "-d"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("perry-stack starts");
    let began = std::time::Instant::now();
    while !leftovers(&project).contains(&format!("{project}-db-1")) {
        assert!(began.elapsed() < std::time::Duration::from_secs(30), "db was never created");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    signal(child.id(), "-INT");
    let output = child.wait_with_output().expect("perry-stack exits");

    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(!output.status.success(), "{stderr}");
    assert!(stderr.contains("up was interrupted; what it created was removed"), "{stderr}");
    assert_eq!(leftovers(&project), "");
}

#[test]
fn up_unknown_service_names_services() {
    let (project, dir, _guard) = unique_project("perry-stack-up-unknown");
    std::fs::write(dir.join("compose.yaml"), format!("services:\n  web:\n    image: {IMAGE}\n  db:\n    image: {IMAGE}\n")).expect("write compose.yaml");

    let output = perry_stack(&dir, &["-p", &project, "up", "-d", "nosuch"]);

    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("error: no service `nosuch` in the compose file; defined services: db, web"), "{stderr}");
    assert_eq!(leftovers(&project), "", "nothing was created");
}

#[test]
fn exec_unknown_service_names_services() {
    let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().subsec_nanos();
    let dir = std::env::temp_dir().join(format!("perry-stack-exec-unknown-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temporary folder");
    std::fs::write(dir.join("compose.yaml"), format!("services:\n  web:\n    image: {IMAGE}\n")).expect("write compose.yaml");

    let output = perry_stack(&dir, &["exec", "nosuch", "true"]);
    let _ = std::fs::remove_dir_all(&dir);

    assert_eq!(output.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("no service `nosuch` in the compose file; defined services: web"), "{stderr}");
}

#[test]
fn dotenv_names_the_project() {
    let (project, dir, _guard) = unique_project("perrycli-dotenv");
    // The file's `name` loses to COMPOSE_PROJECT_NAME of the project's `.env`.
    std::fs::write(dir.join("compose.yaml"), format!("name: from-file\nservices:\n  web:\n    image: {IMAGE}\n    command: [sleep, '60']\n")).unwrap();
    std::fs::write(dir.join(".env"), format!("COMPOSE_PROJECT_NAME={project}\n")).unwrap();

    let up = ok(perry_stack(&dir, &["up", "-d"]));
    assert!(up.contains(&format!("project {project} is up")), "{up}");
    assert!(leftovers(&project).contains(&format!("{project}-web-1")), "{up}");
    assert_eq!(leftovers("from-file"), "");

    let ps = ok(perry_stack(&dir, &["ps"]));
    assert!(ps.contains(&format!("{project}-web-1")), "{ps}");
    ok(perry_stack(&dir, &["down", "-t", "0"]));
    assert_eq!(leftovers(&project), "");
}

#[test]
fn attached_up_stops_on_ctrl_c() {
    attached_up_stops_on("-INT");
}

/// SIGTERM, which `timeout` and CI runners send, counts as Ctrl-C.
#[test]
fn attached_up_stops_on_sigterm() {
    attached_up_stops_on("-TERM");
}

fn attached_up_stops_on(signal_name: &str) {
    let (project, dir, _guard) = unique_project(&format!("perrycli-att{}", signal_name.trim_start_matches('-').to_lowercase()));
    // trap makes the shell (PID 1) end on SIGTERM, so the stop is quick.
    std::fs::write(
        dir.join("compose.yaml"),
        format!("services:\n  web:\n    image: {IMAGE}\n    command: [sh, -c, 'trap \"exit 0\" TERM; echo hello from web; while true; do sleep 1; done']\n"),
    )
    .unwrap();

    let mut child = command(&dir, &["-p", &project, "up"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("perry-stack starts");
    let lines = Lines::new(child.stdout.take().unwrap());
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        match lines.next_within(deadline.saturating_duration_since(std::time::Instant::now())) {
            Some(line) if line == "web | hello from web" => break,
            Some(_) => {}
            None => {
                let _ = child.kill();
                panic!("no output from web");
            }
        }
    }
    signal(child.id(), signal_name);
    let rest = lines.rest_within(std::time::Duration::from_secs(60));
    let status = child.wait().expect("perry-stack exits");

    assert!(status.success(), "{status}");
    assert!(rest.iter().any(|line| line == "web exited with code 0"), "the stop's end is printed: {rest:?}");
    let ps = ok(perry_stack(&dir, &["-p", &project, "ps"]));
    assert!(ps.contains(&format!("{project}-web-1")), "the container stays: {ps}");
    assert!(!ps.contains("running"), "the container was stopped: {ps}");
    ok(perry_stack(&dir, &["-p", &project, "down"]));
    assert_eq!(leftovers(&project), "");
}

#[test]
fn logs_prefix_replicas_and_tail_all() {
    let (project, dir, _guard) = unique_project("perrycli-logs");
    std::fs::write(
        dir.join("compose.yaml"),
        format!(
            "services:\n  w:\n    image: {IMAGE}\n    command: [sh, -c, 'echo one; echo two; sleep 60']\n    scale: 2\n  db:\n    image: {IMAGE}\n    command: [sh, -c, 'echo ready; sleep 60']\n"
        ),
    )
    .unwrap();
    // The project name comes from the folder, so every command reads the
    // compose file and finds the defined services there.
    let run = |args: &[&str]| perry_stack(&dir, args);
    ok(run(&["up", "-d"]));
    // The containers print as they start; wait until both replicas have.
    let began = std::time::Instant::now();
    let mut logs = String::new();
    while began.elapsed() < std::time::Duration::from_secs(10) {
        logs = String::from_utf8_lossy(&ok_output(run(&["logs", "--tail", "all"])).stdout).into_owned();
        if logs.matches("two").count() == 2 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(200));
    }

    for line in ["w-1 | one", "w-1 | two", "w-2 | one", "w-2 | two", "db | ready"] {
        assert!(logs.lines().any(|printed| printed == line), "missing `{line}` in:\n{logs}");
    }
    let last = String::from_utf8_lossy(&ok_output(run(&["logs", "--tail", "1", "w"])).stdout).into_owned();
    let mut lines: Vec<&str> = last.lines().collect();
    lines.sort();
    assert_eq!(lines, ["w-1 | two", "w-2 | two"]);
    let invalid = run(&["logs", "--tail", "some"]);
    assert!(!invalid.status.success());
    assert!(String::from_utf8_lossy(&invalid.stderr).contains("invalid number of lines `some`: use a whole number from 0, or `all`"));

    for verb in ["stop", "start", "restart", "logs", "down"] {
        let output = run(&[verb, "nosuch"]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{verb}: {stderr}");
        assert!(stderr.contains("no service `nosuch` in the compose file; defined services: db, w"), "{verb}: {stderr}");
    }
    let ps = ok(run(&["ps"]));
    assert_eq!(ps.matches("running").count(), 3, "a rejected command changed nothing: {ps}");

    // `ps -q SERVICE` prints one id per container; `--scale` overrides the file.
    assert_eq!(ok(run(&["ps", "-q", "w"])).lines().count(), 2);
    let scaled = ok(run(&["up", "-d", "--scale", "w=1"]));
    assert!(scaled.contains("w-2  Removed"), "{scaled}");
    assert_eq!(ok(run(&["ps", "-q", "w"])).lines().count(), 1);
    for (value, message) in [("nosuch=1", "no service `nosuch` in the compose file"), ("w", "invalid --scale `w`: use SERVICE=NUM"), ("w=-1", "`-1` is not a whole number from 0 to 4294967295")] {
        let output = run(&["up", "-d", "--scale", value]);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(!output.status.success(), "{value}: {stderr}");
        assert!(stderr.contains(message), "{value}: {stderr}");
    }
    ok(run(&["down", "-t", "0"]));
    assert_eq!(leftovers(&project), "");
}

#[test]
fn logs_follow_prints_new_lines_after_the_tail() {
    let (project, dir, _guard) = unique_project("perrycli-follow");
    std::fs::write(
        dir.join("compose.yaml"),
        format!("services:\n  web:\n    image: {IMAGE}\n    command: [sh, -c, 'trap \"exit 0\" TERM; echo one; echo two; echo three; while true; do sleep 1; done']\n"),
    )
    .unwrap();
    let run = |args: &[&str]| perry_stack(&dir, args);
    ok(run(&["up", "-d"]));
    let began = std::time::Instant::now();
    while !ok(run(&["logs"])).contains("web | three") {
        assert!(began.elapsed() < std::time::Duration::from_secs(30), "web printed nothing");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }

    let mut follow = command(&dir, &["logs", "-f", "--tail", "1"])
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("perry-stack starts");
    let lines = Lines::new(follow.stdout.take().unwrap());
    let wait = std::time::Duration::from_secs(30);
    assert_eq!(lines.next_within(wait).as_deref(), Some("web | three"));
    // A line written while `logs -f` runs reaches it.
    ok(run(&["exec", "-T", "web", "sh", "-c", "echo four > /proc/1/fd/1"]));
    assert_eq!(lines.next_within(wait).as_deref(), Some("web | four"));

    // `logs -f` ends by itself once the container stops.
    ok(run(&["stop", "-t", "5"]));
    let rest = lines.rest_within(wait);
    let status = follow.wait().expect("perry-stack exits");
    assert!(status.success(), "{status}");
    assert_eq!(rest, ["web exited with code 0"], "nothing older than the tail is printed");
    ok(run(&["down", "-t", "0"]));
    assert_eq!(leftovers(&project), "");
}

#[test]
fn logs_follow_keeps_following_restarts() {
    let (project, dir, _guard) = unique_project("perrycli-restart");
    std::fs::write(
        dir.join("compose.yaml"),
        format!("services:\n  web:\n    image: {IMAGE}\n    restart: always\n    command: [sh, -c, 'echo run; sleep 1; exit 3']\n"),
    )
    .unwrap();
    let run = |args: &[&str]| perry_stack(&dir, args);
    ok(run(&["up", "-d"]));
    let began = std::time::Instant::now();
    while !ok(run(&["logs"])).contains("web | run") {
        assert!(began.elapsed() < std::time::Duration::from_secs(30), "web printed nothing");
        std::thread::sleep(std::time::Duration::from_millis(100));
    }

    let mut follow = command(&dir, &["logs", "-f", "--tail", "1"]).stdout(std::process::Stdio::piped()).spawn().expect("perry-stack starts");
    let lines = Lines::new(follow.stdout.take().unwrap());
    let wait = std::time::Duration::from_secs(30);
    assert_eq!(lines.next_within(wait).as_deref(), Some("web | run"));
    // The container exits after a second and its restart policy starts it
    // again; the follow goes on with the new run.
    let next = std::iter::from_fn(|| lines.next_within(wait)).find(|line| line == "web | run");
    assert!(next.is_some(), "the restarted container's output was not followed");

    ok(run(&["stop", "-t", "0"]));
    let _rest = lines.rest_within(wait);
    assert!(follow.wait().expect("perry-stack exits").success());
    ok(run(&["down", "-t", "0"]));
    assert_eq!(leftovers(&project), "");
}

#[test]
fn exec_streams_over_the_api() {
    let (project, dir, _guard) = unique_project("perrycli-apiexec");
    let service = ApiService::start(&project);
    std::fs::write(dir.join("compose.yaml"), format!("services:\n  web:\n    image: {IMAGE}\n    command: [sleep, '60']\n")).unwrap();
    let api = |args: &[&str]| {
        let mut command = command(&dir, args);
        command.env_remove("PERRY_CONTAINER_BACKEND").env("PERRY_CONTAINER_MODE", "server-first").env("DOCKER_HOST", format!("unix://{}", service.socket.display()));
        command
    };
    let up = api(&["up", "-d"]).output().unwrap();
    assert!(up.status.success(), "{}", String::from_utf8_lossy(&up.stderr));

    // The command replies to a line while the pipe is still open.
    let mut child = api(&["exec", "-T", "web", "sh", "-c", "read line; echo got $line; exit 5"])
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    std::io::Write::write_all(&mut input, b"hello\n").unwrap();
    let lines = Lines::new(child.stdout.take().unwrap());
    assert_eq!(lines.next_within(std::time::Duration::from_secs(30)).as_deref(), Some("got hello"));
    let status = child.wait().unwrap();
    drop(input);
    assert_eq!(status.code(), Some(5), "the exit code passes, and the exec ends while its input is open");

    assert!(api(&["down", "-t", "0"]).output().unwrap().status.success());
    assert_eq!(leftovers(&project), "");
}

fn ok_output(output: Output) -> Output {
    assert!(output.status.success(), "perry-stack failed:\n{}", String::from_utf8_lossy(&output.stderr));
    output
}

#[test]
fn start_and_restart_without_containers_fail() {
    let (project, dir, _guard) = unique_project("perrycli-start");
    std::fs::write(dir.join("compose.yaml"), format!("services:\n  web:\n    image: {IMAGE}\n")).unwrap();

    for verb in ["start", "restart"] {
        let output = perry_stack(&dir, &["-p", &project, verb]);

        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(1), "{verb}: {stderr}");
        assert!(stderr.contains(&format!("project {project} has no containers to {verb}; `up` creates them")), "{stderr}");
    }
}

#[test]
fn start_help_has_no_stop_timeout() {
    let output = Command::new(env!("CARGO_BIN_EXE_perry-stack")).args(["start", "--help"]).output().expect("perry-stack runs");
    let help = String::from_utf8_lossy(&output.stdout);

    assert!(output.status.success(), "{help}");
    assert!(!help.contains("--timeout"), "start stops nothing: {help}");
    assert!(help.contains("their dependencies, which start first"), "{help}");
}

#[test]
fn up_builds_missing_images() {
    let (project, dir, _guard) = unique_project("perrycli-build");
    std::fs::create_dir_all(dir.join("app")).unwrap();
    std::fs::write(dir.join("app/Containerfile.dev"), format!("FROM {IMAGE}\nARG GREETING\nRUN echo \"$GREETING\" > /built\n")).unwrap();
    std::fs::write(
        dir.join("compose.yaml"),
        "services:\n  web:\n    build:\n      context: app\n      dockerfile: Containerfile.dev\n      args: {GREETING: hello}\n    command: [sleep, '60']\n",
    )
    .unwrap();
    let image = format!("{project}-web");
    let run = |args: &[&str]| perry_stack(&dir, args);
    let remove_image = || Command::new("podman").args(["rmi", "-f", &image]).output();

    let up = run(&["-p", &project, "up", "-d"]);
    let text = format!("{}{}", String::from_utf8_lossy(&up.stdout), String::from_utf8_lossy(&up.stderr));
    let built = ok(run(&["-p", &project, "exec", "-T", "web", "cat", "/built"]));
    let again = ok(run(&["-p", &project, "up", "-d"]));
    ok(run(&["-p", &project, "down", "-t", "0"]));
    let _ = remove_image();

    assert!(up.status.success(), "{text}");
    assert!(text.contains(&format!(" Image {image}  Built")), "{text}");
    assert_eq!(built, "hello\n");
    assert!(!again.contains("Building"), "the image exists now: {again}");
    assert_eq!(leftovers(&project), "");
}
