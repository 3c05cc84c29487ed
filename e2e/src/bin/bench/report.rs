//! What the benchmark prints and writes: the timings table, and the JSON results (every
//! metric with its samples, the sizes, the settings and the machine).

use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{json, Value};

use crate::metrics::{MetricSummary, Unit};
use crate::Args;

pub(crate) fn print_table(summary: &[MetricSummary], args: &Args) {
    println!(
        "\nTimings and memory: {} runs (median, min, max over runs)",
        args.runs
    );
    let mut out = String::new();
    let _ = writeln!(
        out,
        "{:<48} {:>10} {:>10} {:>10}  {:<5} {:>2}",
        "metric", "median", "min", "max", "unit", "n"
    );
    for m in summary {
        let show = |v: Option<f64>| match v {
            None => "n/a".to_owned(),
            Some(v) => match m.unit {
                Unit::Ms => format!("{v:.1}"),
                Unit::Count => format!("{v:.0}"),
                Unit::Bytes => format!("{:.2}", v / (1024.0 * 1024.0)),
            },
        };
        let _ = writeln!(
            out,
            "{:<48} {:>10} {:>10} {:>10}  {:<5} {:>2}",
            m.label,
            show(m.median),
            show(m.min),
            show(m.max),
            m.unit.label(),
            m.samples.len()
        );
    }
    print!("{out}");
}

pub(crate) fn machine_info(browser_version: Option<&str>) -> Value {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|info| {
            info.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split_once(':'))
                .map(|(_, v)| v.trim().to_owned())
        });
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease")
        .ok()
        .map(|s| s.trim().to_owned());
    let git = Command::new("git")
        .args(["describe", "--always", "--dirty"])
        .stderr(Stdio::null())
        .output()
        .ok()
        .filter(|o| o.status.success())
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_owned());
    json!({
        "nproc": std::thread::available_parallelism().map_or(0, |n| n.get()),
        "cpu": cpu,
        "kernel": kernel,
        "chromium": browser_version,
        "headless": true,
        "git": git,
    })
}

pub(crate) fn write_json(path: &Path, value: &Value) -> std::io::Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let text = serde_json::to_string_pretty(value).map_err(std::io::Error::other)?;
    std::fs::write(path, text + "\n")
}
