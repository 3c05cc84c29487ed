//! What the benchmark reports: every metric (its JSON id, table label and unit), the samples
//! the runs record for them, and their summary over runs (median, min, max).

use std::collections::BTreeMap;

use serde_json::{json, Value};

use crate::Args;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    Ms,
    Count,
    Bytes,
}

impl Unit {
    pub(crate) fn label(self) -> &'static str {
        match self {
            Unit::Ms => "ms",
            Unit::Count => "count",
            Unit::Bytes => "MiB",
        }
    }
}

/// One reported metric: `id` names it in the JSON, `label` in the table.
struct Metric {
    id: &'static str,
    label: &'static str,
    unit: Unit,
}

const fn metric(id: &'static str, label: &'static str, unit: Unit) -> Metric {
    Metric { id, label, unit }
}

/// Every metric, in table order. Labels use `{burst}`, `{cards}`, `{markdown}` and `{scroll}`
/// for the configured sizes.
const METRICS: &[Metric] = &[
    metric(
        "cold.launcher_ms",
        "cold load: navigation → launcher visible",
        Unit::Ms,
    ),
    metric(
        "cold.wasm_instantiated_ms",
        "cold load: navigation → wasm instantiated",
        Unit::Ms,
    ),
    metric(
        "cold.ready_ms",
        "cold load: navigation → ready mark",
        Unit::Ms,
    ),
    metric(
        "warm.launcher_ms",
        "warm load: navigation → launcher visible",
        Unit::Ms,
    ),
    metric(
        "warm.wasm_instantiated_ms",
        "warm load: navigation → wasm instantiated",
        Unit::Ms,
    ),
    metric(
        "warm.ready_ms",
        "warm load: navigation → ready mark",
        Unit::Ms,
    ),
    metric(
        "chat.open_survey_ms",
        "launcher click → survey interactive",
        Unit::Ms,
    ),
    metric(
        "chat.first_bot_message_ms",
        "survey submit → first bot message",
        Unit::Ms,
    ),
    metric(
        "chat.own_message_ms",
        "Enter → own message visible",
        Unit::Ms,
    ),
    metric(
        "chat.reply_render_ms",
        "bot reply frame received → rendered",
        Unit::Ms,
    ),
    metric(
        "chat.reply_roundtrip_ms",
        "Enter → bot reply rendered",
        Unit::Ms,
    ),
    metric(
        "burst.all_rendered_ms",
        "burst {burst}: Enter → all rendered",
        Unit::Ms,
    ),
    metric(
        "burst.first_frame_to_all_ms",
        "burst {burst}: first frame → all rendered",
        Unit::Ms,
    ),
    metric(
        "burst.stream_frames",
        "burst {burst}: WebSocket frames carrying it",
        Unit::Count,
    ),
    metric(
        "burst.out_of_order",
        "burst {burst}: messages out of order",
        Unit::Count,
    ),
    metric(
        "burst.long_tasks",
        "burst {burst}: long tasks (> 50 ms)",
        Unit::Count,
    ),
    metric(
        "burst.long_task_total_ms",
        "burst {burst}: long tasks, total",
        Unit::Ms,
    ),
    metric(
        "burst.long_task_max_ms",
        "burst {burst}: longest task",
        Unit::Ms,
    ),
    metric(
        "heap.js_before_burst",
        "JS heap before the burst (after GC)",
        Unit::Bytes,
    ),
    metric(
        "heap.js_after_burst",
        "JS heap after the burst (after GC)",
        Unit::Bytes,
    ),
    metric(
        "heap.wasm_before_burst",
        "wasm memory before the burst",
        Unit::Bytes,
    ),
    metric(
        "heap.wasm_after_burst",
        "wasm memory after the burst",
        Unit::Bytes,
    ),
    metric(
        "heap.dom_nodes_after_burst",
        "shadow DOM elements after the burst",
        Unit::Count,
    ),
    metric(
        "cards.all_drawn_ms",
        "burst {cards} cards: Enter → all drawn",
        Unit::Ms,
    ),
    metric(
        "cards.last_frame_to_all_ms",
        "burst {cards} cards: last frame → all drawn",
        Unit::Ms,
    ),
    metric(
        "cards.stream_frames",
        "burst {cards} cards: WebSocket frames carrying it",
        Unit::Count,
    ),
    metric(
        "cards.long_tasks",
        "burst {cards} cards: long tasks (> 50 ms)",
        Unit::Count,
    ),
    metric(
        "cards.long_task_total_ms",
        "burst {cards} cards: long tasks, total",
        Unit::Ms,
    ),
    metric(
        "cards.long_task_max_ms",
        "burst {cards} cards: longest task",
        Unit::Ms,
    ),
    metric(
        "markdown.all_drawn_ms",
        "burst {markdown} markdown: Enter → all drawn",
        Unit::Ms,
    ),
    metric(
        "markdown.last_frame_to_all_ms",
        "burst {markdown} markdown: last frame → all drawn",
        Unit::Ms,
    ),
    metric(
        "markdown.stream_frames",
        "burst {markdown} markdown: WebSocket frames carrying it",
        Unit::Count,
    ),
    metric(
        "markdown.long_tasks",
        "burst {markdown} markdown: long tasks (> 50 ms)",
        Unit::Count,
    ),
    metric(
        "markdown.long_task_total_ms",
        "burst {markdown} markdown: long tasks, total",
        Unit::Ms,
    ),
    metric(
        "markdown.long_task_max_ms",
        "burst {markdown} markdown: longest task",
        Unit::Ms,
    ),
    metric(
        "scroll.all_rendered_ms",
        "burst {scroll}: Enter → all rendered",
        Unit::Ms,
    ),
    metric(
        "scroll.frame_p50_ms",
        "scroll {scroll}: frame time p50",
        Unit::Ms,
    ),
    metric(
        "scroll.frame_p95_ms",
        "scroll {scroll}: frame time p95",
        Unit::Ms,
    ),
    metric(
        "scroll.frame_max_ms",
        "scroll {scroll}: frame time max",
        Unit::Ms,
    ),
    metric(
        "scroll.frames_over_50ms",
        "scroll {scroll}: frames > 50 ms",
        Unit::Count,
    ),
];

