//! The first `getBackend()` of a process may come from any thread: the main
//! thread, plain threads, a runtime worker or the bridge's own runtime,
//! before or after that runtime exists. Detection runs once and every
//! caller gets the same result, without deadlock or a nested-runtime panic.

use std::sync::{Arc, Barrier};
use std::thread::JoinHandle;

use perry_stack::ffi::api_impl::backends::detection_count;
use perry_stack::ffi::{ContainerApi, EngineApi};

type Answer = Result<String, String>;

fn get_backend() -> Answer {
    EngineApi.get_backend().map_err(|error| error.to_string())
}

#[test]
fn first_calls_detect_once() {
    const PLAIN: usize = 4;
    // Plain threads, a current-thread runtime, a multi-thread runtime's
    // worker, the bridge runtime (which the call itself creates) and this
    // thread all start at the same moment.
    let barrier = Arc::new(Barrier::new(PLAIN + 4));
    let mut threads: Vec<JoinHandle<Answer>> = Vec::new();

    for _ in 0..PLAIN {
        let barrier = barrier.clone();
        threads.push(std::thread::spawn(move || {
            barrier.wait();
            get_backend()
        }));
    }

    let barrier_current = barrier.clone();
    threads.push(std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        runtime.block_on(async move {
            barrier_current.wait();
            get_backend()
        })
    }));

    let barrier_worker = barrier.clone();
    threads.push(std::thread::spawn(move || {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let task = runtime.spawn(async move {
            barrier_worker.wait();
            get_backend()
        });
        runtime.block_on(task).unwrap()
    }));

    let barrier_bridge = barrier.clone();
    threads.push(std::thread::spawn(move || {
        barrier_bridge.wait();
        let runtime = perry_stack::ffi::bridge::runtime().unwrap();
        let (sender, receiver) = std::sync::mpsc::channel();
        runtime.spawn(async move {
            let detected = EngineApi.detect_backend().await.map(|info| info.name).map_err(|error| error.to_string());
            let synchronous = get_backend();
            let _ = sender.send((detected, synchronous));
        });
        let (detected, synchronous) = receiver.recv().unwrap();
        assert_eq!(detected, synchronous, "detectBackend and getBackend on a bridge worker disagree");
        synchronous
    }));

    barrier.wait();
    let mut answers = vec![get_backend()];
    answers.extend(threads.into_iter().map(|thread| thread.join().expect("a caller panicked")));

    assert_eq!(answers.len(), PLAIN + 4);
    assert!(answers.iter().all(|answer| *answer == answers[0]), "callers disagree: {answers:?}");
    assert_eq!(detection_count(), 1, "detection ran more than once");
    assert_eq!(answers[0], Ok("podman".to_owned()), "podman must be installed; run scripts/setup-podman.sh");

    // After the runtime exists, a later call from inside it gets the same result.
    let runtime = perry_stack::ffi::bridge::runtime().unwrap();
    let later = runtime.block_on(async { tokio::spawn(async { get_backend() }).await.unwrap() });
    assert_eq!(later, answers[0]);
    assert_eq!(detection_count(), 1);
}
