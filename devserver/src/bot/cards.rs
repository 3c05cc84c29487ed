//! The card attachments of the demo bot's rich-content phrases: hero, thumbnail, receipt,
//! the carousel's cards, the OAuth sign-in card and an Adaptive Card 1.5 form, in the shapes
//! of `../shared/RICH-CONTENT.md` §4, §5 and §8. Every URL a client loads or opens points
//! at this dev server (`origin`, e.g. `http://127.0.0.1:8080`), so the demo works offline;
//! the assets are served by `demo_assets.rs`. Pure JSON builders.

use handoff_core::activity::Attachment;
use serde_json::{json, Value};

use crate::rich::im_back;

/// Content type of a hero card.
pub const HERO: &str = "application/vnd.microsoft.card.hero";
/// Content type of a thumbnail card.
pub const THUMBNAIL: &str = "application/vnd.microsoft.card.thumbnail";
/// Content type of a receipt card.
pub const RECEIPT: &str = "application/vnd.microsoft.card.receipt";
/// Content type of an OAuth (sign-in) card.
pub const OAUTH: &str = "application/vnd.microsoft.card.oauth";
/// Content type of an Adaptive Card.
pub const ADAPTIVE: &str = "application/vnd.microsoft.card.adaptive";
/// The `data` of the form's submit button, as Copilot Studio's generated forms send it.
pub const SUBMIT_ID: &str = "actionSubmitId";

/// The picture of the `n`-th demo card (1 to [`crate::demo_assets::PICTURES`]).
pub fn picture(origin: &str, n: usize) -> String {
    format!("{origin}/demo-assets/card-{n}.png")
}

/// The page a card's openUrl button opens.
pub fn visit_page(origin: &str) -> String {
    format!("{origin}/demo-assets/visit")
}

fn card(content_type: &str, content: Value) -> Attachment {
    Attachment {
        content_type: content_type.into(),
        content: Some(content),
        ..Attachment::default()
    }
}

/// One button of every kind a hero card offers: imBack (posts its value as the visitor's
/// message), postBack (posted, not shown), messageBack (posts `text` + `value`, shows
/// `displayText`) and openUrl (opens this server's page; nothing posted).
pub fn card_buttons(origin: &str) -> Vec<Value> {
    vec![
        im_back("Opening hours"),
        json!({"type": "postBack", "title": "Reserve a table", "value": "reserve a table"}),
        json!({"type": "messageBack", "title": "Order a coffee", "text": "order coffee",
               "displayText": "One large coffee, please", "value": {"item": "coffee", "size": "large"}}),
        json!({"type": "openUrl", "title": "Visit our site", "value": visit_page(origin)}),
    ]
}

/// The hero card: picture, title, subtitle, text and [`card_buttons`].
pub fn hero(origin: &str) -> Attachment {
    card(
        HERO,
        json!({
            "title": "Handoff Café",
            "subtitle": "Coffee, cake and a quiet corner",
            "text": "Open Monday to Friday, 9:00 to 17:00. Each button below is a different card action.",
            "images": [{"url": picture(origin, 1), "alt": "A blue card with a white coffee cup"}],
            "buttons": card_buttons(origin),
        }),
    )
}

/// The same content as a thumbnail card (small picture beside the text).
pub fn thumbnail(origin: &str) -> Attachment {
    let mut attachment = hero(origin);
    attachment.content_type = THUMBNAIL.into();
    attachment
}

/// A receipt: facts, two items with pictures, tax, total and a button.
pub fn receipt(origin: &str) -> Attachment {
    card(
        RECEIPT,
        json!({
            "title": "Order 1042",
            "facts": [
                {"key": "Order number", "value": "1042"},
                {"key": "Payment method", "value": "VISA 5555-****"},
            ],
            "items": [
                {"title": "Flat white", "subtitle": "Large", "image": {"url": picture(origin, 2), "alt": "Flat white"},
                 "price": "€3.80", "quantity": "2"},
                {"title": "Carrot cake", "image": {"url": picture(origin, 3), "alt": "Carrot cake"},
                 "price": "€4.20", "quantity": "1"},
            ],
            "tax": "€2.24",
            "total": "€14.04",
            "buttons": [{"type": "openUrl", "title": "More information", "value": visit_page(origin)}],
        }),
    )
}

/// The carousel's hero cards, one per demo picture.
pub fn carousel(origin: &str) -> Vec<Attachment> {
    let menu = [
        ("Espresso", "€2.40", "Short and strong."),
        ("Flat white", "€3.80", "Espresso with velvety milk."),
        ("Carrot cake", "€4.20", "Baked every morning."),
        ("Lemonade", "€3.10", "Fresh lemons, a little mint."),
    ];
    menu.iter()
        .enumerate()
        .map(|(i, (title, price, text))| {
            card(
                HERO,
                json!({
                    "title": title,
                    "subtitle": price,
                    "text": text,
                    "images": [{"url": picture(origin, i + 1), "alt": title}],
                    "buttons": [im_back(&format!("Order {}", title.to_lowercase()))],
                }),
            )
        })
        .collect()
}

