//! The demo bot, one incoming activity at a time, as the store feeds it.

use super::*;

fn user_message(id: &str, text: &str) -> Activity {
    Activity {
        kind: "message".into(),
        id: Some(id.into()),
        text: Some(text.into()),
        from: Some(ChannelAccount {
            id: "dl_user".into(),
            name: None,
            role: Some("user".into()),
        }),
        ..Activity::default()
    }
}

fn start_event(value: Value) -> Activity {
    Activity {
        kind: "event".into(),
        name: Some("startConversation".into()),
        value: Some(value),
        text: None,
        ..user_message("c|0000001", "")
    }
}

/// Feeds one activity the way the store does: appended to history, then answered.
fn send(state: &mut BotState, history: &mut Vec<Activity>, activity: Activity) -> Vec<Activity> {
    history.push(activity.clone());
    let ctx = Context {
        conversation_id: "c",
        history,
        origin: "http://127.0.0.1:8080",
    };
    let replies = respond(state, &activity, ctx).replies;
    history.extend(replies.iter().cloned());
    replies
}

fn texts(replies: &[Activity]) -> Vec<&str> {
    replies
        .iter()
        .filter(|a| a.kind == "message")
        .filter_map(|a| a.text.as_deref())
        .collect()
}

fn handoff(replies: &[Activity]) -> Option<&Activity> {
    replies.iter().find(|a| a.is_event(INITIATE_EVENT))
}

#[test]
fn greets_by_first_name_and_mentions_the_case() {
    let mut state = BotState::default();
    let replies = send(
        &mut state,
        &mut vec![],
        start_event(json!({"firstName": " Ada ", "lastName": "Lovelace",
                           "email": "ada@example.com", "caseNumber": "CAS-01234"})),
    );
    assert_eq!(replies[0].kind, "typing");
    assert_eq!(
        texts(&replies),
        ["Hello Ada, how can I help? I can see your case CAS-01234."]
    );
    assert_eq!(replies[1].from, Some(bot_account()));
    assert_eq!(replies[1].reply_to_id.as_deref(), Some("c|0000001"));
    assert_eq!(state.answers.last_name, "Lovelace");
}

#[test]
fn greets_without_name_or_case() {
    let mut state = BotState::default();
    let replies = send(&mut state, &mut vec![], start_event(json!({})));
    assert_eq!(texts(&replies), ["Hello, how can I help?"]);
    let replies = send(
        &mut state,
        &mut vec![],
        start_event(json!({"firstName": "Ada"})),
    );
    assert_eq!(texts(&replies), ["Hello Ada, how can I help?"]);
}

#[test]
fn answers_the_faq_topics() {
    let mut state = BotState::default();
    let hours = send(
        &mut state,
        &mut vec![],
        user_message("c|1", "What are your opening hours?"),
    );
    assert!(texts(&hours)[0].contains("Monday to Friday"));
    let order = send(
        &mut state,
        &mut vec![],
        user_message("c|2", "Where is my ORDER?"),
    );
    assert_eq!(texts(&order), [Faq::OrderStatus.answer()]);
    let reset = send(
        &mut state,
        &mut vec![],
        user_message("c|3", "reset password"),
    );
    assert_eq!(texts(&reset), [Faq::PasswordReset.answer()]);
    assert_eq!(
        state.topics,
        ["Opening hours", "Order status", "Password reset"]
    );
}

#[test]
fn unknown_text_gets_the_fallback() {
    let mut state = BotState::default();
    let replies = send(&mut state, &mut vec![], user_message("c|1", "bananas"));
    assert_eq!(texts(&replies), [FALLBACK_TEXT]);
    assert_eq!(state.fallbacks, 1);
    assert!(handoff(&replies).is_none());
}

#[test]
fn ignores_other_events_typing_and_empty_messages() {
    let mut state = BotState::default();
    let mut other = start_event(json!({}));
    other.name = Some("webchat/join".into());
    let mut typing = user_message("c|2", "");
    typing.kind = "typing".into();
    for activity in [other, typing, user_message("c|3", "   ")] {
        assert!(send(&mut state, &mut vec![], activity).is_empty());
    }
    assert_eq!(state, BotState::default());
}

