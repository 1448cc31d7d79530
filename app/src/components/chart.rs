//! A bar chart drawn as inline SVG on the server: no script, no chart library, no CDN. Each
//! bar carries its label and value in a `<title>` (a tooltip, and read by screen readers).

use leptos::prelude::*;

/// The drawing's size in SVG units (it scales to the container's width).
const WIDTH: i64 = 600;
const HEIGHT: i64 = 160;

/// Bars of `points` (label, value), left to right, scaled to the largest value.
#[component]
pub fn BarChart(
    /// What the chart shows, for its accessible name.
    label: String,
    points: Vec<(String, i64)>,
) -> impl IntoView {
    let count = i64::try_from(points.len()).unwrap_or(1).max(1);
    let top = points.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
    let slot = WIDTH / count;
    let bars = points
        .into_iter()
        .enumerate()
        .map(|(i, (name, value))| {
            let height = (value * (HEIGHT - 20) / top).max(i64::from(value > 0));
            let x = i64::try_from(i).unwrap_or(0) * slot + 1;
            view! {
                <rect x=x y=HEIGHT - height width=(slot - 2).max(1) height=height class="fill-indigo-500">
                    <title>{format!("{name}: {value}")}</title>
                </rect>
            }
        })
        .collect_view();
    view! {
        <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=label class="h-40 w-full">
            <line x1="0" y1=HEIGHT x2=WIDTH y2=HEIGHT class="stroke-slate-300"/>
            {bars}
        </svg>
    }
}
