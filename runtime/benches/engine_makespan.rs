//! Makespan of `up` on the mock backend over the critical-path lower bound,
//! for random dependency graphs, and the engine's own time per operation.
//!
//! Run with `cargo bench -p perry-stack --bench engine_makespan`. Every
//! ratio is measured in this run; nothing is compared with stored numbers.

use std::sync::Arc;
use std::time::{Duration, Instant};

use perry_stack::backend::{MockBackend, Operation};
use perry_stack::schema::{Condition, Project};
use perry_stack::testing::{depends_on, project, service};
use perry_stack::{Engine, UpOptions};

const IMAGE: &str = "localhost/perry-busybox:latest";

/// A small linear congruential generator, so every run builds the same graphs.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self, bound: usize) -> usize {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        ((self.0 >> 33) as usize) % bound.max(1)
    }
}

/// `count` services; each depends on up to three earlier ones. Returns the
/// project and the number of services on its longest dependency chain.
fn random_dag(count: usize, seed: u64) -> (Project, usize) {
    let mut random = Lcg(seed);
    let mut depth = vec![1usize; count];
    let mut services = Vec::new();
    for index in 0..count {
        let mut node = service(&format!("s{index:03}"), IMAGE, &[]);
        if index > 0 {
            for _ in 0..random.next(4) {
                let dependency = random.next(index);
                node = depends_on(node, &format!("s{dependency:03}"), Condition::ServiceStarted);
                depth[index] = depth[index].max(depth[dependency] + 1);
            }
        }
        services.push(node);
    }
    (project("bench", services), depth.into_iter().max().unwrap_or(0))
}

fn backend(latency: Duration) -> MockBackend {
    let operations = [
        Operation::ListContainers,
        Operation::ListNetworks,
        Operation::CreateNetwork,
        Operation::ListVolumes,
        Operation::CreateContainer,
        Operation::StartContainer,
    ];
    operations.into_iter().fold(MockBackend::new(), |backend, operation| backend.with_latency(operation, None, latency))
}

fn main() {
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("a tokio runtime starts");
    let latency = Duration::from_millis(20);
    // A timer sleeps a little longer than asked; the bound uses what one
    // call really takes here, measured over a sequential chain of calls.
    let call = runtime.block_on(async {
        use perry_stack::backend::Backend;
        let mock = backend(latency);
        let chain = 50;
        let began = Instant::now();
        for _ in 0..chain {
            mock.list_volumes(&Default::default()).await.expect("the mock lists volumes");
        }
        began.elapsed() / chain
    });
    println!(
        "mock latency per operation: {} ms asked, {:.2} ms measured; unbounded parallelism",
        latency.as_millis(),
        call.as_secs_f64() * 1e3
    );
    println!("{:>8} {:>6} {:>12} {:>12} {:>7} {:>13}", "services", "depth", "makespan ms", "bound ms", "ratio", "nominal ratio");
    let mut worst: f64 = 0.0;
    for (count, seed) in [(50, 1), (100, 2), (200, 3), (300, 4), (500, 5)] {
        let (stack, depth) = random_dag(count, seed);
        let engine = Engine::new(Arc::new(backend(latency)));
        let options = UpOptions { max_parallel: count, ..UpOptions::default() };
        let report = runtime.block_on(engine.up(&stack, &options)).expect("up succeeds on the mock");
        // Two calls before any container (the three listings at once, then
        // the network), then create and start on each level.
        let calls = 2 + 2 * depth as u32;
        let bound = call * calls;
        let ratio = report.elapsed.as_secs_f64() / bound.as_secs_f64();
        let nominal = report.elapsed.as_secs_f64() / (latency * calls).as_secs_f64();
        worst = worst.max(ratio);
        println!(
            "{count:>8} {depth:>6} {:>12.1} {:>12.1} {ratio:>7.3} {nominal:>13.3}",
            report.elapsed.as_secs_f64() * 1e3,
            bound.as_secs_f64() * 1e3
        );
    }
    println!("worst ratio: {worst:.3} (target: at most 1.05)");

    println!();
    println!("engine overhead with a zero-latency mock (time not spent in the backend):");
    println!("{:>8} {:>10} {:>12} {:>14}", "services", "calls", "up ms", "us per call");
    for count in [50, 200, 500] {
        let (stack, _) = random_dag(count, 7);
        let backend = Arc::new(MockBackend::new());
        let engine = Engine::new(backend.clone());
        let options = UpOptions { max_parallel: count, ..UpOptions::default() };
        let began = Instant::now();
        runtime.block_on(engine.up(&stack, &options)).expect("up succeeds on the mock");
        let elapsed = began.elapsed();
        let calls = backend.calls().len();
        println!("{count:>8} {calls:>10} {:>12.2} {:>14.1}", elapsed.as_secs_f64() * 1e3, elapsed.as_secs_f64() * 1e6 / calls as f64);
    }
}