#[test]
fn explicit_escalation_sends_message_then_handoff_with_context_and_transcript() {
    let mut state = BotState::default();
    let mut history = vec![];
    send(
        &mut state,
        &mut history,
        start_event(json!({"firstName": "Ada", "lastName": "Lovelace",
                           "email": "ada@example.com", "caseNumber": "CAS-01234"})),
    );
    send(
        &mut state,
        &mut history,
        user_message("c|0000004", "opening hours"),
    );
    let mut ask = user_message("c|0000007", "I want to talk to a person");
    ask.locale = Some("de-DE".into());
    let replies = send(&mut state, &mut history, ask);

    assert_eq!(texts(&replies), [ESCALATION_TEXT]);
    let event = handoff(&replies).expect("handoff.initiate");
    assert_eq!(event.from, Some(bot_account()));
    let value = event.value.as_ref().unwrap();
    assert_eq!(value["firstName"], "Ada");
    assert_eq!(value["lastName"], "Lovelace");
    assert_eq!(value["email"], "ada@example.com");
    assert_eq!(value["caseNumber"], "CAS-01234");
    assert_eq!(value["reason"], "explicit");
    assert_eq!(value["va_Scope"], "bot");
    assert_eq!(value["va_LastTopic"], "Escalate");
    assert_eq!(value["va_LastPhrases"], "I want to talk to a person");
    assert_eq!(
        value["va_Topics"],
        json!(["Greeting", "Opening hours", "Escalate"])
    );
    assert_eq!(value["va_ConversationId"], "c");
    assert_eq!(value["va_BotId"], BOT_ID);
    assert_eq!(value["va_BotName"], BOT_NAME);
    assert_eq!(value["va_Language"], "de-DE");

    let attachment = &event.attachments[0];
    assert_eq!(attachment.content_type, "application/json");
    assert_eq!(attachment.name.as_deref(), Some("Transcript"));
    let transcript = &attachment.content.as_ref().unwrap()["activities"];
    let transcript_texts: Vec<&str> = transcript
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|a| a["text"].as_str())
        .collect();
    assert_eq!(
        transcript_texts,
        [
            "Hello Ada, how can I help? I can see your case CAS-01234.",
            "opening hours",
            Faq::OpeningHours.answer(),
            "I want to talk to a person",
        ]
    );
    assert!(transcript[0]["name"] == "startConversation");
}

#[test]
fn escalation_phrases_are_recognised() {
    for text in [
        "talk to a person",
        "I want a human",
        "agent please",
        "A representative!",
    ] {
        assert_eq!(classify(text), Intent::Escalate, "{text}");
    }
    assert_eq!(
        classify("someone changed my password"),
        Intent::Faq(Faq::PasswordReset)
    );
}

#[test]
fn third_consecutive_fallback_escalates_instead_of_apologising() {
    let mut state = BotState::default();
    let mut history = vec![];
    for n in 1..=2 {
        let replies = send(&mut state, &mut history, user_message("c|x", "bananas"));
        assert_eq!(texts(&replies), [FALLBACK_TEXT], "message {n}");
    }
    let replies = send(
        &mut state,
        &mut history,
        user_message("c|x", "still bananas"),
    );
    assert_eq!(texts(&replies), [ESCALATION_TEXT]);
    let value = handoff(&replies).unwrap().value.clone().unwrap();
    assert_eq!(value["reason"], "fallback");
    assert_eq!(value["va_LastTopic"], "Fallback");
    assert_eq!(value["va_Language"], "en-us");
    assert_eq!(state.fallbacks, 0, "the count starts again after a handoff");
}

#[test]
fn an_understood_message_resets_the_fallback_count() {
    let mut state = BotState::default();
    let mut history = vec![];
    send(&mut state, &mut history, user_message("c|x", "bananas"));
    send(&mut state, &mut history, user_message("c|x", "bananas"));
    send(
        &mut state,
        &mut history,
        user_message("c|x", "opening hours"),
    );
    assert_eq!(state.fallbacks, 0);
    for _ in 0..2 {
        let replies = send(&mut state, &mut history, user_message("c|x", "bananas"));
        assert!(handoff(&replies).is_none());
    }
    let replies = send(&mut state, &mut history, user_message("c|x", "bananas"));
    assert!(handoff(&replies).is_some());
}

