//! `leadgate leads import`: CSV and JSON Lines through the binary, in batches, with the
//! duplicate policy, dry runs and the report of refused rows.

use std::{fmt::Write as _, process::Command};

use serde_json::Value;

fn import(url: &str, args: &[&str]) -> (bool, Value, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_leadgate"))
        .arg("leads")
        .arg("import")
        .args(args)
        .env("DATABASE_URL", url)
        .env("LEADGATE_LOG", "warn")
        .output()
        .expect("run leadgate");
    let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
    let summary = serde_json::from_slice(&output.stdout).unwrap_or(Value::Null);
    (output.status.success(), summary, stderr)
}

on_both_backends! {
    async fn a_csv_imports_in_batches_with_a_report_of_refused_rows(app) {
        let dir = tempfile::tempdir().unwrap();
        let csv_path = dir.path().join("leads.csv");
        let report = dir.path().join("refused.csv");
        let mut csv = String::from("firstName,lastName,email,phoneNumber,assigneeType,tags,checklist.tax_id,checklist.business_name.status\n");
        for i in 0..250 {
            match i {
                // Line 12: no first name, a bad email.
                10 => csv.push_str(",Nobody,not-an-email,,,,,\n"),
                // Line 152: a tax id that fails the template's pattern.
                150 => csv.push_str("Bad,Tax,bad.tax@example.com,,,,123,\n"),
                // Line 202: the same person as line 2 (a duplicate by email).
                200 => csv.push_str("Again,Zero,PERSON0@example.com,,,,,\n"),
                _ => writeln!(csv, "Person {i},\"Last, {i}\",person{i}@example.com,+1678231{i:04},manual,vip;batch,12-3456789,SKIPPED").unwrap(),
            }
        }
        std::fs::write(&csv_path, csv).unwrap();
        let url = app.database_url.clone();
        let workspace = app.workspace_id.to_string();
        let (ok, summary, stderr) = tokio::task::spawn_blocking({
            let (url, workspace, csv_path, report) = (url.clone(), workspace.clone(), csv_path.clone(), report.clone());
            move || import(&url, &["--workspace", &workspace, csv_path.to_str().unwrap(), "--on-duplicate", "skip", "--report", report.to_str().unwrap()])
        }).await.unwrap();
        assert!(ok, "{stderr}");
        assert_eq!(summary["rows"], 250, "{summary}");
        assert_eq!(summary["created"], 247);
        assert_eq!(summary["skipped"], 1);
        assert_eq!(summary["refused"], 2);
        // Not a terminal: a plain summary on stderr, no progress bar.
        assert!(stderr.contains("250 rows: 247 created, 1 skipped, 0 updated, 2 refused"), "{stderr}");
        assert_eq!(app.count("leads").await, 247);
        assert_eq!(app.count("action_logs").await, 247);
        assert_eq!(app.count("lead_tags").await, 2 * 247);
        let report = std::fs::read_to_string(&report).unwrap();
        assert_eq!(report, "line,field,message\n\
            12,firstName,is required\n\
            12,email,is not a valid email address\n\
            152,checklistItems[0].value,(tax_id) does not match the pattern ^[0-9]{2}-[0-9]{7}$\n");
        // Each lead as the API would have made it.
        let lead = app.data("{ leads(first: 1, orderBy: { field: NAME }) { nodes { firstName lastName assigneeType tags phoneNumber status } } }", serde_json::json!({})).await;
        let first = &lead["leads"]["nodes"][0];
        assert_eq!(first["lastName"], "Last, 0");
        assert_eq!(first["assigneeType"], "HUMAN_AGENT");
        assert_eq!(first["tags"], serde_json::json!(["batch", "vip"]));
        assert_eq!(first["phoneNumber"], "+16782310000");

        // Again as a dry run with REJECT: every row would be refused or is a duplicate;
        // nothing is written.
        let before = app.written_rows().await;
        let (ok, summary, stderr) = tokio::task::spawn_blocking({
            let (url, workspace, csv_path) = (url.clone(), workspace.clone(), csv_path.clone());
            move || import(&url, &["--workspace", &workspace, csv_path.to_str().unwrap(), "--on-duplicate", "reject", "--dry-run"])
        }).await.unwrap();
        assert!(ok, "{stderr}");
        assert_eq!(summary["dryRun"], true);
        assert_eq!(summary["created"], 0, "{summary}");
        assert_eq!(summary["refused"], 250);
        assert_eq!(app.written_rows().await, before);
    }
}

on_both_backends! {
    async fn json_lines_import_and_bad_files_are_refused(app) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("leads.ndjson");
        std::fs::write(&path, "{\"firstName\":\"Ada\",\"email\":\"ada@example.com\",\"checklistItems\":[{\"code\":\"tax_id\",\"value\":\"12-3456789\"}]}\n\nnot json\n[1]\n{\"firstName\":\"Bob\",\"assigneeType\":\"robot\"}\n{\"firstName\":\"Ada again\",\"email\":\"ADA@example.com\"}\n").unwrap();
        let report = dir.path().join("r.csv");
        let bad_column = dir.path().join("bad.csv");
        std::fs::write(&bad_column, "firstName,favouriteColour,checklist.nope\nAda,blue,x\n").unwrap();
        let unknown = dir.path().join("leads.txt");
        std::fs::write(&unknown, "firstName\nAda\n").unwrap();
        let url = app.database_url.clone();
        let workspace = app.workspace_id.to_string();
        let (first, second, third) = tokio::task::spawn_blocking(move || {
            let p = |p: &std::path::Path| p.to_str().unwrap().to_owned();
            (
                import(&url, &["--workspace", &workspace, &p(&path), "--on-duplicate", "update", "--report", &p(&report)]),
                import(&url, &["--workspace", &workspace, &p(&bad_column)]),
                import(&url, &["--workspace", &workspace, &p(&unknown)]),
            )
        }).await.unwrap();
        let (ok, summary, stderr) = first;
        assert!(ok, "{stderr}");
        assert_eq!((summary["created"].clone(), summary["updated"].clone(), summary["refused"].clone()),
            (serde_json::json!(1), serde_json::json!(1), serde_json::json!(3)), "{summary}");
        assert_eq!(app.count("leads").await, 1);
        let report = std::fs::read_to_string(dir.path().join("r.csv")).unwrap();
        let lines: Vec<&str> = report.lines().collect();
        assert_eq!(lines[0], "line,field,message");
        assert!(lines[1].starts_with("3,body,is not valid JSON"), "{report}");
        assert_eq!(lines[2], "4,body,must be a JSON object");
        assert!(lines[3].starts_with("5,assigneeType,"), "{report}");
        // The update went through updateLead's rules: one "Lead updated" log.
        let read = app.data("{ leads(first: 5) { nodes { firstName actionLogs(limit: 1) { summary } } } }", serde_json::json!({})).await;
        assert_eq!(read["leads"]["nodes"][0]["firstName"], "Ada again");
        assert_eq!(read["leads"]["nodes"][0]["actionLogs"][0]["summary"], "Lead updated");
        // Unknown columns refuse the file before anything is imported; so does a file
        // whose format cannot be told.
        let (ok, _, stderr) = second;
        assert!(!ok);
        assert!(stderr.contains("favouriteColour") && stderr.contains("nope"), "{stderr}");
        let (ok, _, stderr) = third;
        assert!(!ok);
        assert!(stderr.contains("--format"), "{stderr}");
        assert_eq!(app.count("leads").await, 1);
    }
}
