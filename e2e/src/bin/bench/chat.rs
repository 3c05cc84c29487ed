//! A visitor's first chat on the warm page: launcher click → survey shown, survey submit →
//! first bot message, Enter → own message shown, the reply's WebSocket frame → reply shown.

use fantoccini::Client;
use serde_json::json;

use crate::metrics::{record, record_fields, Samples};
use crate::page::page;
use crate::RunExtras;

/// Launcher click → the survey's first field is present and visible.
pub(crate) const OPEN_SURVEY: &str = r#"
  const launcher = $('.hc-launcher');
  if (!launcher) throw new Error('no launcher');
  const t0 = performance.now();
  launcher.click();
  const r = await waitFor(() => {
    const field = $('#hc-field-firstName');
    return visible(field) ? { focused: root().activeElement === field } : null;
  }, STEP_MS, 'the survey');
  return { ms: r.t - t0, focused: r.value.focused };
"#;

/// Fills the required survey fields, submits → the first bot message is rendered.
pub(crate) const SUBMIT_SURVEY: &str = r#"
  input($('#hc-field-firstName'), 'Ada');
  input($('#hc-field-email'), 'ada@example.com');
  const submit = $('.hc-survey button[type=submit]') ?? $('button[type=submit]');
  const t0 = performance.now();
  submit.click();
  const r = await waitFor(() => $$('.hc-msg--bot').find(visible), STEP_MS, 'the first bot message');
  await waitFor(() => visible($('#hc-message')), STEP_MS, 'the composer');
  return { ms: r.t - t0 };
"#;

/// Types `text` and presses Enter → own message visible → a bot message containing `needle`.
const SEND: &str = r#"
  const [text, needle] = args;
  const box = $('#hc-message');
  input(box, text);
  const known = new Set($$('.hc-msg--visitor'));
  const watch = { needle, t: null, hits: 0 };
  bench.watches.push(watch);
  const t0 = performance.now();
  enter(box);
  const own = await waitFor(() => $$('.hc-msg--visitor').find(el => !known.has(el) && visible(el)
    && el.querySelector('.hc-msg__text')?.textContent === text), STEP_MS, 'own message');
  const reply = await waitFor(() => $$('.hc-msg--bot .hc-msg__text')
    .find(el => el.textContent.includes(needle) && visible(el)), STEP_MS, 'the bot reply');
  return { own: own.t - t0, reply: reply.t - t0,
           frameToRender: watch.t === null ? null : reply.t - watch.t };
"#;

/// Opens the survey, submits it and sends one message, recording each step.
pub(crate) async fn chat(
    client: &Client,
    samples: &mut Samples,
    extra: &mut RunExtras,
) -> Result<(), String> {
    let open = page(client, OPEN_SURVEY, vec![]).await?;
    record(samples, "chat.open_survey_ms", open["ms"].as_f64());
    if open["focused"] != json!(true) {
        extra.note("the survey's first field was not focused when it appeared".into());
    }
    let submit = page(client, SUBMIT_SURVEY, vec![]).await?;
    record(samples, "chat.first_bot_message_ms", submit["ms"].as_f64());
    let chat = page(client, SEND, vec![json!("opening hours"), json!("Monday")]).await?;
    record_fields(
        samples,
        &chat,
        &[
            ("chat.own_message_ms", "own"),
            ("chat.reply_roundtrip_ms", "reply"),
            ("chat.reply_render_ms", "frameToRender"),
        ],
    );
    if chat["frameToRender"].is_null() {
        extra
            .note("no WebSocket frame carried the reply (polling?): no frame → render time".into());
    }
    Ok(())
}