#[test]
fn answers_the_handoff_outcome_told_by_the_visitor() {
    let mut state = BotState {
        fallbacks: 2,
        ..BotState::default()
    };
    let status = |value: Value| Activity {
        kind: "event".into(),
        name: Some(STATUS_EVENT.into()),
        value: Some(value),
        text: None,
        ..user_message("c|9", "")
    };
    let replies = send(
        &mut state,
        &mut vec![],
        status(json!({"state": "completed"})),
    );
    assert_eq!(replies[0].kind, "typing");
    assert_eq!(texts(&replies), [WELCOME_BACK_TEXT]);
    assert_eq!(state.fallbacks, 0);
    let replies = send(
        &mut state,
        &mut vec![],
        status(json!({"state": "failed", "message": "No agent"})),
    );
    assert_eq!(texts(&replies), [HANDOFF_FAILED_TEXT]);
    assert!(send(
        &mut state,
        &mut vec![],
        status(json!({"state": "accepted"}))
    )
    .is_empty());
    let mut from_bot = status(json!({"state": "completed"}));
    from_bot.from.as_mut().unwrap().role = Some("bot".into());
    assert!(send(&mut state, &mut vec![], from_bot).is_empty());
}

#[test]
fn burst_sends_n_numbered_messages_in_order_without_typing() {
    let mut state = BotState {
        fallbacks: 2,
        ..BotState::default()
    };
    let before = state.clone();
    let replies = send(&mut state, &mut vec![], user_message("c|5", " /burst 3 "));
    assert!(replies.iter().all(|a| a.kind == "message"), "no typing");
    assert_eq!(
        texts(&replies),
        [
            "Burst message 1 of 3",
            "Burst message 2 of 3",
            "Burst message 3 of 3"
        ]
    );
    assert!(replies
        .iter()
        .all(|a| a.from == Some(bot_account()) && a.reply_to_id.as_deref() == Some("c|5")));
    assert_eq!(
        state, before,
        "a developer command is neither a topic nor a fallback"
    );
}

#[test]
fn echo_answers_with_the_text_and_leaves_the_bot_state_alone() {
    let mut state = BotState::default();
    for _ in 0..5 {
        let replies = send(
            &mut state,
            &mut vec![],
            user_message("c|5", "/echo soak 17"),
        );
        assert_eq!(texts(&replies), ["echo: soak 17"]);
    }
    assert_eq!(dev_command("/echoes"), None);
}

#[test]
fn burst_accepts_1_to_10000_and_explains_anything_else() {
    assert_eq!(
        dev_command("/burst 1"),
        Some(DevCommand::Burst(1, BurstKind::Plain))
    );
    assert_eq!(
        dev_command("/burst\t10000"),
        Some(DevCommand::Burst(BURST_MAX, BurstKind::Plain))
    );
    let big = send(
        &mut BotState::default(),
        &mut vec![],
        user_message("c|1", "/burst 10000"),
    );
    assert_eq!(big.len(), 10_000);
    assert_eq!(
        big[9_999].text.as_deref(),
        Some("Burst message 10000 of 10000")
    );
    for text in [
        "/burst",
        "/burst 0",
        "/burst 10001",
        "/burst -3",
        "/burst many",
        "/burst 2 3",
        "/burst cards",
        "/burst 0 cards",
        "/burst 10001 markdown",
        "/burst 3 pictures",
        "/burst 3 cards markdown",
        "/burst 3cards",
    ] {
        assert_eq!(dev_command(text), Some(DevCommand::BurstUsage), "{text}");
        let replies = send(
            &mut BotState::default(),
            &mut vec![],
            user_message("c|1", text),
        );
        assert_eq!(texts(&replies), [BURST_USAGE_TEXT], "{text}");
    }
    assert_eq!(dev_command("/bursty 3"), None);
    assert_eq!(dev_command("please /burst 3"), None);
    let ordinary = send(
        &mut BotState::default(),
        &mut vec![],
        user_message("c|1", "/bursty 3"),
    );
    assert_eq!(texts(&ordinary), [FALLBACK_TEXT]);
}

