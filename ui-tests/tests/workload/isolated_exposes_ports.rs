use perry_stack::{workload, workload_graph};

#[workload(image = "localhost/perry-busybox:latest", tier = "isolated", ports(metrics = 9100))]
struct Batch;

workload_graph!(Jobs: Batch);

fn main() {
    let _ = Jobs::graph();
}
