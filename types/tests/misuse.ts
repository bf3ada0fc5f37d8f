// Deliberate misuse: each marked line must be a type error, or tsc reports
// the `@ts-expect-error` directive as unused.

import * as container from "perry/container";
import * as compose from "perry/compose";
import * as workloads from "perry/workloads";

async function misuse(stack: compose.StackHandle, graph: workloads.GraphHandle, box: container.ContainerHandle): Promise<void> {
  // @ts-expect-error a stack handle where a graph handle is expected
  await workloads.down(stack);
  // @ts-expect-error a graph handle where a stack handle is expected
  await compose.ps(graph);
  // @ts-expect-error a container handle where a stack handle is expected
  await compose.down(box);
  // @ts-expect-error a number is not a handle
  await container.start(42);
  // @ts-expect-error a string is not a handle
  await compose.down("demo");
  // @ts-expect-error a plain object is not a handle
  await compose.ps({});
  // @ts-expect-error the handle argument is missing
  await compose.down();
  // @ts-expect-error the command argument is missing
  await compose.exec(stack, "db");
  // @ts-expect-error the service argument is missing in the method form
  await stack.exec();
  // @ts-expect-error the spec argument is missing
  await compose.up();
  // @ts-expect-error a JSON string where an options object is expected
  await compose.up({ services: {} }, "{\"wait\":true}");
  // @ts-expect-error a string where a list of names is expected
  await container.setBackends("podman,docker");
  // @ts-expect-error a positional flag where an options object is expected
  await container.stop(box, 10);
  // @ts-expect-error an unknown policy tier
  workloads.policy("paranoid");
  // @ts-expect-error a number where a boolean is expected
  workloads.policy("default", 1);
  // @ts-expect-error node ports are named container ports, not host mappings
  workloads.node("db", { image: "i", ports: [{ containerPort: 80 }] });
  // @ts-expect-error a reference names the node it points at
  workloads.node("web", { image: "i", references: { DB: { kind: "endpoint" } } });
  // @ts-expect-error an unknown execution strategy
  workloads.graph("g", [], { execution: "parallel" });
  // @ts-expect-error the bound of maxParallel is a number
  await workloads.runGraph(workloads.graph("g", []), { execution: "maxParallel", maxParallel: "2" });
  // @ts-expect-error an option that does not exist
  await compose.up({ services: {} }, { detach: true });
  // @ts-expect-error a misspelled service key
  await compose.up({ services: { web: { image: "nginx", helthcheck: { test: "true" } } } });
  // @ts-expect-error a condition that compose does not define
  await compose.up({ services: { web: { image: "nginx", depends_on: { db: { condition: "service_ready" } } } } });
  // @ts-expect-error a long-form dependency needs its condition
  await compose.up({ services: { web: { image: "nginx", depends_on: { db: { required: true } } } } });
  // @ts-expect-error a healthcheck retry count is a number
  await compose.up({ services: { web: { image: "nginx", healthcheck: { retries: "3" } } } });
  // @ts-expect-error a long-form mount needs its target
  await compose.up({ services: { web: { image: "nginx", volumes: [{ type: "volume", source: "data" }] } } });
  // @ts-expect-error a misspelled key of a top-level network
  await compose.up({ services: {}, networks: { back: { interal: true } } });
  // @ts-expect-error a stack handle has no method of the graph handle
  await stack.status();
  // @ts-expect-error getBackend is synchronous and returns a string
  const backend: Promise<string> = container.getBackend();
  // @ts-expect-error Promise<void> does not resolve with a number
  const nothing: number = await compose.down(stack);

  void [backend, nothing];
}

void misuse;
