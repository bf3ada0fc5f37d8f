// Calls every function of the generated declarations, with and without
// each optional argument, in both the function and the method form.

import * as container from "perry/container";
import * as compose from "perry/compose";
import * as workloads from "perry/workloads";

async function useContainer(): Promise<void> {
  const spec: container.ContainerSpec = {
    image: "docker.io/library/redis:7",
    name: "cache",
    command: ["redis-server", "--save", ""],
    env: { MODE: "test" },
    ports: [{ containerPort: 6379 }, { containerPort: 6380, hostPort: 16380, hostIp: "127.0.0.1", protocol: "tcp" }],
    labels: { team: "a" },
  };
  const started: container.ContainerHandle = await container.run(spec);
  const created: container.ContainerHandle = await container.create({ image: "alpine" });

  await container.start(created);
  await created.start();
  await container.stop(started);
  await container.stop(started, { timeout: 5 });
  await started.stop();
  await started.stop({});

  const all: container.ContainerInfo[] = await container.list();
  const running: container.ContainerInfo[] = await container.list({ all: false, labels: { team: "a" } });
  const info: container.ContainerInfo = await container.inspect(started);
  const sameInfo: container.ContainerInfo = await started.inspect();
  const state: string = info.state;

  const logs: container.LogOutput = await container.logs(started);
  const tail: container.LogOutput = await started.logs({ tail: 10, timestamps: true });
  const text: string = logs.stdout + tail.stderr;

  const result: container.ExecResult = await container.exec(started, ["redis-cli", "ping"]);
  const withOptions: container.ExecResult = await started.exec(["env"], { env: { A: "1" }, workdir: "/", user: "root" });
  const code: number = result.exitCode + withOptions.exitCode;

  await container.remove(created);
  await container.remove(started, { force: true, volumes: true });
  await created.remove();

  await container.pullImage("docker.io/library/alpine:3");
  const images: container.ImageInfo[] = await container.listImages();
  await container.removeImage("alpine");
  await container.removeImage("alpine", { force: true });
  const imageId: string = await container.build({ context: ".", tag: "app:dev" });
  await container.build({ context: ".", tag: "app:dev", dockerfile: "Containerfile", args: { V: "1" }, target: "run" });
  const removed: boolean = await container.removeIfExists("cache");
  await container.downByProject("demo");
  await container.downByProject("demo", { volumes: true, removeOrphans: true });
  await container.downAll();
  await container.downAll({ volumes: false });

  const backend: string = container.getBackend();
  const detected: container.BackendInfo = await container.detectBackend();
  const isolation: "sharedKernel" | "sharedVm" | "vmPerContainer" = detected.isolation;
  const available: container.BackendInfo[] = await container.getAvailableBackends();
  const priority: string[] = await container.getBackendPriority();
  await container.setBackend("podman");
  await container.setBackends(["podman", "docker"]);

  void [all, running, sameInfo, state, text, code, images, imageId, removed, backend, isolation, available, priority];
}

async function useCompose(): Promise<void> {
  const spec: compose.ComposeSpec = {
    name: "demo",
    services: {
      web: { image: "nginx", ports: ["8080:80"], depends_on: ["db"] },
      db: { image: "postgres", environment: { POSTGRES_PASSWORD: "secret" } },
    },
  };
  const full: compose.ComposeSpec = {
    services: {
      db: {
        image: "postgres",
        entrypoint: ["docker-entrypoint.sh"],
        command: "postgres -c fsync=off",
        environment: ["POSTGRES_PASSWORD=secret", "PGDATA"],
        volumes: ["data:/var/lib/postgresql/data", { type: "bind", source: "./init", target: "/init", read_only: true }],
        healthcheck: {
          test: ["CMD", "pg_isready"],
          interval: "1s",
          timeout: "5s",
          start_period: "10s",
          start_interval: "500ms",
          retries: 10,
          disable: false,
        },
        networks: ["back"],
        labels: ["tier=data"],
        restart: "unless-stopped",
        user: "postgres",
        working_dir: "/var/lib/postgresql",
        container_name: "demo-db",
      },
      web: {
        image: "nginx",
        command: ["nginx", "-g", "daemon off;"],
        environment: { MODE: "prod", HOME: null },
        ports: [
          "8080:80",
          443,
          { target: 81, published: 8081, host_ip: "127.0.0.1", protocol: "tcp", name: "alt", app_protocol: "http", mode: "ingress" },
          { target: 82, published: "8082-8083" },
        ],
        volumes: [{ type: "tmpfs", target: "/cache" }],
        depends_on: { db: { condition: "service_healthy", restart: true, required: true } },
        healthcheck: { test: "curl -f http://localhost/" },
        networks: { front: { aliases: ["www"] }, back: null },
        labels: { "traefik.enable": "true" },
        scale: 2,
        deploy: { replicas: 2 },
      },
    },
    networks: {
      front: null,
      back: { name: "demo-back", driver: "bridge", driver_opts: { mtu: "1400" }, external: false, internal: true, labels: { tier: "back" } },
    },
    volumes: {
      data: { name: "demo-data", driver: "local", driver_opts: { type: "tmpfs" }, external: false, labels: ["tier=data"] },
      cache: null,
    },
  };
  const fullYaml: string = await compose.config(full);
  const stack: compose.StackHandle = await compose.up(spec);
  const partial: compose.StackHandle = await compose.up(spec, { services: ["db"], wait: true, removeOrphans: true });

  const containers: compose.ContainerInfo[] = await compose.ps(stack);
  const viaMethod: compose.ContainerInfo[] = await stack.ps();
  const logs: string = await compose.logs(stack);
  const someLogs: string = await stack.logs({ services: ["web"], tail: 5 });
  const ping: compose.ExecResult = await compose.exec(stack, "db", ["pg_isready"]);
  const pingWithOptions: compose.ExecResult = await stack.exec("db", ["psql"], { user: "postgres" });
  const yaml: string = await compose.config(spec);

  await compose.start(stack);
  await compose.start(stack, { services: ["web"] });
  await stack.start();
  await compose.stop(stack);
  await stack.stop({ services: ["web"], timeout: 3 });
  await compose.restart(stack);
  await stack.restart({ services: ["db"] });

  await compose.down(stack);
  await compose.down(partial, { volumes: true, removeOrphans: true });
  await partial.down();
  await stack.down({ volumes: true });

  void [containers, viaMethod, logs, someLogs, ping, pingWithOptions, yaml, fullYaml];
}

