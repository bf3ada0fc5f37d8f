//! Merge rules, one fixture pair per rule: a base and an override that
//! differ only where the rule decides, and the loaded model that the rule
//! gives. Each service case runs twice: as two files (`-f base -f override`)
//! and as `extends` in one file, where the override is the extending
//! service. Both merge with the same rules in docker compose v2.
//!
//! The rules are those of the Compose Specification's merge section and of
//! docker compose v2 (compose-go's `override` package: `mergeSpecials` and
//! `EnforceUnicity`). Where docker-compose 1.29 merges differently, the
//! case's note describes how; the specification wins.

use std::path::PathBuf;

use perry_stack_schema::diag::messages::code;
use perry_stack_schema::{load_project, Failed, Loaded, Options};
use serde_json::Value as Json;

/// One rule, with the body of service `web` in the base and in the override
/// (indented by four spaces when written) and text added after `web` in the
/// base file (more services, top-level sections). `expected` is the JSON of
/// some keys of `web` in the model. A dotted key reaches into a mapping
/// (`build.args`), `null` expects the key absent, and `{dir}` in the
/// expected text is the fixture's folder.
struct Case {
    name: &'static str,
    base: &'static str,
    overlay: &'static str,
    extra: &'static str,
    expected: &'static str,
    /// How docker-compose 1.29 differs, or why the case is here.
    note: &'static str,
}

