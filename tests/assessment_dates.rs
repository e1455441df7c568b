//! Questionnaires in time: `opens_on` (the portal neither lists nor accepts an assessment before
//! it opens), `completed_on` (a paper form's day, never in the future, the point's date), and
//! the points' days read in the practice's time zone, in measures and on the chart.

mod common;

use common::measures::*;
use common::trust::*;
use common::*;
use diesel::RunQueryDsl;
use serde_json::{json, Value};

async fn sql(app: &TestApp, sql: String) {
    app.sql(move |c| diesel::sql_query(sql).execute(c).expect("sql")).await;
}

fn today_in(zone: &str) -> chrono::NaiveDate {
    chrono::Utc::now().with_timezone(&zone.parse::<chrono_tz::Tz>().unwrap()).date_naive()
}

fn day(d: chrono::NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn portal_ids(page: &Value) -> Vec<String> {
    page["items"].as_array().unwrap().iter().map(|i| i["id"].as_str().unwrap().to_string()).collect()
}

#[tokio::test]
async fn an_assessment_that_opens_later_is_not_offered_or_answered_before() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let zone = "Pacific/Kiritimati"; // UTC+14: its today is not UTC's for most of the day.
    sql(&app, format!("UPDATE practices SET timezone = '{zone}' WHERE id = '{}'", w.p.id)).await;
    let today = today_in(zone);
    let path = format!("/api/v1/couples/{}/assessments", w.couple.id);
    let c = Some(&w.counselor);

    let later = day(today + chrono::Duration::days(1));
    let made = app.post(&path, c, json!({"instrument": "csi-4", "opens_on": later})).await.expect(201).json();
    let items = made["items"].as_array().unwrap();
    assert!(items.iter().all(|i| i["opens_on"] == json!(later)));
    let mine =
        items.iter().find(|i| i["client_id"] == w.couple.partners[0]).unwrap()["id"].as_str().unwrap().to_string();
    // Opening today (the practice's today) is offered at once.
    let now = app.post(&path, c, json!({"instrument": "csi-4", "opens_on": day(today)})).await.expect(201).json();
    let open_now = now["items"].as_array().unwrap().iter().find(|i| i["client_id"] == w.couple.partners[0]).unwrap()
        ["id"]
        .as_str()
        .unwrap()
        .to_string();

    let listed = portal_ids(&app.get("/api/v1/portal/assessments", Some(&w.a)).await.expect(200).json());
    assert!(!listed.contains(&mine), "not offered before it opens");
    assert!(listed.contains(&open_now));
    let refused = answer(&app, &w.a, &mine, csi4(1, 2, 3, 4)).await.problem(409);
    assert!(refused["detail"].as_str().unwrap().contains(&later), "{refused}");
    assert_untouched(&app, &mine).await;
    answer(&app, &w.a, &open_now, csi4(1, 2, 3, 4)).await.expect(200);

    // The counselor may still enter a paper form that came back early.
    app.post(&format!("/api/v1/assessments/{mine}/responses"), c, csi4(3, 3, 3, 3)).await.expect(200);

    // Once the day comes it is offered.
    let next = app.post(&path, c, json!({"instrument": "csi-4", "opens_on": later})).await.expect(201).json();
    let next_id = next["items"][0]["id"].as_str().unwrap().to_string();
    sql(&app, format!("UPDATE assessments SET opens_on = '{}' WHERE id = '{next_id}'", day(today))).await;
    let who = if next["items"][0]["client_id"] == w.couple.partners[0] { &w.a } else { &w.b };
    assert!(portal_ids(&app.get("/api/v1/portal/assessments", Some(who)).await.expect(200).json()).contains(&next_id));
}

