-- The SQL work of one createLead (the documented example), as leadgate does it: the key
-- lookup, then in one transaction the workspace's template lock taken shared (an advisory
-- lock), the template read (groups joined with items), the lead, its
-- checklist rows (one multi-row insert), its "Lead created" action log and its two events
-- in the outbox (one insert under the workspace's event lock, with its NOTIFY). Variables come
-- from bench/run.py (-D); prepared statements, as leadgate's driver uses.
\set n random(1, 2000000000)
SELECT k.id, k.workspace_id, k.lookup, k.secret_hash, k.mode, k.created_at, k.revoked_at, k.last_used_at,
       w.id, w.name, w.default_region, w.created_at
  FROM api_keys k LEFT JOIN workspaces w ON k.workspace_id = w.id WHERE k.lookup = :lookup LIMIT 1;
BEGIN;
SELECT pg_advisory_xact_lock_shared(1818719344, 42);
SELECT g.id, g.workspace_id, g.lead_id, g.name, g.conditions, g.position,
       i.id, i.workspace_id, i.group_id, i.lead_id, i.code, i.label, i.field_type, i.is_required, i.conditions,
       i.config, i.validation_rules, i.agent_instructions, i.client_instructions, i.position
  FROM checklist_groups g
  LEFT JOIN checklist_items i ON i.group_id = g.id AND i.workspace_id = :ws::uuid AND i.lead_id IS NULL
  WHERE g.workspace_id = :ws::uuid AND g.lead_id IS NULL
  ORDER BY g.position, g.id, i.position, i.id;
INSERT INTO leads (id, workspace_id, first_name, middle_name, last_name, sort_name, email, email_key,
    phone_number, phone_e164, business_name, website, external_lead_id, external_portal_link, timezone,
    assignee_type, status, source, activity_summary, did_opt_out, opt_out_at, email_verified_at,
    phone_verified_at, is_test, submitted_at, created_at, updated_at, deleted_at)
  VALUES (gen_random_uuid(), :ws::uuid, 'John', NULL, 'Doe', 'john doe', 'pg.' || :n || '@example.com',
    'pg.' || :n || '@example.com', '+1678' || (2000000 + :n % 8000000), '+1678' || (2000000 + :n % 8000000),
    'Pacific Coast Container Haulers', NULL, NULL, NULL, NULL, 'HUMAN_AGENT', 'COMPLETED', 'api', NULL,
    false, NULL, NULL, NULL, false, now(), now(), now(), NULL)
  RETURNING id AS lead_id \gset
INSERT INTO lead_checklist_items (id, lead_id, checklist_item_id, value, status, item_override, auto_skipped, updated_at)
  VALUES (gen_random_uuid(), :lead_id::uuid, :item1::uuid, '"Pacific Coast Container Haulers"', 'COMPLETED', NULL, false, now()),
         (gen_random_uuid(), :lead_id::uuid, :item2::uuid, '"12-3456789"', 'COMPLETED', NULL, false, now());
INSERT INTO action_logs (id, workspace_id, lead_id, type, status, summary, changes, input, output, error,
    parent_action_id, tool_id, created_at, scheduled_at, completed_at)
  VALUES (gen_random_uuid(), :ws::uuid, :lead_id::uuid, 'API_ACTIVITY', 'COMPLETED', 'Lead created',
    '{"lead": {"firstName": "John", "lastName": "Doe"}, "checklistItems": [{"code": "tax_id", "status": "COMPLETED"}]}',
    NULL, NULL, NULL, NULL, NULL, now(), NULL, now());
INSERT INTO outbox_events (id, workspace_id, lead_id, type, occurred_at, body)
  SELECT v.id, v.workspace_id, v.lead_id, v.type, v.occurred_at, v.body
  FROM (SELECT pg_advisory_xact_lock(-4242), pg_notify('leadgate_events', :ws)) AS l
  CROSS JOIN (VALUES
    (gen_random_uuid(), :ws::uuid, :lead_id::uuid, 'lead.created', now(), '{"event": "lead.created", "data": {"id": "00000000-0000-0000-0000-000000000000", "workspaceId": "00000000-0000-0000-0000-000000000000", "firstName": "John", "middleName": null, "lastName": "Doe", "email": "john@example.com", "phoneNumber": "+16782000000", "businessName": "Pacific Coast Container Haulers", "website": null, "timezone": null, "assigneeType": "HUMAN_AGENT", "status": "COMPLETED", "source": "api", "isTest": false, "externalLeadId": null, "createdAt": "2026-12-04T00:00:00Z", "updatedAt": "2026-12-04T00:00:00Z"}}'::jsonb),
    (gen_random_uuid(), :ws::uuid, :lead_id::uuid, 'lead.completed', now(), '{"event": "lead.completed", "data": {"id": "00000000-0000-0000-0000-000000000000", "workspaceId": "00000000-0000-0000-0000-000000000000", "firstName": "John", "middleName": null, "lastName": "Doe", "email": "john@example.com", "phoneNumber": "+16782000000", "businessName": "Pacific Coast Container Haulers", "website": null, "timezone": null, "assigneeType": "HUMAN_AGENT", "status": "COMPLETED", "source": "api", "isTest": false, "externalLeadId": null, "createdAt": "2026-12-04T00:00:00Z", "updatedAt": "2026-12-04T00:00:00Z"}}'::jsonb)
  ) AS v(id, workspace_id, lead_id, type, occurred_at, body);
COMMIT;
