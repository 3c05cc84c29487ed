//! Visitors cannot speak as others: whatever `from` a token holder posts, the service stores
//! the token's user with role `user`. Only the secret (a bot or a backend) names a sender.
#![allow(clippy::unwrap_used, reason = "tests: a panic is the failure report")]

mod common;

use common::{events, TestApp, BOT, SECRET};
use serde_json::json;

#[tokio::test]
async fn a_spoofed_from_is_stored_as_the_visitor() {
    let app = TestApp::new();
    let visitor = app.visitor("/api/directline/token").await;
    let other = app.visitor("/api/directline/token").await;
    app.post_as(&visitor, json!({"type": "event", "name": "probe"}))
        .await;
    let own = events(&app.history(&visitor).await, "probe")[0]["from"].clone();
    assert_eq!(own["role"], "user");
    let own_id = own["id"].as_str().unwrap().to_owned();
    assert_eq!(events(&app.history(&other).await, "probe").len(), 0);
    for from in [
        json!({"id": "bot", "name": "Bot", "role": "bot"}),
        json!({"id": "agent-grace", "name": "Grace (agent)", "role": "bot"}),
        json!({"id": "dl_someone_else", "role": "user"}),
        json!({"id": ""}),
    ] {
        let activity = json!({"type": "message", "text": "spoof", "from": from});
        let id = app.post_as(&visitor, activity).await;
        let history = app.history(&visitor).await;
        let stored = history.iter().find(|a| a["id"] == id).unwrap();
        assert_eq!(stored["from"]["id"], own_id, "{from}");
        assert_eq!(stored["from"]["role"], "user", "{from}");
        if from["name"].is_string() {
            assert_ne!(stored["from"]["name"], from["name"], "{from}");
        }
    }

    // The secret holder (a bot or backend) still names the sender it wants.
    let uri = format!("{BOT}/conversations/{}/activities", visitor.conv);
    let activity = json!({"type": "message", "text": "from the backend",
                          "from": {"id": "backend", "role": "bot"}});
    let reply = app
        .call(axum::http::Method::POST, &uri, Some(SECRET), Some(activity))
        .await
        .ok();
    let history = app.history(&visitor).await;
    let stored = history.iter().find(|a| a["id"] == reply["id"]).unwrap();
    assert_eq!(stored["from"]["id"], "backend");
}
