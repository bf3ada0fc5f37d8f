//! TODO: filled in by the loader work.
pub fn format_duration(duration: std::time::Duration) -> String { format!("{}s", duration.as_secs()) }
