use perry_stack::workload::Ip;
use perry_stack::{workload, workload_graph};

#[workload(image = "localhost/perry-busybox:latest", tier = "isolated")]
struct Batch;

#[workload(image = "localhost/perry-busybox:latest")]
struct Web {
    #[reference]
    batch: Ip<Batch>,
}

workload_graph!(Jobs: Batch, Web);

fn main() {
    let _ = Jobs::graph();
}
