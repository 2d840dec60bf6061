-- The SQL work of reading one lead with its checklist, timeline (20 logs with their
-- messages and documents), matching leads and the three markers (one statement for all
-- three), as leadgate's loaders issue it: one statement per kind of thing. Variables come from bench/run.py (-D).
SELECT k.id, k.workspace_id, k.lookup, k.secret_hash, k.mode, k.created_at, k.revoked_at, k.last_used_at,
       w.id, w.name, w.default_region, w.created_at
  FROM api_keys k LEFT JOIN workspaces w ON k.workspace_id = w.id WHERE k.lookup = :lookup LIMIT 1;
SELECT * FROM leads WHERE workspace_id = :ws::uuid AND id = :lead::uuid;
SELECT g.id, g.workspace_id, g.lead_id, g.name, g.conditions, g.position,
       i.id, i.workspace_id, i.group_id, i.lead_id, i.code, i.label, i.field_type, i.is_required, i.conditions,
       i.config, i.validation_rules, i.agent_instructions, i.client_instructions, i.position
  FROM checklist_groups g
  LEFT JOIN checklist_items i ON i.group_id = g.id AND i.workspace_id = :ws::uuid AND (i.lead_id IS NULL OR i.lead_id = ANY(ARRAY[:lead::uuid]))
  WHERE g.workspace_id = :ws::uuid AND (g.lead_id IS NULL OR g.lead_id = ANY(ARRAY[:lead::uuid]))
  ORDER BY g.position, g.id, i.position, i.id;
SELECT * FROM lead_checklist_items WHERE lead_id = :lead::uuid;
SELECT d.* FROM documents d JOIN lead_checklist_items c ON d.lead_checklist_item_id = c.id
  WHERE d.workspace_id = :ws::uuid AND c.lead_id = :lead::uuid ORDER BY d.created_at, d.id;
SELECT lt.lead_id, t.name FROM lead_tags lt JOIN tags t ON lt.tag_id = t.id WHERE lt.lead_id = :lead::uuid ORDER BY t.name_key;
SELECT * FROM (SELECT a.*, ROW_NUMBER() OVER (PARTITION BY lead_id ORDER BY created_at DESC, id DESC) AS rn
  FROM action_logs a WHERE workspace_id = :ws::uuid AND lead_id = :lead::uuid) ranked WHERE rn <= 100 ORDER BY rn;
SELECT * FROM messages WHERE action_log_id = ANY(:logs::uuid[]) ORDER BY created_at, id;
SELECT * FROM documents WHERE workspace_id = :ws::uuid AND (action_log_id = ANY(:logs::uuid[])) ORDER BY created_at, id;
SELECT * FROM leads WHERE workspace_id = :ws::uuid AND deleted_at IS NULL AND is_test = false
  AND (email_key = :email OR phone_e164 = :phone) AND id <> :lead::uuid ORDER BY created_at DESC, id DESC LIMIT 100;
SELECT * FROM (
  SELECT a.*, ROW_NUMBER() OVER (PARTITION BY lead_id ORDER BY COALESCE(completed_at, created_at) DESC, id DESC) AS rn, 0 AS marker
    FROM action_logs a WHERE workspace_id = :ws::uuid AND lead_id = ANY(ARRAY[:lead::uuid]) AND status = 'COMPLETED'
    AND type IN ('MESSAGE', 'FOLLOW_UP_MESSAGE') AND EXISTS (SELECT 1 FROM messages m WHERE m.action_log_id = a.id AND m.direction = 'OUTBOUND')
  UNION ALL
  SELECT a.*, ROW_NUMBER() OVER (PARTITION BY lead_id ORDER BY COALESCE(scheduled_at, created_at), id DESC) AS rn, 1 AS marker
    FROM action_logs a WHERE workspace_id = :ws::uuid AND lead_id = ANY(ARRAY[:lead::uuid]) AND status = 'PENDING' AND type = 'FOLLOW_UP_MESSAGE'
  UNION ALL
  SELECT a.*, ROW_NUMBER() OVER (PARTITION BY lead_id ORDER BY created_at, id DESC) AS rn, 2 AS marker
    FROM action_logs a WHERE workspace_id = :ws::uuid AND lead_id = ANY(ARRAY[:lead::uuid]) AND status = 'AWAITING_APPROVAL' AND type IN ('MESSAGE', 'FOLLOW_UP_MESSAGE')
) ranked WHERE rn = 1;
