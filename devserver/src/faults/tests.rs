//! The armed state as a pure value: plans, scopes, arming and its bounds.

use super::*;
use serde_json::json;

fn request(value: serde_json::Value) -> ArmRequest {
    serde_json::from_value(value).unwrap()
}

#[test]
fn plan_fails_count_times_then_is_spent() {
    let faults = Faults::default();
    faults.set(FaultPlan {
        status: 502,
        count: 2,
        retry_after: None,
        scope: Scope::Bot,
    });
    for _ in 0..2 {
        let fault = faults.next_fault(Service::Bot).unwrap();
        assert_eq!(fault.status(), StatusCode::BAD_GATEWAY);
        assert_eq!(fault.code(), "ServiceError");
    }
    assert_eq!(faults.next_fault(Service::Bot), None);
    assert_eq!(faults.current(), Armed::default());
}

#[test]
fn a_429_always_says_when_to_retry() {
    let mut plan: FaultPlan = serde_json::from_str(r#"{"status": 429}"#).unwrap();
    assert_eq!(plan.count, 1);
    assert_eq!(
        plan.next_fault(),
        Some(AppError::Injected {
            status: StatusCode::TOO_MANY_REQUESTS,
            retry_after: Some(DEFAULT_RETRY_AFTER_429)
        })
    );
}

#[test]
fn a_plan_fails_only_the_endpoints_of_its_scope() {
    let mut armed = Armed::default();
    armed
        .arm(request(json!({"status": 502, "count": 2, "scope": "hub"})))
        .unwrap();
    assert_eq!(armed.next_fault(Service::Bot), None);
    assert!(armed.next_fault(Service::Hub).is_some());
    armed
        .arm(request(json!({"status": 503, "count": 2, "scope": "all"})))
        .unwrap();
    assert!(armed.next_fault(Service::Bot).is_some());
    assert!(armed.next_fault(Service::Hub).is_some());
    assert_eq!(armed.plan, None);
}

#[test]
fn arming_changes_only_the_named_controls() {
    let mut armed = Armed::default();
    armed
        .arm(request(json!({"latencyMs": 200, "refuseStreams": true})))
        .unwrap();
    armed.arm(request(json!({"status": 429}))).unwrap();
    armed.arm(request(json!({"refuseStreams": false}))).unwrap();
    assert_eq!(
        serde_json::to_value(&armed).unwrap(),
        json!({"status": 429, "count": 1, "latencyMs": 200})
    );
    armed
        .arm(request(
            json!({"omitStreamUrl": true, "tokenLifetimeSecs": 5}),
        ))
        .unwrap();
    assert_eq!(
        serde_json::to_value(&armed).unwrap(),
        json!({"status": 429, "count": 1, "latencyMs": 200, "omitStreamUrl": true,
               "tokenLifetimeSecs": 5})
    );
    assert_eq!(serde_json::to_value(Armed::default()).unwrap(), json!({}));
}

#[test]
fn refused_requests_change_nothing() {
    let faults = Faults::default();
    let refused = [
        (json!({}), "BadArgument"),
        (json!({"count": 1}), "MissingProperty"),
        (json!({"latencyMs": 5, "scope": "hub"}), "MissingProperty"),
        (json!({"status": 200, "latencyMs": 5}), "BadArgument"),
        (json!({"latencyMs": MAX_LATENCY_MS + 1}), "BadArgument"),
        (json!({"status": 503, "count": 0}), "BadArgument"),
        (
            json!({"status": 503, "count": MAX_COUNT + 1}),
            "BadArgument",
        ),
        (
            json!({"status": 429, "retryAfter": u64::MAX}),
            "BadArgument",
        ),
        (json!({"tokenLifetimeSecs": 0}), "BadArgument"),
        (json!({"tokenLifetimeSecs": 86_401}), "BadArgument"),
        (json!({"tokenLifetimeSecs": u64::MAX}), "BadArgument"),
    ];
    for (body, code) in refused {
        let err = faults.arm(request(body.clone())).unwrap_err();
        assert_eq!(err.code(), code, "{body}");
    }
    assert_eq!(faults.current(), Armed::default());
    assert!(serde_json::from_value::<ArmRequest>(json!({"latency": 5})).is_err());
}
