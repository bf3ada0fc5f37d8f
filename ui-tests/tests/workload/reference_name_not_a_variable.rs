use perry_stack::workload::InternalUrl;
use perry_stack::{workload, workload_graph};

#[workload(image = "localhost/perry-busybox:latest", ports(http = 8080))]
struct Api;

#[workload(image = "localhost/perry-busybox:latest")]
struct Web {
    #[reference(port = "http", env = "API-URL")]
    api_url: InternalUrl<Api>,
}

workload_graph!(Site: Api, Web);

fn main() {
    let _ = Site::graph();
}