#[tokio::test]
async fn opens_on_is_a_date_not_after_due_on_and_a_bad_one_writes_nothing() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let path = format!("/api/v1/couples/{}/assessments", w.couple.id);
    let c = Some(&w.counselor);
    for body in [
        json!({"instrument": "csi-4", "opens_on": "2030-02-01", "due_on": "2030-01-31"}),
        json!({"instrument": "csi-4", "opens_on": "2030-02-30"}),
        json!({"instrument": "csi-4", "opens_on": ""}),
        json!({"instrument": "csi-4", "opens_on": "2030-01-01\u{0}"}),
    ] {
        let p = app.post(&path, c, body.clone()).await;
        assert!(p.status == 422 || p.status == 400, "{body}: {}", p.status);
    }
    let p = app.post(&path, c, json!({"instrument": "csi-4", "opens_on": 20300101})).await.problem(400);
    assert!(p["detail"].as_str().is_some());
    let list = app.get(&path, c).await.expect(200).json();
    assert_eq!(list["items"].as_array().unwrap().len(), 0, "nothing was written");
    // Other staff and clients get what they get for any write to the couple.
    app.post(&path, Some(&w.other_counselor), json!({"instrument": "csi-4", "opens_on": "2030-01-01"}))
        .await
        .problem(404);
    app.post(&path, Some(&w.a), json!({"instrument": "csi-4", "opens_on": "2030-01-01"})).await.problem(403);
    app.post(&path, None, json!({"instrument": "csi-4", "opens_on": "2030-01-01"})).await.problem(401);
}

#[tokio::test]
async fn a_paper_form_keeps_its_day_and_the_day_is_never_in_the_future() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let zone = "America/Chicago";
    sql(&app, format!("UPDATE practices SET timezone = '{zone}' WHERE id = '{}'", w.p.id)).await;
    let c = Some(&w.counselor);
    let [a1, b1] = assign(&app, &w, &w.couple).await;
    let [a2, _] = assign(&app, &w, &w.couple).await;
    let respond = |id: &str| format!("/api/v1/assessments/{id}/responses");

    let tomorrow = day(today_in(zone) + chrono::Duration::days(1));
    let mut body = csi4(1, 1, 1, 1);
    body["completed_on"] = json!(tomorrow);
    let p = app.post(&respond(&a1), c, body).await.problem(422);
    assert_eq!(p["errors"][0]["field"], "completed_on");
    for bad in [json!("2026-13-01"), json!("yesterday"), json!(20261201)] {
        let mut body = csi4(1, 1, 1, 1);
        body["completed_on"] = bad.clone();
        let r = app.post(&respond(&a1), c, body).await;
        assert!(r.status == 422 || r.status == 400, "{bad}: {}", r.status);
    }
    assert_untouched(&app, &a1).await;
    // Only the assigned counselor enters paper forms; a client cannot pass a day.
    let mut body = csi4(1, 1, 1, 1);
    body["completed_on"] = json!("2026-11-20");
    app.post(&respond(&a1), Some(&w.other_counselor), body.clone()).await.problem(404);
    app.post(&respond(&a1), Some(&w.a), body.clone()).await.problem(403);
    answer(&app, &w.a, &a1, body.clone()).await.problem(400);
    assert_untouched(&app, &a1).await;

    let entered = app.post(&respond(&a1), c, body).await.expect(200).json();
    assert_eq!(entered["completed_on"], "2026-11-20");
    // Without a day, the day it is entered (the practice's today).
    let entered = app.post(&respond(&a2), c, csi4(2, 2, 2, 2)).await.expect(200).json();
    assert_eq!(entered["completed_on"], json!(day(today_in(zone))));
    // Answered in the portal at 03:00 UTC on 6 December: 5 December in Chicago.
    answer(&app, &w.b, &b1, csi4(4, 4, 4, 4)).await.expect(200);
    sql(&app, format!("UPDATE assessments SET completed_at = '2026-12-06 03:00:00' WHERE id = '{b1}'")).await;

    let m = app.get(&format!("/api/v1/couples/{}/measures/csi-4", w.couple.id), c).await.expect(200).json();
    let days = |p: &Value| {
        p["points"]
            .as_array()
            .unwrap()
            .iter()
            .map(|x| x["completed_on"].as_str().unwrap().to_string())
            .collect::<Vec<_>>()
    };
    assert_eq!(days(&m["partners"][0]), vec!["2026-11-20".to_string(), day(today_in(zone))]);
    assert_eq!(days(&m["partners"][1]), vec!["2026-12-05".to_string()]);
    let svg = app.get(&format!("/api/v1/couples/{}/measures/csi-4/chart.svg", w.couple.id), c).await.expect(200).text;
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let second = doc.descendants().filter(|n| n.attribute("class") == Some("partner")).nth(1).expect("partner b");
    let drawn: Vec<&str> = second.descendants().filter_map(|n| n.attribute("data-date")).collect();
    assert_eq!(drawn, ["2026-12-05"], "the point is drawn on its day in Chicago");
}

