//! The browser entry point, compiled to wasm. Pages are rendered on the server; Leptos'
//! island script loads this module, calls [`hydrate`], then hydrates each `#[island]` of the
//! page (their exports come from the `app` crate, linked in below).

use app as _;

#[wasm_bindgen::prelude::wasm_bindgen]
pub fn hydrate() {
    console_error_panic_hook::set_once();
    leptos::mount::hydrate_islands();
    // Lets browser tests (and curious people) see that the wasm has taken over the page; the
    // island script hydrates the islands right after this returns, in the same task.
    if let Some(body) = leptos::prelude::document().body() {
        let _ = body.set_attribute("data-hydrated", "true");
    }
}