const CASES: &[Case] = &[
    Case {
        name: "scalar-replaced",
        base: "image: a\nuser: root\nworking_dir: /a",
        overlay: "image: b\nworking_dir: /b",
        extra: "",
        expected: r#"{"image": "b", "user": "root", "working_dir": "/b"}"#,
        note: "",
    },
    Case {
        name: "null-keeps-earlier",
        base: "image: a\nenvironment: {A: '1'}\nports: ['80']\nhealthcheck: {retries: 3}",
        overlay: "image: null\nenvironment: null\nports: null\nhealthcheck:\n  retries: null",
        extra: "",
        expected: r#"{"image": "a", "environment": {"A": "1"}, "ports": [{"target": 80, "protocol": "tcp", "mode": "ingress"}], "healthcheck": {"retries": 3}}"#,
        note: "docker compose v2 keeps the earlier value for a later null; 1.29 rejects null where a string or list is expected",
    },
    Case {
        name: "nested-mapping-merges",
        base: "image: a\nhealthcheck:\n  test: [CMD, a]\n  retries: 5\n  interval: 10s",
        overlay: "healthcheck:\n  interval: 20s",
        extra: "",
        expected: r#"{"healthcheck": {"test": ["CMD", "a"], "retries": 5, "interval": "20s"}}"#,
        note: "",
    },
    Case {
        name: "command-replaced",
        base: "image: a\ncommand: [echo, foo]",
        overlay: "command: [echo, bar]",
        extra: "",
        expected: r#"{"command": ["echo", "bar"]}"#,
        note: "the specification's example: shell commands are replaced, not appended",
    },
    Case {
        name: "entrypoint-replaced",
        base: "image: a\nentrypoint: [sh, -c]",
        overlay: "entrypoint: bash",
        extra: "",
        expected: r#"{"entrypoint": ["bash"]}"#,
        note: "",
    },
    Case {
        name: "healthcheck-test-replaced",
        base: "image: a\nhealthcheck:\n  test: [CMD, curl, -f, http://localhost]\n  retries: 2",
        overlay: "healthcheck:\n  test: [CMD-SHELL, exit 0]",
        extra: "",
        expected: r#"{"healthcheck": {"test": ["CMD-SHELL", "exit 0"], "retries": 2}}"#,
        note: "",
    },
    Case {
        name: "command-null-removes",
        base: "image: a\ncommand: [echo, foo]",
        overlay: "command: null",
        extra: "",
        expected: r#"{"command": null}"#,
        note: "docker compose v2 replaces `command` with anything later, null included; 1.29 rejects a null command",
    },
    Case {
        name: "environment-by-name",
        base: "image: a\nenvironment: [A=1, B=2, C]",
        overlay: "environment:\n  B: two\n  C: three\n  D: null",
        extra: "",
        expected: r#"{"environment": {"A": "1", "B": "two", "C": "three", "D": null}}"#,
        note: "",
    },
    Case {
        name: "environment-later-name-only",
        base: "image: a\nenvironment: {A: '1'}",
        overlay: "environment: [A]",
        extra: "",
        expected: r#"{"environment": {"A": null}}"#,
        note: "a later entry replaces the earlier one even without a value: A is then read from the environment of `up`",
    },
    Case {
        name: "labels-by-name",
        base: "image: a\nlabels: {a: '1', b: '2'}",
        overlay: "labels: [b=3, c=4]",
        extra: "",
        expected: r#"{"labels": {"a": "1", "b": "3", "c": "4"}}"#,
        note: "",
    },
    Case {
        name: "annotations-by-name",
        base: "image: a\nannotations: [a=1]",
        overlay: "annotations: {a: '2', b: '3'}",
        extra: "",
        expected: r#"{"annotations": {"a": "2", "b": "3"}}"#,
        note: "1.29 does not know `annotations`",
    },
    Case {
        name: "sysctls-by-name",
        base: "image: a\nsysctls: {net.core.somaxconn: 1024}",
        overlay: "sysctls: [net.core.somaxconn=2048, kernel.shmmax=1]",
        extra: "",
        expected: r#"{"sysctls": {"net.core.somaxconn": "2048", "kernel.shmmax": "1"}}"#,
        note: "",
    },
    Case {
        name: "build-args-and-labels-by-name",
        base: "image: a\nbuild:\n  context: .\n  args: [A=1, B=2]\n  labels: {x: '1'}\n  additional_contexts: [base=./base, kept=./kept]\n  extra_hosts: ['a=10.0.0.1']",
        overlay: "build:\n  args: {B: three}\n  labels: [y=2]\n  additional_contexts: {base: ./other, more: ./more}\n  extra_hosts: {a: 10.0.0.1, b: 10.0.0.2}",
        extra: "",
        expected: r#"{"build.args": {"A": "1", "B": "three"}, "build.labels": {"x": "1", "y": "2"}, "build.additional_contexts": {"base": "./other", "kept": "./kept", "more": "./more"}, "build.extra_hosts": ["a=10.0.0.1", "b=10.0.0.2"]}"#,
        note: "",
    },
    Case {
        name: "deploy-labels-by-name",
        base: "image: a\ndeploy:\n  labels: [a=1, b=1]",
        overlay: "deploy:\n  labels: {a: '2'}",
        extra: "",
        expected: r#"{"deploy.labels": {"a": "2", "b": "1"}}"#,
        note: "",
    },
    Case {
        name: "depends-on-list-resets-entry",
        base: "image: a\ndepends_on:\n  db: {condition: service_healthy, required: false}",
        overlay: "depends_on: [db]",
        extra: "  db:\n    image: db\n    healthcheck: {test: [CMD, 'true']}",
        expected: r#"{"depends_on": {"db": {"condition": "service_started", "restart": false, "required": true}}}"#,
        note: "a listed name is `{condition: service_started, required: true}`, merged over the earlier entry; 1.29 does not know `required`",
    },
    Case {
        name: "depends-on-by-name",
        base: "image: a\ndepends_on: [db, cache]",
        overlay: "depends_on:\n  db: {condition: service_healthy}",
        extra: "  db:\n    image: db\n    healthcheck: {test: [CMD, 'true']}\n  cache:\n    image: cache",
        expected: r#"{"depends_on": {"cache": {"condition": "service_started", "restart": false, "required": true}, "db": {"condition": "service_healthy", "restart": false, "required": true}}}"#,
        note: "",
    },
    Case {
        name: "service-networks-by-name",
        base: "image: a\nnetworks:\n  front: {aliases: [web]}\n  back:",
        overlay: "networks: [front, side]",
        extra: "networks:\n  front:\n  back:\n  side:",
        expected: r#"{"networks": {"back": {}, "front": {"aliases": ["web"]}, "side": {}}}"#,
        note: "a listed network keeps the earlier entry's settings, as a later null does",
    },
    Case {
        name: "service-models-by-name",
        base: "image: a\nmodels:\n  llm: {endpoint_var: LLM_URL}",
        overlay: "models: [llm, embed]",
        extra: "models:\n  llm: {model: ai/smollm2}\n  embed: {model: ai/embeddinggemma}",
        expected: r#"{"models": {"llm": {"endpoint_var": "LLM_URL"}, "embed": null}}"#,
        note: "1.29 does not know `models`",
    },
    Case {
        name: "network-aliases-unique",
        base: "image: a\nnetworks:\n  front:\n    aliases: [a, b]\n    link_local_ips: [169.254.0.1]",
        overlay: "networks:\n  front:\n    aliases: [b, c]\n    link_local_ips: [169.254.0.1, 169.254.0.2]",
        extra: "networks:\n  front:",
        expected: r#"{"networks": {"front": {"aliases": ["a", "b", "c"], "link_local_ips": ["169.254.0.1", "169.254.0.2"]}}}"#,
        note: "",
    },
    Case {
        name: "ports-by-full-key",
        base: "image: a\nports: ['8080:80', '127.0.0.1:9000:9000', '53:53/udp']",
        overlay: "ports:\n  - 8080:80/tcp\n  - {target: 9000, published: 9000}\n  - '53:53'",
        extra: "",
        expected: r#"{"ports": [
            {"target": 80, "published": "8080", "protocol": "tcp", "mode": "ingress"},
            {"target": 9000, "published": "9000", "host_ip": "127.0.0.1", "protocol": "tcp", "mode": "ingress"},
            {"target": 53, "published": "53", "protocol": "udp", "mode": "ingress"},
            {"target": 9000, "published": "9000", "protocol": "tcp", "mode": "ingress"},
            {"target": 53, "published": "53", "protocol": "tcp", "mode": "ingress"}
        ]}"#,
        note: "the key is host IP, published port, target and protocol; 1.29 keeps `8080:80` and `8080:80/tcp` apart and orders the ports its own way",
    },
    Case {
        name: "ports-short-and-long-same-key",
        base: "image: a\nports: ['8080:80']",
        overlay: "ports:\n  - {target: 80, published: '8080', protocol: tcp, app_protocol: http}",
        extra: "",
        expected: r#"{"ports": [{"target": 80, "published": "8080", "protocol": "tcp", "app_protocol": "http", "mode": "ingress"}]}"#,
        note: "a short and a long port for the same mapping have the same key; 1.29 does not know `app_protocol`",
    },
    Case {
        name: "port-range-entry-replaced",
        base: "image: a\nports: ['8000-8001:80-81']",
        overlay: "ports:\n  - {target: 81, published: 8001, name: admin}",
        extra: "",
        expected: r#"{"ports": [
            {"target": 80, "published": "8000", "protocol": "tcp", "mode": "ingress"},
            {"name": "admin", "target": 81, "published": "8001", "protocol": "tcp", "mode": "ingress"}
        ]}"#,
        note: "each port of a range counts on its own, as docker compose v2 expands ranges before it compares",
    },
    Case {
        name: "volumes-by-target",
        base: "image: a\nvolumes: ['./a:/data', 'logs:/logs']",
        overlay: "volumes:\n  - {type: volume, source: data, target: /data}\n  - ./b:/other",
        extra: "volumes:\n  logs:\n  data:",
        expected: r#"{"volumes": [
            {"type": "volume", "source": "data", "target": "/data"},
            {"type": "volume", "source": "logs", "target": "/logs"},
            {"type": "bind", "source": "{dir}/b", "target": "/other", "bind": {"create_host_path": true}}
        ]}"#,
        note: "the specification's example: a later mount with the same target replaces the earlier one",
    },
    Case {
        name: "devices-by-target",
        base: "image: a\ndevices: ['/dev/a:/dev/x', /dev/b]",
        overlay: "devices:\n  - /dev/c:/dev/x:r\n  - {source: /dev/d, target: /dev/b, permissions: rw}",
        extra: "",
        expected: r#"{"devices": [
            {"source": "/dev/c", "target": "/dev/x", "permissions": "r"},
            {"source": "/dev/d", "target": "/dev/b", "permissions": "rw"}
        ]}"#,
        note: "1.29 knows only the string syntax of devices",
    },
    Case {
        name: "secrets-by-target",
        base: "image: a\nsecrets:\n  - token\n  - {source: cert, target: /etc/cert.pem}",
        overlay: "secrets:\n  - {source: token, uid: '1000'}\n  - {source: other, target: /etc/cert.pem}",
        extra: "secrets:\n  token: {file: ./token}\n  cert: {file: ./cert}\n  other: {file: ./other}",
        expected: r#"{"secrets": [{"source": "token", "uid": "1000"}, {"source": "other", "target": "/etc/cert.pem"}]}"#,
        note: "the key is the target, `/run/secrets/SOURCE` when unset; 1.29 merges secrets by source",
    },
    Case {
        name: "configs-by-target",
        base: "image: a\nconfigs: [app, {source: extra, target: /etc/extra}]",
        overlay: "configs:\n  - {source: app, target: /app, mode: 292}\n  - {source: other, target: /etc/extra}",
        extra: "configs:\n  app: {file: ./app}\n  extra: {file: ./extra}\n  other: {file: ./other}",
        expected: r#"{"configs": [{"source": "app", "target": "/app", "mode": 292}, {"source": "other", "target": "/etc/extra"}]}"#,
        note: "the key is the target, `/SOURCE` when unset; 1.29 merges configs by source",
    },
    Case {
        name: "env-file-by-path",
        base: "image: a\nenv_file: a.env",
        overlay: "env_file:\n  - b.env\n  - {path: a.env, required: false}",
        extra: "",
        expected: r#"{"env_file": [{"path": "{dir}/a.env", "required": false}, {"path": "{dir}/b.env", "required": true}]}"#,
        note: "a string is a one-item list; the key is the path; 1.29 knows only the string syntax of env_file",
    },
    Case {
        name: "expose-unique",
        base: "image: a\nexpose: [80, '90']",
        overlay: "expose: ['80', 100]",
        extra: "",
        expected: r#"{"expose": ["80", "90", "100"]}"#,
        note: "1.29 also sorts them",
    },
    Case {
        name: "capabilities-unique",
        base: "image: a\ncap_add: [NET_ADMIN, SYS_TIME]\ncap_drop: [ALL]",
        overlay: "cap_add: [SYS_TIME, CHOWN]\ncap_drop: [ALL, MKNOD]",
        extra: "",
        expected: r#"{"cap_add": ["NET_ADMIN", "SYS_TIME", "CHOWN"], "cap_drop": ["ALL", "MKNOD"]}"#,
        note: "1.29 also sorts them",
    },
    Case {
        name: "dns-unique-from-string",
        base: "image: a\ndns: 1.1.1.1\ndns_opt: [ndots:2]\ndns_search: a.example\ntmpfs: [/run]",
        overlay: "dns: [8.8.8.8, 1.1.1.1]\ndns_opt: timeout:1\ndns_search: [a.example, b.example]\ntmpfs: /tmp",
        extra: "",
        expected: r#"{"dns": ["1.1.1.1", "8.8.8.8"], "dns_opt": ["ndots:2", "timeout:1"], "dns_search": ["a.example", "b.example"], "tmpfs": ["/run", "/tmp"]}"#,
        note: "docker compose v2 removes repeated items after every merge; the specification's `extends` section and 1.29 keep repeated dns and dns_search items, and 1.29 replaces dns_opt",
    },
    Case {
        name: "profiles-unique",
        base: "image: a\nprofiles: [dev, b]",
        overlay: "profiles: [b, c]",
        extra: "",
        expected: r#"{"profiles": ["dev", "b", "c"]}"#,
        note: "",
    },
    Case {
        name: "links-unique",
        base: "image: a\nlinks: [db, 'db:database']",
        overlay: "links: [db, 'db:store']",
        extra: "  db:\n    image: db\n    healthcheck: {test: [CMD, 'true']}",
        expected: r#"{"links": ["db", "db:database", "db:store"]}"#,
        note: "",
    },
    Case {
        name: "build-tags-unique",
        base: "image: a\nbuild:\n  context: .\n  tags: ['a:1']",
        overlay: "build:\n  tags: ['a:1', 'b:2']",
        extra: "",
        expected: r#"{"build.tags": ["a:1", "b:2"]}"#,
        note: "",
    },
    Case {
        name: "other-sequences-append",
        base: "image: a\nsecurity_opt: [label:disable]\ngroup_add: [mail]\nexternal_links: [redis]",
        overlay: "security_opt: [label:disable, no-new-privileges:true]\ngroup_add: [mail, '100']\nexternal_links: [redis]",
        extra: "",
        expected: r#"{"security_opt": ["label:disable", "label:disable", "no-new-privileges:true"], "group_add": ["mail", "mail", "100"], "external_links": ["redis", "redis"]}"#,
        note: "sequences append (the specification's merge section); its `extends` section removes repeated security_opt and external_links items, which docker compose v2 keeps; 1.29 removes them and replaces group_add",
    },
    Case {
        name: "blkio-device-lists-append",
        base: "image: a\nblkio_config:\n  weight: 300\n  device_read_bps: [{path: /dev/sda, rate: '12mb'}]",
        overlay: "blkio_config:\n  device_read_bps: [{path: /dev/sda, rate: '24mb'}]",
        extra: "",
        expected: r#"{"blkio_config": {"weight": 300, "device_read_bps": [{"path": "/dev/sda", "rate": "12mb"}, {"path": "/dev/sda", "rate": "24mb"}]}}"#,
        note: "docker compose v2 appends them; the specification's `extends` section and 1.29 key them by path",
    },
    Case {
        name: "label-file-append-from-string",
        base: "image: a\nlabel_file: a.labels",
        overlay: "label_file: [b.labels, a.labels]",
        extra: "",
        expected: r#"{"label_file": ["a.labels", "b.labels", "a.labels"]}"#,
        note: "1.29 does not know `label_file`",
    },
    Case {
        name: "extra-hosts-append-new",
        base: "image: a\nextra_hosts: {a: 10.0.0.1}",
        overlay: "extra_hosts: ['b=10.0.0.2', 'a=10.0.0.1']",
        extra: "",
        expected: r#"{"extra_hosts": ["a=10.0.0.1", "b=10.0.0.2"]}"#,
        note: "a mapping is one `host=ip` item per address; 1.29 knows only `host:ip` items",
    },
    Case {
        name: "build-string-is-context",
        base: "image: a\nbuild: ./app",
        overlay: "build:\n  dockerfile: Dockerfile.dev",
        extra: "",
        expected: r#"{"build": {"context": "{dir}/app", "dockerfile": "Dockerfile.dev"}}"#,
        note: "",
    },
    Case {
        name: "logging-same-driver-merges",
        base: "image: a\nlogging:\n  driver: syslog\n  options: {a: '1'}",
        overlay: "logging:\n  options: {b: '2'}",
        extra: "",
        expected: r#"{"logging": {"driver": "syslog", "options": {"a": "1", "b": "2"}}}"#,
        note: "a file that names no driver merges with the earlier one",
    },
    Case {
        name: "logging-other-driver-replaces",
        base: "image: a\nlogging:\n  driver: syslog\n  options: {syslog-address: 'udp://1.2.3.4:514'}",
        overlay: "logging:\n  driver: json-file\n  options: {max-size: 10m}",
        extra: "",
        expected: r#"{"logging": {"driver": "json-file", "options": {"max-size": "10m"}}}"#,
        note: "",
    },
    Case {
        name: "ulimits-merge-per-limit",
        base: "image: a\nulimits:\n  nofile: {soft: 1, hard: 2}\n  nproc: 10\n  locks: {soft: 1, hard: 2}",
        overlay: "ulimits:\n  nofile: {soft: 3, hard: 4}\n  nproc: {soft: 5, hard: 6}\n  locks: 7",
        extra: "",
        expected: r#"{"ulimits": {"nofile": {"soft": 3, "hard": 4}, "nproc": {"soft": 5, "hard": 6}, "locks": {"soft": 7, "hard": 7}}}"#,
        note: "a limit merges key by key as a mapping, and is replaced when one side is a number",
    },
    Case {
        name: "reset-scalar-list-mapping",
        base: "image: a\nuser: root\nports: ['80']\ndns: [1.1.1.1]\nenvironment: {A: '1'}\nhealthcheck: {retries: 3}",
        overlay: "user: !reset root\nports: !reset []\ndns: !reset\nenvironment: !reset {}\nhealthcheck: !reset null",
        extra: "",
        expected: r#"{"image": "a", "user": null, "ports": null, "dns": null, "environment": null, "healthcheck": null}"#,
        note: "`!reset` removes the earlier value whatever the type and the value written with the tag; 1.29 does not know the tag",
    },
    Case {
        name: "reset-entries",
        base: "image: a\nenvironment: [A=1, B=2]\nlabels: {a: '1', b: '2'}\ndepends_on: [db]\nulimits: {nproc: 10, nofile: 20}",
        overlay: "environment:\n  A: !reset null\nlabels:\n  b: !reset\ndepends_on:\n  db: !reset\nulimits:\n  nproc: !reset 0",
        extra: "  db:\n    image: db\n    healthcheck: {test: [CMD, 'true']}",
        expected: r#"{"environment": {"B": "2"}, "labels": {"a": "1"}, "depends_on": null, "ulimits": {"nofile": {"soft": 20, "hard": 20}}}"#,
        note: "an entry is removed whichever syntax the earlier file used; compose-go's reset of an entry whose earlier file used the list syntax leaves it in place",
    },
    Case {
        name: "reset-list-item",
        base: "image: a\ncap_add: [NET_ADMIN]\nenvironment: [A=1]",
        overlay: "cap_add: [!reset NET_ADMIN, CHOWN]\nenvironment: [!reset A=2, B=3]",
        extra: "",
        expected: r#"{"cap_add": ["NET_ADMIN", "CHOWN"], "environment": {"A": "1", "B": "3"}}"#,
        note: "a `!reset` list item is only left out of the override, as in docker compose v2: it removes no earlier item",
    },
    Case {
        name: "override-scalar-list-mapping",
        base: "image: a\nports: ['8080:80']\ndns: [1.1.1.1]\nenvironment: {A: '1', B: '2'}\nhealthcheck: {test: [CMD, a], retries: 3}\nlogging: {driver: syslog, options: {a: '1'}}",
        overlay: "image: !override b\nports: !override ['8443:443']\ndns: !override 9.9.9.9\nenvironment: !override [C=3]\nhealthcheck: !override {interval: 5s}\nlogging: !override\n  options: {b: '2'}",
        extra: "",
        expected: r#"{"image": "b", "ports": [{"target": 443, "published": "8443", "protocol": "tcp", "mode": "ingress"}], "dns": ["9.9.9.9"], "environment": {"C": "3"}, "healthcheck": {"interval": "5s"}, "logging": {"options": {"b": "2"}}}"#,
        note: "the specification's example: `!override` replaces the earlier value instead of merging with it; 1.29 does not know the tag",
    },
    Case {
        name: "override-entry",
        base: "image: a\ndepends_on:\n  db: {condition: service_healthy, restart: true}",
        overlay: "depends_on:\n  db: !override {condition: service_started}",
        extra: "  db:\n    image: db\n    healthcheck: {test: [CMD, 'true']}",
        expected: r#"{"depends_on": {"db": {"condition": "service_started", "restart": false, "required": true}}}"#,
        note: "",
    },
];

