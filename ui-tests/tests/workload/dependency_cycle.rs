use perry_stack::workload::Ip;
use perry_stack::{workload, workload_graph};

#[workload(image = "localhost/perry-busybox:latest", depends_on(Worker))]
struct Queue;

#[workload(image = "localhost/perry-busybox:latest", depends_on(Scheduler))]
struct Worker;

#[workload(image = "localhost/perry-busybox:latest")]
struct Scheduler {
    #[reference]
    queue: Ip<Queue>,
}

workload_graph!(Jobs: Queue, Worker, Scheduler);

fn main() {
    let _ = Jobs::graph();
}
