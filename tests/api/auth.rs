//! Authentication and workspace isolation.

use serde_json::{Value, json};

use crate::harness::{CREATE_LEAD_ID, documented_input, error_code};

on_both_backends! {
    async fn missing_unknown_or_malformed_keys_are_unauthenticated(app) {
        // Same lookup id, one secret character changed.
        let last = if app.key.ends_with('0') { '1' } else { '0' };
        let forged = format!("{}{last}", &app.key[..app.key.len() - 1]);
        let wrong_mode = app.key.replacen("lg_live_", "lg_test_", 1);
        for key in [None, Some(""), Some("nonsense"), Some(forged.as_str()), Some(wrong_mode.as_str())] {
            let response = app.graphql_with(key, CREATE_LEAD_ID, json!({ "input": documented_input() })).await;
            assert_eq!(error_code(&response), "UNAUTHENTICATED", "{key:?}: {response:#}");
            assert_eq!(response["data"], Value::Null);
            let response = app.graphql_with(key, "{ lead(id: \"00000000-0000-0000-0000-000000000000\") { id } }", json!({})).await;
            assert_eq!(error_code(&response), "UNAUTHENTICATED");
        }
        assert_eq!(app.count("leads").await, 0);
        // Introspection needs a valid key (GraphiQL sends its header).
        let response = app.graphql_with(None, "{ __schema { queryType { name } } }", json!({})).await;
        assert_eq!(error_code(&response), "INTROSPECTION_DISABLED", "{response:#}");
        let response = app.graphql_with(Some(&app.key), "{ __schema { queryType { name } } }", json!({})).await;
        assert_eq!(response["data"]["__schema"]["queryType"]["name"], "Query");
    }
}

on_both_backends! {
    async fn keys_are_stored_only_as_hashes(app) {
        use sea_orm::EntityTrait;
        let keys = leadgate::entities::api_key::Entity::find().all(&app.db).await.unwrap();
        assert!(!keys.is_empty());
        for key in keys {
            assert_eq!(key.secret_hash.len(), 64);
            assert!(!app.key.contains(&key.secret_hash) && !app.key.ends_with(&key.lookup));
        }
        assert!(app.key.starts_with("lg_live_") && app.key.len() == 8 + 80);
        assert!(app.test_key.starts_with("lg_test_"));
    }
}

on_both_backends! {
    async fn a_key_only_sees_its_own_workspace(app) {
        let (other_ws, other_key) = app.other_workspace("Globex").await;
        let mine = app.create_lead(documented_input()).await;
        let theirs = app.create_lead_with(&other_key, documented_input()).await;

        let query = "query($id: ID!) { lead(id: $id) { id workspaceId matchingLeads { id } } }";
        let data = app.data(query, json!({ "id": theirs })).await;
        assert_eq!(data["lead"], Value::Null, "another workspace's lead is invisible");
        let data = app.data(query, json!({ "id": mine })).await;
        assert_eq!(data["lead"]["workspaceId"], app.workspace_id.to_string());
        assert_eq!(data["lead"]["matchingLeads"], json!([]), "same email and phone, other workspace: no match");

        let response = app.graphql_with(Some(&other_key), query, json!({ "id": theirs })).await;
        assert_eq!(response["data"]["lead"]["workspaceId"], other_ws.to_string());
        let response = app.graphql_with(Some(&other_key), query, json!({ "id": mine })).await;
        assert_eq!(response["data"]["lead"], Value::Null);
    }
}

on_both_backends! {
    async fn revoked_keys_stop_working(app) {
        use sea_orm::{ActiveValue::Set, EntityTrait, QueryFilter, ColumnTrait};
        use leadgate::entities::api_key;
        app.create_lead(json!({ "firstName": "Before" })).await;
        api_key::Entity::update_many()
            .set(api_key::ActiveModel { revoked_at: Set(Some(chrono::Utc::now())), ..Default::default() })
            .filter(api_key::Column::WorkspaceId.eq(app.workspace_id))
            .exec(&app.db)
            .await
            .unwrap();
        let response = app.graphql(CREATE_LEAD_ID, json!({ "input": { "firstName": "After" } })).await;
        assert_eq!(error_code(&response), "UNAUTHENTICATED");
        assert_eq!(app.count("leads").await, 1);
    }
}
