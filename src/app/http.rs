//! The app's web server: its page, and the requests the page makes. Every request is checked
//! first ([`guard`]): it must name this computer's loopback address as its host (so a web page
//! elsewhere cannot reach the server through a name it points at 127.0.0.1), and carry the
//! secret token from the address the app opened; changes must carry it in a header, which
//! other sites' pages cannot send. Every answer forbids loading anything from anywhere else.

use super::batch::{Batch, Refusal, MAX_PHOTO_BYTES};
use super::App;
use axum::body::Bytes;
use axum::extract::rejection::BytesRejection;
use axum::extract::{DefaultBodyLimit, Path, Query, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post, put};
use axum::{Json, Router};
use postsafe::{Decision, FaceAction, Options, Roster};
use serde::Deserialize;
use std::sync::Arc;

/// What every answer says about where content may come from: only this server, no scripts
/// or styles written into the page, no frames, no forms sent anywhere.
const CSP: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' blob:; \
                   connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'";
/// The cookie that carries the token for the page's own pictures and files.
const COOKIE: &str = "postsafe";
/// The header that carries the token on every request that changes something.
const TOKEN_HEADER: &str = "x-postsafe-token";

const PAGE: &str = include_str!("page.html");
const SCRIPT: &str = include_str!("app.js");
const STYLE: &str = include_str!("app.css");

/// The routes, behind [`guard`].
pub(crate) fn router(app: Arc<App>) -> Router {
    Router::new()
        .route("/", get(page))
        .route(
            "/app.js",
            get(|| async { ([(header::CONTENT_TYPE, "text/javascript; charset=utf-8")], SCRIPT) }),
        )
        .route("/app.css", get(|| async { ([(header::CONTENT_TYPE, "text/css; charset=utf-8")], STYLE) }))
        .route("/favicon.ico", get(|| async { StatusCode::NO_CONTENT }))
        .route("/api/alive", post(|| async { StatusCode::NO_CONTENT }))
        .route("/api/batches", post(new_batch))
        .route("/api/batches/{batch}", get(batch_state))
        .route("/api/batches/{batch}/photos", put(add_photo).layer(DefaultBodyLimit::max(MAX_PHOTO_BYTES)))
        .route("/api/batches/{batch}/start", post(start))
        .route("/api/batches/{batch}/open-ready", post(open_ready))
        .route("/api/batches/{batch}/ready.zip", get(ready_zip))
        .route("/api/photos/{photo}/thumb", get(thumbnail))
        .route("/api/photos/{photo}/view", get(view))
        .route("/api/photos/{photo}/decision", post(decide))
        .layer(axum::middleware::from_fn_with_state(app.clone(), guard))
        .with_state(app)
}

/// Refuses a request that does not name this server as its host, or lacks the token; adds
/// the headers every answer carries.
async fn guard(State(app): State<Arc<App>>, request: Request, next: Next) -> Response {
    let headers = request.headers();
    let ours = [format!("127.0.0.1:{}", app.port), format!("localhost:{}", app.port)];
    let named = |value: Option<&HeaderValue>, prefix: &str| {
        value.and_then(|v| v.to_str().ok()).is_some_and(|v| ours.iter().any(|o| v == format!("{prefix}{o}")))
    };
    if !named(headers.get(header::HOST), "") {
        return refuse(StatusCode::MISDIRECTED_REQUEST, "this server answers only its own page at 127.0.0.1");
    }
    if headers.contains_key(header::ORIGIN) && !named(headers.get(header::ORIGIN), "http://") {
        return refuse(StatusCode::FORBIDDEN, "this server answers only its own page");
    }
    let in_header = same(headers.get(TOKEN_HEADER).and_then(|v| v.to_str().ok()), &app.token);
    let in_cookie = same(cookie(headers), &app.token);
    let query = request.uri().query().unwrap_or_default();
    let in_address = request.uri().path() == "/"
        && same(query.split('&').find_map(|pair| pair.strip_prefix("t=")), &app.token);
    let reading = matches!(*request.method(), Method::GET | Method::HEAD);
    if !(in_header || (reading && (in_cookie || in_address))) {
        return refuse(
            StatusCode::FORBIDDEN,
            "this page belongs to another start of postsafe; start it again",
        );
    }
    app.heard_from();
    let mut response = next.run(request).await;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if in_address {
        let cookie = format!("{COOKIE}={}; Path=/; HttpOnly; SameSite=Strict", app.token);
        if let Ok(value) = HeaderValue::from_str(&cookie) {
            headers.insert(header::SET_COOKIE, value);
        }
    }
    response
}

