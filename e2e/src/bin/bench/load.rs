//! Page loads, cold (a new profile: empty HTTP and code caches) and warm (the same profile
//! again): navigation → launcher, → wasm instantiated, → ready, and what the page fetched.

use e2e::Harness;
use serde_json::Value;

use crate::metrics::{record_fields, Samples};
use crate::page::page;
use crate::RunExtras;

/// After navigation: launcher time (User Timing mark, else the instrumentation's), wasm
/// instantiation, ready mark, and what the page fetched.
pub(crate) const WAIT_LOADED: &str = r#"
  const mark = name => performance.getEntriesByName(name)[0]?.startTime ?? null;
  const r = await waitFor(() => {
    const marked = mark('handoff-chat:launcher');
    const launcher = marked ?? bench.launcherSeen;
    if (launcher === null) return null;
    // A loader that marks the launcher also marks the mounted widget: wait for it.
    if (marked !== null && mark('handoff-chat:ready') === null) return null;
    if (!visible($('.hc-launcher'))) return null;
    return { launcher, marked: marked !== null };
  }, STEP_MS, 'the launcher');
  await frame();
  const resources = performance.getEntriesByType('resource').map(e => ({
    name: e.name, initiator: e.initiatorType, transferSize: e.transferSize,
    encodedBodySize: e.encodedBodySize, decodedBodySize: e.decodedBodySize,
    durationMs: Math.round(e.duration * 10) / 10 }));
  return { launcher: r.value.launcher, marked: r.value.marked, ready: mark('handoff-chat:ready'),
           wasm: bench.wasmAt, resources };
"#;

/// Loads the demo page and records navigation → launcher / wasm / ready under `prefix`.
pub(crate) async fn load(
    h: &Harness,
    prefix: &str,
    samples: &mut Samples,
) -> Result<Value, String> {
    h.client
        .goto(&h.url)
        .await
        .map_err(|e| format!("{prefix} load: {e}"))?;
    let loaded = page(&h.client, WAIT_LOADED, vec![]).await?;
    let fields = match prefix {
        "cold" => [
            ("cold.launcher_ms", "launcher"),
            ("cold.wasm_instantiated_ms", "wasm"),
            ("cold.ready_ms", "ready"),
        ],
        _ => [
            ("warm.launcher_ms", "launcher"),
            ("warm.wasm_instantiated_ms", "wasm"),
            ("warm.ready_ms", "ready"),
        ],
    };
    record_fields(samples, &loaded, &fields);
    Ok(loaded)
}

/// Warns when the page loads widget files other than the budgeted ones (`widget_files`: a
/// new chunk, a second wasm): anything named `handoff-chat*` or ending in `.wasm`. The host
/// page's own files and the Direct Line API are not the widget's.
pub(crate) fn check_resources(resources: &Value, widget_files: &[&str], extra: &mut RunExtras) {
    let Some(list) = resources.as_array() else {
        return;
    };
    for entry in list {
        let name = entry["name"].as_str().unwrap_or_default();
        let path = name.split(['?', '#']).next().unwrap_or_default();
        let file = path.rsplit('/').next().unwrap_or_default();
        let widget_like = file.starts_with("handoff-chat") || file.ends_with(".wasm");
        if widget_like && !widget_files.contains(&file) {
            extra.note(format!(
                "the page loaded {file}, which is not one of the budgeted widget files"
            ));
        }
    }
}