#[test]
fn burst_cards_and_markdown_send_n_numbered_messages_in_order() {
    let mut state = BotState::default();
    let replies = send(
        &mut state,
        &mut vec![],
        user_message("c|5", "/burst 3 cards"),
    );
    assert_eq!(replies.len(), 3);
    for (i, reply) in replies.iter().enumerate() {
        assert_eq!(
            (reply.kind.as_str(), reply.text.as_deref()),
            ("message", None)
        );
        let [card] = &reply.attachments[..] else {
            panic!("one card each")
        };
        let content = card.content.as_ref().unwrap();
        assert_eq!(card.content_type, cards::HERO);
        assert_eq!(content["title"], format!("Card burst {} of 3", i + 1));
        let picture = content["images"][0]["url"].as_str().unwrap();
        assert!(picture.starts_with("http://127.0.0.1:8080/"), "{picture}");
    }
    let replies = send(
        &mut state,
        &mut vec![],
        user_message("c|6", "/burst 2 markdown"),
    );
    assert_eq!(
        texts(&replies),
        [burst_markdown(1, 2), burst_markdown(2, 2)]
    );
    assert!(replies
        .iter()
        .all(|r| r.text_format.as_deref() == Some("markdown") && r.attachments.is_empty()));
    assert_eq!(state, BotState::default(), "developer commands");
}

fn set_context(value: Value) -> Activity {
    Activity {
        name: Some(SET_CONTEXT_EVENT.into()),
        ..start_event(value)
    }
}

#[test]
fn set_context_merges_variables_silently_and_the_visitor_can_list_them() {
    let mut state = BotState::default();
    let mut history = vec![];
    let survey = json!({"firstName": "Ada", "lastName": "Lovelace",
                        "email": "ada@example.com", "caseNumber": "CAS-01234"});
    let greeting = send(&mut state, &mut history, start_event(survey.clone()));
    assert_eq!(
        texts(&greeting),
        ["Hello Ada, how can I help? I can see your case CAS-01234."],
        "the greeting is unchanged"
    );
    let mut context = survey.clone();
    context["plan"] = json!("gold");
    assert!(send(&mut state, &mut history, set_context(context)).is_empty());
    let replies = send(
        &mut state,
        &mut history,
        user_message("c|5", "  What do you KNOW about me? "),
    );
    assert_eq!(replies[0].kind, "typing");
    assert_eq!(
        texts(&replies),
        [
            "I know: caseNumber = CAS-01234, email = ada@example.com, firstName = Ada, \
          lastName = Lovelace, plan = gold"
        ]
    );

    // Later events override, remove with null or "", keep numbers and booleans.
    let later = set_context(json!({"plan": "platinum", "email": null, "caseNumber": "",
                                   "visits": 3, "vip": true, "nested": {"x": 1}}));
    assert!(send(&mut state, &mut history, later).is_empty());
    let replies = send(&mut state, &mut history, user_message("c|6", "/context"));
    assert_eq!(
        texts(&replies),
        [
            "I know: firstName = Ada, lastName = Lovelace, plan = platinum, vip = true, \
          visits = 3"
        ]
    );
    assert_eq!(state.topics, ["Greeting"], "neither is a topic");
}

#[test]
fn knows_nothing_before_any_context_and_ignores_non_objects() {
    let mut state = BotState::default();
    assert!(send(&mut state, &mut vec![], set_context(json!("plan=gold"))).is_empty());
    let replies = send(
        &mut state,
        &mut vec![],
        user_message("c|1", "what do you know about me"),
    );
    assert_eq!(texts(&replies), [NO_CONTEXT_TEXT]);
    assert!(!is_context_question(
        "what do you know about me and my order"
    ));
    assert!(!is_context_question("/contexts"));
}

#[test]
fn ignores_its_own_activities() {
    let mut state = BotState::default();
    let mut own = user_message("c|1", "bananas");
    own.from = Some(bot_account());
    assert!(send(&mut state, &mut vec![], own).is_empty());
}