/// Whether `given` is the token, compared in constant time.
fn same(given: Option<&str>, token: &str) -> bool {
    given.is_some_and(|g| {
        g.len() == token.len() && g.bytes().zip(token.bytes()).fold(0, |d, (a, b)| d | (a ^ b)) == 0
    })
}

/// The token in the request's cookie, if any.
fn cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .find_map(|pair| pair.trim().strip_prefix(COOKIE)?.strip_prefix('='))
}

fn refuse(status: StatusCode, why: &str) -> Response {
    let mut response = (status, Json(serde_json::json!({ "error": why }))).into_response();
    response.headers_mut().insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CSP));
    response
}

impl IntoResponse for Refusal {
    fn into_response(self) -> Response {
        let (status, why) = match self {
            Refusal::Bad(why) => (StatusCode::BAD_REQUEST, why),
            Refusal::Conflict(why) => (StatusCode::CONFLICT, why),
            Refusal::Full(why) => (StatusCode::TOO_MANY_REQUESTS, why),
            Refusal::Failed(why) => (StatusCode::INTERNAL_SERVER_ERROR, why),
        };
        refuse(status, &why)
    }
}

async fn page(State(app): State<Arc<App>>) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], PAGE.replace("{{TOKEN}}", &app.token))
}

fn batch_of(app: &App, id: &str) -> Result<Arc<Batch>, Response> {
    let batches = app.batches.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    batches.iter().find(|b| b.id == id).cloned().ok_or_else(|| refuse(StatusCode::NOT_FOUND, "no such check"))
}

fn batch_with_photo(app: &App, id: &str) -> Result<Arc<Batch>, Response> {
    let batches = app.batches.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
    batches.iter().find(|b| b.has(id)).cloned().ok_or_else(|| refuse(StatusCode::NOT_FOUND, "no such photo"))
}

#[derive(Deserialize)]
struct NewBatch {
    faces: String,
    names: Option<String>,
}

async fn new_batch(State(app): State<Arc<App>>, Json(asked): Json<NewBatch>) -> Response {
    let faces = match asked.faces.as_str() {
        "hold" => FaceAction::Hold,
        "cover" => FaceAction::Blur,
        _ => return Refusal::Bad("faces must be \"hold\" or \"cover\"".into()).into_response(),
    };
    let roster = match asked.names.as_deref().map(Roster::parse) {
        Some(roster) if roster.is_empty() => {
            return Refusal::Bad("the class list has no names in it: put one name per line".into())
                .into_response()
        }
        roster => roster.unwrap_or_default(),
    };
    let options = Options { faces, roster, ..app.filter.options().clone() };
    let made = app
        .filter
        .with_options(options)
        .map_err(|e| Refusal::Failed(e.to_string()))
        .and_then(|filter| Batch::new(filter, app.uploads.path(), &app.out));
    match made {
        Ok(batch) => {
            let json = serde_json::json!({ "id": batch.id, "out": batch.out.display().to_string() });
            app.batches.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(Arc::new(batch));
            (StatusCode::CREATED, Json(json)).into_response()
        }
        Err(refusal) => refusal.into_response(),
    }
}

async fn batch_state(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    match batch_of(&app, &id) {
        Ok(batch) => Json(batch.json()).into_response(),
        Err(response) => response,
    }
}

#[derive(Deserialize)]
struct Named {
    name: String,
}

async fn add_photo(
    State(app): State<Arc<App>>,
    Path(id): Path<String>,
    Query(named): Query<Named>,
    bytes: Result<Bytes, BytesRejection>,
) -> Response {
    let Ok(bytes) = bytes else {
        let most = MAX_PHOTO_BYTES / (1024 * 1024);
        let why =
            format!("{} is larger than the {most} MB a photo may be; is it really a photo?", named.name);
        return refuse(StatusCode::PAYLOAD_TOO_LARGE, &why);
    };
    let batch = match batch_of(&app, &id) {
        Ok(batch) => batch,
        Err(response) => return response,
    };
    let added = tokio::task::spawn_blocking(move || batch.add(&named.name, &bytes)).await;
    match added {
        Ok(Ok(Some(id))) => (StatusCode::CREATED, Json(serde_json::json!({ "id": id }))).into_response(),
        Ok(Ok(None)) => StatusCode::NO_CONTENT.into_response(),
        Ok(Err(refusal)) => refusal.into_response(),
        Err(e) => Refusal::Failed(e.to_string()).into_response(),
    }
}