async function useWorkloads(): Promise<void> {
  const strict: workloads.Policy = workloads.policy("hardened");
  const open: workloads.Policy = workloads.policy("default", true);
  const offline: workloads.Policy = workloads.policy("isolated", false);
  const anyRuntime: workloads.RuntimeSpec = workloads.runtime();
  const vmRuntime: workloads.RuntimeSpec = workloads.runtime({ kind: "microvm", backend: "podman", isolation: "vmPerContainer" });
  const ociRuntime: workloads.RuntimeSpec = workloads.runtime({ kind: "oci" });

  const db: workloads.WorkloadNode = workloads.node("db", {
    image: "postgres",
    ports: { pg: 5432 },
    volumes: ["data:/var/lib/postgresql/data"],
    healthcheck: { test: ["pg_isready"], intervalMs: 250, retries: 40 },
    resources: { memory: "256m", cpus: "0.5" },
    policy: strict,
  });
  const batch: workloads.WorkloadNode = workloads.node("batch", { image: "job:1", policy: offline, exclusive: true, runtime: ociRuntime });
  const api: workloads.WorkloadNode = workloads.node("api", {
    image: "app:dev",
    command: ["serve"],
    env: { PORT: "80" },
    ports: { http: 80 },
    dependsOn: ["batch"],
    references: {
      DATABASE_ADDR: { kind: "endpoint", node: "db", port: "pg" },
      DATABASE_URL: { kind: "internalUrl", node: "db", port: "pg" },
      DATABASE_IP: { kind: "ip", node: "db" },
    },
    policy: { tier: "default", privileged: false },
    runtime: anyRuntime,
  });
  const sandbox: workloads.WorkloadNode = workloads.node("sandbox", { image: "plugin:1", policy: workloads.policy("untrusted"), runtime: vmRuntime });

  const spec: workloads.WorkloadGraph = workloads.graph("demo", [db, batch, api]);
  const halting: workloads.WorkloadGraph = workloads.graph("demo", [db], { onFailure: "haltGraph" });
  const bounded: workloads.WorkloadGraph = workloads.graph("demo", [db, batch], { execution: "maxParallel", maxParallel: 2, onFailure: "partialContinue" });
  const safe: workloads.WorkloadGraph = workloads.graph("demo", [batch, sandbox], { execution: "parallelSafe" });

  const plan: workloads.GraphPlan = await workloads.inspectGraph(spec);
  const order: string[] = plan.order;
  const dbPlan: workloads.NodePlan = plan.nodes["db"];
  const dbOptions: string[] = dbPlan.options;
  const graph: workloads.GraphHandle = await workloads.runGraph(spec);
  const halted: workloads.GraphHandle = await workloads.runGraph(halting, { execution: "sequential" });
  const limited: workloads.GraphHandle = await workloads.runGraph(bounded, {
    project: "demo-2",
    execution: "maxParallel",
    maxParallel: 1,
    onFailure: "rollbackAll",
    stopTimeout: 0,
  });
  const guarded: workloads.GraphHandle = await workloads.runGraph(safe, {});

  const status: workloads.GraphStatus = await workloads.status(graph);
  const sameStatus: workloads.GraphStatus = await graph.status();
  const dbStatus: workloads.NodeStatus = status.nodes["db"];
  const exitCode: number | undefined = dbStatus.exitCode;
  const containers: workloads.ContainerInfo[] = await workloads.ps(graph);
  const viaMethod: workloads.ContainerInfo[] = await graph.ps();
  const logs: workloads.LogOutput = await workloads.logs(graph, "api");
  const tail: workloads.LogOutput = await graph.logs("api", { tail: 20 });
  const result: workloads.ExecResult = await workloads.exec(graph, "db", ["pg_isready"]);
  const withOptions: workloads.ExecResult = await graph.exec("db", ["psql"], { env: { PGUSER: "postgres" } });

  await workloads.down(graph);
  await workloads.down(halted, { volumes: true });
  await limited.down();
  await guarded.down({ volumes: false });

  void [open, order, dbOptions, status, sameStatus, exitCode, containers, viaMethod, logs, tail, result, withOptions];
}

void [useContainer, useCompose, useWorkloads];