#[tokio::test]
async fn a_crowded_chart_with_long_names_keeps_every_label_inside_and_apart() {
    let app = TestApp::spawn().await;
    let w = World::new(&app).await;
    let long = "Maximiliana-Josefina Alexandrovna Vanderbilt-Okonkwo";
    sql(&app, format!("UPDATE clients SET first_name = '{long}' WHERE id = '{}'", w.couple.partners[0])).await;
    let c = Some(&w.counselor);
    for i in 0..14 {
        let [a, b] = assign(&app, &w, &w.couple).await;
        for (id, score) in [(a, i % 5), (b, 4 - i % 5)] {
            let mut body = csi4(score, score, score, 1);
            body["completed_on"] =
                json!(day(chrono::NaiveDate::from_ymd_opt(2025, 12, 20).unwrap() + chrono::Duration::days(3 * i)));
            app.post(&format!("/api/v1/assessments/{id}/responses"), c, body).await.expect(200);
        }
    }
    let svg = app.get(&format!("/api/v1/couples/{}/measures/csi-4/chart.svg", w.couple.id), c).await.expect(200).text;
    if let Ok(dir) = std::env::var("MEND_CHART_OUT") {
        std::fs::write(format!("{dir}/crowded-chart.svg"), &svg).unwrap();
    }
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let root = doc.root_element();
    let view: Vec<f64> = root.attribute("viewBox").unwrap().split(' ').map(|v| v.parse().unwrap()).collect();
    let mut boxes: Vec<(f64, f64, f64, f64, String)> = Vec::new();
    for n in doc.descendants().filter(|n| n.tag_name().name() == "text") {
        let text = n.text().unwrap_or_default().to_string();
        let size: f64 = n.attribute("font-size").or(root.attribute("font-size")).unwrap().parse().unwrap();
        let (x, y): (f64, f64) =
            (n.attribute("x").unwrap().parse().unwrap(), n.attribute("y").unwrap().parse().unwrap());
        let wdt = text.chars().count() as f64 * 0.62 * size;
        let left = match n.attribute("text-anchor") {
            Some("middle") => x - wdt / 2.0,
            Some("end") => x - wdt,
            _ => x,
        };
        let b = (left, y - size, left + wdt, y + 0.25 * size, text);
        assert!(b.0 >= 0.0 && b.1 >= 0.0 && b.2 <= view[2] && b.3 <= view[3], "outside: {b:?}");
        for o in &boxes {
            assert!(b.2 <= o.0 || o.2 <= b.0 || b.3 <= o.1 || o.3 <= b.1, "overlap: {b:?} {o:?}");
        }
        boxes.push(b);
    }
    let dates: Vec<&str> =
        doc.descendants().filter(|n| n.attribute("class") == Some("date")).filter_map(|n| n.text()).collect();
    assert!(dates.len() >= 4, "{dates:?}");
    // The span crosses a new year, so the dates carry it; the last day is labelled.
    assert_eq!(dates.last().copied(), Some("Jan 28, 2026"));
    assert!(boxes.iter().any(|b| b.4.ends_with('…')), "the long name is cut to fit");
}