/// Samples per metric id, one per run that measured it.
pub(crate) type Samples = BTreeMap<&'static str, Vec<f64>>;

pub(crate) fn record(samples: &mut Samples, id: &'static str, value: Option<f64>) {
    debug_assert!(METRICS.iter().any(|m| m.id == id), "unknown metric {id}");
    if let Some(v) = value.filter(|v| v.is_finite()) {
        samples.entry(id).or_default().push(v);
    }
}

/// Records the number at `value[key]` under `id`, for each `(id, key)`.
pub(crate) fn record_fields(samples: &mut Samples, value: &Value, fields: &[(&'static str, &str)]) {
    for (id, key) in fields {
        record(samples, id, value[*key].as_f64());
    }
}

pub(crate) struct MetricSummary {
    pub(crate) id: &'static str,
    pub(crate) label: String,
    pub(crate) unit: Unit,
    pub(crate) samples: Vec<f64>,
    pub(crate) median: Option<f64>,
    pub(crate) min: Option<f64>,
    pub(crate) max: Option<f64>,
}

impl MetricSummary {
    pub(crate) fn to_json(&self) -> Value {
        let scale = |v: f64| match self.unit {
            Unit::Bytes => v.round(),
            _ => round2(v),
        };
        json!({
            "id": self.id,
            "label": self.label,
            "unit": match self.unit { Unit::Bytes => "bytes", Unit::Ms => "ms", Unit::Count => "count" },
            "samples": self.samples.iter().map(|v| scale(*v)).collect::<Vec<_>>(),
            "median": self.median.map(scale),
            "min": self.min.map(scale),
            "max": self.max.map(scale),
        })
    }
}

pub(crate) fn summarize(samples: &Samples, args: &Args) -> Vec<MetricSummary> {
    METRICS
        .iter()
        .map(|m| {
            let values = samples.get(m.id).cloned().unwrap_or_default();
            MetricSummary {
                id: m.id,
                label: m
                    .label
                    .replace("{burst}", &args.burst.to_string())
                    .replace("{cards}", &args.cards.to_string())
                    .replace("{markdown}", &args.markdown.to_string())
                    .replace("{scroll}", &args.scroll.to_string()),
                unit: m.unit,
                median: (!values.is_empty()).then(|| percentile(&values, 50.0)),
                min: values.iter().copied().reduce(f64::min),
                max: values.iter().copied().reduce(f64::max),
                samples: values,
            }
        })
        .collect()
}

/// Linear-interpolated percentile (`p` in 0..=100) of unsorted values; the median is p50.
pub(crate) fn percentile(values: &[f64], p: f64) -> f64 {
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    if sorted.len() == 1 {
        return sorted[0];
    }
    let rank = p / 100.0 * (sorted.len() - 1) as f64;
    let (low, high) = (rank.floor() as usize, rank.ceil() as usize);
    sorted[low] + (sorted[high] - sorted[low]) * (rank - low as f64)
}

pub(crate) fn round2(v: f64) -> f64 {
    (v * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentiles_interpolate() {
        assert_eq!(percentile(&[3.0, 1.0, 2.0], 50.0), 2.0);
        assert_eq!(percentile(&[4.0, 1.0, 2.0, 3.0], 50.0), 2.5);
        assert_eq!(percentile(&[5.0], 95.0), 5.0);
        assert_eq!(percentile(&[0.0, 10.0], 95.0), 9.5);
    }

    #[test]
    fn every_recorded_metric_is_listed_once() {
        let mut ids: Vec<_> = METRICS.iter().map(|m| m.id).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), METRICS.len());
    }
}
