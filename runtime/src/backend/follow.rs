//! Following a container's output as it is written (`logs --follow`).

use std::time::Duration;

use tokio::sync::mpsc;

use super::{Backend, BackendError};

/// The output stream of a container that a line came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LogStream {
    Stdout,
    Stderr,
}

/// One line of a container's output, without its line break.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LogLine {
    pub stream: LogStream,
    pub text: String,
}

/// How often [`poll_logs`] reads the output again.
const POLL_INTERVAL: Duration = Duration::from_millis(250);

/// Follows a container by reading its whole output again and again, for
/// runtimes whose backend cannot stream it. Sends the last `tail` lines
/// (all when `None`), then every new line, until the container stops or
/// the receiver is dropped.
pub(crate) async fn poll_logs<B: Backend + ?Sized>(backend: &B, id: &str, tail: Option<usize>, sink: &mpsc::Sender<LogLine>) -> Result<(), BackendError> {
    // Lines sent so far per stream, counted in the whole output so that a
    // tail does not make old lines look new on the next read.
    let mut seen: Option<(usize, usize)> = None;
    loop {
        // Read the state first: output written before the container stops
        // is then in the read below.
        let running = backend.inspect_container(id).await?.state.running;
        let logs = backend.logs(id, None).await?;
        let (out, err) = (lines(&logs.stdout), lines(&logs.stderr));
        let (skip_out, skip_err) = match seen {
            Some(seen) => seen,
            None => match tail {
                Some(tail) => (out.len().saturating_sub(tail), err.len().saturating_sub(tail)),
                None => (0, 0),
            },
        };
        for (stream, texts, skip) in [(LogStream::Stdout, &out, skip_out), (LogStream::Stderr, &err, skip_err)] {
            for text in texts.iter().skip(skip) {
                if sink.send(LogLine { stream, text: (*text).to_string() }).await.is_err() {
                    return Ok(());
                }
            }
        }
        seen = Some((out.len().max(skip_out), err.len().max(skip_err)));
        if !running {
            return Ok(());
        }
        tokio::select! {
            () = sink.closed() => return Ok(()),
            () = tokio::time::sleep(POLL_INTERVAL) => {}
        }
    }
}

fn lines(text: &str) -> Vec<&str> {
    text.lines().collect()
}

/// Splits streamed chunks of one output stream into lines, keeping an
/// unfinished last line until the rest of it arrives.
#[cfg_attr(not(feature = "docker-api"), allow(dead_code))]
#[derive(Default)]
pub(crate) struct LineSplitter {
    pending: Vec<u8>,
}

#[cfg_attr(not(feature = "docker-api"), allow(dead_code))]
impl LineSplitter {
    /// Adds `chunk` and returns the lines it completes.
    pub(crate) fn push(&mut self, chunk: &[u8]) -> Vec<String> {
        self.pending.extend_from_slice(chunk);
        let mut lines = Vec::new();
        while let Some(end) = self.pending.iter().position(|&byte| byte == b'\n') {
            let line: Vec<u8> = self.pending.drain(..=end).collect();
            lines.push(text_of(&line[..end]));
        }
        lines
    }

    /// Returns the unfinished last line, if any, at the end of the stream.
    pub(crate) fn finish(self) -> Option<String> {
        (!self.pending.is_empty()).then(|| text_of(&self.pending))
    }
}

/// The text of one line's bytes, without a trailing carriage return.
pub(crate) fn text_of(bytes: &[u8]) -> String {
    let bytes = bytes.strip_suffix(b"\r").unwrap_or(bytes);
    String::from_utf8_lossy(bytes).into_owned()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use std::time::Duration;

    use tokio::sync::mpsc;

    use super::{LineSplitter, LogLine, LogStream};
    use crate::backend::{Backend, ContainerSpec, MockBackend};

    fn line(text: &str) -> LogLine {
        LogLine { stream: LogStream::Stdout, text: text.to_string() }
    }

    /// Creates a mock container named `web`, then starts and stops it
    /// `starts` times; the mock logs one line per start.
    async fn started(starts: usize) -> (Arc<MockBackend>, String) {
        let backend = Arc::new(MockBackend::new());
        let spec = ContainerSpec { name: "web".into(), image: "busybox".into(), ..ContainerSpec::default() };
        let id = backend.create_container(&spec).await.unwrap();
        for _ in 0..starts {
            backend.start_container(&id).await.unwrap();
            backend.stop_container(&id, Duration::ZERO).await.unwrap();
        }
        (backend, id)
    }

    #[tokio::test]
    async fn polling_stopped_container_sends_tail() {
        let (backend, id) = started(3).await;
        let (sink, mut lines) = mpsc::channel(16);
        backend.follow_logs(&id, Some(1), sink).await.unwrap();
        assert_eq!(lines.recv().await, Some(line("web started")));
        assert_eq!(lines.recv().await, None);
    }

    #[tokio::test]
    async fn polling_sends_new_lines_after_tail() {
        let (backend, id) = started(2).await;
        backend.start_container(&id).await.unwrap();
        let (sink, mut lines) = mpsc::channel(16);
        let follow = tokio::spawn({
            let backend = backend.clone();
            let id = id.clone();
            async move { backend.follow_logs(&id, Some(1), sink).await }
        });
        assert_eq!(lines.recv().await, Some(line("web started")));
        // A restart adds one line, which is the only one sent next; the
        // stop ends the follow.
        backend.stop_container(&id, Duration::ZERO).await.unwrap();
        backend.start_container(&id).await.unwrap();
        assert_eq!(lines.recv().await, Some(line("web started")));
        backend.stop_container(&id, Duration::ZERO).await.unwrap();
        assert_eq!(lines.recv().await, None);
        follow.await.unwrap().unwrap();
    }

    #[test]
    fn splitter_joins_lines_across_chunks() {
        let mut splitter = LineSplitter::default();
        assert_eq!(splitter.push(b"one\ntw"), vec!["one"]);
        assert_eq!(splitter.push(b"o\r\nthree\n\nfo"), vec!["two", "three", ""]);
        assert_eq!(splitter.finish().as_deref(), Some("fo"));
    }

    #[test]
    fn splitter_keeps_invalid_utf8_visible() {
        let mut splitter = LineSplitter::default();
        assert_eq!(splitter.push(b"a\xffb\n"), vec!["a\u{fffd}b"]);
        assert_eq!(splitter.finish(), None);
    }
}
