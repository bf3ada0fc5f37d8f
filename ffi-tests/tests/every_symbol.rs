//! Every generated symbol, called from C against a recording
//! implementation: the C side checks each result, this side checks the
//! arguments each trait method received.

#[path = "every/echo.rs"]
mod echo;

use std::sync::Arc;

fn prototypes(header: &str) -> Vec<String> {
    header
        .lines()
        .filter_map(|line| line.split_once(" perry_stack_").map(|(_, rest)| rest))
        .filter_map(|rest| rest.split_once('(').map(|(name, _)| format!("perry_stack_{name}")))
        .filter(|name| name != "perry_stack_install_host")
        .collect()
}

#[test]
fn c_program_names_every_prototype() {
    let header = include_str!("../../generated/perry_stack.h");
    let program = include_str!("../c/every.c");
    let symbols = prototypes(header);
    assert_eq!(symbols.len(), 60, "the header declares {} symbols: {symbols:?}", symbols.len());
    let missing: Vec<&String> = symbols.iter().filter(|symbol| !program.contains(&format!("{symbol}("))).collect();
    assert!(missing.is_empty(), "every.c does not call {missing:?}");
}

#[test]
fn c_program_calls_every_symbol() {
    assert!(perry_stack::ffi::install_api(Arc::new(echo::Echo)));
    // SAFETY: the C program installs its own host first and runs once in
    // this process.
    let failures = unsafe { perry_stack_ffi_tests::perry_c_call_every_symbol() };
    assert_eq!(failures, 0, "the C checks printed their failures above");

    // The receiver and function forms of one operation record the same
    // call, and each omitted optional arrives as null (None).
    let expected = [
        r#"container.run {"image":"busybox","name":"one","ports":[{"containerPort":80.0}]}"#,
        r#"container.create {"image":"busybox"}"#,
        r#"container.start ContainerHandle#1"#,
        r#"container.start ContainerHandle#1"#,
        r#"container.stop ContainerHandle#0 null"#,
        r#"container.stop ContainerHandle#0 {"timeout":2.0}"#,
        r#"container.stop ContainerHandle#0 null"#,
        r#"container.list null"#,
        r#"container.list {"all":true,"labels":{"a":"b"}}"#,
        r#"container.inspect ContainerHandle#0"#,
        r#"container.inspect ContainerHandle#0"#,
        r#"container.logs ContainerHandle#0 {"tail":5.0}"#,
        r#"container.logs ContainerHandle#0 null"#,
        r#"container.exec ContainerHandle#0 ["echo","hi"] null"#,
        r#"container.exec ContainerHandle#0 ["id"] {"user":"root"}"#,
        r#"container.remove ContainerHandle#0 {"force":true}"#,
        r#"container.remove ContainerHandle#1 null"#,
        r#"container.pullImage localhost/demo:1"#,
        r#"container.listImages"#,
        r#"container.removeImage localhost/demo:1 null"#,
        r#"container.build {"context":".","tag":"demo:1"}"#,
        r#"container.removeIfExists present"#,
        r#"container.removeIfExists absent"#,
        r#"container.downByProject demo {"volumes":true}"#,
        r#"container.downAll null"#,
        r#"container.getBackend"#,
        r#"container.detectBackend"#,
        r#"container.getAvailableBackends"#,
        r#"container.getBackendPriority"#,
        r#"container.setBackend podman"#,
        r#"container.setBackends ["podman","docker"]"#,
        r#"compose.up {"name":"demo","services":{"web":{"image":"busybox","command":["sleep","60"]}}} null"#,
        r#"compose.up {"name":"demo","services":{"web":{"image":"busybox","command":["sleep","60"]}}} {"services":["web"],"removeOrphans":true}"#,
        r#"compose.ps StackHandle#1"#,
        r#"compose.ps StackHandle#1"#,
        r#"compose.logs StackHandle#1 {"services":["web"]}"#,
        r#"compose.logs StackHandle#1 null"#,
        r#"compose.exec StackHandle#1 web ["echo","hi"] null"#,
        r#"compose.exec StackHandle#1 web ["id"] {"workdir":"/"}"#,
        r#"compose.config {"name":"demo","services":{"web":{"image":"busybox","command":["sleep","60"]}}}"#,
        r#"compose.start StackHandle#1 null"#,
        r#"compose.start StackHandle#1 {"services":["web"]}"#,
        r#"compose.stop StackHandle#1 {"timeout":1.0}"#,
        r#"compose.stop StackHandle#1 null"#,
        r#"compose.restart StackHandle#1 null"#,
        r#"compose.restart StackHandle#1 null"#,
        r#"compose.down StackHandle#1 {"volumes":true}"#,
        r#"compose.down StackHandle#0 null"#,
        r#"workloads.node api {"image":"busybox"}"#,
        r#"workloads.runtime null"#,
        r#"workloads.runtime {"backend":"podman"}"#,
        r#"workloads.policy hardened null"#,
        r#"workloads.policy isolated false"#,
        r#"workloads.graph g [{"name":"api","spec":{"image":"busybox"}}] null"#,
        r#"workloads.graph g [{"name":"api","spec":{"image":"busybox"}}] {"onFailure":"haltGraph"}"#,
        r#"workloads.inspectGraph {"name":"g","nodes":[{"name":"api","spec":{"image":"busybox"}}]}"#,
        r#"workloads.runGraph {"name":"g","nodes":[{"name":"api","spec":{"image":"busybox"}}]} null"#,
        r#"workloads.runGraph {"name":"g","nodes":[{"name":"api","spec":{"image":"busybox"}}]} {"execution":"maxParallel","maxParallel":2.0}"#,
        r#"workloads.status GraphHandle#0"#,
        r#"workloads.status GraphHandle#0"#,
        r#"workloads.ps GraphHandle#0"#,
        r#"workloads.ps GraphHandle#0"#,
        r#"workloads.logs GraphHandle#0 api null"#,
        r#"workloads.logs GraphHandle#0 api {"tail":1.0}"#,
        r#"workloads.exec GraphHandle#0 api ["true"] null"#,
        r#"workloads.exec GraphHandle#0 api ["true"] {"env":{"A":"1"}}"#,
        r#"workloads.down GraphHandle#0 null"#,
        r#"workloads.down GraphHandle#1 {"removeOrphans":true}"#,
    ];
    let calls = echo::calls();
    for (index, (call, expected)) in calls.iter().zip(expected).enumerate() {
        assert_eq!(call, expected, "call {index} decoded its arguments differently");
    }
    assert_eq!(calls.len(), expected.len(), "calls: {calls:#?}");
}
