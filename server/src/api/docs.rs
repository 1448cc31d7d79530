//! `/api/docs`: the API reference as plain server-rendered HTML, built from the same OpenAPI
//! document served at `/api/v1/openapi.json`. It needs no CDN and no script, so it works
//! offline and under the strict default CSP.

use super::v1::ApiDoc;
use axum::response::Html;
use std::sync::OnceLock;
use utoipa::OpenApi;
use utoipa::openapi::path::Operation;
use utoipa::openapi::{RefOr, Required};

/// The page, rendered once: the document cannot change while the process runs.
pub async fn page() -> Html<&'static str> {
    static PAGE: OnceLock<String> = OnceLock::new();
    Html(PAGE.get_or_init(|| render(&ApiDoc::openapi())))
}

fn render(doc: &utoipa::openapi::OpenApi) -> String {
    let mut out = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>API reference · Agora</title>\
         <link rel=\"stylesheet\" href=\"/pkg/{}.css\"></head>\
         <body class=\"bg-slate-100 text-slate-900\"><main class=\"mx-auto max-w-4xl px-4 py-8 break-words\">",
        app::BUNDLE_NAME
    );
    out.push_str(&format!(
        "<h1 class=\"text-3xl font-bold\">{} <span class=\"text-slate-500\">v{}</span></h1>",
        escape(&doc.info.title),
        escape(&doc.info.version)
    ));
    if let Some(description) = &doc.info.description {
        out.push_str(&format!("<p class=\"mt-4\">{}</p>", escape(description)));
    }
    out.push_str(
        "<p class=\"mt-2\">Machine-readable: <a class=\"text-indigo-700 underline\" \
         href=\"/api/v1/openapi.json\">/api/v1/openapi.json</a> (OpenAPI 3.1).</p>",
    );
    for (path, item) in &doc.paths.paths {
        for (method, operation) in operations(item) {
            render_operation(&mut out, method, path, operation);
        }
    }
    out.push_str("</main></body></html>");
    out
}

fn operations(item: &utoipa::openapi::PathItem) -> Vec<(&'static str, &Operation)> {
    [
        ("GET", &item.get),
        ("POST", &item.post),
        ("PUT", &item.put),
        ("PATCH", &item.patch),
        ("DELETE", &item.delete),
    ]
    .into_iter()
    .filter_map(|(method, op)| op.as_ref().map(|op| (method, op)))
    .collect()
}

fn render_operation(out: &mut String, method: &str, path: &str, op: &Operation) {
    out.push_str("<section class=\"mt-8 rounded-lg border border-slate-200 bg-white p-5\">");
    out.push_str(&format!(
        "<h2 class=\"font-mono text-lg\"><span class=\"font-bold text-indigo-700\">{method}</span> {}</h2>",
        escape(path)
    ));
    if let Some(summary) = &op.summary {
        out.push_str(&format!("<p class=\"mt-2\">{}</p>", escape(summary)));
    }
    if let Some(description) = op
        .description
        .as_ref()
        .filter(|d| Some(*d) != op.summary.as_ref())
    {
        out.push_str(&format!(
            "<p class=\"mt-2 text-slate-600\">{}</p>",
            escape(description)
        ));
    }
    if let Some(parameters) = op.parameters.as_ref().filter(|p| !p.is_empty()) {
        out.push_str(
            "<h3 class=\"mt-4 font-semibold\">Parameters</h3><ul class=\"list-disc pl-6\">",
        );
        for p in parameters {
            let required = if matches!(p.required, Required::True) {
                " (required)"
            } else {
                ""
            };
            out.push_str(&format!(
                "<li><code>{}</code>{required}</li>",
                escape(&p.name)
            ));
        }
        out.push_str("</ul>");
    }
    out.push_str("<h3 class=\"mt-4 font-semibold\">Responses</h3><ul class=\"list-disc pl-6\">");
    for (status, response) in &op.responses.responses {
        let description = match response {
            RefOr::T(r) => r.description.clone(),
            RefOr::Ref(r) => r.ref_location.clone(),
        };
        out.push_str(&format!(
            "<li><code>{}</code> {}</li>",
            escape(status),
            escape(&description)
        ));
    }
    out.push_str("</ul></section>");
}

/// Escapes text for HTML element content and attribute values.
fn escape(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            c => escaped.push(c),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_documented_operation_appears_on_the_page() {
        let doc = ApiDoc::openapi();
        let html = render(&doc);
        for path in doc.paths.paths.keys() {
            assert!(html.contains(&escape(path)), "{path} missing");
        }
        assert!(html.contains("<h1"));
    }

    #[test]
    fn text_is_escaped() {
        assert_eq!(
            escape("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