/// The OAuth card: its sign-in button opens this server's sign-in page for the
/// conversation, which shows the magic code the visitor then types into the chat.
pub fn sign_in(origin: &str, conversation_id: &str) -> Attachment {
    card(
        OAUTH,
        json!({
            "text": "Please sign in to see your orders.",
            "connectionName": "demo-connection",
            "buttons": [{"type": "signin", "title": "Sign in",
                         "value": format!("{origin}/demo-assets/sign-in?conversation={conversation_id}")}],
            "tokenExchangeResource": {"id": "demo-token-exchange", "uri": "api://handoff-chat-demo"},
        }),
    )
}

/// An Adaptive Card 1.5 booking form of the kind Copilot Studio generates: every input type
/// (with `isRequired`, `regex`, `errorMessage`, min/max), a FactSet, a ColumnSet, an Image,
/// and the four actions (ShowCard, ToggleVisibility, OpenUrl, Submit).
pub fn form(origin: &str) -> Attachment {
    let choice = |title: &str, value: &str| json!({"title": title, "value": value});
    card(
        ADAPTIVE,
        json!({
            "type": "AdaptiveCard",
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "version": "1.5",
            "body": [
                {"type": "TextBlock", "text": "Book a table", "size": "Large", "weight": "Bolder", "wrap": true},
                {"type": "ColumnSet", "columns": [
                    {"type": "Column", "width": "auto", "items": [
                        {"type": "Image", "url": picture(origin, 1), "altText": "Handoff Café", "size": "Small"},
                    ]},
                    {"type": "Column", "width": "stretch", "items": [
                        {"type": "TextBlock", "text": "Handoff Café", "weight": "Bolder", "wrap": true},
                        {"type": "TextBlock", "text": "Tell us when you come; we keep the table **15 minutes**.",
                         "isSubtle": true, "wrap": true},
                    ]},
                ]},
                {"type": "FactSet", "facts": [
                    {"title": "Opening hours", "value": "Mon–Fri 9:00–17:00"},
                    {"title": "Phone", "value": "+49 30 1234567"},
                ]},
                {"type": "Input.Text", "id": "name", "label": "Name", "isRequired": true,
                 "errorMessage": "Please enter your name.", "maxLength": 60},
                {"type": "Input.Text", "id": "email", "label": "Email", "style": "Email",
                 "regex": "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$", "errorMessage": "Please enter a valid email address."},
                {"type": "Input.Number", "id": "guests", "label": "Guests", "min": 1, "max": 8, "value": 2,
                 "errorMessage": "From 1 to 8 guests."},
                {"type": "Input.Date", "id": "date", "label": "Date", "isRequired": true,
                 "errorMessage": "Please pick a date."},
                {"type": "Input.Time", "id": "time", "label": "Time", "min": "09:00", "max": "17:00"},
                {"type": "Input.ChoiceSet", "id": "area", "label": "Area", "style": "compact", "value": "inside",
                 "choices": [choice("Inside", "inside"), choice("Terrace", "terrace"), choice("Bar", "bar")]},
                {"type": "Input.ChoiceSet", "id": "seating", "label": "Seating", "style": "expanded",
                 "choices": [choice("Table", "table"), choice("Booth", "booth")]},
                {"type": "Input.ChoiceSet", "id": "extras", "label": "Extras", "isMultiSelect": true,
                 "choices": [choice("High chair", "high-chair"), choice("Birthday cake", "cake"),
                             choice("Wheelchair access", "wheelchair")]},
                {"type": "Input.Toggle", "id": "newsletter", "title": "Send me the monthly newsletter",
                 "valueOn": "true", "valueOff": "false"},
                {"type": "Container", "id": "policy", "isVisible": false, "items": [
                    {"type": "TextBlock", "text": "Cancel free of charge up to 2 hours before.", "wrap": true},
                ]},
            ],
            "actions": [
                {"type": "Action.ShowCard", "title": "Allergies?", "card": {
                    "type": "AdaptiveCard",
                    "body": [{"type": "TextBlock", "text": "Tell the waiter; every dish lists its allergens.", "wrap": true}],
                }},
                {"type": "Action.ToggleVisibility", "title": "Cancellation policy", "targetElements": ["policy"]},
                {"type": "Action.OpenUrl", "title": "Menu", "url": visit_page(origin)},
                {"type": "Action.Submit", "title": "Submit", "data": {SUBMIT_ID: "Submit"}},
            ],
        }),
    )
}
