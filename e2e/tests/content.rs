//! What a visitor sees of messages beyond plain text, against the dev server's demo bot:
//! a message carrying only a card (a Copilot Studio question, a product card) is never
//! dropped, and markup in any text stays text.
#![allow(clippy::unwrap_used, reason = "tests: a panic is the failure report")]

use e2e::{button, messages, send_message, submit_survey, wait_for_message, Harness, ADA_REQUIRED};

#[tokio::test]
async fn a_message_with_only_a_card_shows_the_cards_title_instead_of_vanishing() {
    let h = Harness::start(&[]).await;
    let shadow = h.open_demo().await;
    button(&shadow, "Open chat").await.click().await.unwrap();
    submit_survey(&shadow, &ADA_REQUIRED).await;
    wait_for_message(&shadow, "Hello Ada").await;
    send_message(&shadow, "attachment only").await;
    // The demo bot's hero card, with no text at all: its title stands for it.
    let shown = wait_for_message(&shadow, "Handoff Café").await;
    let after: Vec<&String> = shown
        .iter()
        .skip_while(|m| !m.contains("attachment only"))
        .collect();
    assert_eq!(
        after.len(),
        2,
        "the visitor's message and the card: {shown:?}"
    );
    send_message(&shadow, "form").await;
    wait_for_message(&shadow, "Please fill in this form.").await;
    assert!(
        !messages(&shadow).await.iter().any(|m| m.is_empty()),
        "no empty bubble"
    );
    h.finish().await;
}