async fn start(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let batch = match batch_of(&app, &id) {
        Ok(batch) => batch,
        Err(response) => return response,
    };
    match batch.start(app.clone()) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(refusal) => refusal.into_response(),
    }
}

async fn open_ready(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let batch = match batch_of(&app, &id) {
        Ok(batch) => batch,
        Err(response) => return response,
    };
    let ready = batch.out.join(postsafe::READY_DIR);
    match crate::desktop::open(ready.as_os_str()) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(why) => Refusal::Failed(format!("could not open the folder ({why}); it is {}", ready.display()))
            .into_response(),
    }
}

async fn ready_zip(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let batch = match batch_of(&app, &id) {
        Ok(batch) => batch,
        Err(response) => return response,
    };
    let zipped = tokio::task::spawn_blocking(move || zip_of(&batch.ready_files())).await;
    match zipped {
        Ok(Ok(bytes)) => (
            [
                (header::CONTENT_TYPE, "application/zip"),
                (header::CONTENT_DISPOSITION, "attachment; filename=\"ready photos.zip\""),
            ],
            bytes,
        )
            .into_response(),
        Ok(Err(why)) => Refusal::Failed(why).into_response(),
        Err(e) => Refusal::Failed(e.to_string()).into_response(),
    }
}

/// `files` in one zip, stored as they are: photos do not compress further.
fn zip_of(files: &[std::path::PathBuf]) -> Result<Vec<u8>, String> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let stored = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for file in files {
        let name = file.file_name().unwrap_or_default().to_string_lossy();
        let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
        zip.start_file(name, stored).map_err(|e| e.to_string())?;
        std::io::Write::write_all(&mut zip, &bytes).map_err(|e| e.to_string())?;
    }
    Ok(zip.finish().map_err(|e| e.to_string())?.into_inner())
}

fn jpeg(bytes: Vec<u8>) -> Response {
    ([(header::CONTENT_TYPE, "image/jpeg")], bytes).into_response()
}

async fn thumbnail(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    match batch_with_photo(&app, &id).map(|batch| batch.thumbnail(&id)) {
        Ok(Some(bytes)) => jpeg(bytes),
        Ok(None) => refuse(StatusCode::NOT_FOUND, "this photo has no picture"),
        Err(response) => response,
    }
}

/// Long side of the picture a person draws areas on.
const VIEW_SIDE: u32 = 1024;

async fn view(State(app): State<Arc<App>>, Path(id): Path<String>) -> Response {
    let batch = match batch_with_photo(&app, &id) {
        Ok(batch) => batch,
        Err(response) => return response,
    };
    let shown = tokio::task::spawn_blocking(move || {
        let file = batch.shown_file(&id).ok_or("no such photo")?;
        let bytes = std::fs::read(&file).map_err(|e| e.to_string())?;
        let picture = postsafe::stages::decode(&bytes, VIEW_SIDE).map_err(|e| e.to_string())?;
        let picture = postsafe::stages::fit_within(&picture, VIEW_SIDE);
        let mut out = Vec::new();
        picture
            .to_rgb8()
            .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Jpeg)
            .map_err(|e| e.to_string())?;
        Ok::<_, String>(out)
    })
    .await;
    match shown {
        Ok(Ok(bytes)) => jpeg(bytes),
        Ok(Err(why)) => Refusal::Failed(why).into_response(),
        Err(e) => Refusal::Failed(e.to_string()).into_response(),
    }
}

#[derive(Deserialize)]
struct Asked {
    #[serde(flatten)]
    decision: Decision,
    #[serde(default)]
    confirmed: bool,
}

async fn decide(State(app): State<Arc<App>>, Path(id): Path<String>, Json(asked): Json<Asked>) -> Response {
    if asked.decision == Decision::PostAnyway && !asked.confirmed {
        return Refusal::Bad("posting a held-back photo needs the person's confirmation".into())
            .into_response();
    }
    if matches!(&asked.decision, Decision::CoverAreas { areas } if areas.is_empty()) {
        return Refusal::Bad("draw at least one area to cover".into()).into_response();
    }
    let batch = match batch_with_photo(&app, &id) {
        Ok(batch) => batch,
        Err(response) => return response,
    };
    let decided = tokio::task::spawn_blocking(move || batch.decide(&id, asked.decision)).await;
    match decided {
        Ok(Ok(Some(photo))) => Json(photo).into_response(),
        Ok(Ok(None)) => refuse(StatusCode::NOT_FOUND, "no such photo"),
        Ok(Err(refusal)) => refusal.into_response(),
        Err(e) => Refusal::Failed(e.to_string()).into_response(),
    }
}
