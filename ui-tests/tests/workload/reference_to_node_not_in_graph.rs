use perry_stack::workload::Endpoint;
use perry_stack::{workload, workload_graph};

#[workload(image = "localhost/perry-busybox:latest", ports(pg = 5432))]
struct Database;

#[workload(image = "localhost/perry-busybox:latest")]
struct Web {
    #[reference(port = "pg")]
    database_addr: Endpoint<Database>,
}

workload_graph!(Site: Web);

fn main() {
    let _ = Site::graph();
}