/// A fresh folder for one case's files, removed when dropped.
struct Folder(PathBuf);

impl Folder {
    fn new(name: &str) -> Folder {
        let path = std::env::temp_dir().join(format!("perry-stack-merge-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("temporary folder");
        Folder(path)
    }

    fn write(&self, name: &str, text: &str) -> PathBuf {
        let path = self.0.join(name);
        std::fs::write(&path, text).expect("write file");
        path
    }
}

impl Drop for Folder {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn indent(text: &str, spaces: usize) -> String {
    text.lines().map(|line| format!("{}{line}\n", " ".repeat(spaces))).collect()
}

/// Loads `files` merged, as a build-time check does (no process environment,
/// so services' env files are not read), with the profile `dev` enabled.
fn load(files: &[PathBuf]) -> Result<Loaded, Failed> {
    let options = Options { files: files.to_vec(), profiles: vec!["dev".to_owned()], ..Options::default() };
    load_project(&options)
}

fn loaded(result: Result<Loaded, Failed>, context: &str) -> Loaded {
    match result {
        Ok(loaded) => loaded,
        Err(failed) => panic!("{context}: expected the project to load, found: {:#?}", failed.diagnostics),
    }
}

/// Returns the value at the dotted `key` of the JSON of service `service`, `null` when absent.
fn service_key(loaded: &Loaded, service: &str, key: &str) -> Json {
    let mut value = serde_json::to_value(&loaded.project.services[service]).expect("a service serializes");
    for part in key.split('.') {
        value = value.get(part).cloned().unwrap_or(Json::Null);
    }
    value
}

/// Checks every key of `expected` against service `web`; returns the mismatches.
fn mismatches(loaded: &Loaded, expected: &Json) -> Vec<String> {
    let mut found = Vec::new();
    for (key, want) in expected.as_object().expect("expected keys") {
        let got = service_key(loaded, "web", key);
        if got != *want {
            found.push(format!("`{key}`: expected {want}, found {got}"));
        }
    }
    found
}

/// Describes how the loaded `result` differs from what `case` expects, one line each.
fn check_case(case: &Case, folder: &Folder, result: Result<Loaded, Failed>) -> Vec<String> {
    let loaded = match result {
        Ok(loaded) => loaded,
        Err(failed) => {
            let messages: Vec<&str> = failed.diagnostics.iter().map(|diagnostic| diagnostic.message.as_str()).collect();
            return vec![format!("{} ({}): does not load: {}", case.name, case.note, messages.join("; "))];
        }
    };
    let expected = expected(case, folder);
    mismatches(&loaded, &expected).into_iter().map(|mismatch| format!("{} ({}): {mismatch}", case.name, case.note)).collect()
}

fn expected(case: &Case, folder: &Folder) -> Json {
    let text = case.expected.replace("{dir}", &folder.0.display().to_string());
    serde_json::from_str(&text).unwrap_or_else(|error| panic!("{}: invalid expected JSON: {error}", case.name))
}

#[test]
fn files_merge_by_rule() {
    let mut failures = Vec::new();
    for case in CASES {
        let folder = Folder::new(case.name);
        let base = folder.write("compose.yaml", &format!("services:\n  web:\n{}{}", indent(case.base, 4), case.extra.lines().map(|line| format!("{line}\n")).collect::<String>()));
        let overlay = folder.write("override.yaml", &format!("services:\n  web:\n{}", indent(case.overlay, 4)));
        failures.extend(check_case(case, &folder, load(&[base, overlay])));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn extends_merges_by_rule() {
    let mut failures = Vec::new();
    for case in CASES {
        let folder = Folder::new(&format!("extends-{}", case.name));
        let text = format!(
            "services:\n  base:\n{}  web:\n    extends: base\n{}{}",
            indent(case.base, 4),
            indent(case.overlay, 4),
            case.extra.lines().map(|line| format!("{line}\n")).collect::<String>()
        );
        let file = folder.write("compose.yaml", &text);
        failures.extend(check_case(case, &folder, load(&[file])));
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn top_level_labels_by_name() {
    let folder = Folder::new("top-level-labels");
    let base = folder.write(
        "compose.yaml",
        "services:\n  web:\n    image: a\nnetworks:\n  front:\n    labels: [a=1, b=1]\nvolumes:\n  data:\n    labels: {a: '1'}\n",
    );
    let overlay = folder.write("override.yaml", "networks:\n  front:\n    labels: {b: '2'}\nvolumes:\n  data:\n    labels: [c=3]\n");
    let loaded = loaded(load(&[base, overlay]), "top-level labels");
    let network = serde_json::to_value(&loaded.project.networks["front"]).unwrap();
    assert_eq!(network["labels"], serde_json::json!({"a": "1", "b": "2"}));
    let volume = serde_json::to_value(&loaded.project.volumes["data"]).unwrap();
    assert_eq!(volume["labels"], serde_json::json!({"a": "1", "c": "3"}));
}

#[test]
fn ipam_config_by_subnet() {
    let folder = Folder::new("ipam");
    let base = folder.write(
        "compose.yaml",
        "services:\n  web:\n    image: a\nnetworks:\n  front:\n    ipam:\n      driver: default\n      config:\n        - {subnet: 172.28.0.0/16, gateway: 172.28.0.1}\n        - {subnet: 10.5.0.0/16}\n",
    );
    let overlay = folder.write(
        "override.yaml",
        "networks:\n  front:\n    ipam:\n      config:\n        - {subnet: 172.28.0.0/16, ip_range: 172.28.5.0/24}\n        - {subnet: 192.168.7.0/24}\n",
    );
    let loaded = loaded(load(&[base, overlay]), "ipam");
    let network = serde_json::to_value(&loaded.project.networks["front"]).unwrap();
    let expected = serde_json::json!({
        "driver": "default",
        "config": [
            {"subnet": "172.28.0.0/16", "gateway": "172.28.0.1", "ip_range": "172.28.5.0/24"},
            {"subnet": "10.5.0.0/16"},
            {"subnet": "192.168.7.0/24"},
        ]
    });
    assert_eq!(network["ipam"], expected);
}

#[test]
fn extension_keys_merge() {
    let folder = Folder::new("extension");
    let base = folder.write("compose.yaml", "x-settings:\n  a: 1\n  list: [1]\nservices:\n  web:\n    image: a\n");
    let overlay = folder.write("override.yaml", "x-settings:\n  b: 2\n  list: [2]\n");
    let loaded = loaded(load(&[base, overlay]), "extension");
    let settings = serde_json::to_value(&loaded.project.unsupported["x-settings"]).unwrap();
    assert_eq!(settings, serde_json::json!({"a": 1, "b": 2, "list": [1, 2]}));
}

#[test]
fn reset_of_service_and_section() {
    let folder = Folder::new("reset-sections");
    let base = folder.write(
        "compose.yaml",
        "services:\n  web:\n    image: a\n  old:\n    image: b\nvolumes:\n  data:\n  logs:\nnetworks:\n  front:\n",
    );
    let overlay = folder.write("override.yaml", "services:\n  old: !reset\nvolumes:\n  logs: !reset {}\nnetworks: !reset\n");
    let loaded = loaded(load(&[base, overlay]), "reset sections");
    assert_eq!(loaded.project.services.keys().collect::<Vec<_>>(), ["web"]);
    assert_eq!(loaded.project.volumes.keys().collect::<Vec<_>>(), ["data"]);
    assert_eq!(loaded.project.networks.keys().collect::<Vec<_>>(), ["default"]);
}

#[test]
fn reset_in_first_file_removes_value() {
    let folder = Folder::new("reset-first");
    let file = folder.write("compose.yaml", "services:\n  web:\n    image: a\n    user: !reset root\n    ports: [!reset '80', '81']\n");
    let loaded = loaded(load(&[file]), "reset in first file");
    assert_eq!(service_key(&loaded, "web", "user"), Json::Null);
    let ports: Vec<u16> = loaded.project.services["web"].ports.iter().map(|port| port.target).collect();
    assert_eq!(ports, [81]);
}

/// The tags of an extending service act on the service it extends and, as
/// in docker compose v2, on the definitions of the same service in the
/// files merged before.
#[test]
fn extends_tags_reach_earlier_files() {
    let folder = Folder::new("extends-tags");
    let first = folder.write(
        "compose.yaml",
        "services:\n  web:\n    image: a\n    ports: ['80']\n    environment: {FIRST: '1'}\n    labels: {first: '1', kept: '1'}\n",
    );
    let second = folder.write(
        "override.yaml",
        "services:\n  base:\n    image: b\n    environment: {BASE: '1'}\n  web:\n    extends: base\n    ports: !reset []\n    environment: !override {OWN: '1'}\n    labels:\n      first: !reset\n",
    );
    let loaded = loaded(load(&[first, second]), "extends tags");
    let web = &loaded.project.services["web"];
    assert_eq!(web.image.as_deref(), Some("b"));
    assert!(web.ports.is_empty(), "{:?}", web.ports);
    assert_eq!(web.environment.keys().collect::<Vec<_>>(), ["OWN"]);
    assert_eq!(web.labels.keys().collect::<Vec<_>>(), ["kept"]);
}

/// A base service's own tags are resolved for the base, not carried into
/// the services that extend it.
#[test]
fn extends_base_tags_stay_with_base() {
    let folder = Folder::new("extends-base-tags");
    let first = folder.write("compose.yaml", "services:\n  web:\n    image: a\n    environment: {FIRST: '1'}\n    ports: ['80']\n");
    let second = folder.write(
        "override.yaml",
        "services:\n  base:\n    image: b\n    environment: !override {BASE: '1'}\n    ports: !reset []\n  web:\n    extends: base\n",
    );
    let loaded = loaded(load(&[first, second]), "extends base tags");
    let web = &loaded.project.services["web"];
    assert_eq!(web.environment.keys().collect::<Vec<_>>(), ["BASE", "FIRST"]);
    let ports: Vec<u16> = web.ports.iter().map(|port| port.target).collect();
    assert_eq!(ports, [80]);
}

/// docker compose v2 keeps `depends_on` of the extended service; 1.29
/// rejects a base service that has `depends_on`.
#[test]
fn extends_keeps_dependencies() {
    let folder = Folder::new("extends-depends-on");
    let file = folder.write(
        "compose.yaml",
        "services:\n  db:\n    image: db\n  base:\n    image: a\n    depends_on: [db]\n  web:\n    extends: base\n",
    );
    let loaded = loaded(load(&[file]), "extends depends_on");
    assert!(loaded.project.services["web"].depends_on.contains_key("db"));
}

/// Items that repeat a key within one file are no merge matter: they stay
/// for validation, which rejects a second mount on the same path.
#[test]
fn repeated_key_in_one_file_reported() {
    let folder = Folder::new("repeated-key");
    let base = folder.write("compose.yaml", "services:\n  web:\n    image: a\n    volumes: ['/a:/data']\n");
    let overlay = folder.write("override.yaml", "services:\n  web:\n    volumes: ['/b:/data', '/c:/data']\n");
    let failed = match load(&[base, overlay]) {
        Ok(loaded) => panic!("expected a mount conflict, loaded: {:#?}", loaded.project.services["web"].volumes),
        Err(failed) => failed,
    };
    let conflicts: Vec<_> = failed.diagnostics.iter().filter(|diagnostic| diagnostic.code == code::MOUNT_CONFLICT).collect();
    assert_eq!(conflicts.len(), 1, "{:#?}", failed.diagnostics);
}

#[test]
fn merged_values_point_into_their_file() {
    let folder = Folder::new("spans");
    let base = folder.write("compose.yaml", "services:\n  web:\n    image: a\n    ports: ['8080:80']\n");
    let overlay = folder.write("override.yaml", "services:\n  web:\n    ports:\n      - '8080:80'\n      - '99999:81'\n");
    let failed = match load(&[base, overlay.clone()]) {
        Ok(_) => panic!("expected an invalid port"),
        Err(failed) => failed,
    };
    let invalid: Vec<_> = failed.diagnostics.iter().filter(|diagnostic| diagnostic.code == code::INVALID_PORT).collect();
    assert_eq!(invalid.len(), 1, "{:#?}", failed.diagnostics);
    assert_eq!(invalid[0].file, overlay);
    assert_eq!((invalid[0].span.line, invalid[0].span.column), (5, 9));
}

#[test]
fn every_case_has_unique_name() {
    let mut names: Vec<&str> = CASES.iter().map(|case| case.name).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), CASES.len());
}
