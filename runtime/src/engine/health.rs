//! Waiting for a dependency's condition: a healthy status or a successful exit.
//!
//! podman without systemd schedules no healthchecks, so the engine runs the
//! check itself through `exec`, with the declared interval, timeout, retries
//! and start period.

use std::sync::Arc;
use std::time::Duration;

use perry_stack_schema::Healthcheck;
use tokio::time::Instant;

use super::EngineError;
use crate::backend::Backend;

/// The argv that runs a healthcheck's `test`.
pub(crate) fn healthcheck_argv(service: &str, check: &Healthcheck) -> Result<Vec<String>, EngineError> {
    match check.test.split_first() {
        Some((kind, rest)) if kind == "CMD" && !rest.is_empty() => Ok(rest.to_vec()),
        Some((kind, rest)) if kind == "CMD-SHELL" && !rest.is_empty() => {
            Ok(vec!["/bin/sh".to_string(), "-c".to_string(), rest.join(" ")])
        }
        _ => Err(EngineError::InvalidHealthcheck { service: service.to_string(), test: check.test.clone() }),
    }
}

/// Runs `service`'s healthcheck until it passes. Fails when the container
/// exits, or when `retries` checks in a row fail after the start period.
pub(crate) async fn wait_healthy(
    backend: Arc<dyn Backend>,
    service: &str,
    dependent: &str,
    container: &str,
    check: &Healthcheck,
) -> Result<(), EngineError> {
    let argv = healthcheck_argv(service, check)?;
    let interval = check.interval.filter(|d| !d.is_zero()).unwrap_or(Healthcheck::DEFAULT_INTERVAL);
    let timeout = check.timeout.filter(|d| !d.is_zero()).unwrap_or(Healthcheck::DEFAULT_TIMEOUT);
    // As with docker, zero retries means the default.
    let retries = check.retries.filter(|n| *n > 0).unwrap_or(Healthcheck::DEFAULT_RETRIES);
    let start_period = check.start_period.unwrap_or(Duration::ZERO);
    let start_interval = check.start_interval.filter(|d| !d.is_zero()).unwrap_or(interval);

    let began = Instant::now();
    let mut failures = 0u32;
    let mut checks = 0u32;
    loop {
        let in_start_period = began.elapsed() < start_period;
        tokio::time::sleep(if in_start_period { start_interval } else { interval }).await;

        ensure_running(&backend, service, dependent, container, "become healthy").await?;

        let in_start_period = began.elapsed() < start_period;
        checks += 1;
        let outcome = match tokio::time::timeout(timeout, backend.exec(container, &argv)).await {
            Ok(Ok(output)) if output.exit_code == 0 => {
                tracing::info!(service, container, checks, "healthcheck passed");
                return Ok(());
            }
            Ok(Ok(output)) => {
                let text = format!("{}{}", output.stdout, output.stderr);
                match text.trim() {
                    "" => format!("exit code {}", output.exit_code),
                    text => format!("exit code {}: {text}", output.exit_code),
                }
            }
            Ok(Err(error)) => {
                // The container may have exited between the inspect and the exec.
                ensure_running(&backend, service, dependent, container, "become healthy").await?;
                error.to_string()
            }
            Err(_) => format!("the check timed out after {} s", timeout.as_secs_f64()),
        };

        if in_start_period {
            tracing::debug!(service, container, output = %outcome, "healthcheck failed during the start period");
            continue;
        }
        failures += 1;
        tracing::debug!(service, container, failures, retries, output = %outcome, "healthcheck failed");
        if failures >= retries {
            return Err(EngineError::Unhealthy { service: service.to_string(), checks: failures, last_output: outcome });
        }
    }
}

/// Waits until `service`'s container exits, and fails unless it exits with 0.
pub(crate) async fn wait_completed(
    backend: Arc<dyn Backend>,
    service: &str,
    dependent: &str,
    container: &str,
    poll_interval: Duration,
    limit: Option<Duration>,
) -> Result<(), EngineError> {
    let began = Instant::now();
    loop {
        let info = backend.inspect_container(container).await.map_err(|source| EngineError::Backend {
            action: format!("inspect container {container} of service {service}"),
            source,
        })?;
        if let Some(code) = info.state.exit_code.filter(|_| !info.state.running) {
            if code == 0 {
                tracing::info!(service, container, "service completed successfully");
                return Ok(());
            }
            return Err(EngineError::CompletedWithFailure {
                service: service.to_string(),
                dependent: dependent.to_string(),
                exit_code: code,
            });
        }
        if let Some(limit) = limit
            && began.elapsed() >= limit
        {
            return Err(EngineError::WaitTimedOut {
                service: service.to_string(),
                dependent: dependent.to_string(),
                condition: "complete",
                timeout: limit,
            });
        }
        tokio::time::sleep(poll_interval).await;
    }
}

async fn ensure_running(
    backend: &Arc<dyn Backend>,
    service: &str,
    dependent: &str,
    container: &str,
    goal: &'static str,
) -> Result<(), EngineError> {
    let info = backend.inspect_container(container).await.map_err(|source| EngineError::Backend {
        action: format!("inspect container {container} of service {service}"),
        source,
    })?;
    if info.state.running {
        return Ok(());
    }
    Err(EngineError::ExitedWhileWaiting {
        service: service.to_string(),
        dependent: dependent.to_string(),
        goal,
        status: info.state.status.as_str().to_string(),
        exit_code: info.state.exit_code,
    })
}
